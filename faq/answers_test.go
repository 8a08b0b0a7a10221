package faq_test

import (
	"html"
	"maps"
	"slices"
	"strings"
	"testing"

	"examdesk"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/telegramtest"
)

// TestAnswers checks the answers in the locales against the matcher: each
// topic has its message faq.<topic>, whose placeholders are what Args
// gives, and which renders in every language as Telegram HTML with the
// address of a place and its map link; faq.unknown is there too.
func TestAnswers(t *testing.T) {
	t.Parallel()
	m, err := faq.Load()
	if err != nil {
		t.Fatal(err)
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range append(m.Topics(), "unknown") {
		key := "faq." + topic
		args := m.Args(topic)
		for _, lang := range examdesk.Languages {
			if !catalog.Has(key) {
				t.Errorf("message %q is missing", key)
				break
			}
			s := catalog.Translate(lang, key, args)
			if strings.Contains(s, "<no value>") || strings.Contains(s, "{{") {
				t.Errorf("%s in %s with Args(%q) = %q renders as %q", key, lang, topic, args, s)
			}
			if err := telegramtest.CheckText(s, "HTML"); err != nil {
				t.Errorf("%s in %s: %v: %q", key, lang, err, s)
			}
			if link := args["Map"]; link != "" {
				if !strings.Contains(s, `<a href="`+html.EscapeString(link)+`">`) {
					t.Errorf("%s in %s = %q; want a link to %s", key, lang, s, link)
				}
				if !strings.Contains(s, "546") {
					t.Errorf("%s in %s = %q; want the address", key, lang, s)
				}
			}
		}
	}
	// Every placeholder of an answer is given by Args, and no more.
	for _, topic := range m.Topics() {
		want := slices.Sorted(maps.Keys(m.Args(topic)))
		probe := map[string]string{}
		for _, name := range want {
			probe[name] = "\x00"
		}
		for _, lang := range examdesk.Languages {
			s := catalog.Translate(lang, "faq."+topic, probe)
			if n := strings.Count(s, "\x00"); n == 0 && len(want) > 0 {
				t.Errorf("faq.%s in %s does not use %q", topic, lang, want)
			}
		}
	}
}
