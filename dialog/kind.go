package dialog

// Kind is what a user's input was, as the engine took it: what statistics
// count, without reading the message again.
type Kind string

// The kinds of input. A question the bot did not answer is KindUnknown,
// KindUnstated or KindOtherExam (see Unanswered); one it answered is
// KindTopic, with Reply.Topic.
const (
	// KindCommand: a command, typed with its slash or without (help,
	// 幫助), or a language typed while choosing one.
	KindCommand Kind = "command"
	// KindButton: a pressed option (an answer, a topic, a command, a
	// language), or one that no longer applies. A topic pressed sets
	// Reply.Topic.
	KindButton Kind = "button"
	// KindAnswer: a typed answer to the check's question, recorded or
	// asked about (本科 or 碩士?).
	KindAnswer Kind = "answer"
	// KindTopic: a question answered with a FAQ topic, Reply.Topic.
	KindTopic Kind = "topic"
	// KindUnknown: a question the bot could not place.
	KindUnknown Kind = "unknown"
	// KindUnstated: a question about something the notice does not state
	// (fees, the exam's subjects or venue...).
	KindUnstated Kind = "unstated"
	// KindOtherExam: a question about another exam or qualification.
	KindOtherExam Kind = "other_exam"
	// KindSmallTalk: a greeting, thanks, an acknowledgement, a goodbye.
	KindSmallTalk Kind = "small_talk"
	// KindUnread: a typed message at the check's question that is neither
	// an answer nor a question the bot knows.
	KindUnread Kind = "unread"
	// KindPhoto: a picture sent, as a photo or as a file.
	KindPhoto Kind = "photo"
)

// Unanswered reports whether k is a question the bot did not answer: one
// it could not place, about what the notice does not state, or about
// another exam.
func (k Kind) Unanswered() bool {
	return k == KindUnknown || k == KindUnstated || k == KindOtherExam
}
