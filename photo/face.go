package photo

import (
	"cmp"
	_ "embed"
	"errors"
	"fmt"
	"image"
	"slices"

	pigo "github.com/esimov/pigo/core"
)

// facefinder is pico's frontal face cascade, as pigo ships it; see
// cascade/README.md.
//
//go:embed cascade/facefinder
var facefinder []byte

// Face is a frontal face found in a picture: the square the detector
// matched (from about the eyebrows to below the mouth), in the upright
// picture's pixels.
type Face struct {
	X, Y  int     // centre
	Size  int     // side
	Score float64 // the detector's confidence, at least minScore
}

// Rect returns the face's square.
func (f Face) Rect() image.Rectangle {
	return image.Rect(f.X-f.Size/2, f.Y-f.Size/2, f.X-f.Size/2+f.Size, f.Y-f.Size/2+f.Size)
}

// Detection settings, for pictures scaled to at most detectSide pixels.
const (
	detectSide = 640
	// minScore is the least confidence counted as a face: pigo's
	// examples use 5.
	minScore = 5
	// minFaceFraction is the smallest face looked for, as a fraction of
	// the picture's shorter side: smaller ones cannot make an ID photo.
	minFaceFraction = 1.0 / 12
)

// Checker checks photos. It is safe for concurrent use.
type Checker struct {
	cascade *pigo.Pigo
}

// Load returns a Checker with the embedded face cascade.
func Load() (*Checker, error) {
	// pigo's Unpack does not check lengths: check the header first.
	if len(facefinder) < 16 {
		return nil, errors.New("photo: load the face cascade: too short")
	}
	c, err := pigo.NewPigo().Unpack(facefinder)
	if err != nil {
		return nil, fmt.Errorf("photo: load the face cascade: %w", err)
	}
	return &Checker{cascade: c}, nil
}

// detection is the grey picture the faces are looked for in: area of the
// upright picture scaled down by k.
type detection struct {
	gray *image.Gray
	area image.Rectangle
	k    int
}

// detectionImage scales the picture down to at most detectSide pixels a
// side, in whole blocks of stored pixels, and turns it upright.
func detectionImage(p Picture) detection {
	b := p.Image.Bounds()
	k := max(1, (max(b.Dx(), b.Dy())+detectSide-1)/detectSide)
	sr := image.Rect(b.Min.X, b.Min.Y, b.Min.X+b.Dx()/k*k, b.Min.Y+b.Dy()/k*k)
	g := orientGray(shrinkGray(p.Image, sr, k), orientation(p.Orientation))
	return detection{gray: g, area: p.uprightRect(sr), k: k}
}

// toPicture converts a point of the detection image to the picture's.
func (d detection) toPicture(x, y float64) (float64, float64) {
	return float64(d.area.Min.X) + x*float64(d.k), float64(d.area.Min.Y) + y*float64(d.k)
}

// faces returns the frontal faces in d, strongest first, in d's pixels.
func (c *Checker) faces(d detection) []Face {
	w, h := d.gray.Rect.Dx(), d.gray.Rect.Dy()
	short := min(w, h)
	minSize := max(20, int(float64(short)*minFaceFraction))
	if short < minSize {
		return nil
	}
	params := pigo.CascadeParams{
		MinSize:     minSize,
		MaxSize:     short,
		ShiftFactor: 0.1,
		ScaleFactor: 1.1,
		ImageParams: pigo.ImageParams{Pixels: d.gray.Pix, Rows: h, Cols: w, Dim: d.gray.Stride},
	}
	dets := c.cascade.RunCascade(params, 0)
	dets = c.cascade.ClusterDetections(dets, 0.2)
	var faces []Face
	for _, det := range dets {
		if det.Q >= minScore {
			faces = append(faces, Face{X: det.Col, Y: det.Row, Size: det.Scale, Score: float64(det.Q)})
		}
	}
	slices.SortFunc(faces, func(a, b Face) int { return cmp.Compare(b.Score, a.Score) })
	// Clusters of one face at very different scales overlap too little
	// to merge: keep the strongest of those whose centres fall inside it.
	var kept []Face
	for _, f := range faces {
		inside := slices.ContainsFunc(kept, func(k Face) bool {
			return image.Pt(f.X, f.Y).In(k.Rect()) || image.Pt(k.X, k.Y).In(f.Rect())
		})
		if !inside {
			kept = append(kept, f)
		}
	}
	return kept
}
