package photo

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/draw"
)

// The test pictures are built from two pictures of testdata/ (see its
// README): astronaut.png, a frontal portrait on a grey studio backdrop,
// and camera.png, a man behind a camera, not facing it.

// Where the astronaut's head is in astronaut.png, measured by eye: the
// crown's row, the chin's row and the face's centre line.
const (
	astroCrown = 16
	astroChin  = 177
	astroX     = 225
)

var (
	cutOnce sync.Once
	cut     *image.NRGBA
)

// astronautCut returns the astronaut's head and shoulders (columns 100 to
// 355 of astronaut.png, clear of the flag and the shuttle) with the studio
// backdrop transparent: the light grey pixels joined to the top and sides
// above the shoulders.
func astronautCut(t testing.TB) *image.NRGBA {
	t.Helper()
	cutOnce.Do(func() {
		src := readPNG(t, "testdata/astronaut.png")
		r := image.Rect(100, 0, 356, 512)
		m := image.NewNRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
		draw.Draw(m, m.Rect, src, r.Min, draw.Src)
		backdrop := func(x, y int) bool {
			c := m.NRGBAAt(x, y)
			return luma(c.R, c.G, c.B) >= 150 && chroma(c.R, c.G, c.B) <= 45
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
		t.Fatal("no astronaut cut-out")
	}
	return cut
}

func readPNG(t testing.TB, name string) image.Image {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return m
}

// portrait describes a test picture: the astronaut's head on a plain
// background.
type portrait struct {
	w, h   int
	bg     color.Color
	head   float64 // head height (crown to chin), pixels
	crown  float64 // row of the crown
	x      float64 // the face's centre line
	second float64 // if not 0, the centre line of a second astronaut
}

// goodPortrait is a phone-like 1200 × 1600 picture whose 33:48 crop around
// the face is 690 pixels high, with the head in the middle of the guidance.
func goodPortrait() portrait {
	return portrait{w: 1200, h: 1600, bg: color.White, head: 440, crown: 400, x: 600}
}

// image draws the portrait.
func (p portrait) image(t testing.TB) *image.RGBA {
	t.Helper()
	c := astronautCut(t)
	m := image.NewRGBA(image.Rect(0, 0, p.w, p.h))
	draw.Draw(m, m.Rect, image.NewUniform(p.bg), image.Point{}, draw.Src)
	s := p.head / (astroChin - astroCrown)
	for _, x := range []float64{p.x, p.second} {
		if x == 0 {
			continue
		}
		left := x - (astroX-100)*s
		top := p.crown - astroCrown*s
		dr := image.Rect(int(math.Round(left)), int(math.Round(top)),
			int(math.Round(left+float64(c.Rect.Dx())*s)), int(math.Round(top+float64(c.Rect.Dy())*s)))
		draw.CatmullRom.Scale(m, dr, c, c.Rect, draw.Over, nil)
	}
	return m
}

// picture returns the portrait as a Picture.
func (p portrait) picture(t testing.TB) Picture {
	return Picture{Image: p.image(t), Orientation: 1}
}

// encodeJPEG encodes m for a test.
func encodeJPEG(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// darker scales every channel of m by f.
func scaled(m *image.RGBA, fr, fg, fb float64) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		out.Pix[i] = uint8(min(255, math.Round(float64(m.Pix[i])*fr)))
		out.Pix[i+1] = uint8(min(255, math.Round(float64(m.Pix[i+1])*fg)))
		out.Pix[i+2] = uint8(min(255, math.Round(float64(m.Pix[i+2])*fb)))
		out.Pix[i+3] = 0xff
	}
	return out
}

// blurred blurs m with a box filter of radius r, three times (close to a
// Gaussian of σ ≈ r).
func blurred(m *image.RGBA, r int) *image.RGBA {
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
						return out.PixOffset(i, l)
					}
					return out.PixOffset(l, i)
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

// grayed returns m in grey levels.
func grayed(m *image.RGBA) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	for i := 0; i < len(m.Pix); i += 4 {
		l := uint8(luma(m.Pix[i], m.Pix[i+1], m.Pix[i+2]))
		out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = l, l, l, 0xff
	}
	return out
}

// resized scales m to w × h.
func resized(m image.Image, w, h int) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(out, out.Rect, m, m.Bounds(), draw.Src, nil)
	return out
}
