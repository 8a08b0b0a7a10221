package photo

import (
	"image"
	"math"
	"slices"
)

// Common guidance for the head in a 大一寸 (33 × 48 mm) photo, in mm: the
// head from crown to chin 28 to 33 mm, the crown 3 to 5 mm below the top
// edge, the chin at least 7 mm above the bottom. The crop aims at the
// middle of each range. The notice itself says nothing of the head.
const (
	headMin, headMax, headIdeal    = 28.0, 33.0, 30.5
	crownMin, crownMax, crownIdeal = 3.0, 5.0, 4.0
	chinMin                        = 7.0
	// offsetMax is how far the face's centre line may be from the middle.
	offsetMax = 1.5
	// slack absorbs rounding to whole pixels.
	slack = 0.1
)

// Where the head lies around the detector's square, in squares, measured
// on the frontal portraits the detector was tried on: the chin below the
// square's centre, and the crown above it when the background does not
// show it.
const (
	chinBelow  = 0.6
	crownAbove = 0.85
)

// Framing is where the head lies in a 33 × 48 mm print, in millimetres.
type Framing struct {
	Head   float64 // from crown to chin
	Crown  float64 // from the top edge to the crown
	Chin   float64 // from the chin to the bottom edge
	Offset float64 // of the face's centre line right of the middle; negative: left
}

// reason returns what is outside the guidance, most important first, or ""
// when nothing is.
func (f Framing) reason() Reason {
	switch {
	case f.Head > headMax+slack:
		return HeadTooLarge
	case f.Head < headMin-slack:
		return HeadTooSmall
	case f.Crown < crownMin-slack:
		return HeadTooHigh
	case f.Crown > crownMax+slack:
		return HeadTooLow
	case f.Chin < chinMin-slack:
		return ChinTooLow
	case math.Abs(f.Offset) > offsetMax+slack:
		return OffCentre
	}
	return ""
}

// head is a face's head in the upright picture's pixels.
type head struct {
	x           float64 // the face's centre line
	crown, chin float64
	size        float64 // the detector's square
}

// measureHead finds the head of face f of the detection image: the chin
// from the face, the crown where the plain background above it ends, or
// from the face when there is no plain background above.
func measureHead(d detection, f Face) head {
	fx, fy, fs := float64(f.X), float64(f.Y), float64(f.Size)
	crown := fy - crownAbove*fs
	if y, ok := crownEdge(d.gray, f); ok {
		crown = y
	}
	x, top := d.toPicture(fx+0.5, crown)
	_, chin := d.toPicture(fx, fy+chinBelow*fs)
	return head{x: x, crown: top, chin: chin, size: fs * float64(d.k)}
}

// crownEdge looks, in a band over the middle of face f, for the first row
// from the top that is no longer the plain background: the crown. The row
// where the search starts, well above the face, must be plain.
func crownEdge(g *image.Gray, f Face) (float64, bool) {
	const (
		plainSpread = 30 // grey levels between the 10th and 90th percentiles
		differs     = 30 // a pixel this far from the background is the head
		share       = 0.3
	)
	fs := float64(f.Size)
	x0 := max(0, f.X-f.Size/4)
	x1 := min(g.Rect.Dx(), f.X+f.Size/4+1)
	top := max(0, int(float64(f.Y)-1.4*fs))
	stop := int(float64(f.Y) - 0.55*fs)
	if x1-x0 < 4 || stop-top < 3 {
		return 0, false
	}
	row := func(y int) []uint8 { return g.Pix[y*g.Stride+x0 : y*g.Stride+x1] }
	ref := slices.Clone(row(top))
	slices.Sort(ref)
	n := len(ref)
	if int(ref[n*9/10])-int(ref[n/10]) > plainSpread {
		return 0, false
	}
	bg := int(ref[n/2])
	headRow := func(y int) bool {
		c := 0
		for _, v := range row(y) {
			if abs(int(v)-bg) > differs {
				c++
			}
		}
		return float64(c) > share*float64(n)
	}
	for y := top + 1; y+1 <= stop; y++ {
		if headRow(y) && headRow(y+1) {
			return float64(y), true
		}
	}
	return 0, false
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// frame returns the 33:48 crop of a w × h picture around hd that keeps
// the head within the guidance, nearest the middle of each range, and
// true; or, when no such crop fits in the picture, the one nearest it
// that does, and false.
func frame(w, h int, hd head) (image.Rectangle, bool) {
	headPx := hd.chin - hd.crown
	if headPx <= 0 {
		return image.Rectangle{}, false
	}
	fw, fh := float64(w), float64(h)
	// Head heights from the ideal outwards, in steps of 0.25 mm.
	for i := range 2 * int((headMax-headMin)/0.25+1) {
		mm := headIdeal + float64((i+1)/2)*0.25*float64(1-2*(i%2))
		if mm < headMin || mm > headMax {
			continue
		}
		s := headPx / mm // pixels per mm
		cw, ch := WidthMM*s, HeightMM*s
		if cw > fw || ch > fh {
			continue
		}
		topLo, topHi := max(hd.crown-crownMax*s, 0), min(hd.crown-crownMin*s, fh-ch)
		leftLo, leftHi := max(hd.x-cw/2-offsetMax*s, 0), min(hd.x-cw/2+offsetMax*s, fw-cw)
		if topLo > topHi || leftLo > leftHi {
			continue
		}
		top := min(max(hd.crown-crownIdeal*s, topLo), topHi)
		left := min(max(hd.x-cw/2, leftLo), leftHi)
		return pixelRect(left, top, cw, ch, w, h), true
	}
	s := min(headPx/headIdeal, fw/WidthMM, fh/HeightMM)
	cw, ch := WidthMM*s, HeightMM*s
	top := min(max(hd.crown-crownIdeal*s, 0), fh-ch)
	left := min(max(hd.x-cw/2, 0), fw-cw)
	return pixelRect(left, top, cw, ch, w, h), false
}

// largestFrame returns the largest 33:48 rectangle in the middle of a w ×
// h picture.
func largestFrame(w, h int) image.Rectangle {
	s := min(float64(w)/WidthMM, float64(h)/HeightMM)
	cw, ch := WidthMM*s, HeightMM*s
	return pixelRect((float64(w)-cw)/2, (float64(h)-ch)/2, cw, ch, w, h)
}

// isPrintShape reports whether a w × h picture is 33:48, within 1%.
func isPrintShape(w, h int) bool {
	return math.Abs(float64(w)*HeightMM/(float64(h)*WidthMM)-1) <= 0.01
}

// pixelRect rounds a rectangle to whole pixels within a w × h picture.
func pixelRect(left, top, cw, ch float64, w, h int) image.Rectangle {
	rw, rh := max(1, min(w, int(math.Round(cw)))), max(1, min(h, int(math.Round(ch))))
	x := min(max(int(math.Round(left)), 0), w-rw)
	y := min(max(int(math.Round(top)), 0), h-rh)
	return image.Rect(x, y, x+rw, y+rh)
}

// framing measures hd in crop r.
func framing(r image.Rectangle, hd head) Framing {
	s := float64(r.Dy()) / HeightMM
	return Framing{
		Head:   (hd.chin - hd.crown) / s,
		Crown:  (hd.crown - float64(r.Min.Y)) / s,
		Chin:   (float64(r.Max.Y) - hd.chin) / s,
		Offset: (hd.x - (float64(r.Min.X) + float64(r.Dx())/2)) / s,
	}
}
