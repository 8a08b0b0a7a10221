package photo

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
)

// Default limits of Read and Decode.
const (
	// MaxFileSize is the largest file read: what Telegram's getFile lets a
	// bot download.
	MaxFileSize = 20 << 20
	// MaxPixels is the largest picture decoded, in pixels.
	MaxPixels = 40_000_000
	// MaxMemory bounds the memory a decoded picture takes, with the
	// decoder's own buffers, as worked out from the file's header before
	// decoding: 40 megapixels of 8-bit RGBA fit, a progressive JPEG
	// (whose decoder keeps every coefficient) of about 25 megapixels does.
	MaxMemory = 200 << 20
)

// Limits bound what Read and Decode accept; a zero field takes its default.
type Limits struct {
	MaxFileSize int64
	MaxPixels   int64
	MaxMemory   int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = MaxFileSize
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = MaxPixels
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = MaxMemory
	}
	return l
}

// Problem is why a picture cannot be read.
type Problem int

const (
	// Unsupported is a file that is not a JPEG or PNG picture: HEIC, WebP,
	// a document...
	Unsupported Problem = iota + 1
	// Unreadable is a JPEG or PNG that cannot be decoded: damaged, cut
	// short, or a variant the decoder does not know.
	Unreadable
	// TooLarge is a file over the size limit.
	TooLarge
	// TooManyPixels is a picture over the pixel or memory limit.
	TooManyPixels
)

var problemNames = map[Problem]string{
	Unsupported:   "not a JPEG or PNG picture",
	Unreadable:    "cannot decode the picture",
	TooLarge:      "file too large",
	TooManyPixels: "picture too large",
}

func (p Problem) String() string { return problemNames[p] }

// DecodeError is a picture Read or Decode refuses. Callers tell the user
// what to send instead from Problem and Format.
type DecodeError struct {
	Problem Problem
	// Format is what the file looks like: "jpeg", "png", "heic", "avif",
	// "webp", "gif", "bmp", "tiff", "pdf", or "" when unknown.
	Format string
	// Width and Height are the picture's, when its header was read.
	Width, Height int
	// Size is the file's size in bytes; for TooLarge, more than the limit.
	Size int64
	// Err is the decoder's error, if any.
	Err error
}

func (e *DecodeError) Error() string {
	var b bytes.Buffer
	b.WriteString("photo: ")
	b.WriteString(e.Problem.String())
	if e.Format != "" {
		fmt.Fprintf(&b, " (%s)", e.Format)
	}
	switch e.Problem {
	case TooLarge:
		fmt.Fprintf(&b, ": over %d bytes", e.Size-1)
	case TooManyPixels:
		fmt.Fprintf(&b, ": %d × %d", e.Width, e.Height)
	}
	if e.Err != nil {
		fmt.Fprintf(&b, ": %v", e.Err)
	}
	return b.String()
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Read reads a picture of at most lim.MaxFileSize bytes from r and decodes
// it as Decode does. An error reading r is returned wrapped, not as a
// *DecodeError.
func Read(r io.Reader, lim Limits) (Picture, error) {
	lim = lim.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, lim.MaxFileSize+1))
	if err != nil {
		return Picture{}, fmt.Errorf("read picture: %w", err)
	}
	return Decode(data, lim)
}

// Decode decodes a JPEG or PNG picture and reads its EXIF orientation. It
// reads the header first and refuses, before decoding, a file or picture
// over the limits; anything else it cannot decode is a *DecodeError too.
func Decode(data []byte, lim Limits) (Picture, error) {
	lim = lim.withDefaults()
	size := int64(len(data))
	format := sniff(data)
	if size > lim.MaxFileSize {
		return Picture{}, &DecodeError{Problem: TooLarge, Format: format, Size: size}
	}
	var (
		cfg    image.Config
		err    error
		memory int64
		orient = 1
	)
	switch format {
	case "jpeg":
		var h jpegHeader
		h, err = readJPEGHeader(data)
		if err == nil {
			cfg = image.Config{Width: h.width, Height: h.height}
			memory = h.memory()
			orient = h.orientation
		}
	case "png":
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
		if err == nil {
			memory = int64(cfg.Width) * int64(cfg.Height) * bytesPerPixel(cfg.ColorModel)
		}
	default:
		return Picture{}, &DecodeError{Problem: Unsupported, Format: format, Size: size}
	}
	if err != nil {
		return Picture{}, &DecodeError{Problem: Unreadable, Format: format, Size: size, Err: err}
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return Picture{}, &DecodeError{Problem: Unreadable, Format: format, Size: size, Err: errors.New("empty picture")}
	}
	if int64(cfg.Width)*int64(cfg.Height) > lim.MaxPixels || memory > lim.MaxMemory {
		return Picture{}, &DecodeError{Problem: TooManyPixels, Format: format, Width: cfg.Width, Height: cfg.Height, Size: size}
	}
	var img image.Image
	if format == "jpeg" {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return Picture{}, &DecodeError{Problem: Unreadable, Format: format, Width: cfg.Width, Height: cfg.Height, Size: size, Err: err}
	}
	if b := img.Bounds(); b.Dx() != cfg.Width || b.Dy() != cfg.Height {
		return Picture{}, &DecodeError{Problem: Unreadable, Format: format, Width: cfg.Width, Height: cfg.Height, Size: size,
			Err: fmt.Errorf("decoded %d × %d, header says %d × %d", b.Dx(), b.Dy(), cfg.Width, cfg.Height)}
	}
	return Picture{Image: img, Orientation: orient}, nil
}

// bytesPerPixel is what image/png allocates per pixel for a colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4
}

// sniff names the format of a file from its first bytes.
func sniff(b []byte) string {
	has := func(off int, s string) bool {
		return len(b) >= off+len(s) && string(b[off:off+len(s)]) == s
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return "jpeg"
	case has(0, "\x89PNG\r\n\x1a\n"):
		return "png"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return "gif"
	case has(0, "RIFF") && has(8, "WEBP"):
		return "webp"
	case has(0, "BM"):
		return "bmp"
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return "tiff"
	case has(0, "%PDF-"):
		return "pdf"
	case has(4, "ftyp"):
		if len(b) < 12 {
			return ""
		}
		switch string(b[8:12]) {
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
			return "heic"
		case "avif", "avis":
			return "avif"
		}
	}
	return ""
}
