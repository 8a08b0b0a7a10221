package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"examdesk"
	"examdesk/calendar"
	"examdesk/dialog"
	"examdesk/locales"
	"examdesk/redisstore"
)

const calendarUsage = `usage:
  examdesk calendar list [--json]          the exam sessions, with the dates derived from them
  examdesk calendar add --id ID --opens DATE --closes DATE --exam DATE[,DATE...] [--scores DATE]
                                           add a session, or replace the one with that ID
  examdesk calendar remove ID              remove a session
  examdesk calendar holidays add FILE      add a year of public holidays (holiday-cn JSON; - for stdin)
DATE is YYYY-MM-DD. The calendar is kept in the Redis at REDIS_URL, which the bot reads.`

// maxYearFile bounds the size of a holidays file.
const maxYearFile = 1 << 20

// runCalendar runs `examdesk calendar`: the administrators' commands on
// the exam calendar kept in the Redis at REDIS_URL. A bad command line or
// entry exits with status 2 and one line on stderr, changing nothing.
func runCalendar(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	err := calendarCommand(ctx, args, getenv, stdin, stdout)
	if errors.Is(err, errCalendarHelp) {
		return nil
	}
	return err
}

func calendarCommand(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("calendar: no subcommand (list, add, remove, holidays add; see examdesk calendar help)")
	}
	catalog, err := locales.Load()
	if err != nil {
		return err
	}
	// describe says a mistake in an entry in English, as /calendar does.
	describe := func(err error) string {
		var ce *calendar.Error
		if errors.As(err, &ce) {
			return dialog.Render(catalog, examdesk.English, dialog.T(ce.Key, ce.Args...), func(s string) string { return s })
		}
		return err.Error()
	}
	// Each subcommand reads its arguments before it opens Redis.
	var do func(c *calendar.Cache) error
	switch sub, args := args[0], args[1:]; sub {
	case "list":
		fs := calendarFlagSet("calendar list")
		asJSON := fs.Bool("json", false, "print JSON")
		if err := parseCalendarFlags(fs, args, stdout); err != nil {
			return err
		}
		do = func(c *calendar.Cache) error { return printCalendar(stdout, c.View(), *asJSON) }
	case "add":
		s, err := parseSessionFlags(args, stdout, describe)
		if err != nil {
			return err
		}
		do = func(c *calendar.Cache) error {
			replaced, err := c.PutSession(ctx, s)
			if err != nil {
				var ce *calendar.Error
				if errors.As(err, &ce) {
					return usageError("calendar add: %s", describe(ce))
				}
				return fmt.Errorf("calendar add: %w", err)
			}
			verb := "added"
			if replaced {
				verb = "replaced"
			}
			fmt.Fprintf(stdout, "%s session %s\n", verb, s.ID)
			printSession(stdout, c.View(), s)
			return nil
		}
	case "remove":
		if len(args) != 1 {
			return usageError("calendar remove: want one session ID, got %d arguments", len(args))
		}
		id := args[0]
		if err := calendar.ValidID(id); err != nil {
			return usageError("calendar remove: %s", describe(err))
		}
		do = func(c *calendar.Cache) error {
			ok, err := c.RemoveSession(ctx, id)
			switch {
			case err != nil:
				return fmt.Errorf("calendar remove: %w", err)
			case !ok:
				return usageError("calendar remove: there is no session %s", id)
			}
			fmt.Fprintf(stdout, "removed session %s\n", id)
			return nil
		}
	case "holidays":
		if len(args) != 2 || args[0] != "add" {
			return usageError("calendar holidays: want `holidays add FILE`")
		}
		y, err := readHolidayYear(args[1], stdin)
		if err != nil {
			return err
		}
		do = func(c *calendar.Cache) error {
			replaced, err := c.AddYear(ctx, y)
			switch {
			case errors.Is(err, calendar.ErrBuiltinYear):
				return usageError("calendar holidays add: the holidays of %d are built in, from the State Council's notice; a release updates them", y.Year)
			case err != nil:
				return fmt.Errorf("calendar holidays add: %w", err)
			}
			verb := "added"
			if replaced {
				verb = "replaced"
			}
			days := "days"
			if len(y.Days) == 1 {
				days = "day"
			}
			fmt.Fprintf(stdout, "%s the holidays of %d: %d %s, from %s\n", verb, y.Year, len(y.Days), days, strings.Join(y.Papers, " "))
			return nil
		}
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, calendarUsage)
		return nil
	default:
		return usageError("calendar: unknown subcommand %q (list, add, remove, holidays add)", sub)
	}

	url := strings.TrimSpace(getenv("REDIS_URL"))
	if url == "" {
		return usageError("calendar: REDIS_URL is unset: set it to the bot's Redis, where the calendar is kept (an embedded one would forget the change at once)")
	}
	st, err := redisstore.Open(ctx, url, redisstore.WithConnections(1))
	if err != nil {
		return fmt.Errorf("calendar: %w", err)
	}
	defer st.Close()
	c, err := calendar.NewCache(st.Calendar(), calendar.CacheOptions{})
	if err != nil {
		return err
	}
	// A record that cannot be read fails the load; remove needs no view,
	// so that the bad record can be removed.
	if err := c.Refresh(ctx); err != nil && args[0] != "remove" {
		return fmt.Errorf("calendar: %w (a session that cannot be read can still be removed: examdesk calendar remove ID)", err)
	}
	return do(c)
}

func calendarFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// errCalendarHelp is returned by parseFlags when the usage was asked for and
// printed: nothing more to do.
var errCalendarHelp = errors.New("help printed")

// parseCalendarFlags parses args into fs and refuses arguments left over; -h
// prints the usage.
func parseCalendarFlags(fs *flag.FlagSet, args []string, stdout io.Writer) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(stdout, calendarUsage)
			return errCalendarHelp
		}
		return usageError("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// parseSessionFlags reads the session of `calendar add` and validates it.
func parseSessionFlags(args []string, stdout io.Writer, describe func(error) string) (calendar.Session, error) {
	fs := calendarFlagSet("calendar add")
	id := fs.String("id", "", "session `ID`, like 2027-1")
	opens := fs.String("opens", "", "first day of registration")
	closes := fs.String("closes", "", "last day of registration")
	exam := fs.String("exam", "", "exam dates, separated by commas")
	scores := fs.String("scores", "", "day the scores are published, if known")
	if err := parseCalendarFlags(fs, args, stdout); err != nil {
		return calendar.Session{}, err
	}
	for _, f := range []struct{ name, v string }{{"id", *id}, {"opens", *opens}, {"closes", *closes}, {"exam", *exam}} {
		if strings.TrimSpace(f.v) == "" {
			return calendar.Session{}, usageError("calendar add: --%s is missing", f.name)
		}
	}
	date := func(flag, v string) (calendar.Date, error) {
		d, err := calendar.ParseDate(strings.TrimSpace(v))
		if err != nil {
			return d, usageError("calendar add: --%s: %s", flag, describe(err))
		}
		return d, nil
	}
	s := calendar.Session{ID: strings.TrimSpace(*id)}
	var err error
	if s.Opens, err = date("opens", *opens); err != nil {
		return s, err
	}
	if s.Closes, err = date("closes", *closes); err != nil {
		return s, err
	}
	for v := range strings.SplitSeq(*exam, ",") {
		d, err := date("exam", v)
		if err != nil {
			return s, err
		}
		s.Exams = append(s.Exams, d)
	}
	if strings.TrimSpace(*scores) != "" {
		if s.Scores, err = date("scores", *scores); err != nil {
			return s, err
		}
	}
	if err := s.Validate(); err != nil {
		return s, usageError("calendar add: %s", describe(err))
	}
	return s, nil
}

// readHolidayYear reads and checks a holidays file, or standard input for "-".
func readHolidayYear(name string, stdin io.Reader) (calendar.Year, error) {
	in := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return calendar.Year{}, usageError("calendar holidays add: %v", err)
		}
		defer f.Close()
		in = f
	}
	data, err := io.ReadAll(io.LimitReader(in, maxYearFile+1))
	if err != nil {
		return calendar.Year{}, fmt.Errorf("calendar holidays add: read %s: %w", name, err)
	}
	if len(data) > maxYearFile {
		return calendar.Year{}, usageError("calendar holidays add: %s is larger than %d bytes", name, maxYearFile)
	}
	y, err := calendar.ParseYear(name, data)
	if err != nil {
		return calendar.Year{}, usageError("calendar holidays add: %v", err)
	}
	return y, nil
}

// calendarDay writes d with its weekday: 2026-10-10 Sat.
func calendarDay(d calendar.Date) string { return d.String() + " " + d.Weekday().String()[:3] }

func calendarDays(ds []calendar.Date) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = calendarDay(d)
	}
	return strings.Join(s, ", ")
}

// printSession prints s and its derived dates, one per line.
func printSession(w io.Writer, v *calendar.View, s calendar.Session) {
	d := v.Derive(s)
	window := func(win calendar.Window, text string) string {
		switch {
		case win.IsZero():
			return "(once the scores date is entered)"
		case win.Estimated():
			return fmt.Sprintf("%s (estimated: the holidays of %s are not published)", text, calendarYears(win.Unpublished))
		}
		return text
	}
	scores := "(not entered)"
	if !s.Scores.IsZero() {
		scores = calendarDay(s.Scores)
	}
	fmt.Fprintf(w, "%s\n", s.ID)
	fmt.Fprintf(w, "  registration   %s to %s\n", calendarDay(s.Opens), calendarDay(s.Closes))
	fmt.Fprintf(w, "  exam           %s\n", calendarDays(s.Exams))
	fmt.Fprintf(w, "  tickets        %s\n", window(d.Ticket, calendarDays(d.Ticket.Days)))
	fmt.Fprintf(w, "  scores         %s\n", scores)
	fmt.Fprintf(w, "  review until   %s\n", window(d.Review, calendarDay(d.Review.To)))
	fmt.Fprintf(w, "  retake until   %s\n", window(d.Retake, calendarDay(d.Retake.To)))
}

func calendarYears(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = fmt.Sprint(y)
	}
	return strings.Join(s, ", ")
}

// calendarJSON is the JSON contract of `examdesk calendar list --json`.
type calendarJSON struct {
	Sessions []sessionJSON `json:"sessions"`
	Holidays holidaysJSON  `json:"holidays"`
}

type sessionJSON struct {
	calendar.Session
	Derived derivedJSON `json:"derived"`
}

type derivedJSON struct {
	Ticket windowJSON  `json:"ticket"`
	Review *windowJSON `json:"review,omitempty"`
	Retake *windowJSON `json:"retake,omitempty"`
}

type windowJSON struct {
	From calendar.Date   `json:"from"`
	To   calendar.Date   `json:"to"`
	Days []calendar.Date `json:"days,omitempty"`
	// Estimated is whether the window counts working days in a year whose
	// holidays are not published (Unpublished).
	Estimated   bool  `json:"estimated"`
	Unpublished []int `json:"unpublished,omitempty"`
}

type holidaysJSON struct {
	Builtin    []int `json:"builtin"`
	Added      []int `json:"added"`
	Superseded []int `json:"superseded"`
}

func calendarWindow(w calendar.Window) windowJSON {
	return windowJSON{From: w.From, To: w.To, Days: w.Days, Estimated: w.Estimated(), Unpublished: w.Unpublished}
}

// printCalendar prints the sessions of v with their derived dates, and
// the years whose holidays count, as text or as JSON.
func printCalendar(w io.Writer, v *calendar.View, asJSON bool) error {
	h := holidaysJSON{Builtin: []int{}, Added: []int{}, Superseded: append([]int{}, v.Superseded...)}
	for _, y := range v.Holidays.Years() {
		if v.Holidays.Builtin(y) {
			h.Builtin = append(h.Builtin, y)
		} else {
			h.Added = append(h.Added, y)
		}
	}
	if asJSON {
		out := calendarJSON{Sessions: []sessionJSON{}, Holidays: h}
		for _, s := range v.Sessions {
			d := v.Derive(s)
			sj := sessionJSON{Session: s, Derived: derivedJSON{Ticket: calendarWindow(d.Ticket)}}
			if !d.Review.IsZero() {
				r, t := calendarWindow(d.Review), calendarWindow(d.Retake)
				sj.Derived.Review, sj.Derived.Retake = &r, &t
			}
			out.Sessions = append(out.Sessions, sj)
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	if len(v.Sessions) == 0 {
		fmt.Fprintln(w, "no exam session entered: candidates are told the dates are not announced yet")
	}
	for _, s := range v.Sessions {
		printSession(w, v, s)
	}
	fmt.Fprintf(w, "holidays: built in %s", calendarYears(h.Builtin))
	if len(h.Added) > 0 {
		fmt.Fprintf(w, "; added %s", calendarYears(h.Added))
	}
	if len(h.Superseded) > 0 {
		fmt.Fprintf(w, "; added %s superseded by the built-in ones", calendarYears(h.Superseded))
	}
	fmt.Fprintln(w, "; other years count Monday to Friday only")
	return nil
}
