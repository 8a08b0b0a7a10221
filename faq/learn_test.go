package faq

import (
	"strings"
	"sync"
	"testing"
)

// TestLearn checks the examples taught at run time: a topic's answer the
// question it was taught with and those like it, an off-topic one refused
// with those like it, the newest list kept, and the examples it cannot use
// named and left out.
func TestLearn(t *testing.T) {
	t.Parallel()
	type asked struct{ question, want string } // want: label(Best) and the subject
	tests := []struct {
		name     string
		version  int64
		examples []Example
		wantErr  []string // in the error, "" for none
		asks     []asked
	}{
		{"nothing taught", 0, nil, nil, []asked{
			{"where can I park my car", ""},
			{"is there parking near the centre", "location"},
		}},
		{"a topic", 1, []Example{{"where can I park my car", "en", "location"}}, nil, []asked{
			{"where can I park my car", "location"},
			{"Where can I park my car?", "location"},
			{"where could i park the car", "location"},
			{"照片要多大？", "photo"},
		}},
		{"off topic", 2, []Example{{"is there parking near the centre", "en", OffTopic}}, nil, []asked{
			{"is there parking near the centre", "/off_topic"},
			{"is there parking near the exam centre?", "/off_topic"},
			{"where can I park my car", ""},
			{"what is the address of the testing centre", "location"},
		}},
		{"an older list", 1, []Example{{"where can I park my car", "en", "location"}}, nil, []asked{
			{"is there parking near the centre", "/off_topic"},
			{"where can I park my car", ""},
		}},
		{"what cannot be used", 3, []Example{
			{"where can I park my car", "en", "parking"},
			{"？！", "en", "photo"},
			{"照片要多大", "zh-Hant", "photo"}, // 照片要多大？ in knowledge.txt
			{"可以帶寵物嗎", "zh-Hant", OffTopic},
			{"可以带宠物吗", "zh-Hans", "materials"}, // the same in Simplified
		}, []string{`example 1: unknown topic "parking"`, `example 2: no words`,
			`example 3: already an example of photo`, `example 5: already an example of off_topic`}, []asked{
			{"可以帶寵物嗎？", "/off_topic"},
			{"where can I park my car", ""},
		}},
		{"nothing again", 4, nil, nil, []asked{
			{"可以帶寵物嗎？", ""},
			{"is there parking near the centre", "location"},
		}},
	}
	m := load(t)
	for _, tt := range tests {
		err := m.Learn(tt.version, tt.examples)
		switch {
		case len(tt.wantErr) == 0 && err != nil:
			t.Errorf("%s: Learn() = %v; want no error", tt.name, err)
		case len(tt.wantErr) > 0 && err == nil:
			t.Errorf("%s: Learn() = nil; want an error", tt.name)
		}
		for _, want := range tt.wantErr {
			if err != nil && !strings.Contains(err.Error(), want) {
				t.Errorf("%s: Learn() = %v; want it to say %s", tt.name, err, want)
			}
		}
		for _, a := range tt.asks {
			got := m.Best(a.question)
			if l := label(got) + subject(got); l != a.want {
				t.Errorf("%s: Best(%q) = %q (score %.2f); want %q", tt.name, a.question, l, got.Score, a.want)
			}
		}
	}
}

// subject is "/off_topic" for a match refused as out of scope.
func subject(mt Match) string {
	if mt.Kind == Unknown && mt.Subject != "" {
		return "/" + mt.Subject
	}
	return ""
}

// TestLearnConcurrent reads messages while lists are learned: under the
// race detector, and each read with one list or another, never a mix.
func TestLearnConcurrent(t *testing.T) {
	t.Parallel()
	m := load(t)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for v := range 5 {
				topic := []string{"location", "materials"}[(i+v)%2]
				if err := m.Learn(int64(v), []Example{{"where can I park my car", "en", topic}}); err != nil {
					t.Errorf("Learn() = %v", err)
				}
			}
		})
		wg.Go(func() {
			for range 50 {
				if got := m.Best("where can I park my car"); got.Kind == Topic && got.Topic != "location" && got.Topic != "materials" {
					t.Errorf("Best() meanwhile = %+v", got)
				}
			}
		})
	}
	wg.Wait()
	if got := m.Best("where can I park my car"); got.Kind != Topic {
		t.Errorf("Best() after version 4 = %+v; want the topic taught", got)
	}
}

// TestExport checks that what `examdesk faq export` prints goes back into
// knowledge.txt as it says (each section's lines into the topic's section,
// [off_topic] as it is), and that the file then answers as the examples
// taught do.
func TestExport(t *testing.T) {
	t.Parallel()
	export := `# 2 examples added by administrators (examdesk faq export, 2026-12-05 10:30 China time).
# Merge each section's lines into the topic's section of faq/knowledge.txt;
# [off_topic] holds the questions marked out of scope, which the bot should refuse.

[location]
# added 2026-12-05 10:30 by tg:7, asked 3 times
en: where can i park my car

[off_topic]
# added 2026-12-05 10:31 by tg:7, asked 1 times
zh-Hant: 可以帶寵物嗎
`
	sections := map[string]string{}
	var order []string
	cur := ""
	for line := range strings.Lines(export) {
		if strings.HasPrefix(line, "[") {
			cur = strings.TrimSpace(line)
			order = append(order, cur)
			continue
		}
		if cur != "" {
			sections[cur] += line
		}
	}
	merged := knowledgeFile
	for _, h := range order {
		if strings.Contains(merged, "\n"+h+"\n") {
			merged = strings.Replace(merged, "\n"+h+"\n", "\n"+h+"\n"+sections[h], 1)
		} else {
			merged += "\n" + h + "\n" + sections[h]
		}
	}
	m, err := Parse("knowledge.txt", strings.NewReader(merged))
	if err != nil {
		t.Fatalf("Parse(knowledge.txt with the export merged) = %v", err)
	}
	for _, a := range []struct{ question, want string }{
		{"Where can I park my car?", "location"},
		{"可以帶寵物嗎？", "/off_topic"},
		{"照片要多大？", "photo"},
	} {
		if got := m.Best(a.question); label(got)+subject(got) != a.want {
			t.Errorf("Best(%q) = %+v; want %q", a.question, got, a.want)
		}
	}
	if class, ok := m.Example("可以带宠物吗"); !ok || class != OffTopic {
		t.Errorf("Example(可以带宠物吗) = %q, %v; want off_topic", class, ok)
	}
	for _, tt := range []struct {
		name, data, want string
	}{
		{"off topic again", merged + "[off_topic]\nen: what is the weather\n", `[off_topic] again, after line`},
		{"off topic without examples", knowledgeFile + "[off_topic]\n", `[off_topic] has no example`},
		{"a seed off topic", knowledgeFile + "[off_topic]\nseed: 電子商務師\n", `unknown field "seed"`},
	} {
		if _, err := Parse("knowledge.txt", strings.NewReader(tt.data)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s) = %v; want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// TestExampleLang checks the language an example is written under.
func TestExampleLang(t *testing.T) {
	t.Parallel()
	m := load(t)
	for _, tt := range []struct{ text, lang, want string }{
		{"照片要多大", "zh-Hans", "zh-Hans"},
		{"準考證喺邊度攞", "zh-Hans", "zh-Hant"},
		{"准考证在哪里领", "zh-Hant", "zh-Hant"},
		{"how big is the photo", "en", "en"},
	} {
		if got := m.ExampleLang(tt.text, tt.lang); got != tt.want {
			t.Errorf("ExampleLang(%q, %s) = %s; want %s", tt.text, tt.lang, got, tt.want)
		}
	}
}
