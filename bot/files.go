package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	tg "github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"examdesk"
)

// ErrFileTooBig is a file larger than a download allows: over the 20 MB
// that getFile serves to bots, or over the limit the caller set.
var ErrFileTooBig = errors.New("bot: file too big to download")

// Download returns the bytes of file fileID (a photo size or a document a
// user sent), at most limit of them: a larger file is ErrFileTooBig, read
// no further. getFile is retried as every call is; so is the download
// itself, each attempt within CallTimeout, after a network error or a
// 5xx. Errors never show the download link, which holds the bot's token.
func (s *Sender) Download(ctx context.Context, fileID string, limit int64) ([]byte, error) {
	var f *models.File
	err := s.call(ctx, "getFile", func(ctx context.Context) error {
		var err error
		f, err = s.api.GetFile(ctx, &tg.GetFileParams{FileID: fileID})
		return err
	})
	var apiErr *APIError
	if errors.As(err, &apiErr) && strings.Contains(apiErr.Description, "file is too big") {
		return nil, ErrFileTooBig
	}
	if err != nil {
		return nil, err
	}
	if f.FileSize > limit {
		return nil, ErrFileTooBig
	}
	link := s.api.FileDownloadLink(f)
	backoff := s.opts.Backoff
	for attempt := 1; ; attempt++ {
		data, err := s.fetch(ctx, link, limit)
		var again *transientError
		if !errors.As(err, &again) {
			return data, err
		}
		if attempt >= s.opts.Attempts || ctx.Err() != nil {
			return nil, fmt.Errorf("download file: %d attempts: %w", attempt, again.err)
		}
		s.log.Debug("retrying a download", "attempt", attempt, "wait", backoff)
		if examdesk.Sleep(ctx, backoff) != nil {
			return nil, fmt.Errorf("download file: %w", again.err)
		}
		backoff *= 2
	}
}

// transientError is a failed download that may succeed if tried again: a
// network error, a timeout, a 5xx.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }

// fetch downloads link once, within CallTimeout.
func (s *Sender) fetch(ctx context.Context, link string, limit int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opts.CallTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, errors.New("download file: bad file path")
	}
	client := s.opts.Files
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the link
		}
		return nil, &transientError{err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 500 {
		s.metrics.apiError("download", resp.StatusCode)
		return nil, &transientError{errors.New(resp.Status)}
	}
	if resp.StatusCode != http.StatusOK {
		s.metrics.apiError("download", resp.StatusCode)
		return nil, fmt.Errorf("download file: %s", resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, ErrFileTooBig
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, &transientError{err}
	}
	if int64(len(data)) > limit {
		return nil, ErrFileTooBig
	}
	return data, nil
}

// SendDocument sends data to chatID as a file named name, with caption
// (HTML; "" for none), and returns the message's id. A file keeps every
// byte, where a photo would be recompressed: the print-ready photo goes
// as a document. It is retried, and counts against the broadcast rate
// (Spend), as sendMessage is.
func (s *Sender) SendDocument(ctx context.Context, chatID int64, name string, data []byte, caption string) (int, error) {
	var id int
	err := s.call(ctx, "sendDocument", func(ctx context.Context) error {
		p := &tg.SendDocumentParams{
			ChatID:   chatID,
			Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)},
			Caption:  caption,
		}
		if caption != "" {
			p.ParseMode = models.ParseModeHTML
		}
		s.spend()
		m, err := s.api.SendDocument(ctx, p)
		if err == nil && m != nil {
			id = m.ID
		}
		return err
	})
	return id, err
}
