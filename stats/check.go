package stats

import "slices"

// CheckView is what the counts need of an eligibility check, before or
// after a step: whether there is one, the question it waits for, the
// questions answered so far in order, and whether it gave its result.
type CheckView struct {
	Active   bool
	Asking   string
	Answered []string
	Done     bool
}

// AddCheck adds to ev what a step did to the check, from the check before
// and after it; begun says that the step began a new check (/check,
// /restart, the check button), over any other.
//
//   - A new check is Started; one begun over an unfinished check, or an
//     unfinished check that is gone after the step (/cancel), is Abandoned
//     at the question it waited for.
//   - A question is Reached when the check waits for it and did not
//     before (a new check, an answer, /back); asked again after a question
//     of the FAQ, it is not.
//   - Questions added to the answers are Answered.
//   - A check that gives its result is Completed with result; /back after
//     the result and a new answer give it again.
func (ev *Events) AddCheck(before, after CheckView, begun bool, result Result) {
	unfinished := before.Active && !before.Done
	switch {
	case begun && unfinished:
		ev.Abandoned = before.Asking
	case unfinished && !after.Active:
		ev.Abandoned = before.Asking
	}
	if begun {
		ev.Started = true
		before = CheckView{}
	}
	if !after.Active {
		return
	}
	for i, q := range after.Answered {
		if i >= len(before.Answered) || before.Answered[i] != q {
			ev.Answered = append(ev.Answered, after.Answered[i:]...)
			break
		}
	}
	switch {
	case after.Done && !(before.Active && before.Done):
		ev.Completed, ev.Result = true, result
	case !after.Done && after.Asking != "" && (!before.Active || before.Done || before.Asking != after.Asking):
		ev.Reached = append(ev.Reached, after.Asking)
	}
	ev.Answered = slices.Clip(ev.Answered)
}
