package dialog_test

import (
	"errors"
	"fmt"
	"html"
	"image"
	"regexp"
	"slices"
	"strings"
	"testing"

	"examdesk"
	"examdesk/dialog"
	"examdesk/locales"
	"examdesk/photo"
	"examdesk/telegramtest"
)

// photoReport returns a report of a 1200 × 1600 picture with one face in
// which the checks named in fail failed with their reasons.
func photoReport(gray bool, fail map[photo.ID]photo.Reason) photo.Report {
	r := photo.Report{
		Width: 1200, Height: 1600,
		Faces:   []photo.Face{{X: 600, Y: 660, Size: 290, Score: 60}},
		Crop:    image.Rect(360, 345, 830, 1030),
		Frame:   image.Rect(360, 345, 830, 1030),
		Framing: photo.Framing{Head: 30.4, Crown: 4.1, Chin: 13.5, Offset: -0.2},
		Gray:    gray,
	}
	for _, id := range photo.IDs {
		reason := fail[id]
		r.Checks = append(r.Checks, photo.Result{ID: id, OK: reason == "", Reason: reason})
		switch reason {
		case photo.ManyFaces:
			r.Faces = append(r.Faces[:1:1], photo.Face{X: 200, Y: 600, Size: 280, Score: 30})
			r.Crop, r.Framing = image.Rectangle{}, photo.Framing{}
		case photo.NoFace:
			r.Faces, r.Crop, r.Framing = nil, image.Rectangle{}, photo.Framing{}
		}
	}
	return r
}

var unrendered = regexp.MustCompile(`photo\.[a-z]|<no value>|\{\{`)

// keysOf lists the message keys of t and of the texts in its arguments.
func keysOf(t dialog.Text) []string {
	keys := []string{t.Key}
	for _, v := range t.Args {
		switch v := v.(type) {
		case dialog.Text:
			keys = append(keys, keysOf(v)...)
		case []dialog.Text:
			for _, t := range v {
				keys = append(keys, keysOf(t)...)
			}
		}
	}
	return keys
}

// checkPhotoText renders t in every language and checks it is complete,
// valid Telegram HTML with every message it names.
func checkPhotoText(t *testing.T, catalog *locales.Catalog, where string, txt dialog.Text) {
	t.Helper()
	for _, k := range keysOf(txt) {
		if !catalog.Has(k) {
			t.Errorf("%s: message %q is missing", where, k)
		}
	}
	for _, lang := range examdesk.Languages {
		s := dialog.Render(catalog, lang, txt, html.EscapeString)
		if err := telegramtest.CheckText(s, "HTML"); err != nil {
			t.Errorf("%s in %s: %v: %q", where, lang, err, s)
		}
		if unrendered.MatchString(s) {
			t.Errorf("%s in %s renders as %q", where, lang, s)
		}
	}
}

// TestPhotoReportEveryReason renders the reply for every way each check
// can fail, from a photo and from a file, in colour and in black and
// white.
func TestPhotoReportEveryReason(t *testing.T) {
	t.Parallel()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range []dialog.PhotoSource{dialog.PhotoAsFile, dialog.PhotoAsPhoto} {
		for _, gray := range []bool{false, true} {
			checkPhotoText(t, catalog, "all passed", dialog.PhotoReport(photoReport(gray, nil), src))
			for _, id := range photo.IDs {
				for _, reason := range photo.Reasons[id] {
					where := fmt.Sprintf("%s %s (source %d, gray %v)", id, reason, src, gray)
					checkPhotoText(t, catalog, where, dialog.PhotoReport(photoReport(gray, map[photo.ID]photo.Reason{id: reason}), src))
				}
			}
		}
	}
}

// TestPhotoReportStructure checks what the reply says of each check: the
// notice's requirements first, the advice apart, the verdict.
func TestPhotoReportStructure(t *testing.T) {
	t.Parallel()
	itemsOf := func(v any) []string {
		var out []string
		for _, item := range v.([]dialog.Text) {
			name := item.Args["Name"].(dialog.Text).Key
			out = append(out, item.Key+" "+strings.TrimPrefix(name, "photo.name.")+" "+item.Args["Text"].(dialog.Text).Key)
		}
		return out
	}
	tests := []struct {
		name          string
		src           dialog.PhotoSource
		gray          bool
		fail          map[photo.ID]photo.Reason
		wantRequired  []string
		wantAdvice    []string
		wantVerdict   string
		wantArgsOfKey map[string]map[string]any
	}{
		{
			name: "all passed",
			wantRequired: []string{
				"photo.item.ok ratio photo.ratio.ok",
				"photo.item.ok resolution photo.resolution.ok",
				"photo.item.ok face photo.face.ok",
				"photo.item.ok background photo.background.ok",
			},
			wantAdvice: []string{
				"photo.item.ok head photo.head.ok",
				"photo.item.ok exposure photo.exposure.ok",
				"photo.item.ok sharpness photo.sharpness.ok",
			},
			wantVerdict:   "photo.verdict.ok",
			wantArgsOfKey: map[string]map[string]any{"photo.head.ok": {"Head": 30, "Crown": 4, "Chin": 14, "Offset": 0}},
		},
		{
			name: "black and white, blurred",
			gray: true,
			fail: map[photo.ID]photo.Reason{photo.CheckSharpness: photo.Blurred},
			wantRequired: []string{
				"photo.item.ok ratio photo.ratio.ok",
				"photo.item.ok resolution photo.resolution.ok",
				"photo.item.ok face photo.face.ok",
				"photo.item.ok background photo.background.ok_gray",
			},
			wantAdvice: []string{
				"photo.item.ok head photo.head.ok",
				"photo.item.ok exposure photo.exposure.ok",
				"photo.item.fail sharpness photo.sharpness.blurred",
			},
			wantVerdict: "photo.verdict.advice",
		},
		{
			name: "too few pixels in a photo",
			src:  dialog.PhotoAsPhoto,
			fail: map[photo.ID]photo.Reason{photo.CheckResolution: photo.LowResolution, photo.CheckExposure: photo.Underexposed},
			wantRequired: []string{
				"photo.item.ok ratio photo.ratio.ok",
				"photo.item.fail resolution photo.resolution.low_resolution_photo",
				"photo.item.ok face photo.face.ok",
				"photo.item.ok background photo.background.ok",
			},
			wantAdvice: []string{
				"photo.item.ok head photo.head.ok",
				"photo.item.fail exposure photo.exposure.underexposed",
				"photo.item.ok sharpness photo.sharpness.ok",
			},
			wantVerdict:   "photo.verdict.fix",
			wantArgsOfKey: map[string]map[string]any{"photo.resolution.low_resolution_photo": {"Width": 470, "Height": 685}},
		},
		{
			name: "too few pixels in a file",
			fail: map[photo.ID]photo.Reason{photo.CheckResolution: photo.LowResolution},
			wantRequired: []string{
				"photo.item.ok ratio photo.ratio.ok",
				"photo.item.fail resolution photo.resolution.low_resolution",
				"photo.item.ok face photo.face.ok",
				"photo.item.ok background photo.background.ok",
			},
			wantAdvice: []string{
				"photo.item.ok head photo.head.ok",
				"photo.item.ok exposure photo.exposure.ok",
				"photo.item.ok sharpness photo.sharpness.ok",
			},
			wantVerdict: "photo.verdict.fix",
		},
		{
			name: "two faces",
			fail: map[photo.ID]photo.Reason{photo.CheckRatio: photo.ManyFaces, photo.CheckFace: photo.ManyFaces, photo.CheckHead: photo.ManyFaces},
			wantRequired: []string{
				"photo.item.fail ratio photo.ratio.many_faces",
				"photo.item.ok resolution photo.resolution.ok",
				"photo.item.fail face photo.face.many_faces",
				"photo.item.ok background photo.background.ok",
			},
			wantAdvice: []string{
				"photo.item.fail head photo.head.many_faces",
				"photo.item.ok exposure photo.exposure.ok",
				"photo.item.ok sharpness photo.sharpness.ok",
			},
			wantVerdict:   "photo.verdict.fix",
			wantArgsOfKey: map[string]map[string]any{"photo.face.many_faces": {"Count": 2}, "photo.head.many_faces": {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reply := dialog.PhotoReport(photoReport(tt.gray, tt.fail), tt.src)
			if reply.Key != "photo.report" {
				t.Fatalf("PhotoReport key = %q; want photo.report", reply.Key)
			}
			if got := itemsOf(reply.Args["Required"]); !slices.Equal(got, tt.wantRequired) {
				t.Errorf("PhotoReport required = %q; want %q", got, tt.wantRequired)
			}
			if got := itemsOf(reply.Args["Advice"]); !slices.Equal(got, tt.wantAdvice) {
				t.Errorf("PhotoReport advice = %q; want %q", got, tt.wantAdvice)
			}
			if got := reply.Args["Verdict"].(dialog.Text).Key; got != tt.wantVerdict {
				t.Errorf("PhotoReport verdict = %q; want %q", got, tt.wantVerdict)
			}
			for _, list := range []string{"Required", "Advice"} {
				for _, item := range reply.Args[list].([]dialog.Text) {
					text := item.Args["Text"].(dialog.Text)
					want, ok := tt.wantArgsOfKey[text.Key]
					if !ok {
						continue
					}
					if fmt.Sprint(text.Args) != fmt.Sprint(want) && !(len(want) == 0 && len(text.Args) == 0) {
						t.Errorf("%s arguments = %v; want %v", text.Key, text.Args, want)
					}
				}
			}
		})
	}
}

// TestPhotoReportWording checks, in English, that the advice is labelled
// as not the centre's requirement and that the reply promises nothing.
func TestPhotoReportWording(t *testing.T) {
	t.Parallel()
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := dialog.Render(catalog, "en", dialog.PhotoReport(photoReport(false, nil), dialog.PhotoAsFile), html.EscapeString)
	for _, want := range []string{
		"not the centre's requirement",
		"staff to decide",
		"cannot promise",
		"48 mm × 33 mm",
		"white background in colour or black-and-white",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the English reply does not say %q:\n%s", want, s)
		}
	}
	advice := s[strings.Index(s, "Advice for a good ID photo"):]
	for _, name := range []string{"Head", "Exposure", "Sharpness"} {
		if !strings.Contains(advice, "<b>"+name+"</b>") {
			t.Errorf("%s is not under the advice:\n%s", name, s)
		}
	}
}

func TestPhotoError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err     error
		wantKey string
		ok      bool
	}{
		{&photo.DecodeError{Problem: photo.Unsupported, Format: "heic"}, "photo.error.heic", true},
		{&photo.DecodeError{Problem: photo.Unsupported, Format: "webp"}, "photo.error.format", true},
		{&photo.DecodeError{Problem: photo.Unsupported}, "photo.error.format", true},
		{fmt.Errorf("check: %w", &photo.DecodeError{Problem: photo.Unreadable, Format: "jpeg"}), "photo.error.unreadable", true},
		{&photo.DecodeError{Problem: photo.TooLarge, Size: 21 << 20}, "photo.error.too_large", true},
		{&photo.DecodeError{Problem: photo.TooManyPixels, Width: 9000, Height: 6000}, "photo.error.too_many_pixels", true},
		{errors.New("download: connection reset"), "", false},
	}
	catalog, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		got, ok := dialog.PhotoError(tt.err)
		if got.Key != tt.wantKey || ok != tt.ok {
			t.Errorf("PhotoError(%v) = %q, %v; want %q, %v", tt.err, got.Key, ok, tt.wantKey, tt.ok)
		}
		if ok {
			checkPhotoText(t, catalog, tt.wantKey, got)
		}
	}
	got, _ := dialog.PhotoError(&photo.DecodeError{Problem: photo.TooManyPixels, Width: 9000, Height: 6000})
	if s := dialog.Render(catalog, "en", got, html.EscapeString); !strings.Contains(s, "9000 × 6000") {
		t.Errorf("PhotoError(9000 × 6000) renders %q; want the size", s)
	}
	checkPhotoText(t, catalog, "download failed", dialog.PhotoDownloadFailed())
}

// TestPhotoFiles checks the captions and names of the print-ready files
// in every language: a caption each, and names that are plain text, end
// as the file is, and differ.
func TestPhotoFiles(t *testing.T) {
	t.Parallel()
	_, catalog := newEngine(t)
	ext := map[dialog.PhotoFile]string{dialog.PhotoPrint: ".jpg", dialog.PhotoSheetPDF: ".pdf", dialog.PhotoSheetJPEG: ".jpg"}
	if len(dialog.PhotoFiles) != len(ext) {
		t.Fatalf("PhotoFiles = %v; want %d files", dialog.PhotoFiles, len(ext))
	}
	for _, lang := range examdesk.Languages {
		names := map[string]bool{}
		for _, f := range dialog.PhotoFiles {
			checkPhotoText(t, catalog, "caption of "+string(f), dialog.PhotoCaption(f))
			escaped := dialog.Render(catalog, lang, dialog.PhotoFileName(f), html.EscapeString)
			name := dialog.Render(catalog, lang, dialog.PhotoFileName(f), func(s string) string { return s })
			if name != escaped || strings.ContainsAny(name, "<>&/\\ ") || !strings.HasSuffix(name, ext[f]) || names[name] {
				t.Errorf("PhotoFileName(%s) in %s = %q; want a plain, distinct name ending in %s", f, lang, name, ext[f])
			}
			names[name] = true
		}
	}
}

// TestPhotoPrintable: the files come with a checklist where the notice's
// items passed and there is a face to crop around, whatever the advice.
func TestPhotoPrintable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fail map[photo.ID]photo.Reason
		want bool
	}{
		{"all passed", nil, true},
		{"advice failed", map[photo.ID]photo.Reason{photo.CheckSharpness: photo.Blurred, photo.CheckHead: photo.HeadTooSmall, photo.CheckExposure: photo.Underexposed}, true},
		{"background", map[photo.ID]photo.Reason{photo.CheckBackground: photo.NotWhite}, false},
		{"resolution", map[photo.ID]photo.Reason{photo.CheckResolution: photo.LowResolution}, false},
		{"no room", map[photo.ID]photo.Reason{photo.CheckRatio: photo.NoRoom}, false},
		{"no face", map[photo.ID]photo.Reason{photo.CheckRatio: photo.NoFace, photo.CheckFace: photo.NoFace, photo.CheckHead: photo.NoFace}, false},
	}
	for _, tt := range tests {
		if got := dialog.PhotoPrintable(photoReport(false, tt.fail)); got != tt.want {
			t.Errorf("PhotoPrintable(%s) = %v; want %v", tt.name, got, tt.want)
		}
	}
	if dialog.PhotoPrintable(photo.Report{}) {
		t.Errorf("PhotoPrintable(empty report) = true; want false")
	}
}
