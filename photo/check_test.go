package photo

import (
	"image"
	"image/color"
	"maps"
	"math"
	"slices"
	"testing"
)

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

// gammaCurve brightens (g < 1) or darkens m's tones, keeping black and
// white: how an over-exposed photo looks once the camera has mapped it.
func gammaCurve(m *image.RGBA, g float64) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	for i := range m.Pix {
		out.Pix[i] = uint8(255*math.Pow(float64(m.Pix[i])/255, g) + 0.5)
	}
	return out
}

func TestCheck(t *testing.T) {
	c := loadChecker(t)
	good := goodPortrait()
	goodImage := good.image(t)

	blue := good
	blue.bg = color.RGBA{0x43, 0x8e, 0xdb, 0xff} // the usual blue of ID photos
	grey := good
	grey.bg = color.RGBA{0x80, 0x80, 0x80, 0xff}
	two := good
	two.w, two.x, two.second = 1800, 450, 1350
	landscape := good // the head fills the height: no 33:48 crop fits
	landscape.w, landscape.h, landscape.crown, landscape.x, landscape.head = 1600, 1200, 150, 800, 900
	roomy := good // a landscape picture with room around the head
	roomy.w, roomy.h, roomy.crown, roomy.x, roomy.head = 2560, 1920, 500, 1280, 560
	top := good // the crown at the top edge
	top.crown = 20
	// Something dark on the background, left of and above the head.
	uneven := withRect(goodImage, image.Rect(300, 300, 480, 420), color.RGBA{0x50, 0x50, 0x50, 0xff})

	tests := []struct {
		name string
		img  image.Image
		want map[ID]Reason
	}{
		{"good", goodImage, map[ID]Reason{}},
		{"black and white", grayed(goodImage), map[ID]Reason{}},
		{"landscape with room", roomy.image(t), map[ID]Reason{}},
		{"brighter but fine", scaled(goodImage, 1.2, 1.2, 1.2), map[ID]Reason{}},
		{"compressed", decodeTest(t, encodeJPEG(t, goodImage, 30)), map[ID]Reason{}},
		{"dark", scaled(goodImage, 0.3, 0.3, 0.3), map[ID]Reason{CheckBackground: DarkBackground, CheckExposure: Underexposed}},
		{"over-exposed", gammaCurve(goodImage, 0.35), map[ID]Reason{CheckExposure: Overexposed}},
		{"blue cast", scaled(goodImage, 0.75, 0.9, 1.2), map[ID]Reason{CheckBackground: NotWhite, CheckExposure: ColourCast}},
		{"blurred", blurred(goodImage, 3), map[ID]Reason{CheckSharpness: Blurred}},
		{"blue background", blue.image(t), map[ID]Reason{CheckBackground: NotWhite}},
		{"grey background", grey.image(t), map[ID]Reason{CheckBackground: DarkBackground}},
		{"shadow on the background", uneven, map[ID]Reason{CheckBackground: Uneven}},
		{"too small", resized(goodImage, 480, 640), map[ID]Reason{CheckResolution: LowResolution}},
		{"landscape, head too large", landscape.image(t), map[ID]Reason{CheckRatio: NoRoom, CheckHead: HeadTooLarge}},
		{"crown at the top edge", top.image(t), map[ID]Reason{CheckRatio: NoRoom, CheckHead: HeadTooHigh}},
		{"two faces", two.image(t), map[ID]Reason{CheckRatio: ManyFaces, CheckFace: ManyFaces, CheckHead: ManyFaces}},
		{"no face (camera.png)", resized(readPNG(t, "testdata/camera.png"), 1024, 1024), map[ID]Reason{
			CheckRatio: NoFace, CheckFace: NoFace, CheckHead: NoFace}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Check(Picture{Image: tt.img})
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

// withRect returns m with r filled with c.
func withRect(m *image.RGBA, r image.Rectangle, c color.RGBA) *image.RGBA {
	out := image.NewRGBA(m.Rect)
	copy(out.Pix, m.Pix)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			out.SetRGBA(x, y, c)
		}
	}
	return out
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
	c := loadChecker(t)
	for _, p := range []portrait{
		goodPortrait(),
		{w: 1200, h: 1600, bg: color.White, head: 300, crown: 300, x: 500},
		{w: 1200, h: 1600, bg: color.White, head: 600, crown: 250, x: 650},
		{w: 1920, h: 2560, bg: color.White, head: 900, crown: 400, x: 960},
		{w: 2560, h: 1920, bg: color.White, head: 700, crown: 300, x: 1100},
		{w: 900, h: 1200, bg: color.RGBA{0xf4, 0xf4, 0xf0, 0xff}, head: 400, crown: 150, x: 450},
	} {
		r := c.Check(p.picture(t))
		if r.Crop.Empty() {
			t.Errorf("portrait %+v: no crop (faces %v)", p, r.Faces)
			continue
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
}

// TestOwnFraming checks that a picture already framed as the guidance
// says is kept whole, and one framed too loosely is cropped.
func TestOwnFraming(t *testing.T) {
	c := loadChecker(t)
	// 33 × 48 mm at 20 px/mm: the head 30 mm, the crown 4 mm down.
	framed := portrait{w: 660, h: 960, bg: color.White, head: 600, crown: 80, x: 330}
	r := c.Check(framed.picture(t))
	if want := image.Rect(0, 0, 660, 960); r.Crop != want {
		t.Errorf("Check(framed 33:48) crop = %v; want %v, the whole picture (framing %+v)", r.Crop, want, r.Framing)
	}
	loose := portrait{w: 660, h: 960, bg: color.White, head: 300, crown: 150, x: 330}
	r = c.Check(loose.picture(t))
	if whole := image.Rect(0, 0, 660, 960); r.Crop == whole || r.Crop.Empty() {
		t.Errorf("Check(loosely framed 33:48) crop = %v; want a crop inside %v", r.Crop, whole)
	}
	if f := failed(r); len(f) != 1 || f[CheckResolution] != LowResolution {
		t.Errorf("Check(loosely framed 33:48) failed %v; want only resolution: the tighter crop has too few pixels", f)
	}
}

// checkFraming checks crop against where portrait p put the head, and
// returns the head's height, the crown's and the chin's margins in mm.
func checkFraming(t *testing.T, p portrait, crop image.Rectangle) (headMM, crownMM, chinMM float64) {
	t.Helper()
	if got, want := float64(crop.Dx())/float64(crop.Dy()), float64(WidthMM)/HeightMM; math.Abs(got/want-1) > 0.005 {
		t.Errorf("portrait %+v: crop %v is %.4f wide per high; want %.4f", p, crop, got, want)
	}
	s := float64(crop.Dy()) / HeightMM // pixels per mm
	headMM = p.head / s
	crownMM = (p.crown - float64(crop.Min.Y)) / s
	chinMM = (float64(crop.Max.Y) - (p.crown + p.head)) / s
	offsetMM := (p.x - (float64(crop.Min.X) + float64(crop.Dx())/2)) / s
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
