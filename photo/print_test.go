package photo

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"regexp"
	"strconv"
	"testing"

	"examdesk/photo/phototest"
)

// mmPerInch converts between millimetres and dots at DPI.
const mmPerInch = 25.4

func TestEncodeJPEGDensity(t *testing.T) {
	t.Parallel()
	m := image.NewRGBA(image.Rect(0, 0, PrintWidth, PrintHeight))
	var b bytes.Buffer
	if err := EncodeJPEG(&b, m); err != nil {
		t.Fatal(err)
	}
	if x, y, ok := Density(b.Bytes()); !ok || x != DPI || y != DPI {
		t.Errorf("Density(EncodeJPEG) = %d, %d, %v; want %d, %d, true", x, y, ok, DPI, DPI)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(b.Bytes()))
	if err != nil || cfg.Width != PrintWidth || cfg.Height != PrintHeight {
		t.Errorf("EncodeJPEG made a %d × %d JPEG (%v); want %d × %d", cfg.Width, cfg.Height, err, PrintWidth, PrintHeight)
	}
	// At that density, the print is 33 × 48 mm, to a tenth of a millimetre.
	if w, h := float64(cfg.Width)/DPI*mmPerInch, float64(cfg.Height)/DPI*mmPerInch; w < WidthMM-0.1 || w > WidthMM+0.1 || h < HeightMM-0.1 || h > HeightMM+0.1 {
		t.Errorf("the print is %.2f × %.2f mm; want %d × %d", w, h, WidthMM, HeightMM)
	}
	// image/jpeg alone records none.
	if x, y, ok := Density(phototest.JPEG(t, m, 90)); ok {
		t.Errorf("Density(image/jpeg's file) = %d, %d, true; want none", x, y)
	}
}

func TestSheetLayout(t *testing.T) {
	t.Parallel()
	places := SheetLayout()
	if len(places) != SheetCopies || SheetCopies != 8 {
		t.Fatalf("SheetLayout() has %d places; want 8", len(places))
	}
	sheet := image.Rect(0, 0, SheetWidth, SheetHeight)
	// 6 × 4 inches is 152.4 × 101.6 mm: 4R (6-inch) paper.
	if SheetWidth != 6*DPI || SheetHeight != 4*DPI {
		t.Errorf("sheet %v; want 6 × 4 inches at %d dpi", sheet, DPI)
	}
	for i, p := range places {
		if p.Dx() != PrintWidth || p.Dy() != PrintHeight {
			t.Errorf("place %d is %v; want %d × %d", i, p, PrintWidth, PrintHeight)
		}
		if !p.In(sheet.Inset(2 * markClear)) {
			t.Errorf("place %d %v is not inside the sheet with a margin", i, p)
		}
		for j, q := range places[:i] {
			if p.Inset(-markClear).Overlaps(q.Inset(-markClear)) {
				t.Errorf("places %d %v and %d %v leave no room for a cut between them", j, q, i, p)
			}
		}
	}
}

func TestSheet(t *testing.T) {
	t.Parallel()
	src := image.NewRGBA(image.Rect(0, 0, PrintWidth, PrintHeight))
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 7) // every pixel different from its neighbours
	}
	for i := 3; i < len(src.Pix); i += 4 {
		src.Pix[i] = 0xff
	}
	m := Sheet(src)
	if m.Rect != image.Rect(0, 0, SheetWidth, SheetHeight) {
		t.Fatalf("Sheet is %v", m.Rect)
	}
	places := SheetLayout()
	for i, p := range places {
		for y := range PrintHeight {
			got := m.Pix[m.PixOffset(p.Min.X, p.Min.Y+y):][:4*PrintWidth]
			want := src.Pix[src.PixOffset(0, y):][:4*PrintWidth]
			if !bytes.Equal(got, want) {
				t.Fatalf("copy %d differs from the print at row %d", i, y)
			}
		}
	}
	// Outside the prints: white paper and cut marks, the marks never
	// closer than markClear to a print.
	white, mark := color.RGBA{0xff, 0xff, 0xff, 0xff}, markColor
	marks := 0
	for y := range SheetHeight {
		for x := range SheetWidth {
			pt := image.Pt(x, y)
			inPrint, nearPrint := false, false
			for _, p := range places {
				inPrint = inPrint || pt.In(p)
				nearPrint = nearPrint || pt.In(p.Inset(-markClear))
			}
			if inPrint {
				continue
			}
			switch c := m.RGBAAt(x, y); c {
			case white:
			case mark:
				marks++
				if nearPrint {
					t.Fatalf("cut mark at %v, within %d pixels of a print", pt, markClear)
				}
			default:
				t.Fatalf("pixel %v outside the prints is %v; want white or a cut mark", pt, c)
			}
		}
	}
	// Every edge of every print is marked where it meets the margin or a
	// gutter: on both sides of each corner, along the edge's line.
	for i, p := range places {
		for _, c := range []struct {
			name string
			at   image.Point
		}{
			{"left edge above", image.Pt(p.Min.X, p.Min.Y-markClear-2)},
			{"left edge below", image.Pt(p.Min.X, p.Max.Y+markClear+1)},
			{"right edge above", image.Pt(p.Max.X, p.Min.Y-markClear-2)},
			{"right edge below", image.Pt(p.Max.X, p.Max.Y+markClear+1)},
			{"top edge left", image.Pt(p.Min.X-markClear-2, p.Min.Y)},
			{"top edge right", image.Pt(p.Max.X+markClear+1, p.Min.Y)},
			{"bottom edge left", image.Pt(p.Min.X-markClear-2, p.Max.Y)},
			{"bottom edge right", image.Pt(p.Max.X+markClear+1, p.Max.Y)},
		} {
			if got := m.RGBAAt(c.at.X, c.at.Y); got != mark {
				t.Errorf("print %d: %s at %v is %v; want a cut mark", i, c.name, c.at, got)
			}
		}
	}
	if marks == 0 {
		t.Error("no cut marks")
	}
}

// TestSheetPDF reads the PDF back: its objects where the cross-reference
// table says, the page 6 × 4 inches, the sheet's JPEG embedded unchanged.
func TestSheetPDF(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	p, err := c.Prepare(phototest.JPEG(t, small().Image(t), 90), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	jpg, err := p.SheetJPEG()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WritePDF(&b, jpg, DPI); err != nil {
		t.Fatal(err)
	}
	pdf := b.Bytes()
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("PDF starts %q, ends %q", pdf[:9], pdf[len(pdf)-6:])
	}
	start := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(pdf)
	if start == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(start[1]))
	table := regexp.MustCompile(`^xref\n0 (\d+)\n0000000000 65535 f \n((?:\d{10} 00000 n \n)+)trailer\n<< /Size (\d+) /Root 1 0 R >>\n`).FindSubmatch(pdf[xref:])
	if table == nil {
		t.Fatalf("no cross-reference table at %d: %q", xref, pdf[xref:min(len(pdf), xref+80)])
	}
	if string(table[1]) != "6" || string(table[3]) != "6" {
		t.Errorf("xref of %s entries, trailer size %s; want 6", table[1], table[3])
	}
	entries := bytes.Split(bytes.TrimSuffix(table[2], []byte("\n")), []byte("\n"))
	objs := map[int]string{}
	for i, e := range entries {
		off, _ := strconv.Atoi(string(e[:10]))
		head := strconv.Itoa(i+1) + " 0 obj\n"
		if !bytes.HasPrefix(pdf[off:], []byte(head)) {
			t.Errorf("object %d: the table says %d, where the file has %q", i+1, off, pdf[off:min(len(pdf), off+12)])
			continue
		}
		end := bytes.Index(pdf[off:], []byte("\nendobj\n"))
		objs[i+1] = string(pdf[off+len(head) : off+end])
	}
	if objs[1] != "<< /Type /Catalog /Pages 2 0 R >>" || objs[2] != "<< /Type /Pages /Kids [3 0 R] /Count 1 >>" {
		t.Errorf("catalog %q, pages %q", objs[1], objs[2])
	}
	if want := "/MediaBox [0 0 432 288]"; !bytes.Contains([]byte(objs[3]), []byte(want)) {
		t.Errorf("page %q; want %s: 6 × 4 inches", objs[3], want)
	}
	img := regexp.MustCompile(`(?s)^<< /Type /XObject /Subtype /Image /Width 1800 /Height 1200 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode /Length (\d+) >>\nstream\n(.*)\nendstream$`).FindStringSubmatch(objs[4])
	if img == nil {
		t.Fatalf("image object %.200q", objs[4])
	}
	if n, _ := strconv.Atoi(img[1]); n != len(jpg) || img[2] != string(jpg) {
		t.Errorf("image stream of %d bytes (length %s); want the sheet's JPEG, %d bytes", len(img[2]), img[1], len(jpg))
	}
	content := regexp.MustCompile(`(?s)^<< /Length (\d+) >>\nstream\n(.*)\nendstream$`).FindStringSubmatch(objs[5])
	if content == nil || content[2] != "q 432 0 0 288 0 0 cm /Im0 Do Q\n" || content[1] != strconv.Itoa(len(content[2])) {
		t.Errorf("content %q; want the image drawn over the page", objs[5])
	}
	if err := WritePDF(&b, []byte("not a JPEG"), DPI); err == nil {
		t.Error("WritePDF(not a JPEG) succeeded")
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	p, err := c.Prepare(phototest.JPEG(t, small().Image(t), 90), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Report.OK() {
		t.Errorf("Prepare(good) report failed %v", failed(p.Report))
	}
	for _, f := range []struct {
		name string
		make func() ([]byte, error)
		w, h int
	}{
		{"PrintJPEG", p.PrintJPEG, PrintWidth, PrintHeight},
		{"SheetJPEG", p.SheetJPEG, SheetWidth, SheetHeight},
	} {
		data, err := f.make()
		if err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width != f.w || cfg.Height != f.h {
			t.Errorf("%s: %d × %d (%v); want %d × %d", f.name, cfg.Width, cfg.Height, err, f.w, f.h)
		}
		if x, y, ok := Density(data); !ok || x != DPI || y != DPI {
			t.Errorf("%s: density %d × %d (%v); want %d dpi", f.name, x, y, ok, DPI)
		}
	}
	// The print is the crop: the picture again, face and all.
	jpg, _ := p.PrintJPEG()
	again, err := c.Prepare(jpg, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f := failed(again.Report); len(f) != 0 || again.Report.Crop != image.Rect(0, 0, PrintWidth, PrintHeight) {
		t.Errorf("the print checked again: failed %v, crop %v; want nothing failed, the whole print", f, again.Report.Crop)
	}

	none, err := c.Prepare(phototest.JPEG(t, phototest.Camera(t), 90), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() ([]byte, error){"PrintJPEG": none.PrintJPEG, "SheetJPEG": none.SheetJPEG, "SheetPDF": none.SheetPDF} {
		if _, err := f(); !errors.Is(err, ErrNoCrop) {
			t.Errorf("%s without a face = %v; want ErrNoCrop", name, err)
		}
	}
	if _, err := c.Prepare([]byte("\x00\x00\x00\x18ftypheic"), Limits{}); err == nil {
		t.Error("Prepare(HEIC) succeeded")
	}
}
