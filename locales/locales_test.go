package locales_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"examdesk/locales"
)

func TestLoad(t *testing.T) {
	c, err := locales.Load()
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	if len(c.Keys()) < 100 {
		t.Errorf("Load() has %d messages; want the whole catalogue", len(c.Keys()))
	}
}

// TestParseRejects checks that a missing message or differing placeholders
// in any language fail the load, naming the file and the key.
func TestParseRejects(t *testing.T) {
	en := "a = \"A {{.X}}\"\nb = \"B\"\n"
	tests := []struct {
		name, hant, hans, want string
	}{
		{"missing key", "a = \"甲 {{.X}}\"\n", "a = \"甲 {{.X}}\"\nb = \"乙\"\n", `zh-Hant.toml: missing "b"`},
		{"extra key", en, en + "c = \"C\"\n", `zh-Hans.toml: "c" is not in any en file`},
		{"placeholder renamed", "a = \"甲 {{.Y}}\"\nb = \"乙\"\n", en, `zh-Hant.toml: "a" has placeholders [Y]`},
		{"placeholder dropped", en, "a = \"甲\"\nb = \"乙\"\n", `zh-Hans.toml: "a" has placeholders []`},
		{"empty message", en, "a = \"{{.X}}\"\nb = \" \"\n", `zh-Hans.toml: "b" is empty`},
		{"not toml", "a = ", en, "zh-Hant.toml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{
				"en.toml":      {Data: []byte(en)},
				"zh-Hant.toml": {Data: []byte(tt.hant)},
				"zh-Hans.toml": {Data: []byte(tt.hans)},
			}
			_, err := locales.Parse(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestParseAreas checks that messages may be kept in area files,
// "<area>.<lang>.toml", checked across languages like the main files.
func TestParseAreas(t *testing.T) {
	main := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte("a = \"" + s + "\"\n")} }
	area := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte("x.b = \"" + s + "\"\n")} }
	ok := fstest.MapFS{
		"en.toml": main("A"), "zh-Hant.toml": main("甲"), "zh-Hans.toml": main("甲"),
		"x.en.toml": area("B"), "x.zh-Hant.toml": area("乙"), "x.zh-Hans.toml": area("乙"),
	}
	c, err := locales.Parse(ok)
	if err != nil {
		t.Fatalf("Parse() = %v", err)
	}
	if got := c.Translate("zh-Hant", "x.b", nil); got != "乙" {
		t.Errorf("Translate(zh-Hant, x.b) = %q; want 乙", got)
	}
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		want string
	}{
		{"area file missing", func(f fstest.MapFS) { delete(f, "x.zh-Hans.toml") }, `x.zh-Hans.toml: missing "x.b"`},
		{"key in two files", func(f fstest.MapFS) { f["y.en.toml"] = area("C") }, `"x.b" is also in`},
		{"unknown language", func(f fstest.MapFS) { f["x.fr.toml"] = area("B") }, `x.fr.toml: "fr" is not one of the languages`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for k, v := range ok {
				fsys[k] = v
			}
			tt.edit(fsys)
			_, err := locales.Parse(fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse() = %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// TestTranslateNeverFails renders unknown keys and languages: go-i18n
// returns an error with a fallback for them, which must not panic or leak.
func TestTranslateNeverFails(t *testing.T) {
	c, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ lang, key, want string }{
		{"en", "no.such.key", "no.such.key"},
		{"fr", "choice.yes", "Yes"},
		{"zh-Hant", "choice.yes", "是"},
		{"zh-Hans", "lang.name.en", "English"},
	}
	for _, tt := range tests {
		if got := c.Translate(tt.lang, tt.key, nil); got != tt.want {
			t.Errorf("Translate(%q, %q) = %q; want %q", tt.lang, tt.key, got, tt.want)
		}
	}
	if got := c.Translate("en", "command.unknown", map[string]string{"Command": "/x"}); !strings.Contains(got, "/x") {
		t.Errorf("Translate(command.unknown) = %q; want the argument in it", got)
	}
}
