package dashboard_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"examdesk/stats"
)

// themes are Telegram's theme parameters, as its apps pass them.
var themes = map[string]map[string]string{
	"light": {"bg_color": "#ffffff", "text_color": "#000000", "hint_color": "#707579", "link_color": "#3390ec",
		"button_color": "#3390ec", "button_text_color": "#ffffff", "secondary_bg_color": "#f4f4f5", "destructive_text_color": "#df3f40"},
	"dark": {"bg_color": "#212121", "text_color": "#ffffff", "hint_color": "#aaaaaa", "link_color": "#8774e1",
		"button_color": "#8774e1", "button_text_color": "#ffffff", "secondary_bg_color": "#0f0f0f", "destructive_text_color": "#ff595a"},
}

// chromium finds Debian's Chromium; the test needs it (.ci/run installs
// it).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no Chromium for the dashboard's browser test: apt-get install -y chromium fonts-wqy-microhei (.ci/run does), or set CHROMIUM")
	return ""
}

// browser starts a headless Chromium for the test, with a profile of its
// own, that reaches nothing but this machine: Telegram's script is not
// there, as in a plain browser.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844),
	)
	// A guard against a browser that hangs, not a measure of speed.
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return bctx
}

// dashboardURL is the address Telegram opens the Mini App at: the page,
// with initData and the theme in the fragment.
func dashboardURL(base, lang, init, theme string) string {
	th, _ := json.Marshal(themes[theme])
	frag := url.Values{"tgWebAppData": {init}, "tgWebAppVersion": {"8.0"}, "tgWebAppPlatform": {"android"}, "tgWebAppThemeParams": {string(th)}}
	u := base + "/admin/"
	if lang != "" {
		u += "?lang=" + lang
	}
	return u + "#" + frag.Encode()
}

// screenshot saves the page as a PNG in $EXAMDESK_SCREENSHOTS (the
// README's are made so), or in the test's folder.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("EXAMDESK_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowser opens the dashboard in Chromium as Telegram would: an
// administrator sees the charts and the lists in their language and theme,
// and teaches a question; forged, expired and non-administrator initData
// are refused.
func TestBrowser(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	bctx := browser(t)
	tab := func(t *testing.T) context.Context {
		ctx, cancel := chromedp.NewContext(bctx)
		t.Cleanup(cancel)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))); err != nil {
			t.Fatal(err)
		}
		return ctx
	}
	text := func(t *testing.T, ctx context.Context, sel string) string {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
			t.Fatalf("wait for %s: %v", sel, err)
		}
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	count := func(t *testing.T, ctx context.Context, sel string) int {
		t.Helper()
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+jsString(sel)+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	t.Run("administrator, zh-Hant, light", func(t *testing.T) {
		ctx := tab(t)
		init := initData(adminID, "zh-hant", time.Now())
		if err := chromedp.Do(ctx, chromedp.Navigate(dashboardURL(srv.URL, "zh-Hant", init, "light")), chromedp.WaitVisible(chromedp.CSS("#chart-topics svg.chart"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "#chart-users h2"); got != "每日用戶" {
			t.Errorf("users chart's title = %q; want 每日用戶", got)
		}
		if n := count(t, ctx, "svg.chart"); n != 5 {
			t.Errorf("%d charts; want 5", n)
		}
		bg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		if bg != "rgb(255, 255, 255)" {
			t.Errorf("background %s; want the light theme's white", bg)
		}
		rep, _ := f.store.Report(t.Context(), 30, time.Now())
		if got, want := text(t, ctx, "#total-messages"), itoa(rep.Total().Messages); got != want {
			t.Errorf("messages card = %s; want %s", got, want)
		}
		screenshot(t, ctx, "overview-zh-Hant-light")

		// Teach: the most asked question gets a topic.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tabs button[data-page="unanswered"]`)), chromedp.WaitVisible(chromedp.CSS("ol.unanswered li"))); err != nil {
			t.Fatal(err)
		}
		first := text(t, ctx, "ol.unanswered li:first-child q")
		screenshot(t, ctx, "unanswered-zh-Hant-light")
		if err := chromedp.Do(ctx,
			chromedp.SetValue(chromedp.CSS("ol.unanswered li:first-child select"), "photo"),
			chromedp.Click(chromedp.CSS("ol.unanswered li:first-child button.assign")),
			chromedp.WaitVisible(chromedp.CSS(".notice")),
		); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, ".notice"); !strings.Contains(got, "已教：「"+first+"」現在會以「照片」回答") {
			t.Errorf("notice = %q; want 已教 %s 照片", got, first)
		}
		exs, _, _ := f.store.Examples(t.Context())
		if len(exs) != 1 || exs[0].Text != first || exs[0].Topic != "photo" || exs[0].By != "tg:4242" {
			t.Errorf("Examples() = %+v; want %s → photo by tg:4242", exs, first)
		}

		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tabs button[data-page="broadcasts"]`)), chromedp.WaitVisible(chromedp.CSS("ul.broadcasts li"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "ul.broadcasts li:first-child .counts"); got != "已發送 80／120 · 被封鎖 3 · 失敗 1 · 尚餘 36" {
			t.Errorf("first broadcast's counts = %q", got)
		}
		screenshot(t, ctx, "broadcasts-zh-Hant-light")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tabs button[data-page="calendar"]`)), chromedp.WaitVisible(chromedp.CSS("article.session"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, "article.session dl"); !strings.Contains(got, "領取准考證") {
			t.Errorf("calendar = %q; want the admission tickets' window", got)
		}
		screenshot(t, ctx, "calendar-zh-Hant-light")
	})

	t.Run("administrator, en, dark, 90 days", func(t *testing.T) {
		ctx := tab(t)
		init := initData(adminID, "en", time.Now())
		if err := chromedp.Do(ctx,
			chromedp.Navigate(dashboardURL(srv.URL, "", init, "dark")),
			chromedp.WaitVisible(chromedp.CSS("#chart-users svg.chart")),
			chromedp.Click(chromedp.CSS(`#period button[data-days="90"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#period button[data-days="90"][aria-pressed="true"]`)),
		); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#chart-users svg g").length === 90`)); err != nil {
			t.Fatalf("90 days of users: %v", err)
		}
		bg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
		title := text(t, ctx, "#chart-funnel h2")
		if bg != "rgb(33, 33, 33)" || title != "The check, question by question" {
			t.Errorf("background %s, funnel %q; want the dark theme's rgb(33, 33, 33) and English", bg, title)
		}
		screenshot(t, ctx, "overview-en-dark")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#tabs button[data-page="unanswered"]`)), chromedp.WaitVisible(chromedp.CSS("ol.unanswered li"))); err != nil {
			t.Fatal(err)
		}
		before := count(t, ctx, "ol.unanswered li")
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("ol.unanswered li:first-child button.dismiss")), chromedp.WaitVisible(chromedp.CSS(".notice"))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, ".notice"); !strings.HasPrefix(got, "Marked out of scope") || count(t, ctx, "ol.unanswered li") != before-1 {
			t.Errorf("after Out of scope: notice %q, %d questions; want %d", got, count(t, ctx, "ol.unanswered li"), before-1)
		}
		screenshot(t, ctx, "unanswered-en-dark")
	})

	refusals := []struct {
		name, init, want string
	}{
		{"forged", strings.Replace(initData(adminID, "en", time.Now()), "4242", "4243", 1), "opens from the Dashboard button"},
		{"expired", initData(adminID, "en", time.Now().Add(-2*time.Hour)), "has expired"},
		{"not an administrator", initData(otherID, "en", time.Now()), "Only the testing centre's administrators"},
		{"no initData", "", "opens from the Dashboard button"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tab(t)
			if err := chromedp.Do(ctx, chromedp.Navigate(dashboardURL(srv.URL, "", tt.init, "light")), chromedp.WaitVisible(chromedp.CSS("#status.error"))); err != nil {
				t.Fatal(err)
			}
			if got := text(t, ctx, "#status"); !strings.Contains(got, tt.want) {
				t.Errorf("status = %q; want %q", got, tt.want)
			}
			if n := count(t, ctx, "svg.chart") + count(t, ctx, "#tabs:not([hidden])"); n != 0 {
				t.Errorf("%d charts or tabs shown to a refused user", n)
			}
			if tt.name == "not an administrator" {
				screenshot(t, ctx, "refused-en")
			}
		})
	}
	if exs, _, _ := f.store.Examples(t.Context()); len(exs) != 2 || exs[1].Topic != stats.OffTopic {
		t.Errorf("Examples() at the end = %+v; want the photo one and the out-of-scope one", exs)
	}
}

func jsString(s string) string { b, _ := json.Marshal(s); return string(b) }

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
