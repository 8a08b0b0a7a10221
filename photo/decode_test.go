package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"examdesk/photo/phototest"
)

// pngHeader returns the start of a PNG file, its signature and IHDR
// chunk, for a w × h picture of the given bit depth and colour type; no
// pixel data follows.
func pngHeader(w, h int, depth, colorType byte) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = depth, colorType
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// jpegFrame returns the start of a JPEG file, SOI and a frame header
// (SOF0, or SOF2 when progressive) for a w × h picture whose components
// have the sampling factors given, then SOS; no image data follows.
func jpegFrame(w, h int, progressive bool, samples ...byte) []byte {
	marker := byte(0xc0)
	if progressive {
		marker = 0xc2
	}
	sof := []byte{0xff, marker, 0, byte(8 + 3*len(samples)), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(samples))}
	for i, s := range samples {
		sof = append(sof, byte(i+1), s, 0)
	}
	out := append([]byte{0xff, 0xd8}, sof...)
	return append(out, 0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0)
}

func TestDecodeRefuses(t *testing.T) {
	t.Parallel()
	tiny := phototest.JPEG(t, image.NewGray(image.Rect(0, 0, 8, 8)), 90)
	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		problem Problem
		format  string
	}{
		{"heic", append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), make([]byte, 100)...), Limits{}, Unsupported, "heic"},
		{"heif mif1", []byte("\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic"), Limits{}, Unsupported, "heic"},
		{"avif", []byte("\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1"), Limits{}, Unsupported, "avif"},
		{"webp", []byte("RIFF\x24\x00\x00\x00WEBPVP8 "), Limits{}, Unsupported, "webp"},
		{"gif", []byte("GIF89a\x01\x00\x01\x00"), Limits{}, Unsupported, "gif"},
		{"pdf", []byte("%PDF-1.7\n"), Limits{}, Unsupported, "pdf"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), Limits{}, Unsupported, "tiff"},
		{"text", []byte("hello"), Limits{}, Unsupported, ""},
		{"empty", nil, Limits{}, Unsupported, ""},
		{"JPEG cut short", tiny[:len(tiny)/2], Limits{}, Unreadable, "jpeg"},
		{"JPEG header only", tiny[:4], Limits{}, Unreadable, "jpeg"},
		{"PNG cut short", pngHeader(100, 100, 8, 6), Limits{}, Unreadable, "png"},
		{"arithmetic-coded JPEG", []byte{0xff, 0xd8, 0xff, 0xc9, 0, 11, 8, 0, 8, 0, 8, 1, 1, 0x11, 0}, Limits{}, Unreadable, "jpeg"},
		{"12-bit JPEG", []byte{0xff, 0xd8, 0xff, 0xc1, 0, 11, 12, 0, 8, 0, 8, 1, 1, 0x11, 0}, Limits{}, Unreadable, "jpeg"},
		{"file over the limit", tiny, Limits{MaxFileSize: int64(len(tiny)) - 1}, TooLarge, "jpeg"},
		// Refused from the header alone: no pixel data follows, so
		// decoding would fail with Unreadable.
		{"JPEG of 48 megapixels", jpegFrame(8000, 6000, false, 0x22, 0x11, 0x11), Limits{}, TooManyPixels, "jpeg"},
		{"PNG of 48 megapixels", pngHeader(8000, 6000, 8, 2), Limits{}, TooManyPixels, "png"},
		{"16-bit PNG of 30 megapixels", pngHeader(6000, 5000, 16, 6), Limits{}, TooManyPixels, "png"},
		{"progressive JPEG of 27 megapixels", jpegFrame(6000, 4500, true, 0x11, 0x11, 0x11), Limits{}, TooManyPixels, "jpeg"},
		{"CMYK JPEG of 30 megapixels", jpegFrame(6000, 5000, false, 0x11, 0x11, 0x11, 0x11), Limits{}, TooManyPixels, "jpeg"},
		// Within the limits, they are decoded, and fail there.
		{"baseline JPEG of 27 megapixels", jpegFrame(6000, 4500, false, 0x11, 0x11, 0x11), Limits{}, Unreadable, "jpeg"},
		{"8-bit PNG of 30 megapixels", pngHeader(6000, 5000, 8, 6), Limits{}, Unreadable, "png"},
		{"over a lower pixel limit", pngHeader(200, 100, 8, 2), Limits{MaxPixels: 19_999}, TooManyPixels, "png"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.data, tt.lim)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode(%s) = %v; want a *DecodeError", tt.name, err)
			}
			if de.Problem != tt.problem || de.Format != tt.format {
				t.Errorf("Decode(%s) = %v (problem %d, format %q); want problem %d, format %q", tt.name, err, de.Problem, de.Format, tt.problem, tt.format)
			}
			if !strings.HasPrefix(err.Error(), "photo: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("Decode(%s) error %q: want one line starting photo:", tt.name, err)
			}
		})
	}
}

func TestRead(t *testing.T) {
	t.Parallel()
	data := phototest.JPEG(t, small().Image(t), 80)
	p, err := Read(iotest.OneByteReader(bytes.NewReader(data)), Limits{})
	if err != nil {
		t.Fatalf("Read(JPEG) = %v", err)
	}
	if w, h := p.Size(); w != 600 || h != 860 {
		t.Errorf("Read(JPEG) size = %d × %d; want 600 × 860", w, h)
	}
	var de *DecodeError
	_, err = Read(bytes.NewReader(data), Limits{MaxFileSize: 1000})
	if !errors.As(err, &de) || de.Problem != TooLarge || de.Size != 1001 {
		t.Errorf("Read(%d bytes, limit 1000) = %v; want TooLarge having read 1001 bytes", len(data), err)
	}
	_, err = Read(iotest.ErrReader(io.ErrUnexpectedEOF), Limits{})
	if !errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &de) {
		t.Errorf("Read(failing reader) = %v; want the reader's error, not a *DecodeError", err)
	}
	png16 := phototest.PNG(t, image.NewNRGBA64(image.Rect(0, 0, 30, 20)))
	if p, err := Decode(png16, Limits{}); err != nil || p.Orientation != 1 {
		t.Errorf("Decode(16-bit PNG) = %v, orientation %d; want it decoded, upright", err, p.Orientation)
	}
}

// TestDecodeMemory checks the memory bound against what decoding really
// allocates: the estimate from the header is at least that. It counts
// the process's allocations, so it runs alone: not in parallel.
func TestDecodeMemory(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"JPEG 4:2:0", phototest.JPEG(t, small().Image(t), 90)},
		{"grey JPEG", phototest.JPEG(t, image.NewGray(image.Rect(0, 0, 1000, 700)), 90)},
	} {
		h, err := readJPEGHeader(tt.data)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		_, err = Decode(tt.data, Limits{})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		// The decoder's fixed buffers (Huffman tables, a bit reader)
		// come on top of the pixels: 256 KiB is ample for them.
		if got := int64(after.TotalAlloc - before.TotalAlloc); got > h.memory()+256<<10 {
			t.Errorf("Decode(%s) allocated %d bytes; the estimate was %d", tt.name, got, h.memory())
		}
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ data, want string }{
		{"\xff\xd8\xff\xe0", "jpeg"},
		{"\x89PNG\r\n\x1a\n", "png"},
		{"GIF87a", "gif"},
		{"BM\x00\x00", "bmp"},
		{"MM\x00*", "tiff"},
		{"\x00\x00\x00\x18ftypheix", "heic"},
		{"\x00\x00\x00\x18ftypisom", ""},
		{"\x00\x00\x00\x18ftyp", ""},
		{"\xff\xd8", ""},
	} {
		if got := sniff([]byte(tt.data)); got != tt.want {
			t.Errorf("sniff(%q) = %q; want %q", tt.data, got, tt.want)
		}
	}
}
