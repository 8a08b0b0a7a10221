package calendar

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
)

//go:embed holidays/*.json
var holidayFiles embed.FS

// Year is one year's public holidays and adjusted working days of mainland
// China, as the State Council published them, in the format of the
// holiday-cn dataset (see holidays/README.md).
type Year struct {
	Year int `json:"year"`
	// Papers are the addresses of the notices the days come from.
	Papers []string `json:"papers"`
	// Days are the days that do not follow the week, in the file's order.
	Days []Day `json:"days"`
}

// Day is a day that does not follow the week: a public holiday (OffDay), or
// an adjusted working day (調休) on a weekend.
type Day struct {
	// Name names the holiday, like 春节.
	Name   string `json:"name"`
	Date   Date   `json:"date"`
	OffDay bool   `json:"isOffDay"`
}

// ErrBuiltinYear is the error of adding a year whose holidays are embedded
// in the program: they come from the State Council's notice with the
// release, and are not replaced by an administrator's file.
var ErrBuiltinYear = errors.New("the holidays of this year are built in and cannot be replaced")

// maxProblems bounds the problems a bad year file reports.
const maxProblems = 20

// problem is what is wrong with a year: with its day, index day, or the
// whole year when day is negative.
type problem struct {
	day int
	msg string
	// also is the index of the day that day repeats, or -1.
	also int
}

// problems lists what is wrong with y, at most maxProblems of them.
func (y Year) problems() []problem {
	var ps []problem
	addAlso := func(day, also int, format string, args ...any) {
		if len(ps) < maxProblems {
			ps = append(ps, problem{day, fmt.Sprintf(format, args...), also})
		}
	}
	add := func(day int, format string, args ...any) { addAlso(day, -1, format, args...) }
	if y.Year < 1 || y.Year > 9999 {
		add(-1, "year %d is not a year (want 1 to 9999)", y.Year)
	}
	if len(y.Papers) == 0 {
		add(-1, "papers is missing: list the address of the State Council's notice the days come from")
	}
	for i, p := range y.Papers {
		if u, err := url.Parse(p); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			add(-1, "papers[%d] %q is not an http(s) address", i, p)
		}
	}
	seen := make(map[Date]int, len(y.Days))
	for i, d := range y.Days {
		switch {
		case d.Date.IsZero():
			add(i, "date is missing")
			continue
		case d.Date.Year() != y.Year:
			add(i, "date %s is not in %d", d.Date, y.Year)
		}
		if j, dup := seen[d.Date]; dup {
			addAlso(i, j, "date %s is listed twice", d.Date)
		}
		seen[d.Date] = i
		if strings.TrimSpace(d.Name) == "" {
			add(i, "name is missing for %s", d.Date)
		}
		if !d.OffDay && !d.Date.Weekend() {
			add(i, "%s is a %s: an adjusted working day (isOffDay false) is a Saturday or a Sunday", d.Date, d.Date.Weekday())
		}
	}
	return ps
}

// Validate checks y: a year, the notices in papers, every day a date of
// that year listed once with a name, and an adjusted working day only on a
// weekend. The error lists every problem, one per line.
func (y Year) Validate() error {
	var errs []error
	for _, p := range y.problems() {
		switch {
		case p.day < 0:
			errs = append(errs, fmt.Errorf("holidays of %d: %s", y.Year, p.msg))
		case p.also >= 0:
			errs = append(errs, fmt.Errorf("holidays of %d: day %d: %s (also day %d)", y.Year, p.day+1, p.msg, p.also+1))
		default:
			errs = append(errs, fmt.Errorf("holidays of %d: day %d: %s", y.Year, p.day+1, p.msg))
		}
	}
	return errors.Join(errs...)
}

// rawDay is a day as the file has it, before it is checked.
type rawDay struct {
	Name     string `json:"name"`
	Date     string `json:"date"`
	IsOffDay *bool  `json:"isOffDay"`
}

// ParseYear reads a year file in the holiday-cn format and checks it like
// Validate. Errors name the file and the line: "2027.json:14: date
// 2027-02-30 is not a date", one problem per line.
func ParseYear(name string, data []byte) (Year, error) {
	y, lines, errs := decodeYear(name, data)
	if len(errs) == 0 {
		for _, p := range y.problems() {
			switch {
			case p.day < 0:
				errs = append(errs, fmt.Errorf("%s: %s", name, p.msg))
			case p.also >= 0:
				errs = append(errs, fmt.Errorf("%s:%d: %s (also line %d)", name, lines[p.day], p.msg, lines[p.also]))
			default:
				errs = append(errs, fmt.Errorf("%s:%d: %s", name, lines[p.day], p.msg))
			}
		}
	}
	if len(errs) > 0 {
		return Year{}, errors.Join(errs...)
	}
	return y, nil
}

// yearReader decodes a year file, keeping track of where each part is, so
// that errors can name the line.
type yearReader struct {
	data []byte
	dec  *json.Decoder
}

// posError is an error at byte pos of the file.
type posError struct {
	pos int64
	err error
}

func (e *posError) Error() string { return e.err.Error() }
func (e *posError) Unwrap() error { return e.err }

// start returns where the value that follows off starts: the decoder's
// offsets are those of the end of the previous token, before spaces, a
// comma or a colon.
func (r *yearReader) start(off int64) int64 {
	off = min(max(off, 0), int64(len(r.data)))
	for off < int64(len(r.data)) && strings.IndexByte(" \t\r\n,:", r.data[off]) >= 0 {
		off++
	}
	return off
}

// line returns the line of byte pos.
func (r *yearReader) line(pos int64) int {
	pos = min(max(pos, 0), int64(len(r.data)))
	return 1 + bytes.Count(r.data[:pos], []byte("\n"))
}

// at returns err as an error at the value that follows off.
func (r *yearReader) at(off int64, err error) error {
	return &posError{r.start(off), err}
}

// token reads the next token.
func (r *yearReader) token() (json.Token, error) {
	off := r.dec.InputOffset()
	tok, err := r.dec.Token()
	if err != nil {
		return nil, r.at(off, err)
	}
	return tok, nil
}

// decode reads the next value into v.
func (r *yearReader) decode(v any) error {
	start := r.start(r.dec.InputOffset())
	err := r.dec.Decode(v)
	var te *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te): // Decode's offsets count from the value's start
		return &posError{start + te.Offset - 1, err}
	}
	return &posError{start, err}
}

// decodeYear decodes a year file and returns the line of each day, or what
// does not decode.
func decodeYear(name string, data []byte) (Year, []int, []error) {
	r := &yearReader{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	r.dec.DisallowUnknownFields()
	// The syntax first: json.Unmarshal tells where a syntax error is in
	// the whole file; the decoder, only within the value it reads.
	var (
		y     Year
		lines []int
		se    *json.SyntaxError
	)
	err := json.Unmarshal(data, new(any))
	if errors.As(err, &se) {
		err = &posError{se.Offset - 1, err}
	}
	if err == nil {
		y, lines, err = r.year()
	}
	if err != nil {
		pos := int64(len(data))
		if pe := (*posError)(nil); errors.As(err, &pe) {
			pos = pe.pos
		}
		return Year{}, nil, []error{fmt.Errorf("%s:%d: %w", name, r.line(pos), err)}
	}
	var errs []error
	for _, f := range []struct {
		name string
		ok   bool
	}{{"year", y.Year != 0}, {"papers", y.Papers != nil}, {"days", y.Days != nil}} {
		if !f.ok {
			errs = append(errs, fmt.Errorf("%s: %s is missing", name, f.name))
		}
	}
	return y, lines, errs
}

// year reads the year object.
func (r *yearReader) year() (y Year, lines []int, err error) {
	if tok, err := r.token(); err != nil {
		return y, nil, err
	} else if tok != json.Delim('{') {
		return y, nil, r.at(0, errors.New("not a JSON object"))
	}
	seen := map[string]bool{}
	for r.dec.More() {
		off := r.dec.InputOffset()
		tok, err := r.token()
		if err != nil {
			return y, nil, err
		}
		key, _ := tok.(string)
		if seen[key] {
			return y, nil, r.at(off, fmt.Errorf("%q is there twice", key))
		}
		seen[key] = true
		switch key {
		case "$schema", "$id":
			var s string
			err = r.decode(&s)
		case "year":
			err = r.decode(&y.Year)
		case "papers":
			err = r.decode(&y.Papers)
			if err == nil && y.Papers == nil {
				y.Papers = []string{}
			}
		case "days":
			y.Days = []Day{}
			lines, err = r.days(&y)
		default:
			err = r.at(off, fmt.Errorf("unknown field %q", key))
		}
		if err != nil {
			return y, nil, err
		}
	}
	_, err = r.token() // }
	return y, lines, err
}

// days reads the days array into y and returns the line of each day.
func (r *yearReader) days(y *Year) ([]int, error) {
	off := r.dec.InputOffset()
	if tok, err := r.token(); err != nil {
		return nil, err
	} else if tok != json.Delim('[') {
		return nil, r.at(off, errors.New("days is not a list"))
	}
	var lines []int
	for r.dec.More() {
		off := r.dec.InputOffset()
		var raw rawDay
		if err := r.decode(&raw); err != nil {
			return nil, err
		}
		d := Day{Name: raw.Name}
		if raw.Date != "" {
			var err error
			if d.Date, err = ParseDate(raw.Date); err != nil {
				return nil, r.at(off, fmt.Errorf("date %q is not a date (want YYYY-MM-DD)", raw.Date))
			}
		}
		if raw.IsOffDay == nil {
			return nil, r.at(off, errors.New("isOffDay is missing (true: a holiday; false: an adjusted working day)"))
		}
		d.OffDay = *raw.IsOffDay
		y.Days = append(y.Days, d)
		lines = append(lines, r.line(r.start(off)))
	}
	_, err := r.token() // ]
	return lines, err
}

// Holidays tells the working days of mainland China from the years whose
// holidays were published. A year without them counts Monday to Friday
// only, and computations that look at it say so. A Holidays is not changed
// once made; the nil *Holidays knows no year.
type Holidays struct {
	years   map[int]Year
	builtin map[int]bool
	days    map[Date]bool // true: off day; false: adjusted working day
}

// Embedded returns the holidays embedded in the program (holidays/*.json),
// checked: a file that is not valid is an error naming it and the line.
func Embedded() (*Holidays, error) { return parseDir(holidayFiles, "holidays") }

// parseDir reads the year files <year>.json of dir in fsys.
func parseDir(fsys fs.FS, dir string) (*Holidays, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, fmt.Errorf("load holidays: %w", err)
	}
	h := &Holidays{years: map[int]Year{}, builtin: map[int]bool{}, days: map[Date]bool{}}
	var errs []error
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		y, err := ParseYear(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if want := strings.TrimSuffix(path.Base(name), ".json"); want != strconv.Itoa(y.Year) {
			errs = append(errs, fmt.Errorf("%s: year is %d: the file of %d is %d.json", name, y.Year, y.Year, y.Year))
			continue
		}
		h.set(y)
		h.builtin[y.Year] = true
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load holidays: %w", err)
	}
	return h, nil
}

// set makes y one of h's years, replacing the one of the same number.
func (h *Holidays) set(y Year) {
	if old, ok := h.years[y.Year]; ok {
		for _, d := range old.Days {
			delete(h.days, d.Date)
		}
	}
	h.years[y.Year] = y
	for _, d := range y.Days {
		h.days[d.Date] = d.OffDay
	}
}

// With returns h with the years added: a year h has from an administrator
// is replaced. A year that is not valid is an error, and so is one of the
// embedded years (ErrBuiltinYear). h is unchanged.
func (h *Holidays) With(added ...Year) (*Holidays, error) {
	n := &Holidays{years: map[int]Year{}, builtin: map[int]bool{}, days: map[Date]bool{}}
	if h != nil {
		maps.Copy(n.years, h.years)
		maps.Copy(n.builtin, h.builtin)
		maps.Copy(n.days, h.days)
	}
	for _, y := range added {
		if err := y.Validate(); err != nil {
			return nil, err
		}
		if n.builtin[y.Year] {
			return nil, fmt.Errorf("holidays of %d: %w", y.Year, ErrBuiltinYear)
		}
		y.Papers, y.Days = slices.Clone(y.Papers), slices.Clone(y.Days)
		n.set(y)
	}
	return n, nil
}

// Published reports whether h has the holidays of year.
func (h *Holidays) Published(year int) bool {
	if h == nil {
		return false
	}
	_, ok := h.years[year]
	return ok
}

// Builtin reports whether the holidays of year are embedded in the
// program.
func (h *Holidays) Builtin(year int) bool { return h != nil && h.builtin[year] }

// Years returns the years whose holidays h has, in order.
func (h *Holidays) Years() []int {
	if h == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(h.years))
}

// Year returns the holidays of year as published.
func (h *Holidays) Year(year int) (Year, bool) {
	if h == nil {
		return Year{}, false
	}
	y, ok := h.years[year]
	y.Papers, y.Days = slices.Clone(y.Papers), slices.Clone(y.Days)
	return y, ok
}

// Working reports whether d is a working day: Monday to Friday unless a
// holiday, or an adjusted working day. For a year not published it is
// Monday to Friday.
func (h *Holidays) Working(d Date) bool {
	if h != nil {
		if off, ok := h.days[d]; ok {
			return !off
		}
	}
	return !d.Weekend()
}

// Adjusted reports whether d is an adjusted working day (調休): a Saturday
// or a Sunday that is a working day.
func (h *Holidays) Adjusted(d Date) bool { return d.Weekend() && h.Working(d) }

// unpublished collects the years of the days looked at that h lacks.
type unpublished struct {
	h     *Holidays
	years []int
}

func (u *unpublished) look(d Date) {
	if !u.h.Published(d.Year()) && !slices.Contains(u.years, d.Year()) {
		u.years = append(u.years, d.Year())
		slices.Sort(u.years)
	}
}

// Before returns the n working days before d, d not counted, earliest
// first, and the years without published holidays among the days it
// looked at (then the days may shift when those are published).
func (h *Holidays) Before(d Date, n int) (days []Date, unpublishedYears []int) {
	u := unpublished{h: h}
	days = make([]Date, 0, min(max(n, 0), 16))
	for day := d.AddDays(-1); len(days) < n; day = day.AddDays(-1) {
		u.look(day)
		if h.Working(day) {
			days = append(days, day)
		}
	}
	slices.Reverse(days)
	return days, u.years
}

// After returns the n-th working day after d, d not counted (d itself for
// n ≤ 0), and the years without published holidays among the days it
// looked at.
func (h *Holidays) After(d Date, n int) (day Date, unpublishedYears []int) {
	u := unpublished{h: h}
	day = d
	for count := 0; count < n; {
		day = day.AddDays(1)
		u.look(day)
		if h.Working(day) {
			count++
		}
	}
	return day, u.years
}
