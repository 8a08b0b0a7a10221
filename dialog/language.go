package dialog

import (
	"strings"

	"examdesk"
	"examdesk/faq"
)

// follow moves the conversation to the language a typed message is
// written in, by its script: Traditional or Simplified Chinese by its
// characters (written Cantonese is Traditional), English for Latin words.
// Chinese that both scripts write keeps the conversation's Chinese, else
// is Simplified, as most candidates write in mainland Guangdong. A message
// that shows no language (digits, emoji, a lone ok or yes) keeps the
// conversation's language, and a language chosen with /lang wins until
// another is chosen.
func (c *conv) follow(text string) {
	var lang string
	switch c.e.faq.Script(text) {
	case faq.Latin:
		lang = examdesk.English
	case faq.Traditional:
		lang = examdesk.Traditional
	case faq.Simplified:
		lang = examdesk.Simplified
	case faq.Chinese:
		lang = examdesk.Simplified
		if c.lang == examdesk.Traditional {
			lang = examdesk.Traditional
		}
	default:
		return
	}
	if c.st.Lang != "" {
		return
	}
	c.st.Talk, c.lang = lang, lang
}

// ParseLanguage returns the language a tag names, in any case: one of
// examdesk.Languages (zh-hant is zh-Hant), or a code Language reads for Chinese
// (zh-TW, zh-cn) or English (en, en-GB, english). ok is false for any
// other tag.
func ParseLanguage(tag string) (lang string, ok bool) {
	t := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(tag), "_", "-"))
	for _, l := range examdesk.Languages {
		if strings.EqualFold(t, l) {
			return l, true
		}
	}
	switch {
	case t == "english", t == "en", strings.HasPrefix(t, "en-"):
		return examdesk.English, true
	case strings.HasPrefix(t, "zh"):
		if l := Language(t); l != examdesk.English {
			return l, true
		}
	}
	return "", false
}
