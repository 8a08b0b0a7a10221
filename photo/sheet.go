package photo

import (
	"image"
	"image/color"
	"image/draw"
)

// The sheet: 6-inch (4R) photo paper, 6 × 4 inches (152 × 102 mm),
// landscape, at DPI, holding SheetCopies prints in SheetColumns columns
// with cut marks in the margins and gutters.
const (
	SheetWidth   = 6 * DPI
	SheetHeight  = 4 * DPI
	SheetColumns = 4
	SheetRows    = 2
	SheetCopies  = SheetColumns * SheetRows
	// gutter is the space between prints, 2 mm.
	gutter = 24
	// markClear keeps the cut marks off the prints; markWidth is their
	// thickness.
	markClear = 4
	markWidth = 2
)

// markColor is the colour of the cut marks: dark enough to see, light
// enough not to show on a cut edge.
var markColor = color.RGBA{0x70, 0x70, 0x70, 0xff}

// SheetLayout returns where the copies go on the sheet, row by row, each
// PrintWidth × PrintHeight, centred with gutter between them.
func SheetLayout() []image.Rectangle {
	left := (SheetWidth - SheetColumns*PrintWidth - (SheetColumns-1)*gutter) / 2
	top := (SheetHeight - SheetRows*PrintHeight - (SheetRows-1)*gutter) / 2
	var out []image.Rectangle
	for r := range SheetRows {
		for c := range SheetColumns {
			x := left + c*(PrintWidth+gutter)
			y := top + r*(PrintHeight+gutter)
			out = append(out, image.Rect(x, y, x+PrintWidth, y+PrintHeight))
		}
	}
	return out
}

// Sheet returns the sheet with a copy of img (PrintWidth × PrintHeight)
// in every place of SheetLayout, on white, and cut marks: each edge of the
// prints drawn on, where it crosses the margins and gutters, stopping
// markClear pixels short of any print.
func Sheet(img image.Image) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, SheetWidth, SheetHeight))
	draw.Draw(m, m.Rect, image.White, image.Point{}, draw.Src)
	places := SheetLayout()
	for _, r := range places {
		draw.Draw(m, r, img, img.Bounds().Min, draw.Src)
	}
	mark := image.NewUniform(markColor)
	// clearOf reports whether a mark at r stays clear of every print.
	clearOf := func(r image.Rectangle) bool {
		for _, p := range places {
			if r.Overlaps(p.Inset(-markClear)) {
				return false
			}
		}
		return true
	}
	var xs, ys []int
	for _, p := range places[:SheetColumns] {
		xs = append(xs, p.Min.X, p.Max.X)
	}
	for r := range SheetRows {
		p := places[r*SheetColumns]
		ys = append(ys, p.Min.Y, p.Max.Y)
	}
	// A mark is a line one pixel either side of the edge, drawn in the
	// runs of pixels along it that stay clear of the prints.
	for _, x := range xs {
		line := image.Rect(x-markWidth/2, 0, x+markWidth-markWidth/2, SheetHeight)
		for y := 0; y < SheetHeight; y++ {
			if px := image.Rect(line.Min.X, y, line.Max.X, y+1); clearOf(px) {
				draw.Draw(m, px, mark, image.Point{}, draw.Src)
			}
		}
	}
	for _, y := range ys {
		line := image.Rect(0, y-markWidth/2, SheetWidth, y+markWidth-markWidth/2)
		for x := 0; x < SheetWidth; x++ {
			if px := image.Rect(x, line.Min.Y, x+1, line.Max.Y); clearOf(px) {
				draw.Draw(m, px, mark, image.Point{}, draw.Src)
			}
		}
	}
	return m
}
