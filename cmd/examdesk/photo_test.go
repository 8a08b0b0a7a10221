package main

import (
	"bytes"
	"encoding/json"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"examdesk/photo"
	"examdesk/photo/phototest"
)

// cliPortrait is the picture of the photo command's tests: the smallest
// portrait that prints well, as serve's tests have it, for a check costs
// time by the pixel (seconds under the race detector).
var cliPortrait = phototest.Portrait{W: 560, H: 800, Head: 370, Crown: 200, X: 280}

// photoFiles writes the named test pictures to a temporary directory
// and returns their paths by name; "missing.jpg" is a path to nothing.
func photoFiles(t testing.TB, names ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	makers := map[string]func() []byte{
		"good.jpg":    func() []byte { return phototest.JPEG(t, cliPortrait.Image(t), 90) },
		"phone.jpg":   func() []byte { return phototest.PhoneJPEG(t, cliPortrait.Image(t), 6, 90) },
		"blurred.jpg": func() []byte { return phototest.JPEG(t, phototest.Blurred(cliPortrait.Image(t), 3), 90) },
		"camera.png":  func() []byte { return phototest.PNG(t, phototest.Camera(t)) },
		"photo.heic":  phototest.HEIC,
		"cut.jpg":     func() []byte { return phototest.JPEG(t, cliPortrait.Image(t), 90)[:5000] },
		"notes.txt":   func() []byte { return []byte("not a picture") },
	}
	paths := map[string]string{}
	for _, name := range names {
		paths[name] = filepath.Join(dir, name)
		if name == "missing.jpg" {
			continue
		}
		if err := os.WriteFile(paths[name], makers[name](), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// TestPhotoCheckJSON checks the JSON contract of `photo check --json`:
// every check id in order, a detail for each failed one only, the crop
// only with a face.
func TestPhotoCheckJSON(t *testing.T) {
	t.Parallel()
	files := photoFiles(t, "good.jpg", "phone.jpg", "blurred.jpg", "camera.png")
	tests := []struct {
		name       string
		args       []string
		wantOK     bool
		wantFailed []string
		wantCrop   bool
	}{
		{"good", []string{"photo", "check", files["good.jpg"], "--json"}, true, nil, true},
		{"flags first", []string{"photo", "check", "--json", files["good.jpg"]}, true, nil, true},
		{"phone file on its side", []string{"photo", "check", files["phone.jpg"], "--json"}, true, nil, true},
		{"blurred", []string{"photo", "check", files["blurred.jpg"], "--json", "--lang", "zh-Hans"}, false, []string{"sharpness"}, true},
		{"no face", []string{"photo", "check", files["camera.png"], "--json"}, false, []string{"ratio", "resolution", "face", "head"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCmd(t, nil, "", tt.args...)
			if code != 0 || stderr != "" {
				t.Fatalf("%v = %d, stderr %q; want 0", tt.args, code, stderr)
			}
			if strings.Count(stdout, "\n") != 1 {
				t.Errorf("%v printed %q; want one line of JSON", tt.args, stdout)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
				t.Fatalf("%v printed %q: %v", tt.args, stdout, err)
			}
			var keys []string
			for k := range raw {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			wantKeys := []string{"checks", "ok"}
			if tt.wantCrop {
				wantKeys = []string{"checks", "crop", "ok"}
			}
			if !slices.Equal(keys, wantKeys) {
				t.Errorf("%v keys %v; want %v", tt.args, keys, wantKeys)
			}
			var out struct {
				OK     bool
				Checks []map[string]any
				Crop   *struct{ X, Y, W, H int }
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			if out.OK != tt.wantOK {
				t.Errorf("%v ok = %v; want %v", tt.args, out.OK, tt.wantOK)
			}
			var ids, failed []string
			for _, c := range out.Checks {
				ids = append(ids, c["id"].(string))
				detail, hasDetail := c["detail"].(string)
				if c["ok"] == false {
					failed = append(failed, c["id"].(string))
					if !hasDetail || strings.TrimSpace(detail) == "" || strings.ContainsAny(detail, "<>") {
						t.Errorf("%v: failed %s has detail %q; want plain text", tt.args, c["id"], detail)
					}
				} else if hasDetail {
					t.Errorf("%v: passed %s has a detail %q", tt.args, c["id"], detail)
				}
			}
			if want := []string{"ratio", "resolution", "face", "head", "background", "exposure", "sharpness"}; !slices.Equal(ids, want) {
				t.Errorf("%v ids %v; want %v", tt.args, ids, want)
			}
			if !slices.Equal(failed, tt.wantFailed) {
				t.Errorf("%v failed %v; want %v", tt.args, failed, tt.wantFailed)
			}
			if tt.wantCrop {
				if out.Crop == nil || out.Crop.W <= 0 || out.Crop.X+out.Crop.W > cliPortrait.W || out.Crop.Y+out.Crop.H > cliPortrait.H {
					t.Errorf("%v crop %+v; want one inside the %d × %d picture", tt.args, out.Crop, cliPortrait.W, cliPortrait.H)
				} else if r := float64(out.Crop.W) / float64(out.Crop.H); r < 0.68 || r > 0.695 {
					t.Errorf("%v crop %+v is %.3f wide per high; want 33:48", tt.args, out.Crop, r)
				}
			}
		})
	}
}

func TestPhotoCheckText(t *testing.T) {
	t.Parallel()
	files := photoFiles(t, "blurred.jpg")
	stdout, stderr, code := runCmd(t, nil, "", "photo", "check", files["blurred.jpg"], "--lang", "en")
	if code != 0 || stderr != "" {
		t.Fatalf("photo check = %d, stderr %q", code, stderr)
	}
	for _, want := range []string{"✅ Face:", "❌ Sharpness:", "not the centre's requirement", "cannot promise"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("photo check printed:\n%s\nwant %q in it", stdout, want)
		}
	}
	if strings.ContainsAny(stdout, "<>") {
		t.Errorf("photo check printed markup:\n%s", stdout)
	}
}

// TestPhotoFiles checks crop and sheet write what they say: a 390 × 567
// JPEG at 300 dpi; a 6 × 4 inch sheet as JPEG or PDF.
func TestPhotoFiles(t *testing.T) {
	t.Parallel()
	files := photoFiles(t, "phone.jpg")
	dir := t.TempDir()
	for _, tt := range []struct {
		sub, out string
		w, h     int
	}{
		{"crop", "print.jpg", photo.PrintWidth, photo.PrintHeight},
		{"sheet", "sheet.JPEG", photo.SheetWidth, photo.SheetHeight},
		{"sheet", "sheet.pdf", 0, 0},
	} {
		out := filepath.Join(dir, tt.out)
		_, stderr, code := runCmd(t, nil, "", "photo", tt.sub, files["phone.jpg"], "-o", out)
		if code != 0 {
			t.Fatalf("photo %s -o %s = %d, stderr %q", tt.sub, tt.out, code, stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if tt.w == 0 {
			if !bytes.HasPrefix(data, []byte("%PDF-")) || !bytes.Contains(data, []byte("/MediaBox [0 0 432 288]")) {
				t.Errorf("photo sheet -o %s wrote %.40q; want a 6 × 4 inch PDF", tt.out, data)
			}
			continue
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
		if err != nil || cfg.Width != tt.w || cfg.Height != tt.h {
			t.Errorf("photo %s -o %s wrote %d × %d (%v); want %d × %d", tt.sub, tt.out, cfg.Width, cfg.Height, err, tt.w, tt.h)
		}
		if x, y, ok := photo.Density(data); !ok || x != photo.DPI || y != photo.DPI {
			t.Errorf("photo %s -o %s: density %d × %d (%v); want %d dpi", tt.sub, tt.out, x, y, ok, photo.DPI)
		}
	}
}

// TestPhotoBadInput: a bad command line or an unreadable file exits with
// status 2, one line on stderr, nothing on stdout, nothing written; no
// face to crop around exits with status 1 the same way.
func TestPhotoBadInput(t *testing.T) {
	t.Parallel()
	files := photoFiles(t, "good.jpg", "camera.png", "photo.heic", "cut.jpg", "notes.txt", "missing.jpg")
	dir := t.TempDir()
	big := filepath.Join(dir, "big.jpg")
	good, err := os.ReadFile(files["good.jpg"])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, append(good, make([]byte, photo.MaxFileSize)...), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jpg")
	tests := []struct {
		name string
		args []string
		code int
		want string // in the line on stderr
	}{
		{"no subcommand", []string{"photo"}, 2, "no subcommand"},
		{"unknown subcommand", []string{"photo", "fix", files["good.jpg"]}, 2, `unknown subcommand "fix"`},
		{"no file", []string{"photo", "check"}, 2, "want one picture file, got 0"},
		{"two files", []string{"photo", "check", files["good.jpg"], files["good.jpg"]}, 2, "got 2"},
		{"unknown flag", []string{"photo", "check", files["good.jpg"], "--xml"}, 2, "-xml"},
		{"unknown language", []string{"photo", "check", files["good.jpg"], "--lang", "fr"}, 2, `--lang "fr"`},
		{"missing file", []string{"photo", "check", files["missing.jpg"]}, 2, "no such file"},
		{"HEIC", []string{"photo", "check", files["photo.heic"]}, 2, "not a JPEG or PNG picture (heic)"},
		{"text file", []string{"photo", "check", files["notes.txt"]}, 2, "not a JPEG or PNG picture"},
		{"cut short", []string{"photo", "check", files["cut.jpg"]}, 2, "cannot decode the picture (jpeg)"},
		{"over 20 MB", []string{"photo", "check", big}, 2, "file too large"},
		{"crop without -o", []string{"photo", "crop", files["good.jpg"]}, 2, "-o is missing"},
		{"crop to PNG", []string{"photo", "crop", files["good.jpg"], "-o", filepath.Join(dir, "out.png")}, 2, "want a name ending in .jpg, .jpeg"},
		{"sheet to PNG", []string{"photo", "sheet", files["good.jpg"], "-o", filepath.Join(dir, "out.png")}, 2, ".pdf, .jpg, .jpeg"},
		{"crop of a HEIC", []string{"photo", "crop", files["photo.heic"], "-o", out}, 2, "heic"},
		{"crop without a face", []string{"photo", "crop", files["camera.png"], "-o", out}, 1, "no single face"},
		{"sheet without a face", []string{"photo", "sheet", files["camera.png"], "-o", out}, 1, "no single face"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout, stderr, code := runCmd(t, nil, "", tt.args...)
			if code != tt.code || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("%v = %d, stdout %q, stderr %q; want %d and one line with %q", tt.args, code, stdout, stderr, tt.code, tt.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("%v wrote %s", tt.args, out)
			}
		})
	}
}
