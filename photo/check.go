package photo

import (
	"image"
	"math"
)

// ID names a check.
type ID string

// The checks, in the order of a report. The notice asks for the size
// (ratio, resolution to print it), a front-facing photo (face) and a white
// background in colour or black-and-white (background); head, exposure and
// sharpness are common advice for a good ID photo.
const (
	CheckRatio      ID = "ratio"      // 33:48, or croppable to it around the face
	CheckResolution ID = "resolution" // 33 × 48 mm at 300 dpi after cropping
	CheckFace       ID = "face"       // exactly one frontal face
	CheckHead       ID = "head"       // head size and position in the crop
	CheckBackground ID = "background" // a plain light background, white in colour
	CheckExposure   ID = "exposure"   // the face neither too dark nor too bright, no colour cast
	CheckSharpness  ID = "sharpness"  // the face not blurred
)

// IDs lists the checks in report order.
var IDs = []ID{CheckRatio, CheckResolution, CheckFace, CheckHead, CheckBackground, CheckExposure, CheckSharpness}

// Reason says why a check failed.
type Reason string

// Reasons, by check.
const (
	NoFace    Reason = "no_face"    // ratio, face, head: no frontal face
	ManyFaces Reason = "many_faces" // ratio, face, head: more than one

	NoRoom Reason = "no_room" // ratio: no 33:48 crop around the face fits

	LowResolution Reason = "low_resolution" // resolution

	HeadTooLarge Reason = "head_too_large" // head
	HeadTooSmall Reason = "head_too_small"
	HeadTooHigh  Reason = "head_too_high" // the crown too near the top edge
	HeadTooLow   Reason = "head_too_low"
	ChinTooLow   Reason = "chin_too_low"
	OffCentre    Reason = "off_centre"

	NotWhite       Reason = "not_white" // background: tinted, in a colour photo
	DarkBackground Reason = "dark_background"
	Uneven         Reason = "uneven" // shadows, objects, patterns
	NoBackground   Reason = "no_background"

	Underexposed Reason = "underexposed" // exposure
	Overexposed  Reason = "overexposed"
	ColourCast   Reason = "colour_cast"

	Blurred Reason = "blurred" // sharpness
)

// Reasons lists, for each check, every reason it fails with.
var Reasons = map[ID][]Reason{
	CheckRatio:      {NoFace, ManyFaces, NoRoom},
	CheckResolution: {LowResolution},
	CheckFace:       {NoFace, ManyFaces},
	CheckHead:       {NoFace, ManyFaces, HeadTooLarge, HeadTooSmall, HeadTooHigh, HeadTooLow, ChinTooLow, OffCentre},
	CheckBackground: {NotWhite, DarkBackground, Uneven, NoBackground},
	CheckExposure:   {Underexposed, Overexposed, ColourCast},
	CheckSharpness:  {Blurred},
}

// Result is the outcome of one check.
type Result struct {
	ID     ID
	OK     bool
	Reason Reason // why it failed; "" when OK
}

// Report is what Check found in a picture.
type Report struct {
	// Width and Height are the upright picture's.
	Width, Height int
	// Faces are the frontal faces found, strongest first.
	Faces []Face
	// Crop is the print's 33:48 crop around the face, in the upright
	// picture's pixels; empty unless there is exactly one face.
	Crop image.Rectangle
	// Frame is the 33:48 part of the picture the checks measured: Crop,
	// or without it the largest one in the middle.
	Frame image.Rectangle
	// Framing is where the head lies in Crop, when there is one.
	Framing Framing
	// Gray reports a black-and-white photo.
	Gray bool
	// Brightness is the face's mean grey level, 0 to 255, and Sharpness
	// the detail in it (see sharpness), both measured on the face scaled
	// to patchSide pixels (where a face would be in Frame when there is
	// none).
	Brightness, Sharpness float64
	// Checks holds one result per check, in the order of IDs.
	Checks []Result
}

// OK reports whether every check passed.
func (r Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Result returns the result of check id.
func (r Report) Result(id ID) Result {
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	return Result{ID: id}
}

// Thresholds of the checks on pixels, grey levels 0 to 255.
const (
	// patchSide is the size the face is measured at: about the detector's
	// square in a 300 dpi print.
	patchSide = 128

	minBrightness = 70  // a mean face below it is underexposed
	maxBrightness = 210 // above it, overexposed: washed out
	maxClipped    = 0.25
	minSharpness  = 20 // see sharpness

	minBackground    = 170 // median grey level of a light background
	maxChroma        = 30  // largest channel minus smallest, of the median colour
	maxSpread        = 50  // 10th to 90th percentile of a plain background
	minBackgroundPix = 1500
	grayChroma       = 12 // pixels of a black-and-white photo stay below it...
	grayShare        = 0.005
)

// Check checks p. It never fails: a picture without a face gets a report
// saying so, and an empty one (which Decode never returns) one that fails
// every check.
func (c *Checker) Check(p Picture) Report {
	rep, _ := c.check(p)
	return rep
}

// check is Check returning the print too: Frame rendered at PrintWidth ×
// PrintHeight.
func (c *Checker) check(p Picture) (Report, *image.RGBA) {
	if p.Image == nil || p.Image.Bounds().Empty() {
		return emptyReport(), nil
	}
	w, h := p.Size()
	rep := Report{Width: w, Height: h}
	d := detectionImage(p)
	var found []Face
	var hd head
	for i, f := range c.faces(d) {
		if i == 0 {
			hd = measureHead(d, f)
		}
		x, y := d.toPicture(float64(f.X)+0.5, float64(f.Y)+0.5)
		found = append(found, Face{X: int(x), Y: int(y), Size: f.Size * d.k, Score: f.Score})
	}
	rep.Faces = found

	faceReason := Reason("")
	switch {
	case len(found) == 0:
		faceReason = NoFace
	case len(found) > 1:
		faceReason = ManyFaces
	}
	// The checks measure the frame around the strongest face, if any.
	croppable := false
	switch {
	case len(found) == 0:
		rep.Frame = largestFrame(w, h)
	case isPrintShape(w, h) && framing(p.Bounds(), hd).reason() == "":
		rep.Frame, croppable = p.Bounds(), true
	default:
		rep.Frame, croppable = frame(w, h, hd)
	}
	if faceReason == "" {
		rep.Crop = rep.Frame
		rep.Framing = framing(rep.Crop, hd)
	}
	out := p.render(rep.Frame, PrintWidth, PrintHeight)

	add := func(id ID, reason Reason) {
		rep.Checks = append(rep.Checks, Result{ID: id, OK: reason == "", Reason: reason})
	}
	switch {
	case isPrintShape(w, h) || (croppable && faceReason == ""):
		add(CheckRatio, "")
	case faceReason != "":
		add(CheckRatio, faceReason)
	default:
		add(CheckRatio, NoRoom)
	}
	if rep.Frame.Dx() >= PrintWidth && rep.Frame.Dy() >= PrintHeight {
		add(CheckResolution, "")
	} else {
		add(CheckResolution, LowResolution)
	}
	add(CheckFace, faceReason)
	if faceReason != "" {
		add(CheckHead, faceReason)
	} else {
		add(CheckHead, rep.Framing.reason())
	}

	rep.Gray = isGray(out)
	add(CheckBackground, background(out, rep, hd))

	// The face, or where one would be.
	pr := rep.Frame
	patch := image.Rect(pr.Min.X+pr.Dx()*27/100, pr.Min.Y+pr.Dy()*20/100, pr.Max.X-pr.Dx()*27/100, pr.Min.Y+pr.Dy()*52/100)
	if len(found) > 0 {
		f := found[0]
		r := f.Size * 4 / 10
		patch = image.Rect(f.X-r, f.Y-r, f.X+r, f.Y+r)
	}
	patch = inside(patch, p.Bounds())
	m := p.render(patch, patchSide, patchSide)
	rep.Brightness, rep.Sharpness = brightness(m), sharpness(m)
	add(CheckExposure, exposure(m, rep.Gray))
	if rep.Sharpness < minSharpness {
		add(CheckSharpness, Blurred)
	} else {
		add(CheckSharpness, "")
	}
	return rep, out
}

// emptyReport is the report of a picture without pixels.
func emptyReport() Report {
	fail := map[ID]Reason{
		CheckRatio: NoFace, CheckResolution: LowResolution, CheckFace: NoFace, CheckHead: NoFace,
		CheckBackground: NoBackground, CheckExposure: Underexposed, CheckSharpness: Blurred,
	}
	var rep Report
	for _, id := range IDs {
		rep.Checks = append(rep.Checks, Result{ID: id, Reason: fail[id]})
	}
	return rep
}

// inside shifts r into b, shrinking it only if it is larger.
func inside(r, b image.Rectangle) image.Rectangle {
	w, h := min(r.Dx(), b.Dx()), min(r.Dy(), b.Dy())
	x := min(max(r.Min.X, b.Min.X), b.Max.X-w)
	y := min(max(r.Min.Y, b.Min.Y), b.Max.Y-h)
	return image.Rect(x, y, x+w, y+h)
}

// luma is the grey level of an 8-bit RGB colour.
func luma(r, g, b uint8) int {
	return (19595*int(r) + 38470*int(g) + 7471*int(b) + 1<<15) >> 16
}

// chroma is how far from grey a colour is: its largest channel minus its
// smallest.
func chroma(r, g, b uint8) int {
	return int(max(r, g, b)) - int(min(r, g, b))
}

// isGray reports whether m is a black-and-white photo.
func isGray(m *image.RGBA) bool {
	coloured := 0
	for i := 0; i < len(m.Pix); i += 4 {
		if chroma(m.Pix[i], m.Pix[i+1], m.Pix[i+2]) > grayChroma {
			coloured++
		}
	}
	return float64(coloured) <= grayShare*float64(len(m.Pix)/4)
}

// background checks the background around the head in the print: the
// part above the middle of the head, outside an ellipse wide enough for
// a full head of hair; or, without a face, where it would be.
func background(m *image.RGBA, rep Report, hd head) Reason {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	const edge = 3 // the print's border pixels, blurred by the scaling
	x0, crown, chin := float64(w)/2, 0.1*float64(h), 0.65*float64(h)
	if len(rep.Faces) > 0 {
		s := float64(h) / float64(rep.Frame.Dy()) // print pixels per picture pixel
		x0 = (hd.x - float64(rep.Frame.Min.X)) * s
		crown = (hd.crown - float64(rep.Frame.Min.Y)) * s
		chin = (hd.chin - float64(rep.Frame.Min.Y)) * s
	}
	size := chin - crown
	y0 := crown + size/2
	a, b := 0.55*size, size/2+0.03*float64(h) // the ellipse's half axes
	outside := func(x, y int) bool {
		dx, dy := (float64(x)+0.5-x0)/a, (float64(y)+0.5-y0)/b
		return dx*dx+dy*dy > 1
	}
	region := image.Rect(edge, edge, w-edge, int(y0))
	var lum, red, green, blue [256]int
	n := 0
	region = region.Intersect(m.Rect)
	for y := region.Min.Y; y < region.Max.Y; y++ {
		for x := region.Min.X; x < region.Max.X; x++ {
			if !outside(x, y) {
				continue
			}
			i := m.PixOffset(x, y)
			cr, cg, cb := m.Pix[i], m.Pix[i+1], m.Pix[i+2]
			lum[luma(cr, cg, cb)]++
			red[cr]++
			green[cg]++
			blue[cb]++
			n++
		}
	}
	if n < minBackgroundPix {
		return NoBackground
	}
	mr, mg, mb := percentile(&red, n, 0.5), percentile(&green, n, 0.5), percentile(&blue, n, 0.5)
	switch {
	case !rep.Gray && chroma(uint8(mr), uint8(mg), uint8(mb)) > maxChroma:
		return NotWhite
	case percentile(&lum, n, 0.5) < minBackground:
		return DarkBackground
	case percentile(&lum, n, 0.9)-percentile(&lum, n, 0.1) > maxSpread:
		return Uneven
	}
	return ""
}

// percentile returns the value at fraction q of a histogram of n values.
func percentile(hist *[256]int, n int, q float64) int {
	target := int(q * float64(n-1))
	c := 0
	for v, k := range hist {
		c += k
		if c > target {
			return v
		}
	}
	return 255
}

// brightness is the mean grey level of m.
func brightness(m *image.RGBA) float64 {
	sum := 0
	for i := 0; i < len(m.Pix); i += 4 {
		sum += luma(m.Pix[i], m.Pix[i+1], m.Pix[i+2])
	}
	return float64(sum) / float64(len(m.Pix)/4)
}

// exposure checks the face m: its mean grey level, how much of it is
// burnt out, and, in a colour photo, whether skin stays warmer than it is
// blue or green, as it does in neutral light.
func exposure(m *image.RGBA, gray bool) Reason {
	n := len(m.Pix) / 4
	var sr, sg, sb, sum, clipped int
	for i := 0; i < len(m.Pix); i += 4 {
		r, g, b := m.Pix[i], m.Pix[i+1], m.Pix[i+2]
		l := luma(r, g, b)
		sum += l
		if l >= 250 {
			clipped++
		}
		sr, sg, sb = sr+int(r), sg+int(g), sb+int(b)
	}
	mean := float64(sum) / float64(n)
	switch {
	case mean < minBrightness:
		return Underexposed
	case mean > maxBrightness || float64(clipped) > maxClipped*float64(n):
		return Overexposed
	case !gray && (sb > sr || float64(sg) > 1.05*float64(sr)):
		return ColourCast
	}
	return ""
}

// sharpness is the variance of the 4-neighbour Laplacian of m's grey
// levels relative to the variance of the grey levels themselves, times
// 1000: blur takes the fine detail the Laplacian sees, while a dark or
// low-contrast face, which lowers both, is not taken for a blurred one.
func sharpness(m *image.RGBA) float64 {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	g := make([]int, w*h)
	var gs, gq float64
	for i := range g {
		v := luma(m.Pix[4*i], m.Pix[4*i+1], m.Pix[4*i+2])
		g[i] = v
		gs += float64(v)
		gq += float64(v * v)
	}
	var sum, sq float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			v := float64(g[i-1] + g[i+1] + g[i-w] + g[i+w] - 4*g[i])
			sum += v
			sq += v * v
			n++
		}
	}
	mean := gs / float64(len(g))
	levels := gq/float64(len(g)) - mean*mean
	if n == 0 || levels < 1 {
		return 0 // a flat patch has no detail to be sharp
	}
	lm := sum / float64(n)
	return 1000 * math.Max(0, sq/float64(n)-lm*lm) / levels
}
