package photo

import (
	"fmt"
	"image"
	"image/color"
	"maps"
	"math"
	"slices"
	"testing"

	"examdesk/photo/phototest"
)

// small is a good portrait a little larger than prints well (a crop of
// about 440 × 640 around the head, for a print of 390 × 567): enough for
// the tests whose claim does not depend on the size, and light under the
// race detector.
func small() phototest.Portrait {
	return phototest.Portrait{W: 600, H: 860, Background: color.White, Head: 400, Crown: 215, X: 300}
}

func loadChecker(t testing.TB) *Checker {
	t.Helper()
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// failed returns the failed checks of r and their reasons.
func failed(r Report) map[ID]Reason {
	out := map[ID]Reason{}
	for _, c := range r.Checks {
		if !c.OK {
			out[c.ID] = c.Reason
		}
	}
	return out
}

// TestCheck checks pictures as small as print well, made from small():
// what the checks say does not depend on the size, which the benchmarks
// take up to 12 megapixels.
func TestCheck(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	good := small()
	goodImage := good.Image(t)

	blue := good
	blue.Background = color.RGBA{0x43, 0x8e, 0xdb, 0xff} // the usual blue of ID photos
	grey := good
	grey.Background = color.RGBA{0x80, 0x80, 0x80, 0xff}
	two := good
	two.W, two.X, two.Second = 900, 225, 675
	landscape := good // the head fills the height: no 33:48 crop fits
	landscape.W, landscape.H, landscape.Crown, landscape.X, landscape.Head = 800, 600, 75, 400, 480
	roomy := good // a landscape picture with room around the head
	roomy.W, roomy.H, roomy.Crown, roomy.X, roomy.Head = 1280, 960, 250, 640, 400
	top := good // the crown at the top edge
	top.Crown = 10
	// Something dark on the background, left of and above the head.
	uneven := func(t testing.TB) image.Image {
		return phototest.WithRect(goodImage, image.Rect(90, 150, 170, 210), color.RGBA{0x50, 0x50, 0x50, 0xff})
	}
	img := func(m image.Image) func(testing.TB) image.Image { return func(testing.TB) image.Image { return m } }

	tests := []struct {
		name string
		img  func(t testing.TB) image.Image // made in the test, in parallel
		want map[ID]Reason
	}{
		{"good", img(goodImage), map[ID]Reason{}},
		{"black and white", func(testing.TB) image.Image { return phototest.Gray(goodImage) }, map[ID]Reason{}},
		{"landscape with room", func(t testing.TB) image.Image { return roomy.Image(t) }, map[ID]Reason{}},
		{"brighter but fine", func(testing.TB) image.Image { return phototest.Scaled(goodImage, 1.2, 1.2, 1.2) }, map[ID]Reason{}},
		{"compressed", func(t testing.TB) image.Image { return decodeTest(t, phototest.JPEG(t, goodImage, 30)) }, map[ID]Reason{}},
		{"dark", func(testing.TB) image.Image { return phototest.Scaled(goodImage, 0.3, 0.3, 0.3) }, map[ID]Reason{CheckBackground: DarkBackground, CheckExposure: Underexposed}},
		{"over-exposed", func(testing.TB) image.Image { return phototest.Gamma(goodImage, 0.35) }, map[ID]Reason{CheckExposure: Overexposed}},
		{"blue cast", func(testing.TB) image.Image { return phototest.Scaled(goodImage, 0.75, 0.9, 1.2) }, map[ID]Reason{CheckBackground: NotWhite, CheckExposure: ColourCast}},
		{"blurred", func(testing.TB) image.Image { return phototest.Blurred(goodImage, 2) }, map[ID]Reason{CheckSharpness: Blurred}},
		{"blue background", func(t testing.TB) image.Image { return blue.Image(t) }, map[ID]Reason{CheckBackground: NotWhite}},
		{"grey background", func(t testing.TB) image.Image { return grey.Image(t) }, map[ID]Reason{CheckBackground: DarkBackground}},
		{"shadow on the background", uneven, map[ID]Reason{CheckBackground: Uneven}},
		{"too small", func(testing.TB) image.Image { return phototest.Resized(goodImage, 392, 560) }, map[ID]Reason{CheckResolution: LowResolution}},
		{"landscape, head too large", func(t testing.TB) image.Image { return landscape.Image(t) }, map[ID]Reason{CheckRatio: NoRoom, CheckHead: HeadTooLarge}},
		{"crown at the top edge", func(t testing.TB) image.Image { return top.Image(t) }, map[ID]Reason{CheckRatio: NoRoom, CheckHead: HeadTooHigh}},
		{"two faces", func(t testing.TB) image.Image { return two.Image(t) }, map[ID]Reason{CheckRatio: ManyFaces, CheckFace: ManyFaces, CheckHead: ManyFaces}},
		{"no face (camera.png)", func(t testing.TB) image.Image { return phototest.Resized(phototest.Camera(t), 600, 600) }, map[ID]Reason{
			CheckRatio: NoFace, CheckFace: NoFace, CheckHead: NoFace}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := c.Check(Picture{Image: tt.img(t)})
			if got := failed(r); !maps.Equal(got, tt.want) {
				t.Errorf("Check(%s) failed %v; want %v (faces %v, framing %+v, brightness %.0f, sharpness %.0f)",
					tt.name, got, tt.want, r.Faces, r.Framing, r.Brightness, r.Sharpness)
			}
			for id, reason := range failed(r) {
				if !slices.Contains(Reasons[id], reason) {
					t.Errorf("Check(%s): %s failed with %q, which Reasons does not list", tt.name, id, reason)
				}
			}
			if r.OK() != (len(tt.want) == 0) {
				t.Errorf("Check(%s).OK() = %v; want %v", tt.name, r.OK(), len(tt.want) == 0)
			}
			var ids []ID
			for _, c := range r.Checks {
				ids = append(ids, c.ID)
			}
			if !slices.Equal(ids, IDs) {
				t.Errorf("Check(%s) checks %v; want %v", tt.name, ids, IDs)
			}
			if hasCrop := !r.Crop.Empty(); hasCrop != (len(r.Faces) == 1) {
				t.Errorf("Check(%s) crop %v with %d faces", tt.name, r.Crop, len(r.Faces))
			}
			if !r.Frame.In(image.Rect(0, 0, r.Width, r.Height)) {
				t.Errorf("Check(%s) frame %v outside the %d × %d picture", tt.name, r.Frame, r.Width, r.Height)
			}
		})
	}
}

func decodeTest(t testing.TB, data []byte) image.Image {
	t.Helper()
	p, err := Decode(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return p.Image
}

// TestCropGeometry checks the crop against where the test put the head,
// not against what the detector saw: in the 33 × 48 mm print, the head
// from crown to chin is 28 to 33 mm, the crown 3 to 5 mm below the top,
// the chin at least 7 mm above the bottom, the face in the middle.
func TestCropGeometry(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	for _, p := range []phototest.Portrait{
		phototest.Good(),
		{W: 1200, H: 1600, Background: color.White, Head: 300, Crown: 300, X: 500},
		{W: 1200, H: 1600, Background: color.White, Head: 600, Crown: 250, X: 650},
		{W: 1920, H: 2560, Background: color.White, Head: 900, Crown: 400, X: 960},
		{W: 2560, H: 1920, Background: color.White, Head: 700, Crown: 300, X: 1100},
		{W: 900, H: 1200, Background: color.RGBA{0xf4, 0xf4, 0xf0, 0xff}, Head: 400, Crown: 150, X: 450},
	} {
		t.Run(fmt.Sprintf("%d×%d head %v", p.W, p.H, p.Head), func(t *testing.T) {
			t.Parallel()
			cropGeometry(t, c, p)
		})
	}
}

// cropGeometry checks the crop of portrait p against where p put the
// head.
func cropGeometry(t *testing.T, c *Checker, p phototest.Portrait) {
	r := c.Check(Picture{Image: p.Image(t)})
	if r.Crop.Empty() {
		t.Fatalf("portrait %+v: no crop (faces %v)", p, r.Faces)
	}
	if got := r.Result(CheckRatio); !got.OK {
		t.Errorf("portrait %+v: ratio %v; want ok", p, got)
	}
	headMM, crownMM, chinMM := checkFraming(t, p, r.Crop)
	// What the report says of the head is what the test measured,
	// within 1.5 mm: the chin is estimated from the face.
	for _, m := range []struct {
		what      string
		got, want float64
	}{{"head", r.Framing.Head, headMM}, {"crown", r.Framing.Crown, crownMM}, {"chin", r.Framing.Chin, chinMM}} {
		if math.Abs(m.got-m.want) > 1.5 {
			t.Errorf("portrait %+v: framing says the %s is %.1f mm; it is %.1f mm", p, m.what, m.got, m.want)
		}
	}
}

// TestOwnFraming checks that a picture already framed as the guidance
// says is kept whole, and one framed too loosely is cropped.
func TestOwnFraming(t *testing.T) {
	t.Parallel()
	c := loadChecker(t)
	// 33 × 48 mm at 20 px/mm: the head 30 mm, the crown 4 mm down.
	framed := phototest.Portrait{W: 660, H: 960, Background: color.White, Head: 600, Crown: 80, X: 330}
	r := c.Check(Picture{Image: framed.Image(t)})
	if want := image.Rect(0, 0, 660, 960); r.Crop != want {
		t.Errorf("Check(framed 33:48) crop = %v; want %v, the whole picture (framing %+v)", r.Crop, want, r.Framing)
	}
	loose := phototest.Portrait{W: 660, H: 960, Background: color.White, Head: 300, Crown: 150, X: 330}
	r = c.Check(Picture{Image: loose.Image(t)})
	if whole := image.Rect(0, 0, 660, 960); r.Crop == whole || r.Crop.Empty() {
		t.Errorf("Check(loosely framed 33:48) crop = %v; want a crop inside %v", r.Crop, whole)
	}
	if f := failed(r); len(f) != 1 || f[CheckResolution] != LowResolution {
		t.Errorf("Check(loosely framed 33:48) failed %v; want only resolution: the tighter crop has too few pixels", f)
	}
}

// checkFraming checks crop against where portrait p put the head, and
// returns the head's height, the crown's and the chin's margins in mm.
func checkFraming(t *testing.T, p phototest.Portrait, crop image.Rectangle) (headMM, crownMM, chinMM float64) {
	t.Helper()
	if got, want := float64(crop.Dx())/float64(crop.Dy()), float64(WidthMM)/HeightMM; math.Abs(got/want-1) > 0.005 {
		t.Errorf("portrait %+v: crop %v is %.4f wide per high; want %.4f", p, crop, got, want)
	}
	s := float64(crop.Dy()) / HeightMM // pixels per mm
	headMM = p.Head / s
	crownMM = (p.Crown - float64(crop.Min.Y)) / s
	chinMM = (float64(crop.Max.Y) - (p.Crown + p.Head)) / s
	offsetMM := (p.X - (float64(crop.Min.X) + float64(crop.Dx())/2)) / s
	if headMM < headMin || headMM > headMax {
		t.Errorf("portrait %+v: crop %v makes the head %.1f mm; want %v to %v", p, crop, headMM, headMin, headMax)
	}
	if crownMM < crownMin || crownMM > crownMax {
		t.Errorf("portrait %+v: crop %v puts the crown %.1f mm below the top; want %v to %v", p, crop, crownMM, crownMin, crownMax)
	}
	if chinMM < chinMin {
		t.Errorf("portrait %+v: crop %v puts the chin %.1f mm above the bottom; want at least %v", p, crop, chinMM, chinMin)
	}
	if math.Abs(offsetMM) > offsetMax {
		t.Errorf("portrait %+v: crop %v puts the face %.1f mm off the middle; want at most %v", p, crop, offsetMM, offsetMax)
	}
	return headMM, crownMM, chinMM
}
