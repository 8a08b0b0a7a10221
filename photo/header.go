package photo

import (
	"encoding/binary"
	"errors"
)

// jpegHeader is what a JPEG file says before its first scan.
type jpegHeader struct {
	width, height int
	progressive   bool
	// samples are the components' sampling factors, horizontal and
	// vertical.
	samples [][2]int
	// orientation is the EXIF orientation of the first Exif APP1
	// segment, 1 when there is none or it is not 1 to 8.
	orientation int
}

// readJPEGHeader walks the markers of a JPEG file up to its first scan, as
// image/jpeg does (skipping stray bytes between segments), and reads the
// frame header and the EXIF orientation.
func readJPEGHeader(b []byte) (jpegHeader, error) {
	h := jpegHeader{orientation: 1}
	exifSeen := false
	i := 2 // after SOI
	for {
		// Find the next marker: 0xff, any 0xff fill bytes, then the code.
		for i < len(b) && b[i] != 0xff {
			i++
		}
		for i < len(b) && b[i] == 0xff {
			i++
		}
		if i >= len(b) {
			return h, errors.New("no image data")
		}
		marker := b[i]
		i++
		switch {
		case marker == 0x00, marker == 0x01, 0xd0 <= marker && marker <= 0xd7:
			continue // stuffed byte, TEM or RSTn: no length
		case marker == 0xd9:
			return h, errors.New("no image data")
		}
		if i+2 > len(b) {
			return h, errors.New("truncated segment")
		}
		n := int(binary.BigEndian.Uint16(b[i:]))
		if n < 2 || i+n > len(b) {
			return h, errors.New("truncated segment")
		}
		seg := b[i+2 : i+n]
		i += n
		switch marker {
		case 0xc0, 0xc1, 0xc2: // SOF0 baseline, SOF1 extended, SOF2 progressive
			if h.samples != nil {
				return h, errors.New("more than one frame header")
			}
			if err := h.readFrame(seg, marker == 0xc2); err != nil {
				return h, err
			}
		case 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf:
			return h, errors.New("lossless, hierarchical or arithmetic-coded JPEG")
		case 0xe1:
			if !exifSeen && len(seg) >= 6 && string(seg[:6]) == "Exif\x00\x00" {
				exifSeen = true
				h.orientation = exifOrientation(seg[6:])
			}
		case 0xda: // SOS: the image data starts
			if h.samples == nil {
				return h, errors.New("scan before the frame header")
			}
			return h, nil
		}
	}
}

// readFrame reads a SOF segment.
func (h *jpegHeader) readFrame(seg []byte, progressive bool) error {
	if len(seg) < 6 {
		return errors.New("short frame header")
	}
	if seg[0] != 8 {
		return errors.New("not an 8-bit JPEG")
	}
	h.height = int(binary.BigEndian.Uint16(seg[1:]))
	h.width = int(binary.BigEndian.Uint16(seg[3:]))
	n := int(seg[5])
	if n != 1 && n != 3 && n != 4 {
		return errors.New("unsupported number of components")
	}
	if len(seg) != 6+3*n {
		return errors.New("bad frame header length")
	}
	h.samples = make([][2]int, n)
	for c := range n {
		hv := seg[6+3*c+1]
		hs, vs := int(hv>>4), int(hv&0x0f)
		if hs < 1 || hs > 4 || vs < 1 || vs > 4 {
			return errors.New("bad sampling factor")
		}
		h.samples[c] = [2]int{hs, vs}
	}
	h.progressive = progressive
	return nil
}

// memory estimates, in bytes, what image/jpeg allocates to decode the
// picture: a plane per component padded to whole blocks, every
// coefficient as an int32 for a progressive file, and the converted
// image for a four-component (CMYK) file.
func (h jpegHeader) memory() int64 {
	hmax, vmax := 1, 1
	for _, s := range h.samples {
		hmax, vmax = max(hmax, s[0]), max(vmax, s[1])
	}
	mcux := (int64(h.width) + int64(8*hmax) - 1) / int64(8*hmax)
	mcuy := (int64(h.height) + int64(8*vmax) - 1) / int64(8*vmax)
	var samples int64
	for _, s := range h.samples {
		samples += mcux * 8 * int64(s[0]) * mcuy * 8 * int64(s[1])
	}
	m := samples
	if h.progressive {
		m += 4 * samples
	}
	if len(h.samples) == 4 {
		m += 4 * int64(h.width) * int64(h.height)
	}
	return m
}

// exifOrientation reads tag 0x0112 (Orientation) of IFD0 in the TIFF
// structure of an Exif segment; 1 when it is missing or not 1 to 8.
func exifOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	if order.Uint16(t[2:]) != 42 {
		return 1
	}
	ifd := int64(order.Uint32(t[4:]))
	if ifd < 8 || ifd+2 > int64(len(t)) {
		return 1
	}
	n := int64(order.Uint16(t[ifd:]))
	for e := range n {
		off := ifd + 2 + 12*e
		if off+12 > int64(len(t)) {
			return 1
		}
		tag, typ, count := order.Uint16(t[off:]), order.Uint16(t[off+2:]), order.Uint32(t[off+4:])
		if tag != 0x0112 {
			continue
		}
		if typ != 3 || count != 1 { // one SHORT, held in the entry itself
			return 1
		}
		if v := int(order.Uint16(t[off+8:])); 1 <= v && v <= 8 {
			return v
		}
		return 1
	}
	return 1
}
