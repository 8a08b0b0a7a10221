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
	"sync"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"examdesk"
)

//go:embed *.toml
var messageFiles embed.FS

// reference is the language the others' messages are checked against, and
// the one an unknown language renders in. Every message exists in each of
// examdesk.Languages.
const reference = examdesk.English

// Catalog renders messages. It is safe for concurrent use.
type Catalog struct {
	localizers map[string]*i18n.Localizer
	keys       []string
	// fixed holds the messages without placeholders, rendered once:
	// most messages, rendered on every reply.
	fixed map[string]map[string]string
}

// Load reads the embedded message files and checks that every language has
// exactly the same messages with the same placeholders. The files are read
// once per process: every call returns the same Catalog, or the same error.
func Load() (*Catalog, error) { return loadEmbedded() }

// loadEmbedded parses messageFiles the first time it is called. They are
// compiled in and a Catalog is immutable, so one parse serves every caller.
var loadEmbedded = sync.OnceValues(func() (*Catalog, error) { return Parse(messageFiles) })

// Parse reads the message files of fsys and checks them like Load. A file
// is "<lang>.toml" or "<area>.<lang>.toml", lang one of examdesk.Languages: an area
// of the bot keeps its messages in files of its own, one per language, and
// a key may be in only one file of a language.
func Parse(fsys fs.FS) (*Catalog, error) {
	bundle := i18n.NewBundle(language.English)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	placeholders := make(map[string]map[string][]string, len(examdesk.Languages))
	fixedByLang := make(map[string]map[string]string, len(examdesk.Languages))
	files := make(map[string]map[string]string, len(examdesk.Languages)) // lang → key → file
	for _, lang := range examdesk.Languages {
		placeholders[lang] = map[string][]string{}
		fixedByLang[lang] = map[string]string{}
		files[lang] = map[string]string{}
	}
	for _, name := range names {
		base := strings.TrimSuffix(name, ".toml")
		lang := base[strings.LastIndex(base, ".")+1:]
		if _, ok := placeholders[lang]; !ok {
			return nil, fmt.Errorf("load messages: %s: %q is not one of the languages %v", name, lang, examdesk.Languages)
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("load messages: %w", err)
		}
		mf, err := bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("load messages: %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			if strings.TrimSpace(m.Other) == "" {
				return nil, fmt.Errorf("load messages: %s: %q is empty", name, m.ID)
			}
			if other, dup := files[lang][m.ID]; dup {
				return nil, fmt.Errorf("load messages: %s: %q is also in %s", name, m.ID, other)
			}
			files[lang][m.ID] = name
			placeholders[lang][m.ID] = Placeholders(m.Other)
			if !strings.Contains(m.Other, "{{") {
				fixedByLang[lang][m.ID] = m.Other
			}
		}
	}
	if len(placeholders[reference]) == 0 {
		return nil, fmt.Errorf("load messages: no messages in %s", reference)
	}
	if err := compare(placeholders, files); err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	c := &Catalog{localizers: make(map[string]*i18n.Localizer, len(examdesk.Languages)), fixed: fixedByLang}
	for _, lang := range examdesk.Languages {
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	c.keys = slices.Sorted(maps.Keys(placeholders[reference]))
	return c, nil
}

// compare checks every language against the reference; files tells which
// file of each language holds each key.
func compare(placeholders map[string]map[string][]string, files map[string]map[string]string) error {
	ref := placeholders[reference]
	refFile := files[reference]
	// in names the file of lang that should hold key: the reference's file,
	// renamed.
	in := func(lang, key string) string {
		return strings.TrimSuffix(refFile[key], reference+".toml") + lang + ".toml"
	}
	var errs []error
	for _, lang := range examdesk.Languages {
		if lang == reference {
			continue
		}
		got := placeholders[lang]
		for _, key := range slices.Sorted(maps.Keys(ref)) {
			ph, ok := got[key]
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("%s: missing %q", in(lang, key), key))
			case !slices.Equal(ph, ref[key]):
				errs = append(errs, fmt.Errorf("%s: %q has placeholders %v, %s has %v", files[lang][key], key, ph, refFile[key], ref[key]))
			}
		}
		for _, key := range slices.Sorted(maps.Keys(got)) {
			if _, ok := ref[key]; !ok {
				errs = append(errs, fmt.Errorf("%s: %q is not in any %s file", files[lang][key], key, reference))
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
		lang, loc = reference, c.localizers[reference]
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
