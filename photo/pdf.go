package photo

import (
	"bytes"
	"fmt"
	"image/color"
	"image/jpeg"
	"io"
	"math"
	"strconv"
)

// WritePDF writes a one-page PDF showing a JPEG file at dpi dots per inch:
// the page is the picture's size, and the JPEG is embedded as it is
// (DCTDecode), so nothing is re-encoded.
func WritePDF(w io.Writer, jpg []byte, dpi int) error {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(jpg))
	if err != nil {
		return fmt.Errorf("write PDF: %w", err)
	}
	space := "/DeviceRGB"
	switch cfg.ColorModel {
	case color.GrayModel:
		space = "/DeviceGray"
	case color.CMYKModel:
		// Adobe's CMYK JPEGs are inverted; Go writes none.
		return fmt.Errorf("write PDF: CMYK JPEG")
	}
	pw := float64(cfg.Width) * 72 / float64(dpi)
	ph := float64(cfg.Height) * 72 / float64(dpi)
	content := fmt.Sprintf("q %s 0 0 %s 0 0 cm /Im0 Do Q\n", num(pw), num(ph))

	var b bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj("<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>", num(pw), num(ph)))
	obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n%s\nendstream",
		cfg.Width, cfg.Height, space, len(jpg), jpg))
	obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	_, err = w.Write(b.Bytes())
	return err
}

// num writes a PDF number: at most two decimals, no exponent.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
