// Package photo checks a candidate's photo against what the testing
// centre's notice asks (48 mm × 33 mm, white background in colour or
// black-and-white, front-facing) and against common ID-photo advice (head
// size and position, exposure, sharpness), and makes the print-ready files:
// the photo cropped around the face to 33 × 48 mm at 300 dpi, and a 6-inch
// (4R) sheet of eight copies with cut marks, as JPEG and as PDF. It knows
// nothing of Telegram or Redis and keeps nothing: a picture lives in memory
// for one call, and nothing of it is logged.
package photo

import (
	"image"
)

// The print: 33 mm wide and 48 mm high at DPI dots per inch.
const (
	WidthMM  = 33
	HeightMM = 48
	DPI      = 300
	// PrintWidth × PrintHeight are the print's pixels at DPI, rounded.
	PrintWidth  = 390
	PrintHeight = 567
)

// Picture is a decoded photo: its pixels as stored in the file and the
// EXIF orientation that turns them upright. Every coordinate the package
// reports is in the upright picture's pixels, from (0, 0).
type Picture struct {
	Image image.Image
	// Orientation is the EXIF orientation, 1 (upright) to 8; 0 counts as 1.
	Orientation int
}

// Size returns the width and height of the upright picture.
func (p Picture) Size() (w, h int) {
	b := p.Image.Bounds()
	if orientation(p.Orientation).transposes() {
		return b.Dy(), b.Dx()
	}
	return b.Dx(), b.Dy()
}

// Bounds returns the upright picture's rectangle, from (0, 0).
func (p Picture) Bounds() image.Rectangle {
	w, h := p.Size()
	return image.Rect(0, 0, w, h)
}
