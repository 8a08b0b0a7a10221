package dashboard

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MaxAge is how long after Telegram signed it an initData is taken.
const MaxAge = time.Hour

// skew is how far in the future an auth_date may be: the clocks of
// Telegram and of this machine may differ a little.
const skew = 5 * time.Minute

// Errors of Verify; each is a 401.
var (
	ErrNoInitData = errors.New("dashboard: no initData")
	ErrForged     = errors.New("dashboard: initData is not signed with the bot's token")
	ErrExpired    = errors.New("dashboard: initData is too old")
	ErrMalformed  = errors.New("dashboard: initData does not read")
)

// User is the Telegram user a Mini App was opened by.
type User struct {
	ID           int64  `json:"id"`
	FirstName    string `json:"first_name"`
	LastName     string `json:"last_name,omitempty"`
	Username     string `json:"username,omitempty"`
	LanguageCode string `json:"language_code,omitempty"`
}

// InitData is what Telegram passes a Mini App, verified.
type InitData struct {
	User     User
	AuthDate time.Time
}

// secret is the key the data-check string is signed with:
// HMAC-SHA256 of the bot's token with the key "WebAppData".
func secret(token string) []byte {
	m := hmac.New(sha256.New, []byte("WebAppData"))
	m.Write([]byte(token))
	return m.Sum(nil)
}

// checkString is the data-check string of fields: every field but hash,
// sorted by name, as name=value lines.
func checkString(fields url.Values) string {
	lines := make([]string, 0, len(fields))
	for name, vs := range fields {
		if name == "hash" {
			continue
		}
		lines = append(lines, name+"="+vs[0])
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// Verify checks raw, a Mini App's initData (a URL query string), as
// Telegram's documentation says: its hash must be the HMAC-SHA256 of the
// data-check string with the key secret(token), compared in constant time,
// and its auth_date no older than MaxAge at now. Every field is decoded
// once, and must appear once. It returns the user the app was opened by.
func Verify(raw, token string, now time.Time) (InitData, error) {
	if strings.TrimSpace(raw) == "" {
		return InitData{}, ErrNoInitData
	}
	fields, err := url.ParseQuery(raw)
	if err != nil {
		return InitData{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	for name, vs := range fields {
		if len(vs) != 1 {
			return InitData{}, fmt.Errorf("%w: %s appears %d times", ErrMalformed, name, len(vs))
		}
	}
	got, err := hex.DecodeString(fields.Get("hash"))
	if err != nil || len(got) != sha256.Size {
		return InitData{}, fmt.Errorf("%w: hash is not a SHA-256 in hex", ErrForged)
	}
	m := hmac.New(sha256.New, secret(token))
	m.Write([]byte(checkString(fields)))
	if !hmac.Equal(got, m.Sum(nil)) {
		return InitData{}, ErrForged
	}
	secs, err := strconv.ParseInt(fields.Get("auth_date"), 10, 64)
	if err != nil || secs <= 0 {
		return InitData{}, fmt.Errorf("%w: auth_date %q", ErrMalformed, fields.Get("auth_date"))
	}
	d := InitData{AuthDate: time.Unix(secs, 0)}
	if age := now.Sub(d.AuthDate); age > MaxAge || age < -skew {
		return InitData{}, fmt.Errorf("%w: signed %v ago", ErrExpired, age.Round(time.Second))
	}
	if err := json.Unmarshal([]byte(fields.Get("user")), &d.User); err != nil || d.User.ID <= 0 {
		return InitData{}, fmt.Errorf("%w: no user", ErrMalformed)
	}
	return d, nil
}

// Sign returns fields as an initData signed with token, the way Telegram
// signs it for a Mini App of that bot: for tests and tools that open the
// dashboard without Telegram.
func Sign(fields url.Values, token string) string {
	m := hmac.New(sha256.New, secret(token))
	m.Write([]byte(checkString(fields)))
	signed := url.Values{}
	for name, vs := range fields {
		if name != "hash" {
			signed[name] = vs[:1]
		}
	}
	signed.Set("hash", hex.EncodeToString(m.Sum(nil)))
	return signed.Encode()
}

// SignUser returns an initData of user signed with token at authDate.
func SignUser(user User, authDate time.Time, token string) string {
	u, _ := json.Marshal(user)
	return Sign(url.Values{
		"auth_date": {strconv.FormatInt(authDate.Unix(), 10)},
		"query_id":  {"AAH" + strconv.FormatInt(user.ID, 36)},
		"user":      {string(u)},
	}, token)
}
