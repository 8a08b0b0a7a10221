package admin

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"examdesk/calendar"
	"examdesk/dialog"
)

// CalendarCache is what the calendar command needs of the exam calendar:
// the view candidates are answered from, and the changes, which show in it
// at once. *calendar.Cache is one.
type CalendarCache interface {
	View() *calendar.View
	PutSession(ctx context.Context, s calendar.Session) (replaced bool, err error)
	RemoveSession(ctx context.Context, id string) (bool, error)
}

// Calendar is the command /calendar, for the exam sessions:
//
//	/calendar                 list the sessions with the dates derived from them
//	/calendar add ID opens=YYYY-MM-DD closes=YYYY-MM-DD exam=YYYY-MM-DD[,…] [scores=YYYY-MM-DD]
//	                          add a session, or replace the one with that ID
//	/calendar remove ID       remove a session
//
// A mistake is answered with a message that names it, and changes nothing.
type Calendar struct {
	cache CalendarCache
}

var _ Command = (*Calendar)(nil)

// NewCalendar returns the command on cache.
func NewCalendar(cache CalendarCache) *Calendar { return &Calendar{cache: cache} }

// Name returns "calendar".
func (c *Calendar) Name() string { return "calendar" }

// Handle answers /calendar [list | add … | remove ID]. Options and plain
// texts, which the command does not ask for, are answered with its usage.
func (c *Calendar) Handle(ctx context.Context, r Request) (dialog.Reply, error) {
	reply := func(ts ...dialog.Text) dialog.Reply {
		ms := make([]dialog.Message, len(ts))
		for i, t := range ts {
			ms[i] = dialog.Message{Text: t}
		}
		return dialog.Reply{Lang: r.Lang, Messages: ms}
	}
	if r.Pick != nil || r.Text != "" {
		return reply(dialog.T("calendar.usage")), nil
	}
	sub, rest, _ := strings.Cut(strings.TrimSpace(r.Arg), " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(sub) {
	case "", "list":
		return reply(c.list()), nil
	case "help":
		return reply(dialog.T("calendar.usage")), nil
	case "add":
		s, problem := parseSession(rest)
		if problem != nil {
			return reply(*problem, dialog.T("calendar.usage.add")), nil
		}
		replaced, err := c.cache.PutSession(ctx, s)
		var ce *calendar.Error
		switch {
		case errors.As(err, &ce):
			return reply(dialog.T(ce.Key, ce.Args...), dialog.T("calendar.usage.add")), nil
		case err != nil:
			return dialog.Reply{}, err
		}
		key := "calendar.added"
		if replaced {
			key = "calendar.replaced"
		}
		return reply(dialog.T(key, "ID", s.ID, "Session", sessionText(c.cache.View(), s))), nil
	case "remove", "delete":
		id := strings.ToLower(rest)
		if id == "" || strings.ContainsAny(id, " \t\n") {
			return reply(dialog.T("calendar.usage")), nil
		}
		ok, err := c.cache.RemoveSession(ctx, id)
		switch {
		case err != nil:
			return dialog.Reply{}, err
		case !ok:
			return reply(dialog.T("calendar.error.not_found", "ID", id)), nil
		}
		return reply(dialog.T("calendar.removed", "ID", id)), nil
	}
	return reply(dialog.T("calendar.error.subcommand", "Arg", sub), dialog.T("calendar.usage")), nil
}

// list lists the sessions with their derived dates, and the years whose
// holidays the working days count.
func (c *Calendar) list() dialog.Text {
	v := c.cache.View()
	var parts dialog.Paragraphs
	if len(v.Sessions) == 0 {
		parts = append(parts, dialog.T("calendar.list.empty"))
	} else {
		parts = append(parts, dialog.T("calendar.list.header", "N", len(v.Sessions)))
		for _, s := range v.Sessions {
			parts = append(parts, sessionText(v, s))
		}
	}
	parts = append(parts, dialog.T("calendar.holidays", "Years", years(v.Holidays.Years())))
	if len(v.Superseded) > 0 {
		parts = append(parts, dialog.T("calendar.superseded", "Years", years(v.Superseded)))
	}
	return dialog.T("calendar.list", "Body", parts)
}

// years writes years for a message: 2024, 2025, 2026.
func years(ys []int) string {
	s := make([]string, len(ys))
	for i, y := range ys {
		s[i] = strconv.Itoa(y)
	}
	return strings.Join(s, ", ")
}

// sessionText describes s for administrators, with the dates derived from
// it by the working days of v.
func sessionText(v *calendar.View, s calendar.Session) dialog.Text {
	d := v.Derive(s)
	window := func(w calendar.Window, t dialog.Text) dialog.Text {
		switch {
		case w.IsZero():
			return dialog.T("calendar.pending")
		case w.Estimated():
			return dialog.T("calendar.estimated", "Dates", t, "Years", years(w.Unpublished))
		}
		return t
	}
	scores := dialog.T("calendar.unknown")
	if !s.Scores.IsZero() {
		scores = dialog.DateText(s.Scores)
	}
	return dialog.T("calendar.session",
		"ID", s.ID,
		"Opens", dialog.DateText(s.Opens),
		"Closes", dialog.DateText(s.Closes),
		"Exams", dialog.DatesText(s.Exams),
		"Ticket", window(d.Ticket, dialog.DatesText(d.Ticket.Days)),
		"Scores", scores,
		"Review", window(d.Review, dialog.DateText(d.Review.To)),
		"Retake", window(d.Retake, dialog.DateText(d.Retake.To)))
}

var (
	// argForms writes what phones and Chinese keyboards type in the ASCII
	// the syntax uses.
	argForms = strings.NewReplacer("＝", "=", "，", ",", "、", ",", "\u00a0", " ")
	// argSpaces are the spaces around "=" and ",".
	argSpaces = regexp.MustCompile(`\s*([=,])\s*`)
)

// parseSession reads the arguments of /calendar add: the session ID, then
// opens=, closes=, exam= (dates separated by commas) and optionally
// scores=, in any order; full-width ＝ and ， are taken for = and ,. It
// does not validate the session (Session.Validate does); problem is the
// message that names what does not read.
func parseSession(arg string) (s calendar.Session, problem *dialog.Text) {
	fail := func(key string, args ...any) (calendar.Session, *dialog.Text) {
		t := dialog.T(key, args...)
		return calendar.Session{}, &t
	}
	fields := strings.Fields(argSpaces.ReplaceAllString(argForms.Replace(arg), "$1"))
	if len(fields) == 0 || strings.Contains(fields[0], "=") {
		return fail("calendar.error.no_id")
	}
	s.ID = fields[0]
	if err := calendar.ValidID(s.ID); err != nil {
		var ce *calendar.Error
		if !errors.As(err, &ce) {
			return fail("calendar.error.arg", "Arg", fields[0])
		}
		return fail(ce.Key, ce.Args...)
	}
	seen := map[string]bool{}
	for _, f := range fields[1:] {
		name, value, ok := strings.Cut(f, "=")
		name = strings.ToLower(name)
		if name == "exams" {
			name = "exam"
		}
		switch {
		case !ok || (name != "opens" && name != "closes" && name != "exam" && name != "scores"):
			return fail("calendar.error.arg", "Arg", f)
		case seen[name]:
			return fail("calendar.error.repeated", "Field", name)
		}
		seen[name] = true
		var dates []calendar.Date
		for v := range strings.SplitSeq(value, ",") {
			d, err := calendar.ParseDate(v)
			if err != nil {
				var ce *calendar.Error
				if !errors.As(err, &ce) {
					return fail("calendar.error.field", "Field", name, "Problem", dialog.T("calendar.error.date", "Value", v))
				}
				return fail("calendar.error.field", "Field", name, "Problem", dialog.T(ce.Key, ce.Args...))
			}
			dates = append(dates, d)
		}
		if name != "exam" && len(dates) > 1 {
			return fail("calendar.error.field", "Field", name, "Problem", dialog.T("calendar.error.date", "Value", value))
		}
		switch name {
		case "opens":
			s.Opens = dates[0]
		case "closes":
			s.Closes = dates[0]
		case "exam":
			if len(dates) > calendar.MaxExams {
				return fail("calendar.error.too_many_exams", "Max", calendar.MaxExams)
			}
			s.Exams = dates
		case "scores":
			s.Scores = dates[0]
		}
	}
	for _, name := range []string{"opens", "closes", "exam"} {
		if !seen[name] {
			return fail("calendar.error.missing", "Field", name)
		}
	}
	return s, nil
}
