package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

// evalFile is the FAQ matcher's independent evaluation set: one question a
// line, "lang<TAB>topic<TAB>question[<TAB>kind]", topic "-" for a question
// the matcher must refuse, or "-unstated", "-other", "-smalltalk",
// "-command" for one it must refuse as that (the notice does not say,
// another exam, small talk, a command without its slash); kind names the
// kind of question it is counted under (long, level, cantonese, fees...),
// by default "plain" or "off-topic". Lines starting with # are comments.
const evalFile = "../../faq/testdata/eval.tsv"

// The FAQ topic ids of DOMAIN.md.
var evalTopics = []string{
	"eligibility", "levels", "registration_time", "registration_place",
	"materials", "application_form", "work_proof", "thesis", "exam_date",
	"admission_ticket", "photo", "score_review", "defence", "certificate",
	"retake", "training_route", "location",
}

var evalLangs = []string{"zh-Hant", "zh-Hans", "en"}

// evalRefusals are the refusals a line may expect, and the kind of the
// answer `examdesk faq --json` must give them ("" for any).
var evalRefusals = map[string]string{
	"-": "", "-unstated": "unstated", "-other": "other_exam", "-smalltalk": "small_talk", "-command": "command",
}

// The thresholds the matcher must reach in every language, and the size the
// set must keep.
const (
	evalMinAccuracy   = 0.90 // on-topic questions answered with their topic
	evalMinRefusal    = 0.90 // off-topic questions refused (as their kind)
	evalMinQuestions  = 150  // in all
	evalMinOffTopic   = 20   // in all
	evalMinTopicLines = 2    // per topic and language
)

type evalCase struct {
	line                        int
	lang, topic, question, kind string
}

// refused reports whether c is a question the matcher must refuse.
func (c evalCase) refused() bool { return strings.HasPrefix(c.topic, "-") }

// readEvalSet reads and validates the evaluation set.
func readEvalSet(path string) ([]evalCase, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []evalCase
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 && len(cols) != 4 {
			return nil, fmt.Errorf("%s:%d: %d tab-separated columns, want 3 or 4 (lang, topic, question, kind)", path, n, len(cols))
		}
		c := evalCase{line: n, lang: cols[0], topic: cols[1], question: strings.TrimSpace(cols[2])}
		switch {
		case len(cols) == 4:
			c.kind = strings.TrimSpace(cols[3])
		case c.refused():
			c.kind = "off-topic"
		default:
			c.kind = "plain"
		}
		if !slices.Contains(evalLangs, c.lang) {
			return nil, fmt.Errorf("%s:%d: unknown language %q", path, n, c.lang)
		}
		if _, ok := evalRefusals[c.topic]; !ok && !slices.Contains(evalTopics, c.topic) {
			return nil, fmt.Errorf("%s:%d: unknown topic %q", path, n, c.topic)
		}
		if c.question == "" || c.kind == "" {
			return nil, fmt.Errorf("%s:%d: empty question or kind", path, n)
		}
		cases = append(cases, c)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", path, n, err)
	}
	return cases, nil
}

// evalAnswer is the object `examdesk faq --json` prints.
type evalAnswer struct {
	Topic  *string `json:"topic"`
	Score  float64 `json:"score"`
	Answer string  `json:"answer"`
	Kind   string  `json:"kind"`
}

// askFAQ runs `examdesk faq --lang lang --json question` in-process, on
// data loaded once (runFAQ loads it for every question, which would make
// this test slow without testing more), and returns the topic it printed
// ("" when it refused) and the kind.
func askFAQ(d *faqData, lang, question string) (topic, kind string, err error) {
	var stdout bytes.Buffer
	if err := d.run([]string{"--lang", lang, "--json", question}, &stdout); err != nil {
		return "", "", fmt.Errorf("faq failed: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
	var a evalAnswer
	if err := dec.Decode(&a); err != nil {
		return "", "", fmt.Errorf("output %q is not a JSON object: %v", stdout.String(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", "", fmt.Errorf("output %q is more than one JSON object", stdout.String())
	}
	if a.Topic == nil {
		return "", "", fmt.Errorf("output %q has no \"topic\"", stdout.String())
	}
	if *a.Topic != "" && !slices.Contains(evalTopics, *a.Topic) {
		return "", "", fmt.Errorf("output %q names an unknown topic", stdout.String())
	}
	return *a.Topic, a.Kind, nil
}

type evalTally struct {
	on, onRight   int
	off, offRight int
}

// kindTally counts the questions of one language and kind.
type kindTally struct{ n, right int }

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func TestFAQEvaluation(t *testing.T) {
	t.Parallel()
	cases, err := readEvalSet(evalFile)
	if err != nil {
		t.Fatal(err)
	}

	// The set itself must keep its size and coverage.
	perTopic := map[string]map[string]int{}
	offTopic := 0
	for _, c := range cases {
		if c.refused() {
			offTopic++
			continue
		}
		if perTopic[c.lang] == nil {
			perTopic[c.lang] = map[string]int{}
		}
		perTopic[c.lang][c.topic]++
	}
	if len(cases) < evalMinQuestions {
		t.Errorf("%s: %d questions, want at least %d", evalFile, len(cases), evalMinQuestions)
	}
	if offTopic < evalMinOffTopic {
		t.Errorf("%s: %d off-topic questions, want at least %d", evalFile, offTopic, evalMinOffTopic)
	}
	for _, lang := range evalLangs {
		for _, topic := range evalTopics {
			if perTopic[lang][topic] < evalMinTopicLines {
				t.Errorf("%s: no %s question for topic %s", evalFile, lang, topic)
			}
		}
	}

	tally := map[string]*evalTally{}
	for _, lang := range evalLangs {
		tally[lang] = &evalTally{}
	}
	byKind := map[string]map[string]*kindTally{} // kind → lang → tally
	var kinds []string
	d, err := loadFAQ()
	if err != nil {
		t.Fatalf("loadFAQ() = %v", err)
	}
	var misses []string
	failed := 0
	for _, c := range cases {
		got, kind, err := askFAQ(d, c.lang, c.question)
		if err != nil {
			t.Errorf("%s:%d: %s %q: %v", evalFile, c.line, c.lang, c.question, err)
			if failed++; failed == 5 {
				t.Fatal("giving up after 5 failed runs")
			}
			continue
		}
		if byKind[c.kind] == nil {
			byKind[c.kind] = map[string]*kindTally{}
			kinds = append(kinds, c.kind)
		}
		kt := byKind[c.kind][c.lang]
		if kt == nil {
			kt = &kindTally{}
			byKind[c.kind][c.lang] = kt
		}
		kt.n++
		tl := tally[c.lang]
		var right bool
		if c.refused() {
			tl.off++
			want := evalRefusals[c.topic]
			right = got == "" && (want == "" || kind == want)
			if right {
				tl.offRight++
			}
		} else {
			tl.on++
			right = got == c.topic
			if right {
				tl.onRight++
			}
		}
		if right {
			kt.right++
			continue
		}
		if got == "" {
			got = `""`
		}
		misses = append(misses, fmt.Sprintf("%-7s  %-18s  %-18s  %-10s  %s", c.lang, c.topic, got, kind, c.question))
	}

	t.Logf("%-7s  %9s  %9s  %8s  %9s  %9s  %8s", "lang", "on-topic", "right", "accuracy", "off-topic", "refused", "refusal")
	for _, lang := range evalLangs {
		tl := tally[lang]
		t.Logf("%-7s  %9d  %9d  %7.1f%%  %9d  %9d  %7.1f%%", lang,
			tl.on, tl.onRight, 100*ratio(tl.onRight, tl.on),
			tl.off, tl.offRight, 100*ratio(tl.offRight, tl.off))
	}
	t.Logf("by kind (right: the topic, or refused as the line's kind wants):")
	t.Logf("%-12s  %14s  %14s  %14s", "kind", "zh-Hant", "zh-Hans", "en")
	for _, k := range kinds {
		row := fmt.Sprintf("%-12s", k)
		for _, lang := range evalLangs {
			if kt := byKind[k][lang]; kt != nil {
				row += fmt.Sprintf("  %5d/%-3d%5.1f%%", kt.right, kt.n, 100*ratio(kt.right, kt.n))
			} else {
				row += fmt.Sprintf("  %14s", "–")
			}
		}
		t.Log(row)
	}
	if len(misses) > 0 {
		t.Logf("%d misses:", len(misses))
		t.Logf("%-7s  %-18s  %-18s  %-10s  %s", "lang", "expected", "got", "kind", "question")
		for _, m := range misses {
			t.Log(m)
		}
	}

	for _, lang := range evalLangs {
		tl := tally[lang]
		if acc := ratio(tl.onRight, tl.on); acc < evalMinAccuracy {
			t.Errorf("%s: on-topic accuracy %.1f%% (%d/%d), want at least %.0f%%", lang, 100*acc, tl.onRight, tl.on, 100*evalMinAccuracy)
		}
		if ref := ratio(tl.offRight, tl.off); ref < evalMinRefusal {
			t.Errorf("%s: off-topic refusal %.1f%% (%d/%d), want at least %.0f%%", lang, 100*ref, tl.offRight, tl.off, 100*evalMinRefusal)
		}
	}
}
