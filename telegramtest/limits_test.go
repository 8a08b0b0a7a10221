package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

func TestLimit(t *testing.T) {
	type send struct {
		chat  int64
		paid  bool
		code  int // want
		retry int // want retry_after
	}
	tests := []struct {
		name            string
		global, perChat int
		sends           []send
	}{
		{"off", 0, 0, []send{{1, false, 200, 0}, {1, false, 200, 0}, {1, false, 200, 0}}},
		{"global", 3, 0, []send{{1, false, 200, 0}, {2, false, 200, 0}, {3, false, 200, 0}, {4, false, 429, 1}, {5, true, 200, 0}}},
		{"per chat", 30, 1, []send{{1, false, 200, 0}, {2, false, 200, 0}, {1, false, 429, 1}, {1, true, 429, 1}, {3, false, 200, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer("1:tok")
			defer s.Close()
			s.Limit(tt.global, tt.perChat)
			for i, sd := range tt.sends {
				form := url.Values{"chat_id": {strconv.FormatInt(sd.chat, 10)}, "text": {"hi"}}
				if sd.paid {
					form.Set("allow_paid_broadcast", "true")
				}
				resp, err := http.PostForm(s.URL()+"/bot1:tok/sendMessage", form)
				if err != nil {
					t.Fatal(err)
				}
				var body struct {
					Parameters struct {
						RetryAfter int `json:"retry_after"`
					} `json:"parameters"`
				}
				json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if resp.StatusCode != sd.code || body.Parameters.RetryAfter != sd.retry {
					t.Errorf("send %d to chat %d = %d retry_after %d; want %d retry_after %d", i, sd.chat, resp.StatusCode, body.Parameters.RetryAfter, sd.code, sd.retry)
				}
			}
			want := 0
			for _, sd := range tt.sends {
				if sd.code == 429 {
					want++
				}
			}
			if got := s.TooManyRequests(); got != want {
				t.Errorf("TooManyRequests() = %d; want %d", got, want)
			}
		})
	}
}

func TestLimitWindowSlides(t *testing.T) {
	s := NewServer("1:tok")
	defer s.Close()
	s.Limit(2, 0)
	post := func() int {
		resp, err := http.PostForm(s.URL()+"/bot1:tok/sendMessage", url.Values{"chat_id": {"5"}, "text": {"hi"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if a, b, c := post(), post(), post(); a != 200 || b != 200 || c != 429 {
		t.Fatalf("three sends at once = %d %d %d; want 200 200 429", a, b, c)
	}
	time.Sleep(1050 * time.Millisecond)
	if got := post(); got != 200 {
		t.Errorf("send a second later = %d; want 200", got)
	}
}
