package faq

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"examdesk"
)

// OffTopic is the class of the questions marked out of scope, which the
// bot should refuse: examples taught at run time with this topic, or
// written under [off_topic] in knowledge.txt. Best reads a question like
// them as Unknown, with Subject OffTopic, rather than answer it from a
// neighbouring topic.
const OffTopic = "off_topic"

// Example is a question taught at run time: its text, its language (one
// of zh-Hant, zh-Hans, en), and the topic id it asks, or OffTopic.
type Example struct {
	Text, Lang, Topic string
}

// learned is what Learn last learned: the matcher with the examples of
// knowledge.txt and those taught, and the version of the list taught.
type learned struct {
	m       *Matcher
	version int64
}

// Learn makes examples, questions taught at run time, examples of the
// matcher, in place of those it learned before: Best reads every message
// after Learn returns with them, and a Best running meanwhile with either
// the ones before or these. version numbers the list (the version of
// stats.Teacher's examples): a list older than the one learned last is
// ignored, so that of concurrent calls the newest list stays. Examples of
// a topic count toward the topic as those of knowledge.txt do; examples
// of OffTopic make it refuse questions like them. An example it cannot use
// (an unknown topic, no words, one that is already an example once
// normalised) is left out, and the error says which by its place in the
// list, from 1, and why, without its text (the error may be logged); the
// others are learned.
// Learn is safe for concurrent use with itself and every other method.
func (m *Matcher) Learn(version int64, examples []Example) error {
	extra := map[string][]example{}
	var errs []error
	keys := map[string]string{} // the examples taught so far, by key
	for i, ex := range examples {
		key := m.key(ex.Text)
		class, known := m.exampleKeys()[key]
		if !known {
			class, known = keys[key]
		}
		switch {
		case ex.Topic != OffTopic && !slices.Contains(m.topics, ex.Topic):
			errs = append(errs, fmt.Errorf("example %d: unknown topic %q", i+1, ex.Topic))
		case key == "":
			errs = append(errs, fmt.Errorf("example %d: no words", i+1))
		case known:
			errs = append(errs, fmt.Errorf("example %d: already an example of %s", i+1, class))
		default:
			keys[key] = ex.Topic
			// The language is left out: the example is read as written,
			// in either script.
			extra[ex.Topic] = append(extra[ex.Topic], example{text: ex.Text, line: i + 1})
		}
	}
	next := m // nothing taught: the matcher of knowledge.txt
	if len(extra) > 0 {
		var err error
		if next, err = build("examples taught", m.base.with(extra), m.t2s); err != nil {
			return fmt.Errorf("learn %d examples: %w", len(examples), err)
		}
		next.simplifiedOnly, next.phrases = m.simplifiedOnly, m.phrases
	}
	m.learnMu.Lock()
	defer m.learnMu.Unlock()
	if l := m.learned.Load(); l == nil || version >= l.version {
		m.learned.Store(&learned{m: next, version: version})
	}
	if len(errs) > 0 {
		return fmt.Errorf("learn %d examples: %w", len(examples), errors.Join(errs...))
	}
	return nil
}

// current is the matcher Best reads with: the one that learned the
// examples taught, once Learn has run.
func (m *Matcher) current() *Matcher {
	if l := m.learned.Load(); l != nil {
		return l.m
	}
	return m
}

// with returns k with the examples extra added, by topic (OffTopic
// included); k is unchanged.
func (k *knowledge) with(extra map[string][]example) *knowledge {
	out := *k
	out.entries = make([]*entry, len(k.entries))
	for i, e := range k.entries {
		c := *e
		if c.kind == Topic || c.id == OffTopic {
			c.examples = append(slices.Clip(c.examples), extra[c.id]...)
			delete(extra, c.id)
		}
		out.entries[i] = &c
	}
	if off := extra[OffTopic]; len(off) > 0 {
		out.entries = append(out.entries, &entry{id: OffTopic, kind: Unknown, examples: off})
	}
	return &out
}

// key is the form examples are compared in to find two that are the same:
// their terms, folded and in Simplified characters, as build compares
// them.
func (m *Matcher) key(text string) string {
	var b strings.Builder
	tokens(toSimplified(m.t2s, fold(text)), func(t token) { b.WriteString(t.text + " ") })
	return b.String()
}

// exampleKeys returns the examples of knowledge.txt by key, each with the
// class it is an example of: a topic id, "unstated: <subject>" or
// OffTopic.
func (m *Matcher) exampleKeys() map[string]string {
	m.keysOnce.Do(func() {
		m.keys = map[string]string{}
		for _, e := range m.base.entries {
			class := e.id
			if e.kind == Unstated {
				class = "unstated: " + e.id
			}
			for _, x := range e.examples {
				m.keys[m.key(x.text)] = class
			}
		}
	})
	return m.keys
}

// Example reports whether text is, once normalised, already an example of
// knowledge.txt, and of which class: a topic id, "unstated: <subject>" or
// OffTopic. knowledge.txt cannot have it twice.
func (m *Matcher) Example(text string) (class string, ok bool) {
	class, ok = m.exampleKeys()[m.key(text)]
	return class, ok
}

// ExampleLang returns the language knowledge.txt accepts for an example
// text said to be in lang: zh-Hant for Chinese that has Traditional
// characters, whatever lang says (a candidate whose language is
// Simplified Chinese may write in Traditional), else lang.
func (m *Matcher) ExampleLang(text, lang string) string {
	if lang == examdesk.Simplified && toSimplified(m.t2s, fold(text)) != fold(text) {
		return examdesk.Traditional
	}
	return lang
}
