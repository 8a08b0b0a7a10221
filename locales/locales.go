// Package locales holds every user-visible message of examdesk in
// Traditional Chinese, Simplified Chinese and English, and renders them.
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Languages are the languages every message exists in; the first is the
// reference the others are checked against.
var Languages = []string{"en", "zh-Hant", "zh-Hans"}

// Catalog renders messages. It is safe for concurrent use.
type Catalog struct {
	localizers map[string]*i18n.Localizer
	keys       []string
	// fixed holds the messages without placeholders, rendered once:
	// most messages, rendered on every reply.
	fixed map[string]map[string]string
}

// Load reads the embedded message files and checks that every language has
// exactly the same messages with the same placeholders.
func Load() (*Catalog, error) { return Parse(files) }

// Parse reads the message files "<lang>.toml" of fsys, one per language of
// Languages, and checks them like Load.
func Parse(fsys fs.FS) (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	placeholders := make(map[string]map[string][]string, len(Languages))
	fixedByLang := make(map[string]map[string]string, len(Languages))
	for _, lang := range Languages {
		name := lang + ".toml"
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load messages: %w", err)
		}
		mf, err := bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("load messages: %s: %w", name, err)
		}
		ph := make(map[string][]string, len(mf.Messages))
		fixed := make(map[string]string)
		for _, m := range mf.Messages {
			if strings.TrimSpace(m.Other) == "" {
				return nil, fmt.Errorf("load messages: %s: %q is empty", name, m.ID)
			}
			ph[m.ID] = Placeholders(m.Other)
			if !strings.Contains(m.Other, "{{") {
				fixed[m.ID] = m.Other
			}
		}
		placeholders[lang] = ph
		fixedByLang[lang] = fixed
	}
	if err := compare(placeholders); err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	c := &Catalog{localizers: make(map[string]*i18n.Localizer, len(Languages)), fixed: fixedByLang}
	for _, lang := range Languages {
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	c.keys = slices.Sorted(maps.Keys(placeholders[Languages[0]]))
	return c, nil
}

// compare checks every language against the first one.
func compare(placeholders map[string]map[string][]string) error {
	ref := placeholders[Languages[0]]
	var errs []error
	for _, lang := range Languages[1:] {
		got := placeholders[lang]
		for _, key := range slices.Sorted(maps.Keys(ref)) {
			ph, ok := got[key]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s.toml: missing %q", lang, key))
			case !slices.Equal(ph, ref[key]):
				errs = append(errs, fmt.Errorf("%s.toml: %q has placeholders %v, %s.toml has %v", lang, key, ph, Languages[0], ref[key]))
			}
		}
		for _, key := range slices.Sorted(maps.Keys(got)) {
			if _, ok := ref[key]; !ok {
				errs = append(errs, fmt.Errorf("%s.toml: %q is not in %s.toml", lang, key, Languages[0]))
			}
		}
	}
	return errors.Join(errs...)
}

var placeholder = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Placeholders lists the distinct {{.Name}} placeholders of a message,
// sorted.
func Placeholders(msg string) []string {
	var names []string
	for _, m := range placeholder.FindAllStringSubmatch(msg, -1) {
		names = append(names, m[1])
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// Keys lists every message key, sorted.
func (c *Catalog) Keys() []string { return slices.Clone(c.keys) }

// Has reports whether key is a message.
func (c *Catalog) Has(key string) bool {
	_, ok := slices.BinarySearch(c.keys, key)
	return ok
}

// Translate renders message key of lang with args. It never fails: an
// unknown language renders in English, and an unknown key renders as the key
// itself, so that a gap shows instead of breaking the conversation.
func (c *Catalog) Translate(lang, key string, args map[string]string) string {
	loc, ok := c.localizers[lang]
	if !ok {
		lang, loc = Languages[0], c.localizers[Languages[0]]
	}
	if s, ok := c.fixed[lang][key]; ok {
		return s
	}
	s, err := loc.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: args})
	if err != nil && s == "" {
		return key
	}
	return s
}
