package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Facts are everything the eligibility check asks, as in DOMAIN.md.
type Facts struct {
	OccupationYears       float64  `json:"occupation_years"`
	Certificate           string   `json:"certificate"`
	YearsSinceCertificate float64  `json:"years_since_certificate"`
	Training              []string `json:"training"`
	Education             string   `json:"education"`
	Major                 string   `json:"major"`
	YearsSinceGraduation  float64  `json:"years_since_graduation"`
}

// Answers returns the facts as answers to every question. An empty
// certificate or education is "none", an empty major "other", as when
// DecodeFacts finds them missing.
func (f Facts) Answers() Answers {
	a := Answers{
		OccupationYears:       {Number: f.OccupationYears},
		Certificate:           {Choice: cmpOr(f.Certificate, noCertificate)},
		YearsSinceCertificate: {Number: f.YearsSinceCertificate},
		Education:             {Choice: cmpOr(f.Education, noEducation)},
		Major:                 {Choice: cmpOr(f.Major, otherMajor)},
		YearsSinceGraduation:  {Number: f.YearsSinceGraduation},
	}
	for _, l := range trainingLevels() {
		v := no
		if slices.Contains(f.Training, l) {
			v = yes
		}
		a[Question("training."+l)] = Value{Choice: v}
	}
	return a
}

func cmpOr(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

// FieldError is the error DecodeFacts returns for a document it refuses.
type FieldError struct {
	// Field is the JSON field at fault; "" when the fault is the document's
	// (not JSON, not an object, trailing data).
	Field string
	// Reason says what is wrong, e.g. "negative number -1".
	Reason string
}

// Error names the field and the reason in one line.
func (e *FieldError) Error() string {
	if e.Field == "" {
		return "facts: " + e.Reason
	}
	return fmt.Sprintf("facts: field %q: %s", e.Field, e.Reason)
}

// DecodeFacts reads one JSON object of facts, strictly: an unknown or
// repeated field, a value of the wrong type, a negative or non-finite
// number, an unknown value, malformed JSON or data after the object is a
// *FieldError. A missing field is 0, no training, or "none" ("other" for
// the major).
func DecodeFacts(r io.Reader) (Facts, error) {
	f := Facts{Certificate: noCertificate, Education: noEducation, Major: otherMajor}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return Facts{}, malformed(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return Facts{}, &FieldError{Reason: "want a JSON object"}
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Facts{}, malformed(err)
		}
		name, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Facts{}, malformed(err)
		}
		if seen[name] {
			return Facts{}, &FieldError{Field: name, Reason: "given twice"}
		}
		seen[name] = true
		if err := f.set(name, raw); err != nil {
			return Facts{}, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return Facts{}, malformed(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Facts{}, &FieldError{Reason: "trailing data after the object"}
	}
	return f, nil
}

// malformed turns a decoding error into a FieldError, or wraps a read error.
func malformed(err error) error {
	var syntax *json.SyntaxError
	switch {
	case errors.As(err, &syntax):
		return &FieldError{Reason: "malformed JSON: " + syntax.Error()}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &FieldError{Reason: "malformed JSON: unexpected end"}
	}
	return fmt.Errorf("read facts: %w", err)
}

// set decodes one field.
func (f *Facts) set(name string, raw json.RawMessage) error {
	v, err := decodeValue(raw)
	if err != nil {
		return &FieldError{Field: name, Reason: err.Error()}
	}
	var d factDef
	for _, x := range vocabulary() {
		if x.fact == name {
			d = x
		}
	}
	fail := func(format string, args ...any) error {
		return &FieldError{Field: name, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case d.fact == "":
		return fail("unknown field")
	case d.kind == Number:
		n, ok := v.(json.Number)
		if !ok {
			return fail("want a number, got %s", jsonType(v))
		}
		x, err := strconv.ParseFloat(n.String(), 64)
		if err != nil || math.IsInf(x, 0) {
			return fail("number %s out of range", n)
		}
		if x < 0 {
			return fail("negative number %s", n)
		}
		switch d.question {
		case OccupationYears:
			f.OccupationYears = x
		case YearsSinceCertificate:
			f.YearsSinceCertificate = x
		case YearsSinceGraduation:
			f.YearsSinceGraduation = x
		}
	case d.kind == YesNo: // the training list
		list, ok := v.([]any)
		if !ok {
			return fail("want a list of levels, got %s", jsonType(v))
		}
		f.Training = []string{}
		for _, x := range list {
			l, ok := x.(string)
			if !ok {
				return fail("want a list of levels, got %s in it", jsonType(x))
			}
			if !slices.Contains(trainingLevels(), l) {
				return fail("unknown level %q (want %s)", l, strings.Join(trainingLevels(), ", "))
			}
			if slices.Contains(f.Training, l) {
				return fail("level %q listed twice", l)
			}
			f.Training = append(f.Training, l)
		}
	default:
		s, ok := v.(string)
		if !ok {
			return fail("want a string, got %s", jsonType(v))
		}
		if slices.Index(d.values, s) < 0 {
			return fail("unknown value %q (want %s)", s, strings.Join(d.values, ", "))
		}
		switch d.question {
		case Certificate:
			f.Certificate = s
		case Education:
			f.Education = s
		case Major:
			f.Major = s
		}
	}
	return nil
}

func decodeValue(raw json.RawMessage) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonType names the JSON type of a decoded value.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "a list"
	}
	return "an object"
}
