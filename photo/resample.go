package photo

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// render returns the rectangle r of the upright picture (which it must lie
// in) scaled to w × h, flattened on white. When r is at least twice as
// large as w × h, it box-averages blocks of stored pixels first, to less
// than twice w × h, then scales with Catmull-Rom: the cost follows the
// stored pixels under r, the memory w × h, never the whole picture.
func (p Picture) render(r image.Rectangle, w, h int) *image.RGBA {
	o := orientation(p.Orientation)
	sr := p.storedRect(r)
	tw, th := w, h
	if o.transposes() {
		tw, th = h, w
	}
	src, srcRect := p.Image, sr
	if k := min(sr.Dx()/tw, sr.Dy()/th); k >= 2 {
		small := shrinkRGBA(p.Image, sr, k)
		src, srcRect = small, small.Rect
	}
	tmp := image.NewRGBA(image.Rect(0, 0, tw, th))
	draw.CatmullRom.Scale(tmp, tmp.Rect, src, srcRect, draw.Src, nil)
	out := orientRGBA(tmp, o)
	flatten(out)
	return out
}

// flatten puts the premultiplied pixels of m on white.
func flatten(m *image.RGBA) {
	for i := 0; i+3 < len(m.Pix); i += 4 {
		if a := m.Pix[i+3]; a != 0xff {
			for c := i; c < i+3; c++ {
				m.Pix[c] = uint8(min(int(m.Pix[c])+0xff-int(a), 0xff))
			}
			m.Pix[i+3] = 0xff
		}
	}
}

// shrinkRGBA returns the pixels of src under sr averaged in blocks of k × k
// (the last row and column of blocks may be smaller), premultiplied.
func shrinkRGBA(src image.Image, sr image.Rectangle, k int) *image.RGBA {
	w, h := (sr.Dx()+k-1)/k, (sr.Dy()+k-1)/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	sum := make([]uint32, 4*w)
	row := make([]uint16, 4*sr.Dx()) // one source row as 8-bit RGBA, premultiplied
	for by := range h {
		clear(sum)
		y0, y1 := sr.Min.Y+by*k, min(sr.Min.Y+(by+1)*k, sr.Max.Y)
		for y := y0; y < y1; y++ {
			readRow(row, src, sr.Min.X, sr.Max.X, y)
			for x := range sr.Dx() {
				bx := 4 * (x / k)
				sum[bx] += uint32(row[4*x])
				sum[bx+1] += uint32(row[4*x+1])
				sum[bx+2] += uint32(row[4*x+2])
				sum[bx+3] += uint32(row[4*x+3])
			}
		}
		for bx := range w {
			n := uint32((min((bx+1)*k, sr.Dx()) - bx*k) * (y1 - y0))
			d := dst.Pix[dst.PixOffset(bx, by):]
			for c := range 4 {
				d[c] = uint8((sum[4*bx+c] + n/2) / n)
			}
		}
	}
	return dst
}

// shrinkGray is shrinkRGBA to grey levels (on white), of whole blocks
// only: the stored pixels it covers are sr's first Dx()/k*k columns and
// Dy()/k*k rows.
func shrinkGray(src image.Image, sr image.Rectangle, k int) *image.Gray {
	w, h := sr.Dx()/k, sr.Dy()/k
	dst := image.NewGray(image.Rect(0, 0, w, h))
	sum := make([]uint32, w)
	row := make([]uint16, 4*sr.Dx())
	ycc, isYCbCr := src.(*image.YCbCr)
	for by := range h {
		clear(sum)
		for y := sr.Min.Y + by*k; y < sr.Min.Y+(by+1)*k; y++ {
			if isYCbCr {
				// The luma plane is the grey picture.
				off := ycc.YOffset(sr.Min.X, y)
				for x, v := range ycc.Y[off : off+w*k] {
					sum[x/k] += uint32(v)
				}
				continue
			}
			readRow(row, src, sr.Min.X, sr.Min.X+w*k, y)
			for x := range w * k {
				r, g, b, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
				sum[x/k] += (19595*r+38470*g+7471*b+1<<15)>>16 + 0xff - a
			}
		}
		n := uint32(k * k)
		for bx := range w {
			dst.Pix[by*dst.Stride+bx] = uint8((sum[bx] + n/2) / n)
		}
	}
	return dst
}

// readRow reads the pixels x0 to x1 of row y of src into row as 8-bit
// premultiplied RGBA, with fast paths for what the decoders return.
func readRow(row []uint16, src image.Image, x0, x1, y int) {
	switch s := src.(type) {
	case *image.YCbCr:
		for x := x0; x < x1; x++ {
			yi, ci := s.YOffset(x, y), s.COffset(x, y)
			r, g, b := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
			i := 4 * (x - x0)
			row[i], row[i+1], row[i+2], row[i+3] = uint16(r), uint16(g), uint16(b), 0xff
		}
	case *image.RGBA:
		p := s.Pix[s.PixOffset(x0, y):]
		for i := range 4 * (x1 - x0) {
			row[i] = uint16(p[i])
		}
	case *image.NRGBA:
		p := s.Pix[s.PixOffset(x0, y):]
		for i := 0; i < 4*(x1-x0); i += 4 {
			a := uint16(p[i+3])
			row[i] = (uint16(p[i])*a + 127) / 255
			row[i+1] = (uint16(p[i+1])*a + 127) / 255
			row[i+2] = (uint16(p[i+2])*a + 127) / 255
			row[i+3] = a
		}
	case *image.Gray:
		p := s.Pix[s.PixOffset(x0, y):]
		for x := range x1 - x0 {
			v := uint16(p[x])
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = v, v, v, 0xff
		}
	default:
		for x := x0; x < x1; x++ {
			r, g, b, a := src.At(x, y).RGBA()
			i := 4 * (x - x0)
			row[i], row[i+1], row[i+2], row[i+3] = uint16(r>>8), uint16(g>>8), uint16(b>>8), uint16(a>>8)
		}
	}
}
