package rules

import (
	"slices"
	"testing"
)

func TestBounds(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	tests := []struct {
		q    Question
		want []float64
	}{
		{OccupationYears, []float64{1, 2, 6, 13, 19}},
		{YearsSinceCertificate, []float64{3, 4, 5}},
		{YearsSinceGraduation, []float64{8, 13}},
		{Education, nil},
		{"nonsense", nil},
	}
	for _, tt := range tests {
		if got := s.Bounds(tt.q); !slices.Equal(got, tt.want) {
			t.Errorf("Bounds(%s) = %v; want %v", tt.q, got, tt.want)
		}
	}
}

func TestAlike(t *testing.T) {
	t.Parallel()
	s := loadSet(t)
	choice := func(c string) Value { return Value{Choice: c} }
	years := func(n float64) Value { return Value{Number: n} }
	tests := []struct {
		name string
		a    Answers
		q    Question
		v, w Value
		want bool
	}{
		// Related and other differ only at an advanced vocational school
		// (condition 3.2).
		{"major at a university", Answers{Education: choice("bachelor")}, Major, choice("related"), choice("other"), true},
		{"major at an advanced vocational school", Answers{Education: choice("advanced_vocational")}, Major, choice("related"), choice("other"), false},
		{"major e-commerce or not", Answers{Education: choice("bachelor")}, Major, choice("ecommerce"), choice("other"), false},
		{"same value", Answers{}, Major, choice("other"), choice("other"), true},
		{"years on one side of every bound", Answers{}, OccupationYears, years(2), years(5.5), true},
		{"years across a bound", Answers{}, OccupationYears, years(12), years(13), false},
		// Years since graduation count only for a bachelor's degree or
		// more (condition 1.4).
		{"graduation years, no degree", Answers{Education: choice("associate")}, YearsSinceGraduation, years(7), years(9), true},
		{"graduation years, a master's", Answers{Education: choice("master")}, YearsSinceGraduation, years(7), years(9), false},
		// The certificate's gate: none or a certificate decides whether
		// years since it are asked.
		{"certificate gate", Answers{}, Certificate, choice("none"), choice("level4"), false},
		{"invalid value", Answers{}, Major, choice("other"), choice("physics"), false},
		{"unknown question", Answers{}, "nonsense", choice("a"), choice("a"), false},
		{"own answer left out", Answers{Major: choice("ecommerce"), Education: choice("bachelor")}, Major, choice("related"), choice("other"), true},
	}
	for _, tt := range tests {
		if got := s.Alike(tt.a, tt.q, tt.v, tt.w); got != tt.want {
			t.Errorf("%s: Alike(%v, %s, %v, %v) = %v; want %v", tt.name, tt.a, tt.q, tt.v, tt.w, got, tt.want)
		}
	}
}
