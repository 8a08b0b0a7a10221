package conversation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/photo"
)

// Photo is one part of the answer to a picture a user sent, as the outbox
// keeps it: the transport's reference to the picture, never the picture.
// The picture is fetched and checked when its first part is done, and
// kept in memory for the parts that follow while the outbox is sent; a
// holder that gives the chat up until later, or dies, leaves the parts
// not done to the next holder, which fetches and checks the picture
// again for them. Nothing of the picture outlives the sending. The parts
// that send something are messages like any: each takes its turn in the
// chat's pace, and is sent at least once.
type Photo struct {
	// File is the transport's reference to the picture (Telegram's
	// file_id).
	File string `json:"file"`
	// AsPhoto is set for a picture sent as a photo, which the messenger
	// recompressed and scaled down, rather than as a file.
	AsPhoto bool `json:"as_photo,omitempty"`
	// Part is the part of the answer this entry does.
	Part PhotoPart `json:"part"`
}

// PhotoPart is a part of the answer to a picture.
type PhotoPart string

// The parts of the answer to a picture, in the order they are sent, then
// one per print-ready file, named as dialog.PhotoFiles names them.
const (
	// PhotoCheck fetches and checks the picture and sends nothing, so
	// that the first part that sends takes its turn with the picture
	// checked: a fetch that fails for now gives the chat up until later
	// at this entry, before anything is sent.
	PhotoCheck PhotoPart = "check"
	// PhotoReport sends the checklist, or what is wrong with the file.
	PhotoReport PhotoPart = "report"
)

// Files is a transport through which users send pictures and receive
// files (bot.Transport is one). The pipeline answers pictures only
// through a transport that is one.
//
// Download returns the bytes of the file a user sent, at most limit of
// them: a larger file is an error satisfying errors.Is(err,
// ErrTooLarge). Its other errors are told as Send's are: errors.Is(err,
// ErrRejected) when the file cannot be had (the user is told the fetch
// failed), a *RetryAfterError when the messenger asks to wait, any other
// error transient; like Send it does not wait to retry. Its errors never
// hold what would let someone else fetch the file.
//
// SendFile sends f to chat, a message like those Send sends (the pipeline
// paces it so); its errors are Send's.
type Files interface {
	Download(ctx context.Context, file string, limit int64) ([]byte, error)
	SendFile(ctx context.Context, chat int64, f File) error
}

// File is a file to send, with a caption in the transport's markup.
type File struct {
	Name    string
	Data    []byte
	Caption string
}

// ErrTooLarge is a file larger than a transport lets the bot download.
var ErrTooLarge = errors.New("conversation: file too large to download")

// Checker checks a picture and prepares its print: *photo.Checker.
type Checker interface {
	Prepare(data []byte, lim photo.Limits) (*photo.Prepared, error)
}

// Photos checks the pictures users send, for every pipeline of a process
// that shares it, a bounded number at a time: a check holds the file (up
// to 20 MB) and the decoded picture (20–30 MB for a phone's) while it
// runs, making the sheet 10 to 20 MB, and a chat whose picture waits for
// a slot waits with it.
type Photos struct {
	checker Checker
	slots   chan struct{}
	hold    time.Duration
}

// PhotoOptions tune Photos; a zero field takes its default.
type PhotoOptions struct {
	// Checks bounds the pictures being fetched and checked, and the
	// print-ready files being made, at once (default 2: a check keeps a
	// core busy for 0.1 to 0.3 s).
	Checks int
	// Hold is the longest a worker waits in place for the turn of a part
	// of a picture's answer, the picture checked in hand, instead of
	// Options.Hold: a chat given up until later has its picture fetched
	// and checked again by the next holder. The default, 3 s, lets the
	// checklist and the three files go at Telegram's pace in one chat
	// without a second check: the first part takes its turn once the
	// picture is checked (the turn in hand before, at the commit, goes
	// unused), so the checklist and the print go at once, the sheets a
	// second and two after. That first turn, taken after a check, is
	// waited for however far it is.
	Hold time.Duration
}

// NewPhotos returns the checks of pictures with c.
func NewPhotos(c Checker, o PhotoOptions) *Photos {
	if o.Checks <= 0 {
		o.Checks = 2
	}
	if o.Hold <= 0 {
		o.Hold = 3 * time.Second
	}
	return &Photos{checker: c, slots: make(chan struct{}, o.Checks), hold: o.Hold}
}

// slot waits for a slot to work on a picture, and returns the function
// that frees it.
func (ps *Photos) slot(ctx context.Context) (done func(), err error) {
	select {
	case ps.slots <- struct{}{}:
		return func() { <-ps.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a slot to work on a picture: %w", ctx.Err())
	}
}

// check waits for a slot, then fetches the picture file through files and
// checks it.
func (ps *Photos) check(ctx context.Context, files Files, file string) (*photo.Prepared, error) {
	done, err := ps.slot(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	data, err := files.Download(ctx, file, photo.MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("fetch a picture: %w", err)
	}
	return ps.checker.Prepare(data, photo.Limits{})
}

// file waits for a slot, then makes print-ready file f of a checked
// picture: the sheet takes 10 to 20 MB while it is made. (Its upload
// takes no slot: a slow one, or one waiting for its turn in the chat's
// pace, must not hold the checks of other chats.)
func (ps *Photos) file(ctx context.Context, pr *photo.Prepared, f dialog.PhotoFile) ([]byte, error) {
	done, err := ps.slot(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	return printFile(pr, f)
}

// photoEntries are the outbox entries of the answer to the picture of r,
// none when it has none: the check, the report, then the print-ready
// files.
func photoEntries(chat int64, r dialog.Reply) []Entry {
	pic := r.Picture
	if pic == nil {
		return nil
	}
	parts := []PhotoPart{PhotoCheck, PhotoReport}
	for _, f := range dialog.PhotoFiles {
		parts = append(parts, PhotoPart(f))
	}
	entries := make([]Entry, len(parts))
	for i, part := range parts {
		ph := &Photo{File: pic.File, AsPhoto: pic.Source == dialog.PhotoAsPhoto, Part: part}
		entries[i] = Entry{Chat: chat, Lang: r.Lang, Photo: ph}
	}
	return entries
}

// checked is a picture fetched and checked while an outbox is sent.
type checked struct {
	file     string
	prepared *photo.Prepared // nil when it could not be checked
	problem  dialog.Text     // what to say instead of the checklist
	apology  bool            // or the apology, for a failure of the bot's
}

// sends reports whether part of the answer to the picture c sends
// something: the report always, a print-ready file when the picture is
// fit to print.
func (c *checked) sends(part PhotoPart) bool {
	switch part {
	case PhotoCheck:
		return false
	case PhotoReport:
		return true
	}
	return c.prepared != nil && dialog.PhotoPrintable(c.prepared.Report)
}

// sendPhoto does e, a part of the answer to the picture c that sends
// something (see checked.sends): the checklist, or what is wrong with the
// file, or a print-ready file, which, refused, is replaced by the
// apology. Its error is the transport's (see Transport). A print-ready
// file that cannot be made is logged and skipped.
func (p *Pipeline) sendPhoto(ctx context.Context, job inbox.Job, e Entry, c *checked) error {
	ph := *e.Photo
	if ph.Part == PhotoReport {
		if c.apology {
			return p.transport.Apologize(ctx, e.Chat, e.Lang)
		}
		t := c.problem
		if c.prepared != nil {
			src := dialog.PhotoAsFile
			if ph.AsPhoto {
				src = dialog.PhotoAsPhoto
			}
			t = dialog.PhotoReport(c.prepared.Report, src)
		}
		for _, m := range p.transport.Render(dialog.Reply{Lang: e.Lang, Messages: []dialog.Message{{Text: t}}}) {
			if err := p.sendMessage(ctx, job, Entry{Update: e.Update, Chat: e.Chat, Lang: e.Lang, Message: &m}); err != nil {
				return err
			}
		}
		return nil
	}
	f := dialog.PhotoFile(ph.Part)
	data, err := p.opts.Photos.file(ctx, c.prepared, f)
	if err != nil {
		p.opts.Log.Error("making a print-ready file failed", "chat_id", e.Chat, "update_id", e.Update, "part", string(ph.Part), "err", err)
		return nil
	}
	files, _ := p.transport.(Files) // checkPhoto made sure
	file := File{
		Name:    p.transport.Notice(dialog.Reply{Lang: e.Lang, Notice: ptr(dialog.PhotoFileName(f))}),
		Data:    data,
		Caption: p.render(e.Lang, dialog.PhotoCaption(f)),
	}
	err = files.SendFile(ctx, e.Chat, file)
	if errors.Is(err, ErrRejected) {
		p.opts.Log.Warn("the transport refused a print-ready file; sending the apology", "chat_id", e.Chat, "update_id", e.Update, "part", string(ph.Part), "err", err)
		return p.transport.Apologize(ctx, e.Chat, e.Lang)
	}
	return err
}

// checkPhoto fetches and checks the picture of e: what a picture that
// cannot be checked gets instead of its checklist is decided here. Its
// error is a failure to fetch the picture that may not last (a
// *RetryAfterError, a transient failure), for send to try again later.
// Nothing of the picture is logged.
func (p *Pipeline) checkPhoto(ctx context.Context, job inbox.Job, e Entry) (*checked, error) {
	ph := *e.Photo
	c := &checked{file: ph.File}
	files, ok := p.transport.(Files)
	if !ok || p.opts.Photos == nil {
		p.opts.Log.Error("a picture came through a pipeline that cannot check pictures", "chat_id", job.Chat, "update_id", e.Update)
		c.apology = true
		return c, nil
	}
	prepared, err := p.opts.Photos.check(ctx, files, ph.File)
	if err == nil {
		c.prepared = prepared
		return c, nil
	}
	if errors.Is(err, ErrTooLarge) {
		err = &photo.DecodeError{Problem: photo.TooLarge, Err: err}
	}
	if t, ok := dialog.PhotoError(err); ok {
		c.problem = t
		return c, nil
	}
	if errors.Is(err, ErrRejected) {
		p.opts.Log.Warn("fetching a picture was refused", "chat_id", job.Chat, "update_id", e.Update, "err", err)
		c.problem = dialog.PhotoDownloadFailed()
		return c, nil
	}
	return nil, err
}

// render renders t in lang in the transport's markup, as one text.
func (p *Pipeline) render(lang string, t dialog.Text) string {
	ms := p.transport.Render(dialog.Reply{Lang: lang, Messages: []dialog.Message{{Text: t}}})
	if len(ms) == 0 {
		return ""
	}
	return ms[0].Text
}

// printFile encodes print-ready file f of a checked picture.
func printFile(pr *photo.Prepared, f dialog.PhotoFile) ([]byte, error) {
	switch f {
	case dialog.PhotoPrint:
		return pr.PrintJPEG()
	case dialog.PhotoSheetPDF:
		return pr.SheetPDF()
	case dialog.PhotoSheetJPEG:
		return pr.SheetJPEG()
	}
	return nil, fmt.Errorf("no print-ready file %q", f)
}

func ptr[T any](v T) *T { return &v }
