package photo

import (
	"bytes"
	"errors"
	"image"
	"sync"
)

// ErrNoCrop is returned for the print files of a picture without exactly
// one face: there is nothing to crop around.
var ErrNoCrop = errors.New("photo: no single face to crop around")

// Prepared is a checked picture and its print, ready to be encoded. It
// holds the print only, not the picture, and the sheet once encoded, for
// the JPEG and the PDF hold the same.
type Prepared struct {
	Report Report
	print  *image.RGBA // nil unless Report.Crop is set

	sheetOnce sync.Once
	sheet     []byte
	sheetErr  error
}

// Prepare decodes a picture within lim, as Decode does, and checks it.
// Its only errors are Decode's *DecodeError. The decoded picture is
// dropped on return: memory is bounded by lim while it runs, and by the
// print afterwards.
func (c *Checker) Prepare(data []byte, lim Limits) (*Prepared, error) {
	p, err := Decode(data, lim)
	if err != nil {
		return nil, err
	}
	rep, print := c.check(p)
	if rep.Crop.Empty() {
		print = nil
	}
	return &Prepared{Report: rep, print: print}, nil
}

// Crop returns rectangle r of the upright picture p scaled to the print,
// PrintWidth × PrintHeight, on white.
func Crop(p Picture, r image.Rectangle) *image.RGBA {
	return p.render(inside(r, p.Bounds()), PrintWidth, PrintHeight)
}

// Print returns the print: the crop, PrintWidth × PrintHeight pixels.
func (p *Prepared) Print() (*image.RGBA, error) {
	if p.print == nil {
		return nil, ErrNoCrop
	}
	return p.print, nil
}

// PrintJPEG returns the print as a JPEG file of 300 dpi: 33 × 48 mm at
// actual size.
func (p *Prepared) PrintJPEG() ([]byte, error) {
	m, err := p.Print()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = EncodeJPEG(&b, m)
	return b.Bytes(), err
}

// SheetJPEG returns the 6-inch sheet of SheetCopies prints as a JPEG file
// of 300 dpi. It is made once: every call returns the same bytes, which
// the caller must not change.
func (p *Prepared) SheetJPEG() ([]byte, error) {
	p.sheetOnce.Do(func() {
		m, err := p.Print()
		if err != nil {
			p.sheetErr = err
			return
		}
		var b bytes.Buffer
		p.sheetErr = EncodeJPEG(&b, Sheet(m))
		p.sheet = b.Bytes()
	})
	if p.sheetErr != nil {
		return nil, p.sheetErr
	}
	return p.sheet, nil
}

// SheetPDF returns the 6-inch sheet as a one-page PDF of 6 × 4 inches.
func (p *Prepared) SheetPDF() ([]byte, error) {
	jpg, err := p.SheetJPEG()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = WritePDF(&b, jpg, DPI)
	return b.Bytes(), err
}
