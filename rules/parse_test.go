package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// loadSet loads the embedded conditions or stops the test.
func loadSet(tb testing.TB) *Set {
	tb.Helper()
	s, err := Load()
	if err != nil {
		tb.Fatalf("Load() = %v", err)
	}
	return s
}

func TestLoadConditions(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	// What DOMAIN.md says of each condition: the three properties must
	// follow from the formulas in the data file.
	want := []Condition{
		{ID: "4.1", Level: 4, CountsYears: true},
		{ID: "4.2", Level: 4},
		{ID: "4.3", Level: 4, NeedsTraining: true},
		{ID: "3.1", Level: 3, CountsYears: true},
		{ID: "3.2", Level: 3},
		{ID: "3.3", Level: 3, CountsYears: true, NamesCertificate: true},
		{ID: "3.4", Level: 3, NeedsTraining: true, CountsYears: true, NamesCertificate: true},
		{ID: "3.5", Level: 3},
		{ID: "3.6", Level: 3, CountsYears: true},
		{ID: "3.7", Level: 3, NeedsTraining: true},
		{ID: "2.1", Level: 2, CountsYears: true},
		{ID: "2.2", Level: 2, CountsYears: true, NamesCertificate: true},
		{ID: "2.3", Level: 2, NeedsTraining: true, CountsYears: true, NamesCertificate: true},
		{ID: "2.4", Level: 2, CountsYears: true, NamesCertificate: true},
		{ID: "2.5", Level: 2, NeedsTraining: true, CountsYears: true, NamesCertificate: true},
		{ID: "2.6", Level: 2, NeedsTraining: true, CountsYears: true, NamesCertificate: true},
		{ID: "2.7", Level: 2, CountsYears: true},
		{ID: "1.1", Level: 1, CountsYears: true},
		{ID: "1.2", Level: 1, CountsYears: true, NamesCertificate: true},
		{ID: "1.3", Level: 1, NeedsTraining: true, CountsYears: true, NamesCertificate: true},
		{ID: "1.4", Level: 1},
	}
	if got := s.Conditions(); !slices.Equal(got, want) {
		t.Errorf("Conditions() = %+v; want %+v", got, want)
	}
	for _, c := range want {
		if got, ok := s.Condition(c.ID); !ok || got != c {
			t.Errorf("Condition(%q) = %+v, %v; want %+v, true", c.ID, got, ok, c)
		}
	}
	if got, ok := s.Condition("5.1"); ok {
		t.Errorf("Condition(%q) = %+v, true; want false", "5.1", got)
	}
}

// validHead declares the questions, as the embedded file does; lines 1-10.
const validHead = `ask occupation_years
ask certificate
ask years_since_certificate when certificate != none
ask training.level4
ask training.level3
ask training.level2
ask training.level1
ask education
ask major when education != none
ask years_since_graduation when education != none
`

// validLevels has one condition per level; lines 11-14 after validHead.
const validLevels = `4.1 occupation_years >= 1
3.1 occupation_years >= 6
2.1 occupation_years >= 13
1.1 occupation_years >= 19
`

func TestParseValid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
	}{
		{"minimal", validHead + validLevels},
		{"comments and blank lines", "# head\n\n" + validHead + "  # indented comment\n" + validLevels + "\n"},
		{"tabs and extra spaces", validHead + validLevels + "3.9\tmajor   in  ecommerce , related\t& education = associate\n"},
		{"number with fraction", validHead + validLevels + "3.9 occupation_years >= 2.5\n"},
		{"atom shared between conditions", validHead + validLevels + "3.9 occupation_years >= 6 | training has level3\n"},
		{"ids out of order", validHead + "1.1 occupation_years >= 19\n4.1 occupation_years >= 1\n3.10 occupation_years >= 6\n2.1 occupation_years >= 13\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("test.rules", strings.NewReader(tt.text)); err != nil {
				t.Errorf("Parse() = %v; want no error", err)
			}
		})
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	bad := func(line string) string { return validHead + validLevels + line + "\n" } // the line is line 15
	tests := []struct {
		name, text, want string
	}{
		{"unknown fact", bad("3.9 ocupation_years >= 1"),
			`test.rules:15: condition 3.9: unknown fact "ocupation_years"`},
		{"unknown operator", bad("3.9 occupation_years => 1"),
			`test.rules:15: condition 3.9: unknown operator "=>"`},
		{"operator not for numbers", bad("3.9 occupation_years = 1"),
			`test.rules:15: condition 3.9: operator "=" does not apply to occupation_years (want >=)`},
		{"operator not for training", bad("3.9 training = level3"),
			`test.rules:15: condition 3.9: operator "=" does not apply to training (want has)`},
		{"operator not for choices", bad("3.9 major has ecommerce"),
			`test.rules:15: condition 3.9: operator "has" does not apply to major (want =, != or in)`},
		{"unknown value", bad("3.9 education = phd"),
			`test.rules:15: condition 3.9: unknown value "phd" for education`},
		{"unknown value in list", bad("3.9 major in ecommerce,marketing"),
			`test.rules:15: condition 3.9: unknown value "marketing" for major`},
		{"unknown certificate", bad("3.9 certificate = level5"),
			`test.rules:15: condition 3.9: unknown value "level5" for certificate`},
		{"unknown training level", bad("3.9 training has level5"),
			`test.rules:15: condition 3.9: unknown level "level5"`},
		{"unknown level in id", bad("5.1 occupation_years >= 1"),
			`test.rules:15: unknown level 5 in condition id "5.1"`},
		{"malformed id", bad("3-9 occupation_years >= 1"),
			`test.rules:15: malformed condition id "3-9": want LEVEL.N`},
		{"id with zero", bad("3.0 occupation_years >= 1"),
			`test.rules:15: malformed condition id "3.0": want LEVEL.N`},
		{"duplicate id", bad("3.1 occupation_years >= 7"),
			`test.rules:15: duplicate condition id "3.1" (first on line 12)`},
		{"id alone", bad("3.9"),
			`test.rules:15: malformed line "3.9": want "ask QUESTION [when ATOM]" or "ID FORMULA"`},
		{"atom too short", bad("3.9 occupation_years >="),
			`test.rules:15: condition 3.9: malformed atom "occupation_years >=": want FACT OP VALUE`},
		{"empty clause", bad("3.9 occupation_years >= 6 | | training has level3"),
			`test.rules:15: condition 3.9: empty atom`},
		{"dangling and", bad("3.9 occupation_years >= 6 &"),
			`test.rules:15: condition 3.9: empty atom`},
		{"negative number", bad("3.9 occupation_years >= -1"),
			`test.rules:15: condition 3.9: bad number "-1" for occupation_years: want a number of years ≥ 0`},
		{"not a number", bad("3.9 occupation_years >= six"),
			`test.rules:15: condition 3.9: bad number "six" for occupation_years: want a number of years ≥ 0`},
		{"infinite number", bad("3.9 occupation_years >= Inf"),
			`test.rules:15: condition 3.9: bad number "Inf" for occupation_years: want a number of years ≥ 0`},
		{">= on vocational education", bad("3.9 education >= secondary_vocational"),
			`test.rules:15: condition 3.9: education >= secondary_vocational: >= may only name associate or above (the vocational conditions need exactly that school)`},
		{">= on unordered fact", bad("3.9 major >= related"),
			`test.rules:15: condition 3.9: operator >= does not apply to major: its values are not ordered`},
		{"clause that never holds", bad("3.9 education = bachelor & education >= master"),
			`test.rules:15: condition 3.9: clause 1 can never hold: its atoms on education exclude each other`},
		{"ungated question", bad("3.9 years_since_certificate >= 1"),
			`test.rules:15: condition 3.9 tests years_since_certificate without a test on certificate that fails whenever its gate (line 3) fails`},
		{"gate not implied", bad("3.9 certificate != level1 & years_since_certificate >= 1"),
			`test.rules:15: condition 3.9 tests years_since_certificate without a test on certificate that fails whenever its gate (line 3) fails`},
		{"unknown question", bad("ask training.level5"),
			`test.rules:15: unknown question "training.level5"`},
		{"duplicate question", bad("ask major"),
			`test.rules:15: duplicate question "major" (first asked on line 9)`},
		{"malformed ask", bad("ask major education"),
			`test.rules:15: malformed ask line: want "ask QUESTION [when ATOM]"`},
		{"ask without question", bad("ask"),
			`test.rules:15: malformed ask line: want "ask QUESTION [when ATOM]"`},
		{"gate on a later question", "ask major when education != none\nask education\n" + validLevels,
			`test.rules:1: gate of "major" must be on a question asked on an earlier line, not "education"`},
		{"gate on itself", "ask education when education != none\n" + validLevels,
			`test.rules:1: question "education" gated on itself`},
		{"bad gate", "ask education\nask major when education ~ none\n" + validLevels,
			`test.rules:2: gate of "major": unknown operator "~"`},
		{"question not asked", "ask occupation_years\n" + validLevels + "3.9 education = associate & major = ecommerce\n",
			`test.rules:6: condition 3.9: question "education" is not declared with ask`},
		{"level without condition", validHead + "4.1 occupation_years >= 1\n3.1 occupation_years >= 6\n1.1 occupation_years >= 19\n",
			`test.rules: no condition for level 2`},
		{"empty file", "# nothing\n",
			`test.rules: no condition for level 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("test.rules", strings.NewReader(tt.text))
			if err == nil || err.Error() != tt.want {
				t.Errorf("Parse() = %v, %v; want error %q", s, err, tt.want)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	education := vocabulary()[7].values
	var atoms, thresholds strings.Builder
	atoms.WriteString(validHead + validLevels)
	thresholds.WriteString(validHead + validLevels)
	for i := 1; i <= maxAtoms; i++ {
		var in []string
		for b, v := range education {
			if i&(1<<b) != 0 {
				in = append(in, v)
			}
		}
		fmt.Fprintf(&atoms, "3.%d education in %s\n", i+10, strings.Join(in, ","))
		fmt.Fprintf(&thresholds, "3.%d occupation_years >= %d.5\n", i+10, i)
	}
	tests := []struct {
		name, text, want string
	}{
		{"atoms", atoms.String(), "test.rules:73: too many distinct atoms (at most 64)"},
		{"thresholds", thresholds.String(), `test.rules: question "occupation_years" has more than 63 thresholds`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Parse("test.rules", strings.NewReader(tt.text)); err == nil || err.Error() != tt.want {
				t.Errorf("Parse() = %v; want error %q", err, tt.want)
			}
		})
	}
	readErr := errors.New("disk on fire")
	if _, err := Parse("test.rules", iotest.ErrReader(readErr)); !errors.Is(err, readErr) {
		t.Errorf("Parse(failing reader) = %v; want it to wrap %v", err, readErr)
	}
}
