package admin

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/dialog"
)

// Stage is what a broadcast draft waits for.
type Stage string

// Stages of a draft.
const (
	// StageText waits for a text: the one for every language when the
	// draft's Lang is "", else the one for Lang.
	StageText Stage = "text"
	// StageTime waits for the send time, typed in China time.
	StageTime Stage = "time"
	// StagePreview has every text; the administrator reviews the preview,
	// may change the audience or the time, and confirms.
	StagePreview Stage = "preview"
	// StageSent is confirmed: the broadcast ID is queued.
	StageSent Stage = "sent"
)

// Draft is an administrator's broadcast in the making, kept between their
// messages by Drafts.
type Draft struct {
	// Version changes with every change of the draft. The draft's buttons
	// carry it as their step, so that a button of an earlier step, or of
	// an earlier draft, is recognised as stale.
	Version int64 `json:"version"`
	// Stage is what the draft waits for.
	Stage Stage `json:"stage"`
	// PerLang is true for one text per language, false for one text for
	// every language.
	PerLang bool `json:"per_lang,omitempty"`
	// Lang is the language whose text StageText waits for, "" for the text
	// for every language.
	Lang string `json:"lang,omitempty"`
	// Texts are the notice's texts by language, "" for every language.
	Texts map[string]string `json:"texts,omitempty"`
	// Audience: a language and a level 1–4, empty for any.
	AudienceLang  string         `json:"audience_lang,omitempty"`
	AudienceLevel examdesk.Level `json:"audience_level,omitempty"`
	// At is the send time; zero sends at once.
	At time.Time `json:"at,omitzero"`
	// ID is the broadcast's id, chosen when the administrator first
	// confirms, so that a confirmation handled twice queues one broadcast.
	ID string `json:"id,omitempty"`
}

// Filter returns the audience of the draft.
func (d Draft) Filter() broadcast.Filter {
	return broadcast.Filter{Lang: d.AudienceLang, Level: d.AudienceLevel}
}

// Drafts keeps each administrator's broadcast draft, for any serve
// process to continue the flow; a draft left alone expires after a while
// (redisstore.Drafts: a day). It is safe for concurrent use.
type Drafts interface {
	// Load returns user's draft; found is false when there is none.
	Load(ctx context.Context, user int64) (d Draft, found bool, err error)
	// Save stores d as user's draft, replacing any.
	Save(ctx context.Context, user int64, d Draft) error
	// Delete drops user's draft; no draft is no error.
	Delete(ctx context.Context, user int64) error
}

// TimeLayout is how send times are typed and shown.
const TimeLayout = "2006-01-02 15:04"

// Option values of /broadcast (after "!broadcast:").
const (
	pickPerLang  = "each" // one text per language
	pickAllLangs = "all"  // one text for every language
	pickQuit     = "q"    // drop the draft
	pickConfirm  = "ok"   // queue the broadcast
	pickAudience = "aud"  // offer the audience choices
	pickTime     = "t"    // ask for the send time
	pickNow      = "now"  // send at once
	pickPreview  = "p"    // back to the preview
	pickRewrite  = "e"    // + language ("" for all): write that text again
	pickLang     = "l"    // + language ("" for any): audience language
	pickLevel    = "v"    // + level (0 for any): audience level
	broadcastCmd = "broadcast"
	listCmd      = "broadcasts"
)

// Broadcast is the /broadcast command: an administrator writes a notice
// (one text for every language, or one per language), may narrow its
// audience to a language and a level and set a send time, sees a preview
// exactly as subscribers will, with the size of the audience, and queues
// it with a confirm button. Plain texts are taken while the draft waits for
// one. "/broadcast cancel" drops the draft.
//
// Every mistake (an empty text, one over broadcast.MaxText, a time that is
// unreadable or past, a stale button) is answered with a message and
// changes nothing.
type Broadcast struct {
	// Queue takes the confirmed broadcasts.
	Queue broadcast.Queue
	// Subscribers counts the audience for the preview, and is the audience
	// given to Queue.Create.
	Subscribers broadcast.Subscribers
	// Drafts keeps each administrator's draft between messages.
	Drafts Drafts
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

var _ Awaiter = (*Broadcast)(nil)

// Name is "broadcast".
func (b *Broadcast) Name() string { return broadcastCmd }

func (b *Broadcast) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// Awaits reports whether user's draft waits for a typed text or time.
func (b *Broadcast) Awaits(ctx context.Context, user int64) (bool, error) {
	d, found, err := b.Drafts.Load(ctx, user)
	if err != nil {
		return false, fmt.Errorf("broadcast: load draft of %d: %w", user, err)
	}
	return found && (d.Stage == StageText || d.Stage == StageTime), nil
}

// out collects the messages of a reply.
type out struct {
	msgs   []dialog.Message
	notice *dialog.Text
}

func (o *out) say(t dialog.Text, opts ...dialog.Option) {
	o.msgs = append(o.msgs, dialog.Message{Text: t, Options: opts})
}

func (o *out) reply() dialog.Reply { return dialog.Reply{Messages: o.msgs, Notice: o.notice} }

// Handle answers /broadcast, its buttons and the texts its draft waits
// for.
func (b *Broadcast) Handle(ctx context.Context, r Request) (dialog.Reply, error) {
	d, found, err := b.Drafts.Load(ctx, r.User)
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("broadcast: load draft of %d: %w", r.User, err)
	}
	var o out
	switch {
	case r.Pick != nil:
		err = b.pick(ctx, r, d, found, &o)
	case r.Text != "" && found && (d.Stage == StageText || d.Stage == StageTime):
		err = b.text(ctx, r, d, &o)
	case r.Text != "":
		// The draft stopped waiting since Awaits said it did (it expired).
		o.say(dialog.T("admin.broadcast.nothing"))
	default:
		err = b.command(ctx, r, d, found, &o)
	}
	if err != nil {
		return dialog.Reply{}, err
	}
	return o.reply(), nil
}

// command answers "/broadcast [cancel]" (and a text without content, such
// as a sticker, while the draft waits for one: the Console cannot tell it
// from the bare command).
func (b *Broadcast) command(ctx context.Context, r Request, d Draft, found bool, o *out) error {
	active := found && d.Stage != StageSent
	switch strings.ToLower(r.Arg) {
	case "":
		if active {
			o.say(dialog.T("admin.broadcast.resume"))
			return b.current(ctx, d, o)
		}
		d = Draft{Version: max(b.now().UnixMicro(), d.Version+1), Stage: StageText}
		if err := b.save(ctx, r.User, &d); err != nil {
			return err
		}
		return b.current(ctx, d, o)
	case "cancel":
		return b.quit(ctx, r.User, active, o)
	default:
		o.say(dialog.T("admin.broadcast.usage"))
		return nil
	}
}

func (b *Broadcast) quit(ctx context.Context, user int64, active bool, o *out) error {
	if !active {
		o.say(dialog.T("admin.broadcast.nothing"))
		return nil
	}
	if err := b.Drafts.Delete(ctx, user); err != nil {
		return fmt.Errorf("broadcast: drop draft of %d: %w", user, err)
	}
	o.say(dialog.T("admin.broadcast.dropped"))
	return nil
}

// save bumps d's version and stores it.
func (b *Broadcast) save(ctx context.Context, user int64, d *Draft) error {
	d.Version++
	if err := b.Drafts.Save(ctx, user, *d); err != nil {
		return fmt.Errorf("broadcast: save draft of %d: %w", user, err)
	}
	return nil
}

// option makes an option of the draft d.
func option(d Draft, label dialog.Text, v string) dialog.Option {
	return dialog.Option{Label: label, Value: Value(broadcastCmd, v), Step: d.Version}
}

// current says what the draft d waits for.
func (b *Broadcast) current(ctx context.Context, d Draft, o *out) error {
	switch d.Stage {
	case StageText:
		b.askText(d, o)
	case StageTime:
		b.askTime(d, o)
	case StagePreview:
		return b.preview(ctx, d, o)
	case StageSent:
		o.say(dialog.T("admin.broadcast.already", "ID", d.ID))
	}
	return nil
}

func (b *Broadcast) askText(d Draft, o *out) {
	cancel := option(d, dialog.T("admin.button.cancel"), pickQuit)
	switch {
	case complete(d):
		// Writing a text again, from the preview.
		back := option(d, dialog.T("admin.button.back"), pickPreview)
		if d.Lang == "" {
			o.say(dialog.T("admin.broadcast.ask_all_again"), back, cancel)
		} else {
			o.say(dialog.T("admin.broadcast.ask_lang", "Lang", langName(d.Lang)), back, cancel)
		}
	case d.Lang == "":
		o.say(dialog.T("admin.broadcast.ask_all", "Max", broadcast.MaxText),
			option(d, dialog.T("admin.button.per_lang"), pickPerLang), cancel)
	default:
		o.say(dialog.T("admin.broadcast.ask_lang", "Lang", langName(d.Lang)),
			option(d, dialog.T("admin.button.all_langs_text"), pickAllLangs), cancel)
	}
}

func (b *Broadcast) askTime(d Draft, o *out) {
	example := b.now().In(examdesk.China).Add(24 * time.Hour).Truncate(time.Hour).Format(TimeLayout)
	o.say(dialog.T("admin.broadcast.ask_time", "Example", example),
		option(d, dialog.T("admin.button.now"), pickNow),
		option(d, dialog.T("admin.button.back"), pickPreview),
		option(d, dialog.T("admin.button.cancel"), pickQuit))
}

func langName(lang string) dialog.Text { return dialog.T("lang.name." + lang) }

// preview shows every text of d as subscribers will see it, each in a
// message of its own, then the summary.
func (b *Broadcast) preview(ctx context.Context, d Draft, o *out) error {
	for _, lang := range textLangs(d) {
		label := dialog.T("admin.button.rewrite")
		if lang != "" {
			label = dialog.T("admin.button.rewrite_lang", "Lang", langName(lang))
		}
		// The text is an argument, so it is escaped and shows as written.
		o.say(dialog.T("admin.broadcast.notice", "Text", d.Texts[lang]), option(d, label, pickRewrite+lang))
	}
	return b.summary(ctx, d, o)
}

// textLangs lists the languages of d's texts in the order of
// examdesk.Languages, "" alone for one text for all.
func textLangs(d Draft) []string {
	if !d.PerLang {
		return []string{""}
	}
	return slices.Clone(examdesk.Languages)
}

// summary says who will get the notice and when, with the buttons to
// change that and to confirm.
func (b *Broadcast) summary(ctx context.Context, d Draft, o *out) error {
	n, err := b.Subscribers.Count(ctx, d.Filter())
	if err != nil {
		return fmt.Errorf("broadcast: count the audience: %w", err)
	}
	o.say(dialog.T("admin.broadcast.summary", "Count", n, "Audience", audience(d.Filter()), "When", when(d.At)),
		option(d, dialog.T("admin.button.confirm"), pickConfirm),
		option(d, dialog.T("admin.button.cancel"), pickQuit),
		option(d, dialog.T("admin.button.audience"), pickAudience),
		option(d, dialog.T("admin.button.time"), pickTime))
	return nil
}

func audience(f broadcast.Filter) dialog.Text {
	switch {
	case f.Lang != "" && f.Level != 0:
		return dialog.T("admin.audience.lang_level", "Lang", langName(f.Lang), "Level", f.Level)
	case f.Lang != "":
		return dialog.T("admin.audience.lang", "Lang", langName(f.Lang))
	case f.Level != 0:
		return dialog.T("admin.audience.level", "Level", f.Level)
	}
	return dialog.T("admin.audience.everyone")
}

func when(at time.Time) dialog.Text {
	if at.IsZero() {
		return dialog.T("admin.when.now")
	}
	return dialog.T("admin.when.at", "Time", at.In(examdesk.China).Format(TimeLayout))
}

// text takes a typed text or time for the draft d.
func (b *Broadcast) text(ctx context.Context, r Request, d Draft, o *out) error {
	if d.Stage == StageTime {
		return b.setTime(ctx, r, d, o)
	}
	switch err := broadcast.CheckText(r.Text); {
	case errors.Is(err, broadcast.ErrEmpty):
		o.say(dialog.T("admin.broadcast.empty"))
		b.askText(d, o)
		return nil
	case errors.Is(err, broadcast.ErrTooLong):
		o.say(dialog.T("admin.broadcast.too_long", "Length", examdesk.UTF16Len(r.Text), "Max", broadcast.MaxText))
		b.askText(d, o)
		return nil
	case err != nil:
		o.say(dialog.T("admin.broadcast.bad_text"))
		b.askText(d, o)
		return nil
	}
	d.Texts = maps.Clone(d.Texts)
	if d.Texts == nil {
		d.Texts = map[string]string{}
	}
	d.Texts[d.Lang] = r.Text
	d.Stage, d.Lang = StagePreview, ""
	if d.PerLang {
		for _, l := range examdesk.Languages {
			if d.Texts[l] == "" {
				d.Stage, d.Lang = StageText, l
				break
			}
		}
	}
	if d.Stage == StageText {
		if err := b.save(ctx, r.User, &d); err != nil {
			return err
		}
		b.askText(d, o)
		return nil
	}
	return b.saveAndPreview(ctx, r.User, d, o, true)
}

// saveAndPreview saves d and shows its preview (whole, or the summary
// only), counting the audience first: a failure changes nothing.
func (b *Broadcast) saveAndPreview(ctx context.Context, user int64, d Draft, o *out, whole bool) error {
	d.Version++ // the options below carry the version saved
	var p out
	var err error
	if whole {
		err = b.preview(ctx, d, &p)
	} else {
		err = b.summary(ctx, d, &p)
	}
	if err != nil {
		return err
	}
	if err := b.Drafts.Save(ctx, user, d); err != nil {
		return fmt.Errorf("broadcast: save draft of %d: %w", user, err)
	}
	o.msgs = append(o.msgs, p.msgs...)
	return nil
}

// setTime takes the typed send time.
func (b *Broadcast) setTime(ctx context.Context, r Request, d Draft, o *out) error {
	in := strings.Join(strings.Fields(r.Text), " ")
	at, err := time.ParseInLocation(TimeLayout, in, examdesk.China)
	if err != nil {
		o.say(dialog.T("admin.broadcast.bad_time", "Input", abbreviate(in, 40)))
		b.askTime(d, o)
		return nil
	}
	if now := b.now(); !at.After(now) {
		o.say(dialog.T("admin.broadcast.past_time", "Time", at.Format(TimeLayout), "Now", now.In(examdesk.China).Format(TimeLayout)))
		b.askTime(d, o)
		return nil
	}
	d.At, d.Stage = at, StagePreview
	return b.saveAndPreview(ctx, r.User, d, o, false)
}

// abbreviate quotes what an administrator typed back to them: s cut to
// at most n runes, the cut marked with "…". (bot's truncate is another
// thing: it fits a text in Telegram's limit, in UTF-16 code units.)
func abbreviate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// pick answers a button of /broadcast.
func (b *Broadcast) pick(ctx context.Context, r Request, d Draft, found bool, o *out) error {
	v := r.Pick.Value
	if !found || r.Pick.Step != d.Version || d.Stage == StageSent {
		return b.stale(ctx, d, found, o)
	}
	switch {
	case v == pickQuit:
		return b.quit(ctx, r.User, true, o)
	case v == pickPerLang && d.Stage == StageText && !complete(d):
		d.PerLang, d.Texts, d.Lang = true, nil, examdesk.Languages[0]
	case v == pickAllLangs && d.Stage == StageText && !complete(d):
		d.PerLang, d.Texts, d.Lang = false, nil, ""
	case strings.HasPrefix(v, pickRewrite) && d.Stage == StagePreview && slices.Contains(textLangs(d), v[len(pickRewrite):]):
		d.Stage, d.Lang = StageText, v[len(pickRewrite):]
	case v == pickPreview && (d.Stage == StageTime || (d.Stage == StageText && complete(d))):
		whole := d.Stage == StageText
		d.Stage, d.Lang = StagePreview, ""
		return b.saveAndPreview(ctx, r.User, d, o, whole)
	case v == pickTime && d.Stage == StagePreview:
		d.Stage = StageTime
	case v == pickNow && d.Stage == StageTime:
		d.At, d.Stage = time.Time{}, StagePreview
		return b.saveAndPreview(ctx, r.User, d, o, false)
	case v == pickAudience && d.Stage == StagePreview:
		b.askAudience(d, o)
		return nil
	case strings.HasPrefix(v, pickLang) && d.Stage == StagePreview && (v == pickLang || slices.Contains(examdesk.Languages, v[len(pickLang):])):
		d.AudienceLang = v[len(pickLang):]
		return b.saveAndPreview(ctx, r.User, d, o, false)
	case strings.HasPrefix(v, pickLevel) && d.Stage == StagePreview:
		level, err := strconv.Atoi(v[len(pickLevel):])
		if err != nil || level < 0 || level > 4 {
			return b.stale(ctx, d, found, o)
		}
		d.AudienceLevel = examdesk.Level(level)
		return b.saveAndPreview(ctx, r.User, d, o, false)
	case v == pickConfirm && d.Stage == StagePreview:
		return b.confirm(ctx, r, d, o)
	default:
		return b.stale(ctx, d, found, o)
	}
	if err := b.save(ctx, r.User, &d); err != nil {
		return err
	}
	return b.current(ctx, d, o)
}

// complete reports whether d has every text it needs.
func complete(d Draft) bool {
	for _, l := range textLangs(d) {
		if d.Texts[l] == "" {
			return false
		}
	}
	return true
}

// stale answers a button that no longer applies: a notice, and what the
// draft waits for now.
func (b *Broadcast) stale(ctx context.Context, d Draft, found bool, o *out) error {
	n := dialog.T("admin.broadcast.stale")
	o.notice = &n
	o.say(n)
	if !found {
		o.say(dialog.T("admin.broadcast.nothing"))
		return nil
	}
	return b.current(ctx, d, o)
}

func (b *Broadcast) askAudience(d Draft, o *out) {
	opts := []dialog.Option{option(d, dialog.T("admin.button.any_lang"), pickLang)}
	for _, l := range examdesk.Languages {
		opts = append(opts, option(d, langName(l), pickLang+l))
	}
	opts = append(opts, option(d, dialog.T("admin.button.any_level"), pickLevel+"0"))
	for level := 1; level <= 4; level++ {
		opts = append(opts, option(d, dialog.T("admin.button.level", "Level", level), pickLevel+strconv.Itoa(level)))
	}
	o.say(dialog.T("admin.broadcast.ask_audience", "Audience", audience(d.Filter())), opts...)
}

// confirm queues the draft's broadcast. The id is saved in the draft
// first: a confirmation handled again (after a crash) finds the broadcast
// queued and queues no other.
func (b *Broadcast) confirm(ctx context.Context, r Request, d Draft, o *out) error {
	now := b.now()
	if !d.At.IsZero() && !d.At.After(now) {
		o.say(dialog.T("admin.broadcast.time_passed", "Time", d.At.In(examdesk.China).Format(TimeLayout)))
		return b.summary(ctx, d, o)
	}
	switch n, err := b.Subscribers.Count(ctx, d.Filter()); {
	case err != nil:
		return fmt.Errorf("broadcast: count the audience: %w", err)
	case n == 0 && d.ID == "":
		o.say(dialog.T("admin.broadcast.no_audience"))
		return b.summary(ctx, d, o)
	}
	if d.ID == "" {
		d.ID = broadcast.NewID(now)
		if err := b.Drafts.Save(ctx, r.User, d); err != nil {
			return fmt.Errorf("broadcast: save draft of %d: %w", r.User, err)
		}
	}
	texts := make(map[string]string, len(d.Texts))
	for _, l := range textLangs(d) {
		texts[l] = d.Texts[l]
	}
	n := broadcast.Notice{
		ID:        d.ID,
		Texts:     texts,
		Filter:    d.Filter(),
		At:        d.At,
		By:        "tg:" + strconv.FormatInt(r.User, 10),
		Created:   now,
		Watch:     r.Chat,
		WatchLang: r.Lang,
	}
	st, err := b.Queue.Create(ctx, n, b.Subscribers)
	switch {
	case errors.Is(err, broadcast.ErrExists):
	case errors.Is(err, broadcast.ErrEmpty), errors.Is(err, broadcast.ErrTooLong):
		// The draft's texts were checked as they came: only a draft from
		// an older release may fail here.
		o.say(dialog.T("admin.broadcast.bad_text"))
		return b.summary(ctx, d, o)
	case err != nil:
		return fmt.Errorf("broadcast: queue %s: %w", d.ID, err)
	}
	d.Stage = StageSent
	if err := b.save(ctx, r.User, &d); err != nil {
		return err
	}
	o.say(dialog.T("admin.broadcast.queued", "ID", st.ID, "Count", st.Total, "When", when(d.At)))
	return nil
}

// Broadcasts is the /broadcasts command: the ten most recent broadcasts
// with their state and counts, and a button to cancel each one queued or
// sending. The cancel button (CancelValue) is also offered by the progress
// message of a broadcast.
type Broadcasts struct {
	// Queue lists and cancels the broadcasts.
	Queue broadcast.Queue
}

// Recent is how many broadcasts /broadcasts lists.
const Recent = 10

// searched is how many recent broadcasts a cancel button's reference is
// looked up among.
const searched = 200

// Name is "broadcasts".
func (l *Broadcasts) Name() string { return listCmd }

// CancelValue returns the value of the option that cancels broadcast id:
// a reference to the id short enough for an option (broadcast ids may not
// be).
func CancelValue(id string) string { return Value(listCmd, ref(id)) }

// ref is a 12-character digest of id.
func ref(id string) string {
	sum := sha256.Sum256([]byte(id))
	return strings.ToLower(base32.StdEncoding.EncodeToString(sum[:]))[:12]
}

// Handle lists the recent broadcasts, or cancels the one whose cancel
// button was pressed.
func (l *Broadcasts) Handle(ctx context.Context, r Request) (dialog.Reply, error) {
	if r.Pick != nil {
		return l.cancel(ctx, r.Pick.Value)
	}
	list, err := l.Queue.List(ctx, Recent)
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("broadcasts: list: %w", err)
	}
	if len(list) == 0 {
		return say(dialog.T("admin.broadcasts.none")), nil
	}
	items := make([]dialog.Text, len(list))
	var opts []dialog.Option
	for i, st := range list {
		items[i] = item(i+1, st)
		if st.State == broadcast.Queued || st.State == broadcast.Sending {
			opts = append(opts, dialog.Option{Label: dialog.T("admin.button.cancel_n", "N", i+1), Value: CancelValue(st.ID)})
		}
	}
	return say(dialog.T("admin.broadcasts.list", "Items", dialog.Paragraphs(items)), opts...), nil
}

func say(t dialog.Text, opts ...dialog.Option) dialog.Reply {
	return dialog.Reply{Messages: []dialog.Message{{Text: t, Options: opts}}}
}

// item describes one broadcast of the list.
func item(n int, st broadcast.Status) dialog.Text {
	var at dialog.Text
	switch {
	case st.State == broadcast.Queued && st.At.After(st.Created):
		at = dialog.T("admin.broadcasts.starts", "Time", st.At.In(examdesk.China).Format(TimeLayout))
	default:
		at = dialog.T("admin.broadcasts.created", "Time", st.Created.In(examdesk.China).Format(TimeLayout))
	}
	return dialog.T("admin.broadcasts.item",
		"N", n, "ID", st.ID, "State", StateName(st.State), "When", at, "By", st.By,
		"Sent", st.Sent, "Total", st.Total, "Blocked", st.Blocked, "Failed", st.Failed, "Pending", st.Pending)
}

// StateName is the localized name of a broadcast state.
func StateName(s broadcast.State) dialog.Text {
	switch s {
	case broadcast.Queued, broadcast.Sending, broadcast.Done, broadcast.Cancelled:
		return dialog.T("admin.state." + string(s))
	}
	return dialog.T("admin.state.unknown")
}

// cancel cancels the broadcast whose reference is v.
func (l *Broadcasts) cancel(ctx context.Context, v string) (dialog.Reply, error) {
	list, err := l.Queue.List(ctx, searched)
	if err != nil {
		return dialog.Reply{}, fmt.Errorf("broadcasts: list: %w", err)
	}
	st, err := broadcast.Status{}, broadcast.ErrNotFound
	for _, s := range list {
		if ref(s.ID) == v {
			st, err = s, nil
			break
		}
	}
	wasFinal := st.State == broadcast.Done || st.State == broadcast.Cancelled
	if err == nil && !wasFinal {
		st, err = l.Queue.Cancel(ctx, st.ID)
	}
	var r dialog.Reply
	switch {
	case errors.Is(err, broadcast.ErrNotFound):
		r = say(dialog.T("admin.broadcasts.unknown"))
	case err != nil:
		return dialog.Reply{}, fmt.Errorf("broadcasts: cancel: %w", err)
	case st.State == broadcast.Cancelled && !wasFinal:
		r = say(dialog.T("admin.broadcasts.cancelled", "ID", st.ID, "Sent", st.Sent, "Total", st.Total))
	default:
		r = say(dialog.T("admin.broadcasts.finished", "ID", st.ID, "State", StateName(st.State)))
	}
	r.Notice = &r.Messages[0].Text
	return r, nil
}
