package faq

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// topicIDs are the FAQ topics of the domain, in the order of DOMAIN.md;
// the knowledge base must have each and no other.
var topicIDs = [...]string{
	"eligibility", "levels", "registration_time", "registration_place", "materials",
	"application_form", "work_proof", "thesis", "exam_date", "admission_ticket", "photo",
	"score_review", "defence", "certificate", "retake", "training_route", "location",
}

// languages are the languages of the examples.
var languages = [...]string{"zh-Hant", "zh-Hans", "en"}

// entry is what the knowledge base says about one topic.
type entry struct {
	id       string
	line     int      // of its [id] header
	seeds    []string // sentences of the notice the answer rests on
	mapQuery string   // what a map link searches for, if the answer names a place
	examples []example
}

// example is one question of the knowledge base.
type example struct {
	lang, text string
	line       int
}

// parseKnowledge reads a knowledge file (see knowledge.txt for the format)
// and returns its entries in the order of topicIDs. Errors name the file,
// as name, and the line.
func parseKnowledge(name string, r io.Reader) ([]*entry, error) {
	byID := map[string]*entry{}
	for _, id := range topicIDs {
		byID[id] = nil
	}
	var cur *entry
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
				return nil, fmt.Errorf("%s:%d: want a topic header \"[topic]\"", name, n)
			}
			e, known := byID[id]
			switch {
			case !known:
				return nil, fmt.Errorf("%s:%d: unknown topic %q", name, n, id)
			case e != nil:
				return nil, fmt.Errorf("%s:%d: topic %q again, after line %d", name, n, id, e.line)
			}
			cur = &entry{id: id, line: n}
			byID[id] = cur
			continue
		}
		field, text, ok := strings.Cut(line, ":")
		field, text = strings.TrimSpace(field), strings.TrimSpace(text)
		switch {
		case !ok:
			return nil, fmt.Errorf("%s:%d: want \"field: text\"", name, n)
		case cur == nil:
			return nil, fmt.Errorf("%s:%d: %s before the first topic header", name, n, field)
		case text == "":
			return nil, fmt.Errorf("%s:%d: empty %s", name, n, field)
		}
		switch {
		case field == "seed":
			cur.seeds = append(cur.seeds, text)
		case field == "map":
			if cur.mapQuery != "" {
				return nil, fmt.Errorf("%s:%d: a second map for %q", name, n, cur.id)
			}
			cur.mapQuery = text
		case slices.Contains(languages[:], field):
			cur.examples = append(cur.examples, example{lang: field, text: text, line: n})
		default:
			return nil, fmt.Errorf("%s:%d: unknown field %q: want seed, map, %s", name, n, field, strings.Join(languages[:], ", "))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	entries := make([]*entry, len(topicIDs))
	for i, id := range topicIDs {
		e := byID[id]
		if e == nil {
			return nil, fmt.Errorf("%s: topic %q is missing", name, id)
		}
		if len(e.seeds) == 0 {
			return nil, fmt.Errorf("%s:%d: topic %q has no seed sentence", name, e.line, id)
		}
		for _, lang := range languages {
			if !slices.ContainsFunc(e.examples, func(x example) bool { return x.lang == lang }) {
				return nil, fmt.Errorf("%s:%d: topic %q has no %s example", name, e.line, id, lang)
			}
		}
		entries[i] = e
	}
	return entries, nil
}
