package rules

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestDecodeFacts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     Facts
	}{
		{"every field", `{"occupation_years": 7.5, "certificate": "level4", "years_since_certificate": 4,
			"training": ["level3", "level4"], "education": "bachelor", "major": "related", "years_since_graduation": 9}`,
			Facts{OccupationYears: 7.5, Certificate: "level4", YearsSinceCertificate: 4, Training: []string{"level3", "level4"},
				Education: "bachelor", Major: "related", YearsSinceGraduation: 9}},
		{"missing fields", `{}`, Facts{Certificate: "none", Education: "none", Major: "other"}},
		{"empty training", `{"training": []}`, Facts{Certificate: "none", Training: []string{}, Education: "none", Major: "other"}},
		{"surrounding space", " \n{\"occupation_years\": 0}\n\n", Facts{Certificate: "none", Education: "none", Major: "other"}},
		{"exponent", `{"occupation_years": 1e1}`, Facts{OccupationYears: 10, Certificate: "none", Education: "none", Major: "other"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeFacts(strings.NewReader(tt.in))
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("DecodeFacts(%s) = %+v, %v; want %+v, nil", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestDecodeFactsInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		field    string // "" when the fault is the document's
		want     string
		prefix   bool // want is a prefix: the rest is encoding/json's wording
	}{
		{"unknown field", `{"ocupation_years": 3}`, "ocupation_years",
			`facts: field "ocupation_years": unknown field`, false},
		{"wrong type: string for number", `{"occupation_years": "3"}`, "occupation_years",
			`facts: field "occupation_years": want a number, got a string`, false},
		{"wrong type: number for choice", `{"education": 4}`, "education",
			`facts: field "education": want a string, got a number`, false},
		{"wrong type: null", `{"major": null}`, "major",
			`facts: field "major": want a string, got null`, false},
		{"wrong type: string for list", `{"training": "level4"}`, "training",
			`facts: field "training": want a list of levels, got a string`, false},
		{"wrong type in list", `{"training": ["level4", 3]}`, "training",
			`facts: field "training": want a list of levels, got a number in it`, false},
		{"negative number", `{"years_since_certificate": -1}`, "years_since_certificate",
			`facts: field "years_since_certificate": negative number -1`, false},
		{"number out of range", `{"years_since_graduation": 1e999}`, "years_since_graduation",
			`facts: field "years_since_graduation": number 1e999 out of range`, false},
		{"unknown value", `{"education": "phd"}`, "education",
			`facts: field "education": unknown value "phd" (want none, secondary_vocational, advanced_vocational, associate, bachelor, master, doctorate)`, false},
		{"unknown certificate", `{"certificate": "level5"}`, "certificate",
			`facts: field "certificate": unknown value "level5" (want none, level4, level3, level2, level1)`, false},
		{"unknown level", `{"training": ["level5"]}`, "training",
			`facts: field "training": unknown level "level5" (want level4, level3, level2, level1)`, false},
		{"level twice", `{"training": ["level4", "level4"]}`, "training",
			`facts: field "training": level "level4" listed twice`, false},
		{"field twice", `{"major": "other", "major": "ecommerce"}`, "major",
			`facts: field "major": given twice`, false},
		{"trailing data", `{"major": "other"} {}`, "",
			`facts: trailing data after the object`, false},
		{"trailing garbage", `{"major": "other"}x`, "",
			`facts: trailing data after the object`, false},
		{"not an object", `["level4"]`, "",
			`facts: want a JSON object`, false},
		{"empty", ``, "",
			`facts: malformed JSON: unexpected end`, false},
		{"truncated", `{"major": "other"`, "",
			`facts: malformed JSON: unexpected end`, false},
		{"malformed", `{"major" "other"}`, "",
			`facts: malformed JSON: `, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFacts(strings.NewReader(tt.in))
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("DecodeFacts(%s) = %v; want a *FieldError", tt.in, err)
			}
			msg := err.Error()
			if tt.prefix && strings.HasPrefix(msg, tt.want) {
				msg = tt.want
			}
			if fe.Field != tt.field || msg != tt.want || strings.Contains(err.Error(), "\n") {
				t.Errorf("DecodeFacts(%s) = field %q, %q; want field %q, %q", tt.in, fe.Field, err, tt.field, tt.want)
			}
		})
	}
}

func TestDecodeFactsReadError(t *testing.T) {
	t.Parallel()
	readErr := errors.New("connection reset")
	_, err := DecodeFacts(iotest.ErrReader(readErr))
	var fe *FieldError
	if !errors.Is(err, readErr) || errors.As(err, &fe) {
		t.Errorf("DecodeFacts(failing reader) = %v; want it to wrap %v, not a *FieldError", err, readErr)
	}
}

func TestFactsAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    Facts
		want Answers
	}{
		{"zero facts", Facts{}, Answers{
			OccupationYears: {}, Certificate: {Choice: "none"}, YearsSinceCertificate: {},
			TrainingLevel4: {Choice: "no"}, TrainingLevel3: {Choice: "no"}, TrainingLevel2: {Choice: "no"}, TrainingLevel1: {Choice: "no"},
			Education: {Choice: "none"}, Major: {Choice: "other"}, YearsSinceGraduation: {},
		}},
		{"every fact", Facts{OccupationYears: 3, Certificate: "level3", YearsSinceCertificate: 2, Training: []string{"level2", "level4"},
			Education: "master", Major: "ecommerce", YearsSinceGraduation: 1}, Answers{
			OccupationYears: {Number: 3}, Certificate: {Choice: "level3"}, YearsSinceCertificate: {Number: 2},
			TrainingLevel4: {Choice: "yes"}, TrainingLevel3: {Choice: "no"}, TrainingLevel2: {Choice: "yes"}, TrainingLevel1: {Choice: "no"},
			Education: {Choice: "master"}, Major: {Choice: "ecommerce"}, YearsSinceGraduation: {Number: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.f.Answers(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%+v.Answers() = %v; want %v", tt.f, got, tt.want)
			}
		})
	}
}
