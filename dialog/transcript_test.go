package dialog_test

import (
	"bufio"
	"context"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"examdesk"
	"examdesk/dialog"
	"examdesk/dialog/dialogtest"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/rules"
	"examdesk/telegramtest"
)

// loadData loads the embedded rules, FAQ and messages.
func loadData(t testing.TB) (*rules.Set, *faq.Matcher, *locales.Catalog) {
	t.Helper()
	set, err := rules.Load()
	if err != nil {
		t.Fatal(err)
	}
	topics, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	return set, topics, catalog
}

// newEngine returns an engine on the embedded rules, FAQ and messages.
func newEngine(t testing.TB) (*dialog.Engine, *locales.Catalog) {
	t.Helper()
	set, topics, catalog := loadData(t)
	e, err := dialog.New(set, topics, catalog)
	if err != nil {
		t.Fatal(err)
	}
	return e, catalog
}

// A transcript in testdata/*.txt is a conversation, replayed in every
// language:
//
//	> text            the user types text; "> #2" presses the 2nd option
//	                  offered with the last message that had options,
//	                  "> ^2" the 2nd option offered before those
//	> [photo] text    the user sends a picture as a photo, with caption
//	                  text (optional); "> [file]" as a 3 MB file,
//	                  "> [file 25000000]" as a file of that many bytes
//	< [check photo]   the reply checks the picture sent as a photo
//	                  ("[check file]": as a file), before its messages
//	* group           what follows is said in a group ("* private": in
//	                  the private chat again)
//	< key             the next message has that key
//	< key/sub         ... and contains the text "sub" (as an argument,
//	                  or deeper)
//	= key             the last message contains the text "key"
//	- key             the last message does not contain the text "key"
//	~ words           the last message, rendered, contains words (in
//	                  every language: use ids and numbers)
//	! key             the last reply's notice has that key
//	+ n               the last message offers n options
//	@ lang            the last reply is in lang (zh-Hant, zh-Hans, en), as
//	                  what was typed decides in any language replayed
//
// Every message is rendered in the language and must be valid Telegram
// HTML with no unfilled placeholder and no missing message.
func TestTranscripts(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts in testdata: %v", err)
	}
	engine, catalog := newEngine(t)
	for _, file := range files {
		for _, lang := range examdesk.Languages {
			t.Run(filepath.Base(file)+"/"+lang, func(t *testing.T) {
				replay(t, engine, catalog, file, lang)
			})
		}
	}
}

// stepStored loads the conversation key from store, steps it with in and saves
// the new state, as the conversation pipeline does through the inbox.
func stepStored(ctx context.Context, e *dialog.Engine, store dialog.Store, key examdesk.Key, in dialog.Input) (dialog.Reply, error) {
	st, err := store.Load(ctx, key)
	if err != nil {
		return dialog.Reply{}, err
	}
	next, r := e.Step(st, in)
	if err := store.Save(ctx, key, next); err != nil {
		return dialog.Reply{}, err
	}
	return r, nil
}

func replay(t *testing.T, engine *dialog.Engine, catalog *locales.Catalog, file, lang string) {
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ctx := context.Background()
	store := &dialogtest.MemStore{}
	key := examdesk.Key{Chat: 7, User: 7}
	pictures := 0
	var (
		pending []dialog.Message // messages not yet matched
		last    dialog.Message   // the last matched message
		offered []dialog.Option
		earlier []dialog.Option // offered before offered
		reply   dialog.Reply
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		where := fmt.Sprintf("%s:%d", file, n)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		op, arg, _ := strings.Cut(line, " ")
		switch op {
		case ">":
			if len(pending) > 0 {
				t.Fatalf("%s: unmatched reply %s before input", where, describe(pending[0]))
			}
			in := dialog.Input{Text: arg, LanguageCode: lang, Group: key.Chat != key.User}
			if pic, caption, ok := pictureInput(arg); ok {
				pictures++
				pic.File = fmt.Sprintf("file-%d", pictures)
				in.Text, in.Picture = caption, pic
			} else if strings.HasPrefix(arg, "#") || strings.HasPrefix(arg, "^") {
				opts := offered
				if arg[0] == '^' {
					opts = earlier
				}
				i, err := strconv.Atoi(arg[1:])
				if err != nil || i < 1 || i > len(opts) {
					t.Fatalf("%s: no option %s among %d", where, arg, len(opts))
				}
				o := opts[i-1]
				in = dialog.Input{Pick: &dialog.Pick{Value: o.Value, Step: o.Step}, LanguageCode: lang, Group: in.Group}
			}
			reply, err = stepStored(ctx, engine, store, key, in)
			if err != nil {
				t.Fatalf("%s: stepStored(%q) = %v", where, arg, err)
			}
			pending = reply.Messages
			for _, m := range pending {
				checkRendered(t, where, catalog, reply.Lang, m)
				if len(m.Options) > 0 {
					earlier, offered = offered, m.Options
				}
			}
			if p := reply.Picture; p != nil {
				if in.Picture == nil || *p != *in.Picture {
					t.Fatalf("%s: reply checks picture %+v; want the one sent, %+v", where, *p, in.Picture)
				}
				pending = append([]dialog.Message{{Text: dialog.T(checkKey(p.Source))}}, pending...)
			}
		case "*":
			switch arg {
			case "group":
				key = examdesk.Key{Chat: -1007, User: 7}
			case "private":
				key = examdesk.Key{Chat: 7, User: 7}
			default:
				t.Fatalf("%s: bad line %q", where, line)
			}
		case "<":
			if len(pending) == 0 {
				t.Fatalf("%s: want %s, got no more messages", where, arg)
			}
			last, pending = pending[0], pending[1:]
			want, sub, _ := strings.Cut(arg, "/")
			if last.Text.Key != want || (sub != "" && !hasArg(last.Text, sub)) {
				t.Fatalf("%s: got %s; want %s", where, describe(last), arg)
			}
		case "=":
			if !hasArg(last.Text, arg) {
				t.Fatalf("%s: %s lacks %s", where, describe(last), arg)
			}
		case "-":
			if hasArg(last.Text, arg) {
				t.Fatalf("%s: %s contains %s", where, describe(last), arg)
			}
		case "~":
			got := plain(dialog.Render(catalog, reply.Lang, last.Text, html.EscapeString))
			for w := range strings.SplitSeq(arg, " ") {
				if !strings.Contains(got, w) {
					t.Fatalf("%s: %q lacks %q", where, got, w)
				}
			}
		case "+":
			if n, err := strconv.Atoi(arg); err != nil || len(last.Options) != n {
				t.Fatalf("%s: %s offers %d options; want %s", where, describe(last), len(last.Options), arg)
			}
		case "@":
			if reply.Lang != arg {
				t.Fatalf("%s: reply in %s; want %s", where, reply.Lang, arg)
			}
		case "!":
			if reply.Notice == nil || reply.Notice.Key != arg {
				t.Fatalf("%s: notice = %v; want %s", where, reply.Notice, arg)
			}
		default:
			t.Fatalf("%s: bad line %q", where, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(pending) > 0 {
		t.Fatalf("%s: unmatched reply %s at the end", file, describe(pending[0]))
	}
}

// pictureInput reads the input of "> [photo] caption" or
// "> [file size] caption": a picture without its file reference.
func pictureInput(arg string) (p *dialog.Picture, caption string, ok bool) {
	rest, ok := strings.CutPrefix(arg, "[")
	if !ok {
		return nil, "", false
	}
	spec, caption, ok := strings.Cut(rest, "]")
	if !ok {
		return nil, "", false
	}
	kind, size, _ := strings.Cut(spec, " ")
	p = &dialog.Picture{Source: dialog.PhotoAsPhoto, Size: 300_000}
	switch kind {
	case "photo":
	case "file":
		p.Source, p.Size = dialog.PhotoAsFile, 3_000_000
	default:
		return nil, "", false
	}
	if size != "" {
		n, err := strconv.ParseInt(size, 10, 64)
		if err != nil {
			return nil, "", false
		}
		p.Size = n
	}
	return p, strings.TrimSpace(caption), true
}

// checkKey is what "<" names the check of a picture sent from src by.
func checkKey(src dialog.PhotoSource) string {
	if src == dialog.PhotoAsPhoto {
		return "[check photo]"
	}
	return "[check file]"
}

// hasArg reports whether t has the text key among its arguments, at any
// depth.
func hasArg(t dialog.Text, key string) bool {
	for _, v := range t.Args {
		var texts []dialog.Text
		switch v := v.(type) {
		case dialog.Text:
			texts = []dialog.Text{v}
		case []dialog.Text:
			texts = v
		case dialog.Paragraphs:
			texts = v
		}
		for _, a := range texts {
			if a.Key == key || hasArg(a, key) {
				return true
			}
		}
	}
	return false
}

func describe(m dialog.Message) string {
	s := m.Text.Key
	for _, v := range m.Text.Args {
		if a, ok := v.(dialog.Text); ok {
			s += "/" + a.Key
		}
	}
	return s
}

var tag = regexp.MustCompile(`</?[a-z]+>`)

func plain(s string) string { return html.UnescapeString(tag.ReplaceAllString(s, "")) }

// checkRendered renders m and its options in lang and checks the result is
// complete, valid Telegram HTML.
func checkRendered(t *testing.T, where string, catalog *locales.Catalog, lang string, m dialog.Message) {
	t.Helper()
	texts := []dialog.Text{m.Text}
	for _, o := range m.Options {
		texts = append(texts, o.Label)
		if len(o.Value)+len(strconv.FormatInt(o.Step, 10)) > 40 {
			t.Errorf("%s: option %q at step %d is too long for callback data", where, o.Value, o.Step)
		}
	}
	for _, txt := range texts {
		s := dialog.Render(catalog, lang, txt, html.EscapeString)
		if err := telegramtest.CheckText(s, "HTML"); err != nil {
			t.Errorf("%s: %s in %s: %v: %q", where, txt.Key, lang, err, s)
		}
		if strings.Contains(s, "<no value>") || strings.TrimSpace(s) == "" || s == txt.Key || !catalog.Has(txt.Key) {
			t.Errorf("%s: %s in %s renders as %q", where, txt.Key, lang, s)
		}
	}
}

// TestEveryMessageExists checks the keys the engine builds from data: every
// question, choice, condition, level, material and FAQ topic has its
// message, and every T("...") literal in the package names one.
func TestEveryMessageExists(t *testing.T) {
	t.Parallel()
	set, topics, catalog := loadData(t)
	var keys []string
	for _, q := range []rules.Question{rules.OccupationYears, rules.Certificate, rules.YearsSinceCertificate, rules.Education, rules.Major, rules.YearsSinceGraduation, rules.TrainingLevel4, rules.TrainingLevel3, rules.TrainingLevel2, rules.TrainingLevel1} {
		info := set.Ask(q)
		if info.Kind == 0 {
			t.Errorf("rules do not ask %s", q)
		}
		keys = append(keys, "q."+string(q))
		for _, v := range info.Choices {
			if info.Kind == rules.YesNo {
				keys = append(keys, "choice."+v)
			} else {
				keys = append(keys, "choice."+string(q)+"."+v)
			}
		}
	}
	for _, c := range set.Conditions() {
		keys = append(keys, "cond."+c.ID)
	}
	for _, q := range []rules.Question{rules.OccupationYears, rules.YearsSinceCertificate, rules.YearsSinceGraduation} {
		keys = append(keys, "doubt."+string(q))
	}
	// A contradiction, told again, and the way back to the answer it
	// contradicts.
	keys = append(keys, "sanity.since.again", "sanity.work.again",
		"sanity.back."+string(rules.OccupationYears), "sanity.back."+string(rules.YearsSinceCertificate))
	for _, l := range rules.Levels {
		keys = append(keys, "level."+strconv.Itoa(int(l)), "level.short."+strconv.Itoa(int(l)))
		for _, m := range set.Materials(l, nil) {
			keys = append(keys, "material."+string(m))
		}
	}
	for _, m := range set.Materials(1, []string{"1.1", "1.2"}) {
		keys = append(keys, "material."+string(m))
	}
	for _, topic := range topics.Topics() {
		keys = append(keys, "faq."+topic, "topic."+topic)
	}
	for _, l := range examdesk.Languages {
		keys = append(keys, "lang.name."+l)
	}
	// What the engine builds from what it reads: the explanations of each
	// kind of question, the subjects of the notice and the small talk.
	for _, family := range []string{"education", "certificate", "major", "yes_no", "years"} {
		keys = append(keys, "unread."+family+".1", "unread."+family+".2")
	}
	for _, k := range []string{"hint.choice", "hint.years"} {
		keys = append(keys, k, k+".again")
	}
	for _, subject := range topics.Subjects() {
		keys = append(keys, "unstated."+subject)
	}
	for _, subject := range []string{"greeting", "thanks", "ack", "bye"} {
		keys = append(keys, "smalltalk."+subject)
	}
	for _, r := range []rules.Route{rules.Individual, rules.Training} {
		keys = append(keys, "route."+string(r))
	}
	literal := regexp.MustCompile(`T\("([a-z_.]+[a-z_])"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(src), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys = append(keys, m[1])
			}
		}
	}
	for _, k := range keys {
		if !catalog.Has(k) {
			t.Errorf("message %q is missing", k)
		}
	}
}
