package conversation

import (
	"context"
	"time"

	"examdesk/dialog"
	"examdesk/inbox"
	"examdesk/rules"
	"examdesk/stats"
)

// Counter commits an update together with what handling it counts.
// CommitCounted is inbox.Queue's Commit that also records ev in the same
// atomic step, exactly when it saves st: never when the same commit was
// made before (a call sent again after a lost reply), on a conflict or
// without the lease. So an update is counted once, by the holder that
// committed its reply, and counting costs the commit nothing more.
// redisstore.Inbox is one.
type Counter interface {
	CommitCounted(ctx context.Context, j inbox.Job, st dialog.State, out [][]byte, ev stats.Events) (dialog.State, inbox.Turn, error)
}

// Stats is what the pipeline needs to count the updates it handles (see
// Options.Stats).
type Stats struct {
	// Queue commits the updates with their counts: the pipeline's own
	// queue.
	Queue Counter
	// Rules gives a check's result, its highest level and the route of
	// that level.
	Rules *rules.Set
	// Now tells the time an update is counted at; nil means time.Now.
	Now func() time.Time
}

func (s *Stats) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// checkIntro is the message the dialog begins a check with (/check,
// /restart, the check's button, /start check): the reply says that the
// check in the state after it is a new one, which the states alone do
// not tell from /back to its first question.
const checkIntro = "check.intro"

// Events returns what handling update u counts, from the conversation's
// state before and after the step and the reply; console says that the
// administrators' console answered it, which counts only as a message.
//
//   - Every update of a user is a message of theirs (a pressed button
//     too).
//   - A topic answered (Reply.Topic) is counted; a question the bot did
//     not answer (Reply.Kind.Unanswered: it did not know, the notice does
//     not say, another exam) is a don't-know, with its text. Small talk,
//     answers and commands are not questions.
//   - The check: begun, its questions reached and answered, given up (at
//     the question it waited for), and its result when it is first given
//     (dialog.Check.Told), by highest level and route (stats.AddCheck).
//     The optional follow-up questions after the result are not the
//     check's: answering one counts nothing, and neither does leaving.
func (s *Stats) Events(u inbox.Update, before, after dialog.State, r dialog.Reply, console bool) stats.Events {
	ev := stats.Events{At: s.now(), User: u.User, Lang: r.Lang, Message: u.User != 0}
	if console {
		return ev
	}
	if r.Topic != "" {
		ev.Topics = []string{r.Topic}
	}
	if r.Kind.Unanswered() && u.Input.Pick == nil {
		ev.Unanswered = u.Input.Text
	}
	began := after.Check != nil && len(after.Check.History) == 0 && says(r, checkIntro)
	var result stats.Result
	if after.Check.Told() {
		result = s.result(after.Check.Answers)
	}
	ev.AddCheck(checkView(before.Check), checkView(after.Check), began, result)
	if before.Check.Told() && after.Check.Told() && !began {
		ev.Answered = nil // a follow-up's answer
	}
	return ev
}

// checkView is what the counts need of a check: the result given counts
// as done, a follow-up after it asks nothing of the check.
func checkView(c *dialog.Check) stats.CheckView {
	if c == nil {
		return stats.CheckView{}
	}
	v := stats.CheckView{Active: true, Done: c.Told()}
	if !v.Done {
		v.Asking = string(c.Asking)
	}
	for _, q := range c.History {
		v.Answered = append(v.Answered, string(q))
	}
	return v
}

// result is the result of a check's answers: the highest eligible level
// and its route.
func (s *Stats) result(a rules.Answers) stats.Result {
	out := s.Rules.Outcome(a)
	res := stats.Result{Level: out.Highest}
	for _, l := range out.Levels {
		if l.Level == out.Highest && l.Eligible {
			res.Route = string(l.Route)
		}
	}
	return res
}

// says reports whether r has a message of the key.
func says(r dialog.Reply, key string) bool {
	for _, m := range r.Messages {
		if m.Text.Key == key {
			return true
		}
	}
	return false
}

// commitStep commits a step of the job's update as commit does, through
// Options.Stats with what the step counts when it is set.
func (p *Pipeline) commitStep(ctx context.Context, job inbox.Job, before, after dialog.State, r dialog.Reply, console bool, out [][]byte) (dialog.State, inbox.Turn, error) {
	s := p.opts.Stats
	if s == nil {
		return p.queue.Commit(ctx, job, after, out)
	}
	ev := s.Events(job.Update, before, after, r, console)
	if err := ev.Validate(); err != nil {
		// A mistake of this release: the reply goes all the same.
		p.opts.Log.Error("an update's statistics are not valid; it is not counted", "update_id", job.Update.ID, "chat_id", job.Chat, "err", err)
		return p.queue.Commit(ctx, job, after, out)
	}
	return s.Queue.CommitCounted(ctx, job, after, out, ev)
}
