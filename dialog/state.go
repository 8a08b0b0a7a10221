package dialog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"examdesk"
	"examdesk/rules"
)

// State is everything the bot remembers of one conversation.
type State struct {
	// Version is the store's version of this state, for compare-and-set;
	// it is not part of the encoded record.
	Version int64 `json:"-"`
	// Lang is the user's own /lang choice; empty means "follow what they
	// write" (Talk), or before they write, Telegram's language code.
	Lang string `json:"lang,omitempty"`
	// Talk is the language of the last message the user wrote that shows
	// one (by its script); empty before any.
	Talk string `json:"talk,omitempty"`
	// Step counts the prompts with options sent so far; every option carries
	// the step it was offered at, so an answer to an old prompt is detected.
	Step int64 `json:"step,omitempty"`
	// Check is the eligibility check in progress, nil when there is none.
	Check *Check `json:"check,omitempty"`
	// Choosing is set while the user is picking a language with /lang.
	Choosing bool `json:"choosing,omitempty"`
}

// Check is an eligibility check in progress.
type Check struct {
	// Answers so far.
	Answers rules.Answers `json:"answers"`
	// History lists the answered questions in the order they were answered,
	// so that /back can undo the last one.
	History []rules.Question `json:"history,omitempty"`
	// Asking is the question waiting for an answer; empty once Done.
	Asking rules.Question `json:"asking,omitempty"`
	// Asked is the step at which Asking's options were offered, 0 before
	// they are: its buttons stay good while other messages come between.
	Asked int64 `json:"asked,omitempty"`
	// Done is set when the result has been given; /back reopens the check.
	Done bool `json:"done,omitempty"`
	// FollowUp is set, once the result has been given, while Asking is an
	// optional question after it, one whose answer could bring a level
	// nearer; Done is false meanwhile, and the result stands.
	FollowUp bool `json:"followup,omitempty"`
	// Skipped lists the follow-up questions the candidate chose to skip:
	// they are not asked again in this check.
	Skipped []rules.Question `json:"skipped,omitempty"`
	// Doubt is an answer to Asking that was questioned as unlikely (more
	// than 50 years of work, say): the next answer is taken as given.
	Doubt *rules.Value `json:"doubt,omitempty"`
	// Misses counts the typed messages at Asking that were neither an
	// answer nor a question the bot knows: the first two get an
	// explanation with examples, the next ones the options as buttons.
	Misses int `json:"misses,omitempty"`
	// Readings are the values of the options of a clarifying question
	// (本科 or 碩士?) offered at Asked, so that a typed number picks one.
	Readings []string `json:"readings,omitempty"`
	// Upto holds, for an answer of years read as a range (十多年, 2016年,
	// the option "6 to fewer than 13 years"), the end of the range,
	// excluded: the answer recorded is the range's start, which decides
	// alike, and the candidate's years may be anything up to the end.
	Upto map[rules.Question]float64 `json:"upto,omitempty"`
	// Clashes counts the answers to Asking in a row that contradicted an
	// earlier answer (more years since the certificate than in the
	// occupation): the next one is told differently, and /back goes back
	// to that earlier answer.
	Clashes int `json:"clashes,omitempty"`
}

// Told reports whether the check's result has been given: it is done, or
// asks an optional follow-up after the result (Done is false then). A
// follow-up is not one of the check's questions: counts of the questions
// asked before the result leave it out.
func (ch *Check) Told() bool { return ch != nil && (ch.Done || ch.FollowUp) }

// Schema is the version of the encoded state record. Records of an older
// schema are migrated when they are decoded.
const Schema = 2

type record struct {
	Schema int `json:"schema"`
	State
}

// EncodeState encodes st as a record of the current schema.
func EncodeState(st State) ([]byte, error) {
	return json.Marshal(record{Schema: Schema, State: st})
}

// DecodeState decodes a record written by EncodeState of this or an older
// schema. A record of a newer schema is an error: a newer release wrote it.
func DecodeState(data []byte) (State, error) {
	var head struct {
		Schema int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return State{}, fmt.Errorf("decode state: %w", err)
	}
	switch {
	case head.Schema == 1:
		var err error
		if data, err = migrate1(data); err != nil {
			return State{}, fmt.Errorf("decode state: migrate schema 1: %w", err)
		}
	case head.Schema != Schema:
		return State{}, fmt.Errorf("decode state: unknown schema %d", head.Schema)
	}
	var r record
	if err := json.Unmarshal(data, &r); err != nil {
		return State{}, fmt.Errorf("decode state: %w", err)
	}
	if err := r.State.valid(); err != nil {
		return State{}, fmt.Errorf("decode state: %w", err)
	}
	return r.State, nil
}

// recordV1 is the first schema: it kept the training answers as one list of
// levels, like the facts file of `examdesk eligibility`, where schema 2 asks
// one yes/no question per level.
type recordV1 struct {
	Lang  string `json:"lang,omitempty"`
	Step  int64  `json:"step,omitempty"`
	Check *struct {
		Answers  map[string]rules.Value `json:"answers"`
		Training []string               `json:"training,omitempty"`
		History  []string               `json:"history,omitempty"`
		Asking   string                 `json:"asking"`
	} `json:"check,omitempty"`
}

func migrate1(data []byte) ([]byte, error) {
	var old recordV1
	if err := json.Unmarshal(data, &old); err != nil {
		return nil, err
	}
	st := State{Lang: old.Lang, Step: old.Step}
	if c := old.Check; c != nil {
		st.Check = &Check{Answers: rules.Answers{}, Asking: rules.Question(c.Asking)}
		for q, v := range c.Answers {
			st.Check.Answers[rules.Question(q)] = v
		}
		if _, ok := c.Answers["training"]; ok || c.Training != nil {
			delete(st.Check.Answers, "training")
			for _, l := range []string{"level4", "level3", "level2", "level1"} {
				st.Check.Answers[rules.Question("training."+l)] = rules.Value{Choice: "no"}
			}
			for _, l := range c.Training {
				st.Check.Answers[rules.Question("training."+l)] = rules.Value{Choice: "yes"}
			}
		}
		for _, q := range c.History {
			if q != "training" {
				st.Check.History = append(st.Check.History, rules.Question(q))
				continue
			}
			for _, l := range []string{"level4", "level3", "level2", "level1"} {
				st.Check.History = append(st.Check.History, rules.Question("training."+l))
			}
		}
	}
	return json.Marshal(record{Schema: Schema, State: st})
}

// language is the language the conversation is in before a step: the one
// the user chose with /lang, else the one they last wrote in, else their
// Telegram language code's.
func (st State) language(code string) string {
	switch {
	case st.Lang != "":
		return st.Lang
	case st.Talk != "":
		return st.Talk
	}
	return Language(code)
}

// valid reports whether st is self-consistent. What the rules accept is
// checked by the engine, which knows them.
func (st State) valid() error {
	if st.Lang != "" && !slices.Contains(examdesk.Languages, st.Lang) {
		return fmt.Errorf("unknown language %q", st.Lang)
	}
	if st.Talk != "" && !slices.Contains(examdesk.Languages, st.Talk) {
		return fmt.Errorf("unknown language %q", st.Talk)
	}
	if st.Step < 0 {
		return fmt.Errorf("negative step %d", st.Step)
	}
	if c := st.Check; c != nil {
		if (c.Asking == "") != c.Done {
			return errors.New("check neither asks nor is done")
		}
		if c.FollowUp && c.Done {
			return errors.New("check is done and asks a follow-up")
		}
		if c.Misses < 0 {
			return fmt.Errorf("negative misses %d", c.Misses)
		}
		if c.Clashes < 0 {
			return fmt.Errorf("negative clashes %d", c.Clashes)
		}
		for q, upto := range c.Upto {
			if v, ok := c.Answers[q]; !ok || !(upto > v.Number) {
				return fmt.Errorf("range of years up to %v for %q, answered %v", upto, q, c.Answers[q].Number)
			}
		}
		for _, q := range c.History {
			if _, ok := c.Answers[q]; !ok {
				return fmt.Errorf("history names unanswered question %q", q)
			}
		}
	}
	return nil
}
