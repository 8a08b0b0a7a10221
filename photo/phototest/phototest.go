// Package phototest makes test pictures for the photo check, for the tests
// of any package: portraits of the astronaut of testdata/astronaut.png on a
// plain background at a chosen size and place, made dark, bright, blurred,
// tinted, grey or small; a picture without a frontal face; and JPEG files
// as a phone stores them, on their side with an EXIF orientation. See
// testdata/README.md for where the two pictures come from.
package phototest

import (
	"bytes"
	_ "embed"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

var (
	//go:embed testdata/astronaut.png
	astronautPNG []byte
	//go:embed testdata/camera.png
	cameraPNG []byte
)

// Where the astronaut's head is in astronaut.png, measured by eye: the
// crown's row, the chin's row and the face's centre line.
const (
	astroCrown = 16
	astroChin  = 177
	astroX     = 225
)

func decodePNG(t testing.TB, data []byte) image.Image {
	t.Helper()
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("phototest: %v", err)
	}
	return m
}

// Astronaut returns testdata/astronaut.png: 512 × 512, a frontal portrait
// on a grey studio backdrop, the flag and a shuttle model beside her.
func Astronaut(t testing.TB) image.Image { return decodePNG(t, astronautPNG) }

// Camera returns testdata/camera.png: 512 × 512 grey levels, a man behind a
// camera, no frontal face.
func Camera(t testing.TB) image.Image { return decodePNG(t, cameraPNG) }

var (
	cutOnce sync.Once
	cut     *image.NRGBA
)

// astronautCut returns the astronaut's head and shoulders (columns 100 to
// 355 of astronaut.png, clear of the flag and the shuttle) with the studio
// backdrop transparent: the light grey pixels joined to the top, and to
// the sides above the shoulders.
func astronautCut(t testing.TB) *image.NRGBA {
	t.Helper()
	cutOnce.Do(func() {
		r := image.Rect(100, 0, 356, 512)
		m := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(m, m.Rect, Astronaut(t), r.Min, draw.Src)
		backdrop := func(x, y int) bool {
			c := m.NRGBAAt(x, y)
			hi, lo := max(c.R, c.G, c.B), min(c.R, c.G, c.B)
			return luma(c.R, c.G, c.B) >= 150 && hi-lo <= 45
		}
		var stack []image.Point
		seen := make([]bool, r.Dx()*r.Dy())
		push := func(x, y int) {
			if x < 0 || y < 0 || x >= r.Dx() || y >= 260 || seen[y*r.Dx()+x] || !backdrop(x, y) {
				return
			}
			seen[y*r.Dx()+x] = true
			stack = append(stack, image.Pt(x, y))
		}
		for x := range r.Dx() {
			push(x, 0)
		}
		for y := range 200 {
			push(0, y)
			push(r.Dx()-1, y)
		}
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			m.Pix[m.PixOffset(p.X, p.Y)+3] = 0
			push(p.X+1, p.Y)
			push(p.X-1, p.Y)
			push(p.X, p.Y+1)
			push(p.X, p.Y-1)
		}
		cut = m
	})
	if cut == nil {
		t.Fatal("phototest: no astronaut cut-out")
	}
	return cut
}

func luma(r, g, b uint8) int {
	return (19595*int(r) + 38470*int(g) + 7471*int(b) + 1<<15) >> 16
}

// Portrait describes a test picture: the astronaut's head and shoulders on
// a plain background. Its head is where the test says, within the
// detector's and the eye's precision of a few pixels.
type Portrait struct {
	W, H       int
	Background color.Color
	Head       float64 // the head's height, crown to chin, in pixels
	Crown      float64 // the crown's row
	X          float64 // the face's centre line
	// Second, if not 0, is the centre line of a second astronaut.
	Second float64
}

// Good is a phone-like 1200 × 1600 picture on white whose 33:48 crop
// around the face is about 690 pixels high, with the head in the middle
// of the guidance: a picture that passes every check.
func Good() Portrait {
	return Portrait{W: 1200, H: 1600, Background: color.White, Head: 440, Crown: 400, X: 600}
}

// Image draws the portrait.
func (p Portrait) Image(t testing.TB) *image.RGBA {
	t.Helper()
	c := astronautCut(t)
	m := image.NewRGBA(image.Rect(0, 0, p.W, p.H))
	bg := p.Background
	if bg == nil {
		bg = color.White
	}
	draw.Draw(m, m.Rect, image.NewUniform(bg), image.Point{}, draw.Src)
	s := p.Head / (astroChin - astroCrown)
	for _, x := range []float64{p.X, p.Second} {
		if x == 0 {
			continue
		}
		left := x - (astroX-100)*s
		top := p.Crown - astroCrown*s
		dr := image.Rect(int(math.Round(left)), int(math.Round(top)),
			int(math.Round(left+float64(c.Rect.Dx())*s)), int(math.Round(top+float64(c.Rect.Dy())*s)))
		draw.CatmullRom.Scale(m, dr, c, c.Rect, draw.Over, nil)
	}
	return m
}

// Scaled returns m with each channel multiplied: darker below 1, brighter
// above, tinted when they differ.
func Scaled(m *image.RGBA, r, g, b float64) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	f := [3]float64{r, g, b}
	for i := range m.Pix {
		if i%4 == 3 {
			out.Pix[i] = 0xff
			continue
		}
		out.Pix[i] = uint8(min(255, math.Round(float64(m.Pix[i])*f[i%4])))
	}
	return out
}

// Gamma returns m with its tones raised to g, black and white kept: below
// 1 it brightens the way an over-exposed photo looks once the camera has
// mapped it.
func Gamma(m *image.RGBA, g float64) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	for i := range m.Pix {
		out.Pix[i] = uint8(255*math.Pow(float64(m.Pix[i])/255, g) + 0.5)
	}
	return out
}

// Blurred blurs m with a box filter of radius r, three times over (close
// to a Gaussian blur).
func Blurred(m *image.RGBA, r int) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	copy(out.Pix, m.Pix)
	tmp := image.NewRGBA(m.Rect)
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for range 3 {
		for _, horizontal := range []bool{true, false} {
			n, lines := w, h
			if !horizontal {
				n, lines = h, w
			}
			for l := range lines {
				at := func(i int) int {
					i = min(max(i, 0), n-1)
					if horizontal {
						return out.PixOffset(out.Rect.Min.X+i, out.Rect.Min.Y+l)
					}
					return out.PixOffset(out.Rect.Min.X+l, out.Rect.Min.Y+i)
				}
				for c := range 3 {
					sum := 0
					for i := -r; i <= r; i++ {
						sum += int(out.Pix[at(i)+c])
					}
					for i := range n {
						tmp.Pix[at(i)+c] = uint8(sum / (2*r + 1))
						sum += int(out.Pix[at(i+r+1)+c]) - int(out.Pix[at(i-r)+c])
					}
				}
			}
			out, tmp = tmp, out
		}
	}
	for i := 3; i < len(out.Pix); i += 4 {
		out.Pix[i] = 0xff
	}
	return out
}

// Gray returns m in grey levels: a black-and-white photo.
func Gray(m *image.RGBA) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		l := uint8(luma(m.Pix[i], m.Pix[i+1], m.Pix[i+2]))
		out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = l, l, l, 0xff
	}
	return out
}

// Resized returns m scaled to w × h.
func Resized(m image.Image, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(out, out.Rect, m, m.Bounds(), draw.Src, nil)
	return out
}

// WithRect returns m with r filled with c: something on the background.
func WithRect(m *image.RGBA, r image.Rectangle, c color.RGBA) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	copy(out.Pix, m.Pix)
	draw.Draw(out, r, image.NewUniform(c), image.Point{}, draw.Src)
	return out
}

// Noisy returns m with a camera's noise of up to amp grey levels, always
// the same, so that JPEG files of it are as large as photos are and take
// as long to decode.
func Noisy(m *image.RGBA, amp int) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	rng := rand.New(rand.NewPCG(1, 2))
	for i, v := range m.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
			continue
		}
		out.Pix[i] = uint8(min(255, max(0, int(v)+rng.IntN(2*amp+1)-amp)))
	}
	return out
}

// JPEG encodes m as image/jpeg does: no JFIF header, no EXIF.
func JPEG(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatalf("phototest: %v", err)
	}
	return b.Bytes()
}

// PNG encodes m.
func PNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatalf("phototest: %v", err)
	}
	return b.Bytes()
}

// Stored returns the pixels a camera stores for the upright picture m
// when it records EXIF orientation o: 3 turned 180°, 6 turned 90°
// counter-clockwise (the viewer turns it clockwise), 8 turned 90°
// clockwise; 2, 4, 5 and 7 mirrored too. (Written apart from the photo
// package's own mapping, from the Exif specification's table.)
func Stored(m *image.RGBA, o int) *image.RGBA {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	sw, sh := w, h
	if o >= 5 && o <= 8 {
		sw, sh = h, w
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for y := range h {
		for x := range w {
			// (x, y) of the upright picture is stored at (sx, sy):
			// the Exif table names where the stored row 0 and column 0
			// show.
			sx, sy := x, y
			switch o {
			case 2:
				sx = w - 1 - x
			case 3:
				sx, sy = w-1-x, h-1-y
			case 4:
				sy = h - 1 - y
			case 5:
				sx, sy = y, x
			case 6:
				sx, sy = y, w-1-x
			case 7:
				sx, sy = h-1-y, w-1-x
			case 8:
				sx, sy = h-1-y, x
			}
			s.SetRGBA(sx, sy, m.RGBAAt(m.Rect.Min.X+x, m.Rect.Min.Y+y))
		}
	}
	return s
}

// Entry is an entry of a TIFF directory, its value held in the entry.
type Entry struct {
	Tag, Type uint16
	Count     uint32
	Value     uint32 // a SHORT (type 3) goes in the first two bytes
}

// WithExif returns a JPEG file with an Exif APP1 segment right after its
// SOI, in byte order order, whose IFD0 holds entries.
func WithExif(jpg []byte, order binary.AppendByteOrder, entries ...Entry) []byte {
	tiff := []byte("II")
	if order == binary.BigEndian {
		tiff = []byte("MM")
	}
	tiff = order.AppendUint16(tiff, 42)
	tiff = order.AppendUint32(tiff, 8)
	tiff = order.AppendUint16(tiff, uint16(len(entries)))
	for _, e := range entries {
		tiff = order.AppendUint16(tiff, e.Tag)
		tiff = order.AppendUint16(tiff, e.Type)
		tiff = order.AppendUint32(tiff, e.Count)
		if e.Type == 3 {
			tiff = order.AppendUint16(tiff, uint16(e.Value))
			tiff = append(tiff, 0, 0)
		} else {
			tiff = order.AppendUint32(tiff, e.Value)
		}
	}
	tiff = append(tiff, 0, 0, 0, 0) // no next directory
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := []byte{0xff, 0xd8, 0xff, 0xe1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// PhoneJPEG returns the JPEG file a phone makes of the upright picture m:
// stored turned as orientation o says, with that orientation in its EXIF.
func PhoneJPEG(t testing.TB, m *image.RGBA, o, quality int) []byte {
	t.Helper()
	return WithExif(JPEG(t, Stored(m, o), quality), binary.LittleEndian,
		Entry{Tag: 0x010f, Type: 2, Count: 4, Value: 0}, // Make, an empty string
		Entry{Tag: 0x0112, Type: 3, Count: 1, Value: uint32(o)})
}

// HEIC returns the start of a HEIC file, as an iPhone writes one: an ftyp
// box of brand heic.
func HEIC() []byte {
	return append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 64)...)
}
