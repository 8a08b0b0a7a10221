package photo

import (
	"bytes"
	"image/color"
	"io"
	"testing"

	"examdesk/photo/phototest"
)

// The benchmarks of the issue: a photo as Telegram sends one (a 2560 ×
// 1920 JPEG of about 470 KB) checked and cropped; a 12-megapixel JPEG file
// from a phone (4000 × 3000 stored on its side with its EXIF orientation,
// about 3.3 MB) checked and cropped. The pictures carry a camera's noise,
// so that they decode as slowly as photos do. B/op bounds the memory a
// check takes.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./photo/

func benchFile(b testing.TB, name string) []byte {
	b.Helper()
	switch name {
	case "telegram-2560x1920":
		m := phototest.Portrait{W: 2560, H: 1920, Background: color.White, Head: 560, Crown: 500, X: 1280}.Image(b)
		return phototest.JPEG(b, phototest.Noisy(m, 8), 87)
	case "file-12MP":
		m := phototest.Portrait{W: 3000, H: 4000, Background: color.White, Head: 1100, Crown: 900, X: 1500}.Image(b)
		return phototest.PhoneJPEG(b, phototest.Noisy(m, 16), 6, 92)
	}
	b.Fatalf("no benchmark file %s", name)
	return nil
}

// BenchmarkPrepare decodes, checks and makes the print's JPEG.
func BenchmarkPrepare(b *testing.B) {
	c := loadChecker(b)
	for _, name := range []string{"telegram-2560x1920", "file-12MP"} {
		data := benchFile(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := c.Prepare(data, Limits{})
				if err != nil {
					b.Fatal(err)
				}
				if !p.Report.OK() {
					b.Fatalf("failed %v", failed(p.Report))
				}
				if _, err := p.PrintJPEG(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(data)), "file-bytes")
		})
	}
}

// BenchmarkDecode decodes alone, for comparison.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"telegram-2560x1920", "file-12MP"} {
		data := benchFile(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(data, Limits{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSheet makes the sheet's JPEG and PDF from a print.
func BenchmarkSheet(b *testing.B) {
	c := loadChecker(b)
	p, err := c.Prepare(benchFile(b, "telegram-2560x1920"), Limits{})
	if err != nil {
		b.Fatal(err)
	}
	m, err := p.Print()
	if err != nil {
		b.Fatal(err)
	}
	// As SheetPDF on a new Prepared: a Prepared makes its sheet once.
	b.ReportAllocs()
	for b.Loop() {
		var jpg bytes.Buffer
		if err := EncodeJPEG(&jpg, Sheet(m)); err != nil {
			b.Fatal(err)
		}
		if err := WritePDF(io.Discard, jpg.Bytes(), DPI); err != nil {
			b.Fatal(err)
		}
	}
}
