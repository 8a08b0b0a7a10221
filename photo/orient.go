package photo

import (
	"image"
)

// orientation is an EXIF orientation: how the stored pixels are turned to
// show the picture upright.
//
//	1 as stored       5 transposed (mirrored, turned 90° counter-clockwise)
//	2 mirrored        6 turned 90° clockwise
//	3 turned 180°     7 transversed (mirrored, turned 90° clockwise)
//	4 flipped         8 turned 90° counter-clockwise
type orientation int

func (o orientation) transposes() bool { return o >= 5 && o <= 8 }

// stored returns the stored pixel that shows at (x, y) of the upright
// picture, both relative to their images' origins; w and h are the stored
// image's size.
func (o orientation) stored(x, y, w, h int) (int, int) {
	switch o {
	case 2:
		return w - 1 - x, y
	case 3:
		return w - 1 - x, h - 1 - y
	case 4:
		return x, h - 1 - y
	case 5:
		return y, x
	case 6:
		return y, h - 1 - x
	case 7:
		return w - 1 - y, h - 1 - x
	case 8:
		return w - 1 - y, x
	}
	return x, y
}

// storedRect returns the stored pixels (in the stored image's coordinates)
// that show in r, a rectangle of the upright picture.
func (p Picture) storedRect(r image.Rectangle) image.Rectangle {
	b := p.Image.Bounds()
	o := orientation(p.Orientation)
	x0, y0 := o.stored(r.Min.X, r.Min.Y, b.Dx(), b.Dy())
	x1, y1 := o.stored(r.Max.X-1, r.Max.Y-1, b.Dx(), b.Dy())
	return image.Rect(min(x0, x1), min(y0, y1), max(x0, x1)+1, max(y0, y1)+1).Add(b.Min)
}

// uprightRect is the inverse of storedRect: the rectangle of the upright
// picture where stored pixels sr show.
func (p Picture) uprightRect(sr image.Rectangle) image.Rectangle {
	b := p.Image.Bounds()
	sr = sr.Sub(b.Min)
	o := orientation(p.Orientation)
	w, h := p.Size()
	// Every orientation is its own inverse except 6 and 8, which undo
	// each other.
	inv := o
	switch o {
	case 6:
		inv = 8
	case 8:
		inv = 6
	}
	x0, y0 := inv.stored(sr.Min.X, sr.Min.Y, w, h)
	x1, y1 := inv.stored(sr.Max.X-1, sr.Max.Y-1, w, h)
	return image.Rect(min(x0, x1), min(y0, y1), max(x0, x1)+1, max(y0, y1)+1)
}

// orientRGBA returns src, whose pixels are stored as p's are, turned
// upright.
func orientRGBA(src *image.RGBA, o orientation) *image.RGBA {
	if o <= 1 || o > 8 {
		return src
	}
	pix, w, h := o.turn(src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y):], src.Stride, 4, src.Rect.Dx(), src.Rect.Dy())
	return &image.RGBA{Pix: pix, Stride: 4 * w, Rect: image.Rect(0, 0, w, h)}
}

// orientGray is orientRGBA for a grey image.
func orientGray(src *image.Gray, o orientation) *image.Gray {
	if o <= 1 || o > 8 {
		return src
	}
	pix, w, h := o.turn(src.Pix[src.PixOffset(src.Rect.Min.X, src.Rect.Min.Y):], src.Stride, 1, src.Rect.Dx(), src.Rect.Dy())
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
}

// turn returns the pixels of a stored image of sw × sh pixels, size bytes
// each, rows stride bytes apart from pix[0], turned upright and packed,
// with the upright image's width and height.
func (o orientation) turn(pix []uint8, stride, size, sw, sh int) (out []uint8, w, h int) {
	w, h = sw, sh
	if o.transposes() {
		w, h = sh, sw
	}
	out = make([]uint8, w*h*size)
	for y := range h {
		for x := range w {
			sx, sy := o.stored(x, y, sw, sh)
			i := sy*stride + sx*size
			copy(out[(y*w+x)*size:][:size], pix[i:i+size])
		}
	}
	return out, w, h
}
