package dialog

import (
	"errors"
	"math"

	"examdesk/photo"
)

// PhotoSource is how a picture reached the bot.
type PhotoSource int

const (
	// PhotoAsFile is a picture sent as a file: every pixel arrives.
	PhotoAsFile PhotoSource = iota
	// PhotoAsPhoto is a picture sent as a photo, which Telegram
	// recompresses and scales down.
	PhotoAsPhoto
)

// advice are the checks the notice does not state: the reply labels them
// as advice for a good ID photo, not the centre's requirement.
var advice = map[photo.ID]bool{photo.CheckHead: true, photo.CheckExposure: true, photo.CheckSharpness: true}

// PhotoReport is the reply to a checked picture: the checklist, what the
// notice requires first, then the advice, each item passed or failed with
// what to do; what it cannot check; and that the staff decide. It never
// promises acceptance.
func PhotoReport(r photo.Report, src PhotoSource) Text {
	var required, adv []Text
	verdict := "photo.verdict.ok"
	for _, c := range r.Checks {
		item := PhotoItem(r, c.ID, src)
		if advice[c.ID] {
			adv = append(adv, item)
			if !c.OK && verdict == "photo.verdict.ok" {
				verdict = "photo.verdict.advice"
			}
			continue
		}
		required = append(required, item)
		if !c.OK {
			verdict = "photo.verdict.fix"
		}
	}
	return T("photo.report", "Required", required, "Advice", adv, "Verdict", T(verdict))
}

// PhotoItem is the checklist's line for check id of r: its name, passed
// or failed, and PhotoDetail.
func PhotoItem(r photo.Report, id photo.ID, src PhotoSource) Text {
	status := "photo.item.ok"
	if !r.Result(id).OK {
		status = "photo.item.fail"
	}
	return T(status, "Name", T("photo.name."+string(id)), "Text", PhotoDetail(r, id, src))
}

// PhotoDetail is what the checklist says of check id of r: what was
// found, and for a failed check what to do.
func PhotoDetail(r photo.Report, id photo.ID, src PhotoSource) Text {
	c := r.Result(id)
	key := "photo." + string(id) + ".ok"
	if !c.OK {
		key = "photo." + string(id) + "." + string(c.Reason)
	}
	var args []any
	switch {
	case id == photo.CheckResolution:
		if !c.OK && src == PhotoAsPhoto {
			key = "photo.resolution.low_resolution_photo"
		}
		args = []any{"Width", r.Frame.Dx(), "Height", r.Frame.Dy()}
	case id == photo.CheckFace && c.Reason == photo.ManyFaces:
		args = []any{"Count", len(r.Faces)}
	case id == photo.CheckHead && c.Reason != photo.NoFace && c.Reason != photo.ManyFaces:
		f := r.Framing
		args = []any{"Head", mm(f.Head), "Crown", mm(f.Crown), "Chin", mm(f.Chin), "Offset", mm(math.Abs(f.Offset))}
	case id == photo.CheckBackground && c.OK && r.Gray:
		key = "photo.background.ok_gray"
	}
	return T(key, args...)
}

// mm rounds a measure to whole millimetres: the head's are estimates,
// good to about a millimetre.
func mm(v float64) int { return int(math.Round(v)) }

// PhotoError is the reply to a picture that cannot be checked, and true;
// or false when err is not a *photo.DecodeError (a failure of the bot's,
// to apologise for).
func PhotoError(err error) (Text, bool) {
	var de *photo.DecodeError
	if !errors.As(err, &de) {
		return Text{}, false
	}
	switch de.Problem {
	case photo.Unsupported:
		if de.Format == "heic" {
			return T("photo.error.heic"), true
		}
		return T("photo.error.format"), true
	case photo.TooLarge:
		return T("photo.error.too_large"), true
	case photo.TooManyPixels:
		return T("photo.error.too_many_pixels", "Width", de.Width, "Height", de.Height), true
	}
	return T("photo.error.unreadable"), true
}

// PhotoCaptions are the captions of the print-ready files: the print
// (33 × 48 mm at 300 dpi) and the 6-inch sheet.
func PhotoCaptions() (crop, sheet Text) {
	return T("photo.caption.print"), T("photo.caption.sheet")
}
