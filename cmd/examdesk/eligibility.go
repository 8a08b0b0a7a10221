package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"examdesk"
	"examdesk/rules"
)

// eligibilityOutput is the JSON contract of `examdesk eligibility`.
type eligibilityOutput struct {
	Highest examdesk.Level      `json:"highest"`
	Levels  []eligibilityResult `json:"levels"`
}

type eligibilityResult struct {
	Level    examdesk.Level `json:"level"`
	Eligible bool           `json:"eligible"`
	Met      []string       `json:"met"`
	Route    rules.Route    `json:"route,omitempty"`
	// Nearest is, for a level not eligible, the condition that time alone
	// fulfils soonest; nil when none does.
	Nearest *nearest `json:"nearest,omitempty"`
}

// nearest says: after Years more years of work in the occupation (every
// count of years growing alike), Condition is met. Years is exact in
// decimal: 0.1, not 0.09999999999999998.
type nearest struct {
	Condition string  `json:"condition"`
	Years     float64 `json:"years"`
}

// runEligibility reads facts JSON from --facts or stdin and prints the
// evaluation as one JSON object. Bad input: exit status 2, one line on
// stderr, nothing on stdout.
func runEligibility(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eligibility", flag.ContinueOnError)
	fs.SetOutput(stderr)
	factsFile := fs.String("facts", "", "facts JSON `file` (default: standard input)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: 2}
	}
	if fs.NArg() > 0 {
		return usageError("eligibility: unexpected argument %q", fs.Arg(0))
	}
	set, err := rules.Load()
	if err != nil {
		return err
	}
	in := stdin
	if *factsFile != "" {
		f, err := os.Open(*factsFile)
		if err != nil {
			return usageError("eligibility: %v", err)
		}
		defer f.Close()
		in = f
	}
	facts, err := rules.DecodeFacts(skipBOM(in))
	if err != nil {
		return usageError("eligibility: %v", err)
	}
	data, err := eligibilityJSON(set, facts)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", data)
	return err
}

// eligibilityJSON is the evaluation of facts as `examdesk eligibility`
// prints it.
func eligibilityJSON(set *rules.Set, facts rules.Facts) ([]byte, error) {
	res := set.Evaluate(facts)
	out := eligibilityOutput{Highest: res.Highest, Levels: make([]eligibilityResult, len(res.Levels))}
	for i, lr := range res.Levels {
		out.Levels[i] = eligibilityResult{Level: lr.Level, Eligible: lr.Eligible, Met: lr.Met, Route: lr.Route}
		if out.Levels[i].Met == nil {
			out.Levels[i].Met = []string{}
		}
		if p := lr.Path; p != nil {
			out.Levels[i].Nearest = &nearest{Condition: p.Condition, Years: p.Years}
		}
	}
	data, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("eligibility: %w", err)
	}
	return data, nil
}

// skipBOM returns r without the UTF-8 byte-order mark some editors write
// at the start of a file.
func skipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if head, err := br.Peek(3); err == nil && string(head) == "\ufeff" {
		br.Discard(3)
	}
	return br
}
