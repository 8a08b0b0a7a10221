package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"slices"
	"testing"

	"examdesk/photo/phototest"
)

// TestOrientation turns a 3 × 2 picture of pixels numbered 1 to 6 by each
// EXIF orientation, as the Exif specification (CIPA DC-008, tag 0x0112)
// draws them: the row 0 and column 0 of the stored picture are, in the
// upright one, 1 top and left; 2 top and right; 3 bottom and right; 4
// bottom and left; 5 left and top; 6 right and top; 7 right and bottom; 8
// left and bottom.
func TestOrientation(t *testing.T) {
	t.Parallel()
	stored := image.NewRGBA(image.Rect(10, 20, 13, 22)) // a sub-image origin too
	for i := range 6 {
		stored.Set(10+i%3, 20+i/3, color.RGBA{uint8(i + 1), 0, 0, 0xff})
	}
	tests := []struct {
		o    int
		want [][]uint8 // rows of the upright picture
	}{
		{1, [][]uint8{{1, 2, 3}, {4, 5, 6}}},
		{2, [][]uint8{{3, 2, 1}, {6, 5, 4}}},
		{3, [][]uint8{{6, 5, 4}, {3, 2, 1}}},
		{4, [][]uint8{{4, 5, 6}, {1, 2, 3}}},
		{5, [][]uint8{{1, 4}, {2, 5}, {3, 6}}},
		{6, [][]uint8{{4, 1}, {5, 2}, {6, 3}}},
		{7, [][]uint8{{6, 3}, {5, 2}, {4, 1}}},
		{8, [][]uint8{{3, 6}, {2, 5}, {1, 4}}},
	}
	for _, tt := range tests {
		p := Picture{Image: stored, Orientation: tt.o}
		up := orientRGBA(stored, orientation(tt.o))
		var got [][]uint8
		for y := range up.Rect.Dy() {
			var row []uint8
			for x := range up.Rect.Dx() {
				row = append(row, up.RGBAAt(up.Rect.Min.X+x, up.Rect.Min.Y+y).R)
			}
			got = append(got, row)
		}
		if !slices.EqualFunc(got, tt.want, slices.Equal) {
			t.Errorf("orientation %d: upright = %v; want %v", tt.o, got, tt.want)
		}
		if w, h := p.Size(); w != len(tt.want[0]) || h != len(tt.want) {
			t.Errorf("orientation %d: Size() = %d, %d; want %d, %d", tt.o, w, h, len(tt.want[0]), len(tt.want))
		}
		// storedRect and uprightRect map each upright pixel to the stored
		// one showing there, and back.
		for y := range len(tt.want) {
			for x := range len(tt.want[0]) {
				sr := p.storedRect(image.Rect(x, y, x+1, y+1))
				if v := stored.RGBAAt(sr.Min.X, sr.Min.Y).R; sr.Dx() != 1 || sr.Dy() != 1 || v != tt.want[y][x] {
					t.Errorf("orientation %d: storedRect(%d, %d) = %v holding %d; want one pixel holding %d", tt.o, x, y, sr, v, tt.want[y][x])
				}
				if back := p.uprightRect(sr); back != image.Rect(x, y, x+1, y+1) {
					t.Errorf("orientation %d: uprightRect(storedRect(%d, %d)) = %v", tt.o, x, y, back)
				}
			}
		}
		// render, through storedRect, gives the same picture.
		if r := p.render(p.Bounds(), up.Rect.Dx(), up.Rect.Dy()); !bytes.Equal(r.Pix, up.Pix) {
			t.Errorf("orientation %d: render = %v; want %v", tt.o, r.Pix, up.Pix)
		}
	}
}

func TestExifOrientation(t *testing.T) {
	t.Parallel()
	jpg := phototest.JPEG(t, image.NewGray(image.Rect(0, 0, 16, 8)), 90)
	tests := []struct {
		name string
		file []byte
		want int
	}{
		{"none", jpg, 1},
		{"little-endian 6", phototest.WithExif(jpg, binary.LittleEndian, phototest.Entry{Tag: 0x010f, Type: 2, Count: 4, Value: 0}, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 6}), 6},
		{"big-endian 8", phototest.WithExif(jpg, binary.BigEndian, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 8}), 8},
		{"big-endian 3", phototest.WithExif(jpg, binary.BigEndian, phototest.Entry{Tag: 0x0110, Type: 2, Count: 4, Value: 0}, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 3}), 3},
		{"out of range", phototest.WithExif(jpg, binary.LittleEndian, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 9}), 1},
		{"zero", phototest.WithExif(jpg, binary.LittleEndian, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 0}), 1},
		{"wrong type", phototest.WithExif(jpg, binary.LittleEndian, phototest.Entry{Tag: 0x0112, Type: 4, Count: 1, Value: 6}), 1},
		{"no orientation tag", phototest.WithExif(jpg, binary.LittleEndian, phototest.Entry{Tag: 0x010f, Type: 2, Count: 4, Value: 0}), 1},
	}
	for _, tt := range tests {
		p, err := Decode(tt.file, Limits{})
		if err != nil {
			t.Errorf("Decode(%s): %v", tt.name, err)
			continue
		}
		if p.Orientation != tt.want {
			t.Errorf("Decode(%s).Orientation = %d; want %d", tt.name, p.Orientation, tt.want)
		}
	}
	// A damaged Exif segment leaves the orientation at 1: every cut of
	// the TIFF structure before the end of the orientation entry (a
	// header of 8 bytes, an entry count of 2, an entry of 12).
	full := phototest.WithExif(jpg, binary.BigEndian, phototest.Entry{Tag: 0x0112, Type: 3, Count: 1, Value: 6})
	seg := full[6 : 6+int(full[4])<<8+int(full[5])-2]
	if got := exifOrientation(seg[6:]); got != 6 {
		t.Fatalf("exifOrientation(whole) = %d; want 6", got)
	}
	for n := range 8 + 2 + 12 {
		if got := exifOrientation(seg[6 : 6+n]); got != 1 {
			t.Errorf("exifOrientation(first %d bytes) = %d; want 1", n, got)
		}
	}
}

// TestUprightFile checks a phone's file: the pixels stored on their side
// and the EXIF orientation saying so. The face is found, and the crop is
// where it is in the upright picture, only if the orientation is read.
func TestUprightFile(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	portrait := small()
	upright := portrait.Image(t)
	for _, o := range []int{3, 6, 8} {
		jpg := phototest.PhoneJPEG(t, upright, o, 92)
		p, err := Decode(jpg, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		r := c.Check(p)
		if r.Width != upright.Rect.Dx() || r.Height != upright.Rect.Dy() {
			t.Errorf("orientation %d: checked %d × %d; want %v", o, r.Width, r.Height, upright.Rect.Size())
		}
		if len(r.Faces) != 1 {
			t.Errorf("orientation %d: faces %v; want one", o, r.Faces)
			continue
		}
		checkFraming(t, portrait, r.Crop)
		if f := failed(r); len(f) != 0 {
			t.Errorf("orientation %d: failed %v", o, f)
		}
		p.Orientation = 1 // as a reader that ignores EXIF would see it
		if o != 3 {
			if r := c.Check(p); len(r.Faces) != 0 {
				t.Errorf("orientation %d ignored: found faces %v in a picture on its side", o, r.Faces)
			}
		}
	}
}
