package dialog

import (
	"math"
	"strings"
	"testing"
)

func TestParseYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want float64
	}{
		// Digits.
		{"3", 3},
		{"0", 0},
		{"03", 3},
		{"003", 3},
		{"3.125", 3.125},
		{"3.5", 3.5},
		{"0.5", 0.5},
		{"100", 100},
		{"３", 3},
		{"１３", 13},
		{"３．５", 3.5},
		{"  3  ", 3},
		{"\u30003\u3000", 3},
		{"\t3\n", 3},
		{"3.", 3},
		{"3。", 3},
		{"3年。", 3},
		{"3!", 3},
		{"３.５.", 3.5},
		// Units of years.
		{"3年", 3},
		{"3 年", 3},
		{"3.5年", 3.5},
		{"３年", 3},
		{"3 years", 3},
		{"3 Years", 3},
		{"3 YEARS", 3},
		{"3years", 3},
		{"1 year", 1},
		{"3 yrs", 3},
		{"3 yr", 3},
		{"3y", 3},
		{"3.5 years", 3.5},
		{"3 years.", 3},
		// Chinese numerals.
		{"三", 3},
		{"三年", 3},
		{"十", 10},
		{"十年", 10},
		{"十三", 13},
		{"十三年", 13},
		{"二十", 20},
		{"二十年", 20},
		{"二十一", 21},
		{"一十三", 13},
		{"廿", 20},
		{"廿一年", 21},
		{"九十九", 99},
		{"一百", 100},
		{"百", 100},
		{"兩年", 2},
		{"两年", 2},
		{"二年", 2},
		{"三點五年", 3.5},
		{"三点五", 3.5},
		{"兩點五年", 2.5},
		{"二點二五", 2.25},
		// Halves.
		{"半年", 0.5},
		{"一年半", 1.5},
		{"兩年半", 2.5},
		{"两年半", 2.5},
		{"3年半", 3.5},
		{"十三年半", 13.5},
		{"half a year", 0.5},
		{"half year", 0.5},
		{"a half year", 0.5},
		{"a year and a half", 1.5},
		{"one year and a half", 1.5},
		{"one and a half years", 1.5},
		{"two and a half", 2.5},
		{"two and a half years", 2.5},
		{"2 and a half years", 2.5},
		{"two and half years", 2.5},
		// English numbers.
		{"one", 1},
		{"three", 3},
		{"three years", 3},
		{"Three Years", 3},
		{"thirteen", 13},
		{"thirteen years", 13},
		{"twenty", 20},
		{"twenty one", 21},
		{"twenty-one", 21},
		{"twenty-one years", 21},
		{"ninety nine", 99},
		{"a year", 1},
		{"an year", 1},
		{"one hundred", 100},
		{"a hundred years", 100},
		// Months.
		{"6個月", 0.5},
		{"6个月", 0.5},
		{"六個月", 0.5},
		{"十八個月", 1.5},
		{"18 months", 1.5},
		{"6 months", 0.5},
		{"six months", 0.5},
		{"1 month", 1.0 / 12},
		{"a month", 1.0 / 12},
		{"3 mos", 0.25},
		{"半個月", 0.5 / 12},
		{"三個半月", 3.5 / 12},
		{"三個多月", 0.25},
		{"a month and a half", 1.5 / 12},
		{"half a month", 0.5 / 12},
		{"1200 months", 100},
		// Years and months.
		{"3年6個月", 3.5},
		{"3年6个月", 3.5},
		{"三年六個月", 3.5},
		{"兩年零三個月", 2.25},
		{"两年零三个月", 2.25},
		{"2年零3個月", 2.25},
		{"一年又六個月", 1.5},
		{"2 years 6 months", 2.5},
		{"2 years and 6 months", 2.5},
		{"2 years, 6 months", 2.5},
		{"two years and three months", 2.25},
		{"a year and a month", 1 + 1.0/12},
		// Zero.
		{"零", 0},
		{"〇", 0},
		{"零年", 0},
		{"zero", 0},
		{"Zero", 0},
		{"zero years", 0},
		{"0年", 0},
		{"0 years", 0},
		{"none", 0},
		{"None", 0},
		{"無", 0},
		{"无", 0},
		// Hedges.
		{"約3年", 3},
		{"约3年", 3},
		{"大約3年", 3},
		{"大约三年", 3},
		{"大概3年", 3},
		{"大概有3年", 3},
		{"大概有3年多吧", 3},
		{"差不多三年", 3},
		{"有3年", 3},
		{"已經3年了", 3},
		{"已经三年了", 3},
		{"3年了", 3},
		{"3年吧", 3},
		{"3年多", 3},
		{"三年多", 3},
		{"一年多", 1},
		{"3年多了", 3},
		{"十多年", 10},
		{"二十多年", 20},
		{"十多", 10},
		{"3年以上", 3},
		{"三年左右", 3},
		{"超過3年", 3},
		{"至少3年", 3},
		{"3年至少", 3},
		{"~3", 3},
		{"～3年", 3},
		{"about 3", 3},
		{"about 3 years", 3},
		{"About three years", 3},
		{"around 3", 3},
		{"roughly 3 years", 3},
		{"approximately 3.5 years", 3.5},
		{"approx 3", 3},
		{"over 3 years", 3},
		{"more than 3 years", 3},
		{"at least 3 years", 3},
		{"3 years at least", 3},
		{"3 years or so", 3},
		{"3 years or more", 3},
		{"3+", 3},
		{"3+ years", 3},
		{"3 years plus", 3},
		{"3ish", 3},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := ParseYears(tt.in)
			if !ok || math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("ParseYears(%q) = %v, %v; want %v, true", tt.in, got, ok, tt.want)
			}
		})
	}
}

func TestParseYearsRange(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		lo, hi float64
	}{
		{"3", 3, 3},
		{"3年", 3, 3},
		{"3年多", 3, 4},
		{"3+ years", 3, 4},
		{"3 years+", 3, 4},
		{"十多年", 10, 20},
		{"十幾年", 10, 20},
		{"十几年", 10, 20},
		{"二十多年", 20, 30},
		{"十多", 10, 20},
		{"兩年多", 2, 3},
		{"三個多月", 0.25, 1.0 / 3},
		{"半年", 0.5, 0.5},
		{"3年以上", 3, 3},
		{"at least 3 years", 3, 3},
		{"約3年", 3, 3},
		{"3年6個月", 3.5, 3.5},
		{"none", 0, 0},
	}
	for _, tt := range tests {
		lo, hi, ok := ParseYearsRange(tt.in)
		if !ok || math.Abs(lo-tt.lo) > 1e-9 || math.Abs(hi-tt.hi) > 1e-9 {
			t.Errorf("ParseYearsRange(%q) = %v, %v, %v; want %v, %v, true", tt.in, lo, hi, ok, tt.lo, tt.hi)
		}
	}
}

func TestParseYearsRefuses(t *testing.T) {
	t.Parallel()
	tests := []string{
		// Nothing, or no number.
		"", " ", "　", ".", "。", "?", "years", "年", "個月", "a", "an", "half", "半", "and",
		"about", "大概", "多", "hundred", "hello", "abc", "三個", "3個", "a year a",
		// Words that answer a yes/no question, or say less than.
		"no", "No", "沒有", "没有", "没", "never", "nil", "n/a",
		"almost 3", "nearly 3 years", "將近3年", "将近3年", "快3年", "不到3年", "less than 3", "under 3",
		// Not a plain number.
		"-3", "-1", "+3", "−3", "3,5", "3，5", "1/2", "1 / 2", "3-5", "3 - 5", "3到5年", "3至5年",
		"3~5", "three to five", "三五年", "二〇", "幾年", "几年", "some years", "3幾年", "幾十年",
		"3.5.5", ".5", "3 .5", "3. 5", "1e2", "0x10", "NaN", "nan", "Inf", "inf", "Infinity",
		"٣", "3 3", "3 三", "3十", "two three", "one twenty", "thirteen one",
		"twenty ten", "ten hundred", "zero hundred", "3多年", "3多", "3.5多年", "三多年",
		"十兩", "兩十", "二十兩", "三十二十", "零三", "一百零一", "一百一十", "兩百", "三點", "三點點五",
		"3點5", "3年半半", "半年半", "3.5年半", "two and a half and a half", "half and a half years",
		"3年又", "3年零", "3年,", "3年6月", "6月", "六月", "3月", "1 year 13 months", "1年12個月",
		"1.5 years 6 months", "一年半六個月", "3 months 2 years", "3年3年", "3 years 3 years",
		"3 years about", "3年有", "3 or", "at", "more", "3 at most", "3++", "+", "3+多", "3年多多", "3+ years+", "三個多月多", "about about about 3",
		"3 years or so or so or so", "at most 3", "3 years or less",
		"3?", "3年？", "three years!?", "約", "有", "none years", "about none", "無年", "zero none",
		// Out of range.
		"101", "100.5", "1000", "2019", "一百五十", "一百零一年", "two hundred", "1201 months",
		"99999999999999999999", "00003", "10000", "1000", "100年半",
		// Too long to be a number of years.
		strings.Repeat(" ", 200) + "3",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			if got, ok := ParseYears(in); ok {
				t.Errorf("ParseYears(%q) = %v, true; want false", in, got)
			}
		})
	}
}

func FuzzParseYears(f *testing.F) {
	for _, s := range []string{
		"3", "3.5", "３", "3年", "3 years", "三年", "十三", "兩年半", "半年", "twenty one",
		"two and a half", "約3年", "3年多", "6個月", "3年6個月", "兩年零三個月", "none", "3,5", "-3",
		"a year and a half", "1200 months", "十多年", "三點五", "more than 3 years",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseYears(s)
		if lo, hi, rok := ParseYearsRange(s); rok != ok || ok && (lo != v || hi < lo || hi > lo+10) {
			t.Errorf("ParseYearsRange(%q) = %v, %v, %v; want %v, at most 10 more, %v as ParseYears", s, lo, hi, rok, v, ok)
		}
		if !ok {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 || v > 100 {
			t.Errorf("ParseYears(%q) = %v, true; want a finite value in [0, 100]", s, v)
		}
		// An accepted input is accepted again with spaces around it.
		if w, ok := ParseYears(" " + s + " "); len(s) < maxYearsInput-2 && (!ok || w != v) {
			t.Errorf("ParseYears(%q) = %v, %v; want %v, true as for %q", " "+s+" ", w, ok, v, s)
		}
	})
}
