package conversation

import (
	"bytes"
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
// kept in memory for the parts that follow while the outbox is sent; the
// successor of a holder that died fetches and checks it again for the
// parts left. Nothing of the picture outlives the sending.
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
	// PhotoCheck fetches and checks the picture and sends nothing: a
	// holder that dies while checking leaves it as the entry that may
	// have been in flight, which its successor skips, and the successor
	// checks the picture again for the next part.
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
// ErrTooLarge). It retries what fails for a while, as Send does, and its
// errors never hold what would let someone else fetch the file.
//
// SendFile sends f to chat; its errors are Send's.
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
// its turn waits with it.
type Photos struct {
	checker Checker
	slots   chan struct{}
	renew   time.Duration
	timeout time.Duration
}

// PhotoOptions tune Photos; a zero field takes its default.
type PhotoOptions struct {
	// Timeout bounds the handling of an update that answers a picture,
	// from its claim to its last file sent (default 90 s: the wait for
	// a turn, a download of up to 20 MB retried, the check, three
	// uploads). It replaces Options.Drain for such an update: one in
	// hand at shutdown may outlast the drain, and is then left to the
	// successor, which checks the picture again.
	Timeout time.Duration
	// Checks bounds the pictures being fetched and checked, and the
	// print-ready files being made, at once (default 2: a check keeps a
	// core busy for 0.1 to 0.3 s).
	Checks int
	// Renew is how often the lease on a chat is renewed while its
	// picture waits for its turn, is fetched and is checked (default
	// 10 s, a third of the inbox's default lease).
	Renew time.Duration
}

// NewPhotos returns the checks of pictures with c.
func NewPhotos(c Checker, o PhotoOptions) *Photos {
	if o.Checks <= 0 {
		o.Checks = 2
	}
	if o.Renew <= 0 {
		o.Renew = 10 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 90 * time.Second
	}
	return &Photos{checker: c, slots: make(chan struct{}, o.Checks), renew: o.Renew, timeout: o.Timeout}
}

// drain is how long the handling of job may take: Options.Drain, or
// PhotoOptions.Timeout when it answers a picture (the lease is renewed
// meanwhile).
func (p *Pipeline) drain(job inbox.Job) time.Duration {
	if p.opts.Photos == nil {
		return p.opts.Drain
	}
	picture := job.Update.Input.Picture != nil
	for _, o := range job.Outbox {
		picture = picture || bytes.Contains(o, []byte(`"photo":{`))
	}
	if !picture {
		return p.opts.Drain
	}
	return max(p.opts.Drain, p.opts.Photos.timeout)
}

// turn waits for a turn to work on a picture, and returns the function
// that ends it.
func (ps *Photos) turn(ctx context.Context) (done func(), err error) {
	select {
	case ps.slots <- struct{}{}:
		return func() { <-ps.slots }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a turn to work on a picture: %w", ctx.Err())
	}
}

// check waits for a turn, then fetches the picture file through files and
// checks it.
func (ps *Photos) check(ctx context.Context, files Files, file string) (*photo.Prepared, error) {
	done, err := ps.turn(ctx)
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

// file waits for a turn, then makes print-ready file f of a checked
// picture: the sheet takes 10 to 20 MB while it is made. (Its upload
// takes no turn: a slow one, or one waiting out Telegram's flood limit,
// must not hold the checks of other chats.)
func (ps *Photos) file(ctx context.Context, pr *photo.Prepared, f dialog.PhotoFile) ([]byte, error) {
	done, err := ps.turn(ctx)
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

// photo does e, the i-th entry of job's outbox, a part of the answer to
// a picture. last is the picture checked for the parts before, which it
// checks anew when it is another or none. It reports whether the user
// blocked the bot.
func (p *Pipeline) photo(ctx context.Context, job inbox.Job, i int, e Entry, last **checked) (blocked bool) {
	ph := *e.Photo
	if p.opts.Photos != nil {
		// Fetching, checking, making a file and sending it may take
		// longer than a lease.
		stop := p.keep(ctx, job, i, p.opts.Photos.renew)
		defer stop()
	}
	c := *last
	if c == nil || c.file != ph.File {
		c = p.checkPhoto(ctx, job, ph)
		*last = c
	}
	switch ph.Part {
	case PhotoCheck:
		return false
	case PhotoReport:
		p.progress(ctx, job, i)
		if c.apology {
			if err := p.transport.Apologize(ctx, e.Chat, e.Lang); err != nil {
				p.opts.Log.Warn("sending the apology failed", "chat_id", e.Chat, "update_id", job.Update.ID, "err", err)
			}
			return false
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
			if p.sendMessage(ctx, job, Entry{Chat: e.Chat, Lang: e.Lang, Message: &m}) {
				return true
			}
		}
		return false
	}
	f := dialog.PhotoFile(ph.Part)
	if c.prepared == nil || !dialog.PhotoPrintable(c.prepared.Report) {
		return false
	}
	data, err := p.opts.Photos.file(ctx, c.prepared, f)
	if err != nil {
		p.opts.Log.Error("making a print-ready file failed", "chat_id", e.Chat, "update_id", job.Update.ID, "part", string(ph.Part), "err", err)
		return false
	}
	files, _ := p.transport.(Files) // checkPhoto made sure
	file := File{
		Name:    p.transport.Notice(dialog.Reply{Lang: e.Lang, Notice: ptr(dialog.PhotoFileName(f))}),
		Data:    data,
		Caption: p.render(e.Lang, dialog.PhotoCaption(f)),
	}
	p.progress(ctx, job, i)
	err = files.SendFile(ctx, e.Chat, file)
	switch {
	case errors.Is(err, ErrBlocked):
		p.opts.Log.Info("the user blocked the bot; marking the chat inactive", "chat_id", e.Chat, "update_id", job.Update.ID)
		if subs := p.opts.Subscribers; subs != nil {
			if err := subs.Block(ctx, e.Chat); err != nil {
				p.opts.Metrics.StoreError()
				p.opts.Log.Warn("marking a chat inactive failed", "chat_id", e.Chat, "err", err)
			}
		}
		return true
	case errors.Is(err, ErrRejected):
		p.opts.Log.Warn("the transport refused a print-ready file", "chat_id", e.Chat, "update_id", job.Update.ID, "part", string(ph.Part), "err", err)
		if err := p.transport.Apologize(ctx, e.Chat, e.Lang); err != nil {
			p.opts.Log.Warn("sending the apology failed", "chat_id", e.Chat, "update_id", job.Update.ID, "err", err)
		}
	case err != nil:
		p.opts.Log.Warn("sending a print-ready file failed", "chat_id", e.Chat, "update_id", job.Update.ID, "part", string(ph.Part), "err", err)
	}
	return false
}

// checkPhoto fetches and checks the picture of ph: what a picture that
// cannot be checked gets instead of its checklist is decided here.
// Nothing of the picture is logged.
func (p *Pipeline) checkPhoto(ctx context.Context, job inbox.Job, ph Photo) *checked {
	c := &checked{file: ph.File}
	files, ok := p.transport.(Files)
	if !ok || p.opts.Photos == nil {
		p.opts.Log.Error("a picture came through a pipeline that cannot check pictures", "chat_id", job.Chat, "update_id", job.Update.ID)
		c.apology = true
		return c
	}
	prepared, err := p.opts.Photos.check(ctx, files, ph.File)
	if err == nil {
		c.prepared = prepared
		return c
	}
	if errors.Is(err, ErrTooLarge) {
		err = &photo.DecodeError{Problem: photo.TooLarge, Err: err}
	}
	if t, ok := dialog.PhotoError(err); ok {
		c.problem = t
		return c
	}
	p.opts.Log.Warn("fetching a picture failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
	c.problem = dialog.PhotoDownloadFailed()
	return c
}

// keep renews the lease on job's chat every d, by recording again that
// the entries before the i-th were sent, until the function it returns
// is called: while a part of a picture's answer is done. Should the
// holder die meanwhile, its successor skips the i-th entry: the
// picture's check, or the part that may have been in flight.
func (p *Pipeline) keep(ctx context.Context, job inbox.Job, i int, d time.Duration) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				// Not cancelled by stop: a renewal cut off in flight
				// could land after the next entry's record and set the
				// count back.
				if err := p.queue.Sent(ctx, job, i); err != nil {
					p.opts.Log.Warn("renewing the lease while answering a picture failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// progress records, before the i-th entry of the outbox sends something,
// that the entries before it were sent, as send does before a message.
func (p *Pipeline) progress(ctx context.Context, job inbox.Job, i int) {
	if i == 0 {
		return
	}
	if err := p.queue.Sent(ctx, job, i); err != nil {
		p.opts.Log.Warn("recording sending progress failed", "chat_id", job.Chat, "update_id", job.Update.ID, "err", err)
	}
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
