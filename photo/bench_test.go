package photo

import (
	"encoding/binary"
	"image"
	"image/color"
	"math/rand/v2"
	"testing"
)

// The benchmarks of the issue: a photo as Telegram sends one (a 2560 ×
// 1920 JPEG) checked and cropped; a 12-megapixel JPEG file from a phone
// (4000 × 3000 stored on its side, with its EXIF orientation) checked and
// cropped. B/op bounds the memory a check takes.
//
//	go test -run '^$' -bench . -benchmem -count 5 ./photo/

func benchFiles(b testing.TB) map[string][]byte {
	b.Helper()
	telegram := portrait{w: 2560, h: 1920, bg: color.White, head: 560, crown: 500, x: 1280}
	phone := portrait{w: 3000, h: 4000, bg: color.White, head: 1100, crown: 900, x: 1500}
	return map[string][]byte{
		"telegram-2560x1920": encodeJPEG(b, noisy(telegram.image(b), 8), 87),
		"file-12MP": withExif(encodeJPEG(b, storedAs(noisy(phone.image(b), 16), 6), 92), binary.LittleEndian,
			[][4]uint32{{0x0112, 3, 1, 6}}),
	}
}

// noisy adds a camera's noise to m, up to amp grey levels, so that the
// JPEG files are as large as photos (about 1 and 3 MB) and take as long to
// decode.
func noisy(m *image.RGBA, amp int) *image.RGBA {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range m.Pix {
		if i%4 != 3 {
			m.Pix[i] = uint8(min(255, max(0, int(m.Pix[i])+rng.IntN(2*amp+1)-amp)))
		}
	}
	return m
}

// BenchmarkPrepare decodes, checks and makes the print's JPEG.
func BenchmarkPrepare(b *testing.B) {
	c := loadChecker(b)
	for _, name := range []string{"telegram-2560x1920", "file-12MP"} {
		data := benchFiles(b)[name]
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
		data := benchFiles(b)[name]
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
	p, err := c.Prepare(benchFiles(b)["telegram-2560x1920"], Limits{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.SheetPDF(); err != nil {
			b.Fatal(err)
		}
	}
}
