package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"examdesk"
	"examdesk/dialog"
	"examdesk/locales"
	"examdesk/photo"
)

const photoUsage = `usage:
  examdesk photo check FILE [--json] [--lang zh-Hant|zh-Hans|en]
                                          check a JPEG or PNG photo against the notice, as the bot does
  examdesk photo crop FILE -o OUT.jpg     the photo cropped around the face to 33 × 48 mm at 300 dpi
  examdesk photo sheet FILE -o OUT.pdf|OUT.jpg
                                          8 copies on a 6-inch (4R) sheet with cut marks, as PDF or JPEG`

// photoCheckOutput is the JSON of `examdesk photo check --json`.
type photoCheckOutput struct {
	OK     bool             `json:"ok"`
	Checks []photoCheckItem `json:"checks"`
	// Crop is in the upright picture's pixels; absent without exactly
	// one face.
	Crop *photoRect `json:"crop,omitempty"`
}

type photoCheckItem struct {
	ID string `json:"id"`
	OK bool   `json:"ok"`
	// Detail is, for a failed check, what the bot says of it, as plain
	// text.
	Detail string `json:"detail,omitempty"`
}

type photoRect struct {
	X int `json:"x"`
	Y int `json:"y"`
	W int `json:"w"`
	H int `json:"h"`
}

// runPhoto runs `examdesk photo`: check a picture file as the bot would,
// or make its print-ready files. A bad command line or a file that is not
// a readable JPEG or PNG exits with status 2 and one line on stderr; crop
// and sheet exit with status 1 when there is no single face to crop
// around, writing nothing.
func runPhoto(args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("photo: no subcommand (check, crop, sheet; see examdesk photo help)")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("photo "+sub, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var (
		asJSON *bool
		lang   *string
		out    *string
		exts   []string
	)
	switch sub {
	case "check":
		asJSON = fs.Bool("json", false, "print JSON")
		lang = fs.String("lang", examdesk.English, "language of the checklist")
	case "crop":
		out = fs.String("o", "", "output JPEG `file`")
		exts = []string{".jpg", ".jpeg"}
	case "sheet":
		out = fs.String("o", "", "output PDF or JPEG `file`")
		exts = []string{".pdf", ".jpg", ".jpeg"}
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, photoUsage)
		return nil
	default:
		return usageError("photo: unknown subcommand %q (check, crop, sheet)", sub)
	}
	files, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(stdout, photoUsage)
		return nil
	}
	if err != nil {
		return usageError("photo %s: %v", sub, err)
	}
	if len(files) != 1 {
		return usageError("photo %s: want one picture file, got %d", sub, len(files))
	}
	if lang != nil && !slices.Contains(examdesk.Languages, *lang) {
		return usageError("photo check: --lang %q: want one of %s", *lang, strings.Join(examdesk.Languages, ", "))
	}
	if out != nil {
		if *out == "" {
			return usageError("photo %s: -o is missing: the file to write", sub)
		}
		if ext := strings.ToLower(filepath.Ext(*out)); !slices.Contains(exts, ext) {
			return usageError("photo %s: -o %s: want a name ending in %s", sub, *out, strings.Join(exts, ", "))
		}
	}

	checker, err := photo.Load()
	if err != nil {
		return err
	}
	p, err := preparePhoto(checker, sub, files[0])
	if err != nil {
		return err
	}
	switch sub {
	case "check":
		return printPhotoCheck(stdout, p.Report, *lang, *asJSON)
	case "crop":
		return writePhotoFile(*out, sub, p.PrintJPEG)
	}
	if strings.ToLower(filepath.Ext(*out)) == ".pdf" {
		return writePhotoFile(*out, sub, p.SheetPDF)
	}
	return writePhotoFile(*out, sub, p.SheetJPEG)
}

// parseInterleaved parses flags given before, between or after the
// positional arguments, which it returns; after "--" every argument is
// positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	if i := slices.Index(args, "--"); i >= 0 {
		args, rest = args[:i], args[i+1:]
	}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return append(pos, rest...), nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// preparePhoto reads and checks a picture file, within the bot's limits.
func preparePhoto(c *photo.Checker, sub, name string) (*photo.Prepared, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, usageError("photo %s: %v", sub, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, photo.MaxFileSize+1))
	if err != nil {
		return nil, usageError("photo %s: read %s: %v", sub, name, err)
	}
	p, err := c.Prepare(data, photo.Limits{})
	if err != nil {
		return nil, usageError("photo %s: %s: %s", sub, name, strings.TrimPrefix(err.Error(), "photo: "))
	}
	return p, nil
}

// printPhotoCheck prints the checklist the bot would send (for a file) as
// plain text, or the report as JSON.
func printPhotoCheck(w io.Writer, r photo.Report, lang string, asJSON bool) error {
	catalog, err := locales.Load()
	if err != nil {
		return err
	}
	text := func(t dialog.Text) string {
		return plainText(dialog.Render(catalog, lang, t, html.EscapeString))
	}
	if !asJSON {
		_, err := fmt.Fprintln(w, text(dialog.PhotoReport(r, dialog.PhotoAsFile)))
		return err
	}
	out := photoCheckOutput{OK: r.OK(), Checks: []photoCheckItem{}}
	for _, c := range r.Checks {
		item := photoCheckItem{ID: string(c.ID), OK: c.OK}
		if !c.OK {
			item.Detail = text(dialog.PhotoDetail(r, c.ID, dialog.PhotoAsFile))
		}
		out.Checks = append(out.Checks, item)
	}
	if !r.Crop.Empty() {
		out.Crop = &photoRect{X: r.Crop.Min.X, Y: r.Crop.Min.Y, W: r.Crop.Dx(), H: r.Crop.Dy()}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// writePhotoFile writes what encode makes to name, or fails with status
// 1, writing nothing, when there is no single face to crop around.
func writePhotoFile(name, sub string, encode func() ([]byte, error)) error {
	data, err := encode()
	if errors.Is(err, photo.ErrNoCrop) {
		return fmt.Errorf("photo %s: no single face found to crop around; nothing written (examdesk photo check says more)", sub)
	}
	if err != nil {
		return fmt.Errorf("photo %s: %w", sub, err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		return fmt.Errorf("photo %s: %w", sub, err)
	}
	return nil
}
