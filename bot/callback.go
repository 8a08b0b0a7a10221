package bot

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"examdesk/dialog"
)

// EncodeCallback returns the callback data of an option offered at step
// with value: "<step>|<value>". It fits MaxCallbackData for any step up to
// 10^15 and any value up to 47 bytes; the dialog's values are at most 24.
func EncodeCallback(step int64, value string) string {
	return strconv.FormatInt(step, 10) + "|" + value
}

// DecodeCallback reads callback data made by EncodeCallback. It reports
// false for anything else: too long, not UTF-8, a step that is not a
// non-negative decimal number written as EncodeCallback writes it, or an
// empty value.
func DecodeCallback(data string) (dialog.Pick, bool) {
	if len(data) > MaxCallbackData || !utf8.ValidString(data) {
		return dialog.Pick{}, false
	}
	digits, value, ok := strings.Cut(data, "|")
	if !ok || value == "" || digits == "" || len(digits) > 19 {
		return dialog.Pick{}, false
	}
	if digits[0] == '0' && len(digits) > 1 {
		return dialog.Pick{}, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return dialog.Pick{}, false
		}
	}
	step, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return dialog.Pick{}, false
	}
	return dialog.Pick{Value: value, Step: step}, true
}
