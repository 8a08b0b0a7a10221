package phototest

import (
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestProvenance checks the pictures are the ones testdata/README.md
// names, byte for byte.
func TestProvenance(t *testing.T) {
	readme, err := os.ReadFile("testdata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"astronaut.png": astronautPNG, "camera.png": cameraPNG} {
		sum := sha256.Sum256(data)
		if want := "`" + name + "` | `" + hex.EncodeToString(sum[:]) + "`"; !strings.Contains(string(readme), want) {
			t.Errorf("testdata/README.md does not give %s's sha256 %x", name, sum)
		}
	}
	for name, m := range map[string]image.Image{"astronaut": Astronaut(t), "camera": Camera(t)} {
		if m.Bounds() != image.Rect(0, 0, 512, 512) {
			t.Errorf("%s is %v; want 512 × 512", name, m.Bounds())
		}
	}
}

// TestStored checks Stored against the Exif specification's table, on a
// 3 × 2 picture of pixels numbered 1 to 6: what a camera stores for each
// orientation.
func TestStored(t *testing.T) {
	up := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range 6 {
		up.SetRGBA(i%3, i/3, color.RGBA{uint8(i + 1), 0, 0, 0xff})
	}
	for o, want := range map[int][][]uint8{
		1: {{1, 2, 3}, {4, 5, 6}},
		2: {{3, 2, 1}, {6, 5, 4}},
		3: {{6, 5, 4}, {3, 2, 1}},
		4: {{4, 5, 6}, {1, 2, 3}},
		5: {{1, 4}, {2, 5}, {3, 6}},
		6: {{3, 6}, {2, 5}, {1, 4}},
		7: {{6, 3}, {5, 2}, {4, 1}},
		8: {{4, 1}, {5, 2}, {6, 3}},
	} {
		s := Stored(up, o)
		var got [][]uint8
		for y := range s.Rect.Dy() {
			var row []uint8
			for x := range s.Rect.Dx() {
				row = append(row, s.RGBAAt(x, y).R)
			}
			got = append(got, row)
		}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("Stored(orientation %d) = %v; want %v", o, got, want)
		}
	}
}
