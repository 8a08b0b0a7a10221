package bot

import (
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/go-telegram/bot/models"

	"examdesk/conversation"
	"examdesk/dialog"
)

var _ conversation.Files = (*Transport)(nil)

// pictureOf returns the picture m carries, or nil: the largest size of a
// photo, or a document that is a picture by its MIME type or its name
// (HEIC and WebP too, which the check then asks to send as JPEG or PNG).
func pictureOf(m *models.Message) *dialog.Picture {
	if len(m.Photo) > 0 {
		best := m.Photo[0]
		for _, s := range m.Photo[1:] {
			if s.Width*s.Height >= best.Width*best.Height {
				best = s
			}
		}
		return &dialog.Picture{File: best.FileID, Source: dialog.PhotoAsPhoto, Size: int64(best.FileSize)}
	}
	if d := m.Document; d != nil && isPicture(d.MimeType, d.FileName) {
		return &dialog.Picture{File: d.FileID, Source: dialog.PhotoAsFile, Size: d.FileSize}
	}
	return nil
}

// pictureExts are the extensions of picture files that phones and
// cameras write.
var pictureExts = map[string]bool{
	".jpg": true, ".jpeg": true, ".jpe": true, ".jfif": true, ".png": true,
	".heic": true, ".heif": true, ".hif": true, ".avif": true, ".webp": true,
	".gif": true, ".bmp": true, ".tif": true, ".tiff": true, ".dng": true,
}

// isPicture reports whether a document with MIME type mime and file name
// name is a picture.
func isPicture(mime, name string) bool {
	mime = strings.ToLower(strings.TrimSpace(mime))
	return strings.HasPrefix(mime, "image/") || pictureExts[strings.ToLower(path.Ext(name))]
}

// Download returns the bytes of a file a user sent (Sender.Download); a
// file over limit satisfies errors.Is(err, conversation.ErrTooLarge).
// Its other errors are Send's: a 400 (a file_id Telegram does not know)
// satisfies errors.Is(err, conversation.ErrRejected), a 429 is a
// *conversation.RetryAfterError; anything else is transient.
func (t *Transport) Download(ctx context.Context, file string, limit int64) ([]byte, error) {
	data, err := t.sender.Download(ctx, file, limit)
	if errors.Is(err, ErrFileTooBig) {
		return nil, fmt.Errorf("%w: %w", conversation.ErrTooLarge, err)
	}
	return data, t.conversationError(err)
}

// SendFile sends f to chat as a document (Sender.SendDocument), which
// Telegram does not recompress. Its errors are Send's.
func (t *Transport) SendFile(ctx context.Context, chat int64, f conversation.File) error {
	_, err := t.sender.SendDocument(ctx, chat, f.Name, f.Data, f.Caption)
	return t.conversationError(err)
}
