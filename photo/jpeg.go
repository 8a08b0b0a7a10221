package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
)

// jpegQuality is the quality of the JPEG files made: high enough that
// printing shows no artefacts.
const jpegQuality = 92

// EncodeJPEG writes m as a JPEG file whose JFIF header records DPI dots per
// inch, so that printing it at actual size gives its size in millimetres
// (image/jpeg writes no JFIF header, and without one printers and viewers
// assume 72 or 96 dpi).
func EncodeJPEG(w io.Writer, m image.Image) error {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: jpegQuality}); err != nil {
		return fmt.Errorf("encode JPEG: %w", err)
	}
	data := b.Bytes()
	if len(data) < 2 || data[0] != 0xff || data[1] != 0xd8 {
		return errors.New("encode JPEG: no start of image")
	}
	if _, err := w.Write(data[:2]); err != nil {
		return err
	}
	if _, err := w.Write(jfif(DPI)); err != nil {
		return err
	}
	_, err := w.Write(data[2:])
	return err
}

// jfif returns a JFIF APP0 segment, version 1.02, with a density of dpi
// dots per inch both ways and no thumbnail.
func jfif(dpi int) []byte {
	seg := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(seg[12:], uint16(dpi))
	binary.BigEndian.PutUint16(seg[14:], uint16(dpi))
	return seg
}

// Density returns the density a JPEG file's JFIF header records, in dots
// per inch, and false when it has none or records no unit.
func Density(data []byte) (x, y int, ok bool) {
	if len(data) < 20 || data[0] != 0xff || data[1] != 0xd8 || data[2] != 0xff || data[3] != 0xe0 {
		return 0, 0, false
	}
	seg := data[4:]
	n := int(binary.BigEndian.Uint16(seg))
	if n < 16 || len(seg) < n || string(seg[2:7]) != "JFIF\x00" {
		return 0, 0, false
	}
	x, y = int(binary.BigEndian.Uint16(seg[10:])), int(binary.BigEndian.Uint16(seg[12:]))
	switch seg[9] {
	case 1:
		return x, y, true
	case 2: // dots per cm
		return int(float64(x)*2.54 + 0.5), int(float64(y)*2.54 + 0.5), true
	}
	return 0, 0, false
}
