// Package dashboard is the administrators' dashboard, a Telegram Mini App
// served under /admin/: charts of the users and messages a day, the
// check's funnel, the results by level and route and the topics asked; the
// unanswered questions, to give each a topic or mark it out of scope; the
// recent broadcasts with their outcomes; the exam calendar. Every API call
// carries Telegram's initData (Authorization: tma <initData>), verified
// with the bot's token (Verify); only EXAMDESK_ADMINS get an answer. The
// page, its script, its style and its charts (SVG drawn here) are
// embedded; it loads nothing but Telegram's telegram-web-app.js, and
// reads initData and the theme from the URL's fragment too, where
// Telegram puts them, so that it also runs in a plain browser.
package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/calendar"
	"examdesk/dialog"
	"examdesk/stats"
)

// Messages renders the dashboard's texts: *locales.Catalog.
type Messages interface {
	dialog.Translator
	Has(key string) bool
}

// Broadcasts lists the recent broadcasts: broadcast.Queue.
type Broadcasts interface {
	List(ctx context.Context, n int) ([]broadcast.Status, error)
}

// Config is what the dashboard shows and who may see it.
type Config struct {
	// Token is the bot's token, which signs the initData.
	Token string
	// Admins are the Telegram user ids that may use the dashboard.
	Admins []int64
	// Stats are the statistics and the unanswered questions.
	Stats interface {
		stats.Reporter
		stats.Teacher
	}
	// Broadcasts lists the recent broadcasts.
	Broadcasts Broadcasts
	// Calendar returns the exam calendar as the bot answers from it
	// (calendar.Cache.View).
	Calendar func() *calendar.View
	// Messages renders the texts, in the administrator's language.
	Messages Messages
	// Topics are the FAQ's topics, in the order they are offered.
	Topics []string
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Log logs the failures behind a 500; nil logs nothing.
	Log *slog.Logger
}

// Handler serves the dashboard under /admin/.
type Handler struct {
	c      Config
	admins map[int64]bool
	mux    *http.ServeMux
	tmpl   *template.Template
}

//go:embed web
var web embed.FS

//go:embed templates/*.html
var templates embed.FS

// DefaultDays is how many days the overview shows without days=.
const DefaultDays = 30

// recentBroadcasts is how many broadcasts the broadcasts page lists.
const recentBroadcasts = 20

// listed is how many unanswered questions the dashboard lists.
const listed = 50

// New returns the dashboard of c.
func New(c Config) *Handler {
	h := &Handler{c: c, admins: map[int64]bool{}, mux: http.NewServeMux()}
	for _, id := range c.Admins {
		h.admins[id] = true
	}
	h.tmpl = template.Must(template.New("").Funcs(template.FuncMap{
		"t":        func(lang, key string, args ...any) string { return h.t(lang, key, args...) },
		"percent":  func(n, total int) string { return percent(n, total) },
		"percent2": func(a, b, total int) string { return percent(a+b, total) },
	}).ParseFS(templates, "templates/*.html"))
	static, _ := fs.Sub(web, "web")
	files := http.FileServerFS(static)
	h.mux.HandleFunc("GET /admin/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeFileFS(w, r, static, "index.html")
	})
	h.mux.Handle("GET /admin/static/", http.StripPrefix("/admin/static/", files))
	h.mux.HandleFunc("GET /admin/ui.json", h.ui)
	h.mux.Handle("GET /admin/api/me", h.auth(h.me))
	h.mux.Handle("GET /admin/api/stats", h.auth(h.stats))
	h.mux.Handle("GET /admin/api/overview", h.auth(h.overview))
	h.mux.Handle("GET /admin/api/unanswered", h.auth(h.unanswered))
	h.mux.Handle("POST /admin/api/unanswered/{id}", h.auth(h.teach))
	h.mux.Handle("GET /admin/api/broadcasts", h.auth(h.broadcasts))
	h.mux.Handle("GET /admin/api/calendar", h.auth(h.calendar))
	h.mux.Handle("/admin/api/", h.auth(func(w http.ResponseWriter, r *http.Request, s *session) {
		s.fail(w, http.StatusNotFound, "dashboard.error.not_found")
	}))
	return h
}

// ServeHTTP serves a request under /admin/.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' https://telegram.org; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	h.mux.ServeHTTP(w, r)
}

func (h *Handler) now() time.Time {
	if h.c.Now != nil {
		return h.c.Now()
	}
	return time.Now()
}

// t renders a message as plain text (the templates escape it).
func (h *Handler) t(lang, key string, args ...any) string {
	return dialog.Render(h.c.Messages, lang, dialog.T(key, args...), func(s string) string { return s })
}

// percent is n of total in percent, for the width of a bar.
func percent(n, total int) string {
	if total <= 0 {
		return "0"
	}
	return strconv.FormatFloat(100*float64(n)/float64(total), 'f', 2, 64)
}

// session is an authenticated request: who, in which language.
type session struct {
	h    *Handler
	user User
	lang string
}

// fail answers an API error as {"error": message} in the user's language.
func (s *session) fail(w http.ResponseWriter, code int, key string, args ...any) {
	writeJSON(w, code, map[string]string{"error": s.h.t(s.lang, key, args...)})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// language is the language asked for with lang=, if it is one of the
// bot's, else that of the user's Telegram app.
func language(r *http.Request, u User) string {
	if l := r.URL.Query().Get("lang"); slices.Contains(examdesk.Languages, l) {
		return l
	}
	return dialog.Language(u.LanguageCode)
}

// auth checks the request's initData: missing, forged or expired is 401,
// a valid one of someone not an administrator 403.
func (h *Handler) auth(next func(http.ResponseWriter, *http.Request, *session)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, found := strings.CutPrefix(r.Header.Get("Authorization"), "tma ")
		if !found {
			raw = ""
		}
		d, err := Verify(raw, h.c.Token, h.now())
		s := &session{h: h, user: d.User, lang: language(r, d.User)}
		switch {
		case err != nil:
			w.Header().Set("WWW-Authenticate", `tma realm="examdesk"`)
			s.fail(w, http.StatusUnauthorized, "dashboard.error.unauthorized")
			return
		case !h.admins[d.User.ID]:
			s.fail(w, http.StatusForbidden, "dashboard.error.forbidden")
			return
		}
		next(w, r, s)
	})
}

// internal answers a failure of the system: logged, a 500 with an
// apology.
func (s *session) internal(w http.ResponseWriter, r *http.Request, err error) {
	if s.h.c.Log != nil {
		s.h.c.Log.Error("dashboard: "+r.Method+" "+r.URL.Path+" failed", "user_id", s.user.ID, "err", err)
	}
	s.fail(w, http.StatusInternalServerError, "dashboard.error.internal")
}

// ui answers the texts of the page's frame in lang=: {"key": "text"}.
func (h *Handler) ui(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	if !slices.Contains(examdesk.Languages, lang) {
		lang = examdesk.English
	}
	out := map[string]string{}
	for _, k := range uiKeys {
		out[k] = h.t(lang, "dashboard.ui."+k)
	}
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSON(w, http.StatusOK, out)
}

// uiKeys are the texts of the page's frame, dashboard.ui.<key>.
var uiKeys = []string{"title", "loading", "overview", "unanswered", "broadcasts", "calendar", "days7", "days30", "days90", "failed", "offline"}

// me answers who the administrator is and the language the dashboard
// speaks to them.
func (h *Handler) me(w http.ResponseWriter, r *http.Request, s *session) {
	writeJSON(w, http.StatusOK, map[string]any{"id": s.user.ID, "name": strings.TrimSpace(s.user.FirstName + " " + s.user.LastName), "lang": s.lang})
}

// days reads days= (DefaultDays without it).
func (s *session) days(w http.ResponseWriter, r *http.Request) (int, bool) {
	v := r.URL.Query().Get("days")
	if v == "" {
		return DefaultDays, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || stats.CheckDays(n) != nil {
		s.fail(w, http.StatusBadRequest, "dashboard.error.days", "Value", v, "Max", stats.MaxDays)
		return 0, false
	}
	return n, true
}

// report reads the report of days= days, with every topic.
func (s *session) report(w http.ResponseWriter, r *http.Request) (stats.Report, bool) {
	n, ok := s.days(w, r)
	if !ok {
		return stats.Report{}, false
	}
	rep, err := s.h.c.Stats.Report(r.Context(), n, s.h.now())
	if err != nil {
		s.internal(w, r, err)
		return stats.Report{}, false
	}
	return rep.WithTopics(s.h.c.Topics), true
}

// stats answers the report as `examdesk stats --json` prints it.
func (h *Handler) stats(w http.ResponseWriter, r *http.Request, s *session) {
	if rep, ok := s.report(w, r); ok {
		writeJSON(w, http.StatusOK, rep)
	}
}

// fragment writes template name with data as a piece of the page.
func (s *session) fragment(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var b strings.Builder
	if err := s.h.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		s.internal(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write([]byte(b.String()))
}

// overviewData is what the overview page shows.
type overviewData struct {
	Lang                      string
	Report                    stats.Report
	Total                     stats.DayCounts
	Users, Messages           template.HTML
	Funnel, Results, Topics   template.HTML
	HasFunnel, HasTopics      bool
	From, To                  string
	ResultsTotal, UnansweredN int
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request, s *session) {
	rep, ok := s.report(w, r)
	if !ok {
		return
	}
	lang := s.lang
	t := func(key string, args ...any) string { return h.t(lang, key, args...) }
	n := len(rep.Days)
	dates := make([]string, n)
	newUsers, active, msgs, dontKnow := make([]int, n), make([]int, n), make([]int, n), make([]int, n)
	for i, d := range rep.Days {
		dates[i], newUsers[i], active[i], msgs[i], dontKnow[i] = d.Date, d.NewUsers, d.ActiveUsers, d.Messages, d.DontKnow
	}
	d := overviewData{Lang: lang, Report: rep, Total: rep.Total(), From: dates[0], To: dates[n-1], ResultsTotal: rep.Results.Total(), UnansweredN: len(rep.Unanswered)}
	d.Users = columns(t("dashboard.chart.users"), dates, []series{
		{Name: t("dashboard.series.active"), Class: "s2", Values: active},
		{Name: t("dashboard.series.new"), Class: "s1", Values: newUsers},
	})
	d.Messages = columns(t("dashboard.chart.messages"), dates, []series{
		{Name: t("dashboard.series.messages"), Class: "s2", Values: msgs},
		{Name: t("dashboard.series.dont_know"), Class: "s3", Values: dontKnow},
	})
	var funnel []row
	for _, st := range rep.Funnel {
		label := st.Question
		if key := "dashboard.question." + st.Question; h.c.Messages.Has(key) {
			label = t(key)
		}
		funnel = append(funnel, row{Label: label, Values: []int{st.Reached, st.Answered}})
	}
	d.HasFunnel = len(funnel) > 0
	d.Funnel = rows(t("dashboard.chart.funnel"), funnel, []series{
		{Name: t("dashboard.series.reached"), Class: "s2"},
		{Name: t("dashboard.series.answered"), Class: "s1"},
	}, false)
	var results []row
	for _, l := range []int{1, 2, 3, 4, 0} {
		n, training := rep.Results.ByLevel[l], rep.Results.Training[l]
		results = append(results, row{Label: t("dashboard.level." + strconv.Itoa(l)), Values: []int{n - training, training}})
	}
	d.Results = rows(t("dashboard.chart.results"), results, []series{
		{Name: t("dashboard.series.individual"), Class: "s1"},
		{Name: t("dashboard.series.training"), Class: "s4"},
	}, true)
	var topics []row
	for _, id := range rep.TopicsByCount() {
		topics = append(topics, row{Label: t("topic." + id), Values: []int{rep.Topics[id]}})
	}
	d.HasTopics = len(topics) > 0
	d.Topics = rows(t("dashboard.chart.topics"), topics, []series{{Name: t("dashboard.series.answers"), Class: "s1"}}, false)
	s.fragment(w, r, http.StatusOK, "overview.html", d)
}

// unansweredData is what the unanswered page shows.
type unansweredData struct {
	Lang      string
	Notice    string
	Questions []stats.Question
	Topics    []topicOption
	OffTopic  string
}

type topicOption struct{ ID, Label string }

func (h *Handler) unansweredPage(ctx context.Context, s *session, notice string) (unansweredData, error) {
	qs, err := h.c.Stats.Unanswered(ctx, listed, h.now().Add(-stats.Keep))
	if err != nil {
		return unansweredData{}, err
	}
	d := unansweredData{Lang: s.lang, Notice: notice, Questions: qs, OffTopic: stats.OffTopic}
	for _, id := range h.c.Topics {
		d.Topics = append(d.Topics, topicOption{ID: id, Label: h.t(s.lang, "topic."+id)})
	}
	return d, nil
}

func (h *Handler) unanswered(w http.ResponseWriter, r *http.Request, s *session) {
	d, err := h.unansweredPage(r.Context(), s, "")
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.fragment(w, r, http.StatusOK, "unanswered.html", d)
}

// teach gives the question {id} the topic of the form's topic (a topic,
// or off_topic to mark it out of scope) and answers the list as it is
// then, with a notice of what was done. A question that is gone is a 404,
// a topic that is not one a 400, and nothing changes.
func (h *Handler) teach(w http.ResponseWriter, r *http.Request, s *session) {
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, http.StatusBadRequest, "dashboard.error.form")
		return
	}
	id, topic := r.PathValue("id"), r.PostForm.Get("topic")
	if topic != stats.OffTopic && !slices.Contains(h.c.Topics, topic) {
		s.fail(w, http.StatusBadRequest, "dashboard.error.topic", "Topic", topic)
		return
	}
	code, notice := http.StatusOK, ""
	ex, err := h.c.Stats.Teach(r.Context(), id, topic, "tg:"+strconv.FormatInt(s.user.ID, 10), h.now())
	switch {
	case errors.Is(err, stats.ErrNotFound):
		code, notice = http.StatusNotFound, h.t(s.lang, "dashboard.unanswered.gone")
	case err != nil:
		s.internal(w, r, err)
		return
	case topic == stats.OffTopic:
		notice = h.t(s.lang, "dashboard.unanswered.dismissed", "Text", ex.Text)
	default:
		notice = h.t(s.lang, "dashboard.unanswered.taught", "Text", ex.Text, "Topic", dialog.T("topic."+topic))
	}
	d, err := h.unansweredPage(r.Context(), s, notice)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	s.fragment(w, r, code, "unanswered.html", d)
}

// broadcastsData is what the broadcasts page shows.
type broadcastsData struct {
	Lang  string
	List  []broadcastItem
	Total stats.DayCounts
	Days  int
}

type broadcastItem struct {
	broadcast.Status
	StateText, Created, At string
	Done                   int
}

func (h *Handler) broadcasts(w http.ResponseWriter, r *http.Request, s *session) {
	rep, ok := s.report(w, r)
	if !ok {
		return
	}
	list, err := h.c.Broadcasts.List(r.Context(), recentBroadcasts)
	if err != nil {
		s.internal(w, r, err)
		return
	}
	d := broadcastsData{Lang: s.lang, Total: rep.Total(), Days: len(rep.Days)}
	for _, st := range list {
		it := broadcastItem{Status: st, StateText: h.t(s.lang, "dashboard.state."+stateKey(st.State)),
			Created: st.Created.In(examdesk.China).Format("2006-01-02 15:04"), Done: st.Sent + st.Blocked + st.Failed}
		if st.State == broadcast.Queued && st.At.After(st.Created) {
			it.At = st.At.In(examdesk.China).Format("2006-01-02 15:04")
		}
		d.List = append(d.List, it)
	}
	s.fragment(w, r, http.StatusOK, "broadcasts.html", d)
}

func stateKey(st broadcast.State) string {
	switch st {
	case broadcast.Queued, broadcast.Sending, broadcast.Done, broadcast.Cancelled:
		return string(st)
	}
	return "unknown"
}

// calendarData is what the calendar page shows.
type calendarData struct {
	Lang     string
	Sessions []sessionItem
	Years    string
}

type sessionItem struct {
	ID, Registration, Exams, Ticket, Scores, Review, Retake string
	Estimated                                               bool
}

func (h *Handler) calendar(w http.ResponseWriter, r *http.Request, s *session) {
	v := h.c.Calendar()
	d := calendarData{Lang: s.lang}
	var years []string
	for _, y := range v.Holidays.Years() {
		years = append(years, strconv.Itoa(y))
	}
	d.Years = strings.Join(years, ", ")
	pending := h.t(s.lang, "dashboard.calendar.pending")
	window := func(w calendar.Window) string {
		if w.IsZero() {
			return pending
		}
		if w.From == w.To {
			return w.From.String()
		}
		return w.From.String() + " – " + w.To.String()
	}
	for _, ses := range v.Sessions {
		der := v.Derive(ses)
		exams := make([]string, len(ses.Exams))
		for i, e := range ses.Exams {
			exams[i] = e.String()
		}
		it := sessionItem{
			ID:           ses.ID,
			Registration: ses.Opens.String() + " – " + ses.Closes.String(),
			Exams:        strings.Join(exams, ", "),
			Ticket:       window(der.Ticket),
			Scores:       pending,
			Review:       window(der.Review),
			Retake:       window(der.Retake),
			Estimated:    der.Ticket.Estimated() || der.Review.Estimated(),
		}
		if !ses.Scores.IsZero() {
			it.Scores = ses.Scores.String()
		}
		d.Sessions = append(d.Sessions, it)
	}
	s.fragment(w, r, http.StatusOK, "calendar.html", d)
}
