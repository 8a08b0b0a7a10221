package faq

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"examdesk"
)

// topicIDs are the FAQ topics of the domain, in the order of DOMAIN.md;
// the knowledge base must have each and no other.
var topicIDs = [...]string{
	"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location",
}

// entry is what the knowledge base says about one topic, or about one
// subject the matcher must recognise so as not to answer it.
type entry struct {
	id       string   // the topic, or the subject of an Unstated or OtherExam class
	kind     Kind     // Topic, Unstated or OtherExam
	line     int      // of its [header]
	seeds    []string // sentences of the notice the answer rests on
	mapQuery string   // what a map link searches for, if the answer names a place
	examples []example
}

// example is one question of the knowledge base, or one line of words.
type example struct {
	lang, text string
	line       int
}

// knowledge is a parsed knowledge file.
type knowledge struct {
	// topics are the entries of topicIDs, in that order; then the
	// classes of what the matcher recognises but does not answer.
	entries []*entry
	// generic are the lines of words that name the qualification, a
	// level or the exam rather than say what is asked.
	generic []example
	// others are the lines of names of other exams.
	others []example
}

// Header kinds of the classes that are not topics: [unstated: fees].
var classKinds = map[string]Kind{"unstated": Unstated}

// lists are the headers of lists of words, a line per language.
var lists = []string{"generic", "other exams"}

// parseKnowledge reads a knowledge file (see knowledge.txt for the format):
// the topics in the order of topicIDs, then the other classes in the order
// of the file ([off_topic] among them). Errors name the file, as name, and
// the line.
func parseKnowledge(name string, r io.Reader) (*knowledge, error) {
	byID := map[string]*entry{}
	for _, id := range topicIDs {
		byID[id] = nil
	}
	var (
		cur     *entry
		k       knowledge
		classes []*entry
		listAt  = map[string]int{} // the line of each list's header
		list    *[]example         // the list being read, or nil
	)
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") {
			id, ok := strings.CutSuffix(line[1:], "]")
			id = strings.TrimSpace(id)
			if !ok || id == "" {
				return nil, fmt.Errorf("%s:%d: want a header \"[topic]\", \"[unstated: subject]\", \"[other exams]\" or \"[generic]\"", name, n)
			}
			cur, list = nil, nil
			if slices.Contains(lists, id) {
				if at, ok := listAt[id]; ok {
					return nil, fmt.Errorf("%s:%d: [%s] again, after line %d", name, n, id, at)
				}
				listAt[id] = n
				list = &k.generic
				if id == "other exams" {
					list = &k.others
				}
				continue
			}
			if id == OffTopic {
				// The questions marked out of scope, as `examdesk faq
				// export` prints them: examples only, in any language.
				for _, c := range classes {
					if c.id == OffTopic {
						return nil, fmt.Errorf("%s:%d: [%s] again, after line %d", name, n, id, c.line)
					}
				}
				cur = &entry{id: OffTopic, kind: Unknown, line: n}
				classes = append(classes, cur)
				continue
			}
			if kind, subject, isClass := strings.Cut(id, ":"); isClass {
				kind, subject = strings.TrimSpace(kind), strings.TrimSpace(subject)
				kd, known := classKinds[kind]
				switch {
				case !known:
					return nil, fmt.Errorf("%s:%d: unknown kind %q: want unstated", name, n, kind)
				case !isIdent(subject):
					return nil, fmt.Errorf("%s:%d: subject %q: want lower-case letters and _", name, n, subject)
				}
				for _, c := range classes {
					if c.kind == kd && c.id == subject {
						return nil, fmt.Errorf("%s:%d: [%s: %s] again, after line %d", name, n, kind, subject, c.line)
					}
				}
				cur = &entry{id: subject, kind: kd, line: n}
				classes = append(classes, cur)
				continue
			}
			e, known := byID[id]
			switch {
			case !known:
				return nil, fmt.Errorf("%s:%d: unknown topic %q", name, n, id)
			case e != nil:
				return nil, fmt.Errorf("%s:%d: topic %q again, after line %d", name, n, id, e.line)
			}
			cur = &entry{id: id, kind: Topic, line: n}
			byID[id] = cur
			continue
		}
		field, text, ok := strings.Cut(line, ":")
		field, text = strings.TrimSpace(field), strings.TrimSpace(text)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s:%d: want \"field: text\"", name, n)
		case cur == nil && list == nil:
			return nil, fmt.Errorf("%s:%d: %s before the first header", name, n, field)
		case text == "":
			return nil, fmt.Errorf("%s:%d: empty %s", name, n, field)
		}
		if list != nil {
			if !slices.Contains(examdesk.Languages, field) {
				return nil, fmt.Errorf("%s:%d: unknown field %q in a list: want %s", name, n, field, strings.Join(examdesk.Languages, ", "))
			}
			*list = append(*list, example{lang: field, text: text, line: n})
			continue
		}
		switch {
		case field == "seed" && cur.kind == Topic:
			cur.seeds = append(cur.seeds, text)
		case field == "map" && cur.kind == Topic:
			if cur.mapQuery != "" {
				return nil, fmt.Errorf("%s:%d: a second map for %q", name, n, cur.id)
			}
			cur.mapQuery = text
		case slices.Contains(examdesk.Languages, field):
			cur.examples = append(cur.examples, example{lang: field, text: text, line: n})
		case cur.kind != Topic:
			return nil, fmt.Errorf("%s:%d: unknown field %q of a class that is not a topic: want %s", name, n, field, strings.Join(examdesk.Languages, ", "))
		default:
			return nil, fmt.Errorf("%s:%d: unknown field %q: want seed, map, %s", name, n, field, strings.Join(examdesk.Languages, ", "))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	for _, id := range topicIDs {
		e := byID[id]
		if e == nil {
			return nil, fmt.Errorf("%s: topic %q is missing", name, id)
		}
		if len(e.seeds) == 0 {
			return nil, fmt.Errorf("%s:%d: topic %q has no seed sentence", name, e.line, id)
		}
		k.entries = append(k.entries, e)
	}
	k.entries = append(k.entries, classes...)
	for _, e := range k.entries {
		if e.id == OffTopic {
			if len(e.examples) == 0 {
				return nil, fmt.Errorf("%s:%d: [%s] has no example", name, e.line, e.id)
			}
			continue // what administrators marked, in the languages it was asked in
		}
		for _, lang := range examdesk.Languages {
			if !slices.ContainsFunc(e.examples, func(x example) bool { return x.lang == lang }) {
				return nil, fmt.Errorf("%s:%d: %s %q has no %s example", name, e.line, e.kind, e.id, lang)
			}
		}
	}
	return &k, nil
}

// isIdent reports whether s is a non-empty run of a-z and _.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}
