package dashboard

import (
	"fmt"
	"html/template"
	"strings"
)

// The charts are SVG drawn here, sized by their viewBox to the width of
// the page, coloured by CSS classes (app.css maps them to Telegram's theme
// colours), with a <title> on every bar for the numbers.

const (
	chartWidth = 360
	plotLeft   = 34 // room for the y axis's labels
	plotTop    = 8
	plotHeight = 120
	axisRoom   = 22 // under the plot, for the dates
)

// series is one set of bars of a chart: a value a column (or a row), the
// CSS class that colours it, and its name for the legend and the titles.
type series struct {
	Name   string
	Class  string
	Values []int
}

// svgText escapes s for SVG text and attributes.
func svgText(s string) string { return template.HTMLEscapeString(s) }

// niceMax is the top of an axis for values up to m: 1, 2 or 5 times a
// power of ten, at least 1.
func niceMax(m int) int {
	if m <= 1 {
		return 1
	}
	for p := 1; ; p *= 10 {
		for _, f := range []int{1, 2, 5} {
			if f*p >= m {
				return f * p
			}
		}
	}
}

// columns draws a bar chart of one column a day: the series overlaid, the
// first at the back (the larger, as active users behind new ones). labels
// are the days, "2026-12-05"; the axis shows the first, the middle and the
// last as "12-05".
func columns(label string, labels []string, ss []series) template.HTML {
	n := len(labels)
	top := 0
	for _, s := range ss {
		for _, v := range s.Values {
			top = max(top, v)
		}
	}
	top = niceMax(top)
	height := plotTop + plotHeight + axisRoom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartWidth, height, svgText(label))
	// The axis: the top value, half, zero.
	for _, f := range []int{0, 1, 2} {
		y := plotTop + plotHeight - plotHeight*f/2
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%d" y2="%d"/>`, plotLeft, chartWidth, y, y)
		fmt.Fprintf(&b, `<text class="axis" x="%d" y="%d" text-anchor="end">%d</text>`, plotLeft-4, y+4, top*f/2)
	}
	slot := float64(chartWidth-plotLeft) / float64(max(n, 1))
	barW := max(slot*0.7, 1)
	for i, day := range labels {
		x := float64(plotLeft) + slot*float64(i) + (slot-barW)/2
		var title []string
		for _, s := range ss {
			title = append(title, fmt.Sprintf("%s %d", s.Name, s.Values[i]))
		}
		fmt.Fprintf(&b, `<g><title>%s</title>`, svgText(day+": "+strings.Join(title, ", ")))
		for _, s := range ss {
			h := float64(plotHeight) * float64(s.Values[i]) / float64(top)
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`,
				s.Class, x, float64(plotTop+plotHeight)-h, barW, h)
		}
		b.WriteString(`</g>`)
		if i == 0 || i == n-1 || (n > 2 && i == n/2) {
			anchor := "middle"
			switch i {
			case 0:
				anchor = "start"
			case n - 1:
				anchor = "end"
			}
			lx := x + barW/2
			if anchor == "start" {
				lx = x
			} else if anchor == "end" {
				lx = x + barW
			}
			short := day
			if len(day) == len("2006-01-02") {
				short = day[5:]
			}
			fmt.Fprintf(&b, `<text class="axis" x="%.1f" y="%d" text-anchor="%s">%s</text>`, lx, plotTop+plotHeight+16, anchor, svgText(short))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) + legend(ss)
}

// legend names the series of a chart by their colours.
func legend(ss []series) template.HTML {
	var b strings.Builder
	b.WriteString(`<p class="legend">`)
	for _, s := range ss {
		fmt.Fprintf(&b, `<span><i class="swatch %s"></i>%s</span> `, s.Class, svgText(s.Name))
	}
	b.WriteString(`</p>`)
	return template.HTML(b.String())
}

// row is one bar of a chart of rows: its label, and its value in each
// series.
type row struct {
	Label  string
	Values []int
}

// rows draws a chart of one bar a row, labels above the bars (they are
// long, and the page is a phone's). stacked puts the series end to end
// (parts of one whole), else they are overlaid, the first at the back.
func rows(label string, rs []row, ss []series, stacked bool) template.HTML {
	const rowH, barH = 36, 12
	top := 0
	for _, r := range rs {
		sum := 0
		for _, v := range r.Values {
			sum += v
			top = max(top, v)
		}
		if stacked {
			top = max(top, sum)
		}
	}
	top = max(top, 1)
	width := chartWidth - 48 // room for the number after the bar
	height := rowH*len(rs) + 4
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartWidth, height, svgText(label))
	for i, r := range rs {
		y := rowH * i
		var title []string
		for j, s := range ss {
			title = append(title, fmt.Sprintf("%s %d", s.Name, r.Values[j]))
		}
		fmt.Fprintf(&b, `<g><title>%s</title>`, svgText(r.Label+": "+strings.Join(title, ", ")))
		fmt.Fprintf(&b, `<text class="label" x="0" y="%d">%s</text>`, y+13, svgText(r.Label))
		x, shown := 0.0, 0
		for j, s := range ss {
			w := float64(width) * float64(r.Values[j]) / float64(top)
			start := 0.0
			if stacked {
				start = x
				x += w
			} else {
				x = max(x, w)
			}
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%d" width="%.1f" height="%d" rx="2"/>`, s.Class, start, y+18, w, barH)
			if stacked {
				shown += r.Values[j]
			} else {
				shown = max(shown, r.Values[j])
			}
		}
		fmt.Fprintf(&b, `<text class="value" x="%.1f" y="%d">%d</text></g>`, x+4, y+28, shown)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) + legend(ss)
}
