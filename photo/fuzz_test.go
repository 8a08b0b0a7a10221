package photo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"testing"

	"examdesk/photo/phototest"
)

// FuzzDecode feeds Decode any bytes: it returns an upright-able picture
// or a *DecodeError, and never panics. (TestCheckOddSizes checks that
// Check takes any picture.)
func FuzzDecode(f *testing.F) {
	tiny := phototest.Resized(small().Image(f), 120, 160)
	jpg := phototest.JPEG(f, tiny, 80)
	f.Add(jpg)
	f.Add(phototest.WithExif(jpg, binary.BigEndian, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 6}))
	f.Add(phototest.PNG(f, tiny))
	f.Add(phototest.PNG(f, image.NewGray(image.Rect(0, 0, 1, 1))))
	f.Add(jpegFrame(64, 64, true, 0x22, 0x11, 0x11))
	f.Add(pngHeader(64, 64, 16, 6))
	f.Add([]byte("\x00\x00\x00\x18ftypheic"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Small limits keep each run quick.
		p, err := Decode(data, Limits{MaxPixels: 1 << 16, MaxMemory: 1 << 20})
		var de *DecodeError
		if err != nil {
			if !errors.As(err, &de) {
				t.Fatalf("Decode = %v; want a *DecodeError", err)
			}
			return
		}
		if p.Orientation < 1 || p.Orientation > 8 {
			t.Fatalf("orientation %d", p.Orientation)
		}
		if b := p.Image.Bounds(); b.Empty() || b.Dx()*b.Dy() > 1<<16 {
			t.Fatalf("decoded %v", b)
		}
	})
}

// TestCheckOddSizes checks pictures of any shape, down to one pixel, and
// orientations: Check reports on each, within its bounds.
func TestCheckOddSizes(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	for _, p := range []Picture{{}, {Image: image.NewRGBA(image.Rect(3, 3, 3, 9))}} {
		if r := c.Check(p); len(r.Checks) != len(IDs) || r.OK() || !r.Crop.Empty() {
			t.Errorf("Check(empty %v) = %+v; want every check failed, no crop", p.Image, r)
		}
	}
	if p, err := c.Prepare(nil, Limits{}); err == nil || p != nil {
		t.Errorf("Prepare(nothing) = %v, %v; want an error", p, err)
	}
	for _, size := range []image.Point{{1, 1}, {1, 900}, {900, 1}, {2, 3}, {25, 25}, {33, 48}, {390, 567}, {3000, 40}} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			t.Parallel()
			orientations := []int{1, 6}
			if size == (image.Point{2, 3}) {
				orientations = []int{1, 2, 3, 4, 5, 6, 7, 8}
			}
			for _, o := range orientations {
				m := image.NewNRGBA(image.Rect(5, 7, 5+size.X, 7+size.Y))
				for i := range m.Pix {
					m.Pix[i] = uint8(i * 31)
				}
				p := Picture{Image: m, Orientation: o}
				r := c.Check(p)
				if len(r.Checks) != len(IDs) || !r.Frame.In(p.Bounds()) || r.Frame.Empty() {
					t.Errorf("Check(%v, orientation %d): %d results, frame %v in %v", size, o, len(r.Checks), r.Frame, p.Bounds())
				}
				if o != 1 {
					continue
				}
				if out := Crop(p, r.Frame); out.Rect.Dx() != PrintWidth || out.Rect.Dy() != PrintHeight {
					t.Errorf("Crop(%v, orientation %d) is %v", size, o, out.Rect)
				}
			}
		})
	}
}
