package dialog

import (
	"errors"
	"math"
	"strings"

	"examdesk/photo"
)

// Picture is a picture a user sent, as the transport refers to it: the
// bot keeps the reference until its reply is sent, never the picture.
type Picture struct {
	// File is the transport's reference to download it by (Telegram's
	// file_id).
	File string
	// Source is how it was sent: as a photo or as a file.
	Source PhotoSource
	// Size is the file's size in bytes as the transport reports it, 0 when
	// unknown.
	Size int64
}

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

// PhotoFile is one of the print-ready files made of a checked picture.
type PhotoFile string

// The print-ready files, in the order PhotoFiles lists them.
const (
	// PhotoPrint is the picture cropped around the face to 33 × 48 mm at
	// 300 dpi, as a JPEG.
	PhotoPrint PhotoFile = "print"
	// PhotoSheetPDF is 8 copies on 6-inch paper with cut marks, as a PDF.
	PhotoSheetPDF PhotoFile = "sheet_pdf"
	// PhotoSheetJPEG is the same sheet as a JPEG, for a photo kiosk.
	PhotoSheetJPEG PhotoFile = "sheet_jpeg"
)

// PhotoFiles lists the print-ready files in the order they are sent.
var PhotoFiles = []PhotoFile{PhotoPrint, PhotoSheetPDF, PhotoSheetJPEG}

// PhotoCaption is the caption of file f: how to print it.
func PhotoCaption(f PhotoFile) Text { return T("photo.caption." + string(f)) }

// PhotoFileName is the name file f is sent under, in plain text.
func PhotoFileName(f PhotoFile) Text { return T("photo.file." + string(f)) }

// PhotoPrintable reports whether the print-ready files are offered with
// r's checklist: the picture has one face to crop around, and nothing the
// notice requires failed (the advice may have). A photo that fails the
// notice is not one to print: its checklist says what to fix.
func PhotoPrintable(r photo.Report) bool {
	if r.Crop.Empty() || len(r.Checks) == 0 {
		return false
	}
	for _, c := range r.Checks {
		if !c.OK && !advice[c.ID] {
			return false
		}
	}
	return true
}

// PhotoDownloadFailed is the reply to a picture the bot could not fetch
// from the messenger, retries and all: to send it again.
func PhotoDownloadFailed() Text { return T("photo.error.download") }

// photoCheck is the value of the "Check my photo" option.
const photoCheck = "check"

// photoOption is the "Check my photo" option, offered under the photo
// topic's answer: good at any time.
func photoOption() Option {
	return Option{Label: T("menu.photo"), Value: photoPrefix + photoCheck}
}

// photoPrompt answers /photo and the "Check my photo" option: how to send
// the picture, in a private chat; in a group, to send it in a private
// chat. Then the question of the check in progress.
func (c *conv) photoPrompt() {
	if c.group {
		c.say(T("photo.group"))
	} else {
		c.say(T("photo.prompt"))
	}
	c.resume()
}

// picture answers a picture sent with caption, at any moment: in a
// private chat, the picture is to be checked (Reply.Picture), unless its
// size is already over what the bot can download; then the question of
// the check in progress, asked again. In a group the bot checks no
// picture (members share pictures with each other there, and a checklist
// of someone's face, with their print files, is not for the group to
// see): a picture captioned /photo is answered as /photo is, with where
// to send it; any other picture gets no reply. The state stays as it was.
func (c *conv) picture(p Picture, caption string) {
	if c.group {
		if isCommand(caption, "photo") {
			c.photoPrompt()
		}
		return
	}
	if p.Size > photo.MaxFileSize {
		c.say(T("photo.error.too_large"))
	} else {
		c.pic = &p
	}
	c.resume()
}

// isCommand reports whether text is the command name, with or without
// the bot's name and arguments.
func isCommand(text, name string) bool {
	if !strings.HasPrefix(strings.TrimSpace(text), "/") {
		return false
	}
	got, _ := splitCommand(text)
	return got == name
}
