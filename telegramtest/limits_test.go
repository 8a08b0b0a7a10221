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
	t.Parallel()
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
	t.Parallel()
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

// TestLimitsTake checks the limits call by call, at the times given.
func TestLimitsTake(t *testing.T) {
	t.Parallel()
	type call struct {
		at   time.Duration // from the start
		chat int64
		paid bool
		want int // retry_after of the 429; 0 for accepted
	}
	tests := []struct {
		name  string
		l     Limits
		calls []call
	}{
		{"a chat's burst, then one a second", Telegram, []call{
			{0, 1, false, 0}, {0, 1, false, 0}, {0, 1, false, 0},
			{0, 1, false, 1},                      // a fourth at once
			{0, 2, false, 0},                      // another chat goes on
			{500 * time.Millisecond, 1, false, 1}, // still told to wait
			{time.Second, 1, false, 0},
			{1500 * time.Millisecond, 1, false, 1},
			{3 * time.Second, 1, false, 0},
			{3 * time.Second, 1, false, 0},         // two seconds refilled two
			{3960 * time.Millisecond, 1, false, 0}, // a little early is tolerated
			{4500 * time.Millisecond, 1, false, 1},
		}},
		{"at least retry_after", Limits{ChatEvery: time.Second, ChatBurst: 1, RetryAfter: 35}, []call{
			{0, 1, false, 0},
			{100 * time.Millisecond, 1, false, 35},
			{10 * time.Second, 1, false, 26}, // the time left
			{10 * time.Second, 2, false, 0},
			{36 * time.Second, 1, false, 0},
		}},
		{"global", Limits{Global: 3}, []call{
			{0, 1, false, 0}, {0, 2, false, 0}, {0, 3, false, 0},
			{0, 4, false, 1},
			{0, 5, true, 0},                       // a paid broadcast has its own limit
			{500 * time.Millisecond, 6, false, 1}, // every chat waits
			{time.Second, 6, false, 0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer("1:tok")
			defer s.Close()
			s.SetLimits(tt.l)
			start := time.Now()
			refused := 0
			for i, c := range tt.calls {
				p := params{"chat_id": strconv.FormatInt(c.chat, 10)}
				if c.paid {
					p["allow_paid_broadcast"] = "true"
				}
				got := 0
				if e := s.limits.take("sendMessage", p, start.Add(c.at)); e != nil {
					if e.code != http.StatusTooManyRequests {
						t.Fatalf("call %d: error %d; want 429", i, e.code)
					}
					got = e.retryAfter
					refused++
				}
				if got != c.want {
					t.Errorf("call %d (chat %d at %v) = retry_after %d; want %d (0: accepted)", i, c.chat, c.at, got, c.want)
				}
			}
			if got := s.TooManyRequests(); got != refused {
				t.Errorf("TooManyRequests() = %d; want %d", got, refused)
			}
		})
	}
}
