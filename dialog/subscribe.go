package dialog

import "examdesk"

// SubscriptionOp is what a step does to the user's subscription to the
// testing centre's notices and to the exam date reminders.
type SubscriptionOp int

// What a step may do to the subscription. Every one is idempotent: the
// adapter may apply it again after a crash.
const (
	// Subscribe subscribes the user (/start), or makes them active again,
	// keeping their reminder choice.
	Subscribe SubscriptionOp = iota + 1
	// Unsubscribe stops everything sent to the user (/stop); what they
	// chose is kept for when they come back.
	Unsubscribe
	// Forget deletes everything kept about the user (/forget, confirmed):
	// the subscription and the conversation state, which the step has
	// already emptied.
	Forget
	// Remind subscribes the user with reminders on (/remind, or the
	// button under a check's result).
	Remind
	// NoRemind turns reminders off (/remind off), subscribed or not.
	NoRemind
	// Update refreshes the language and level of a user who is subscribed
	// and active, after /lang or a finished check; it subscribes nobody.
	Update
)

var opNames = [...]string{"", "subscribe", "unsubscribe", "forget", "remind", "noremind", "update"}

func (op SubscriptionOp) String() string {
	if op <= 0 || int(op) >= len(opNames) {
		return "none"
	}
	return opNames[op]
}

// Subscription is the effect of a step on the user's subscription, for the
// adapter to apply once the step's state is saved. Steps in group chats
// have none: only private chats subscribe.
//
// An adapter may keep it, as JSON, until it is applied.
type Subscription struct {
	Op SubscriptionOp `json:"op"`
	// Lang is the user's language after the step.
	Lang string `json:"lang,omitempty"`
	// Checked says that a check is finished, so that Level is known.
	Checked bool `json:"checked,omitempty"`
	// Level is the highest level the finished check found the user
	// eligible for, 1–4, or 0 when none; meaningful only when Checked.
	Level examdesk.Level `json:"level,omitempty"`
}

// Commands of the subscription, and the values of the /forget
// confirmation's buttons: a value with a space cannot be typed as a
// command, so only the button confirms.
const (
	forgetYes = "forget yes"
	forgetNo  = "forget no"
)

// subscription answers /stop, /remind [on|off], /forget and the /forget
// confirmation's buttons; then, but for /forget's question and its answer
// yes, it asks again the question of the check in progress (see resume).
func (c *conv) subscription(name, arg string) {
	c.subscriptionCommand(name, arg)
	if name != "forget" {
		c.resume()
	}
}

func (c *conv) subscriptionCommand(name, arg string) {
	if c.group {
		c.say(T("subscribe.private"))
		return
	}
	switch name {
	case "stop":
		c.setOp(Unsubscribe)
		c.say(T("subscribe.stopped"))
	case "remind":
		switch normalize(arg) {
		case "", "on":
			c.setOp(Remind)
			c.say(T("subscribe.remind_on"))
		case "off":
			c.setOp(NoRemind)
			c.say(T("subscribe.remind_off"))
		default:
			c.say(T("subscribe.remind_usage"))
		}
	case "forget":
		c.say(T("subscribe.forget_confirm"),
			Option{Label: T("subscribe.forget_yes"), Value: commandPrefix + forgetYes},
			Option{Label: T("subscribe.forget_no"), Value: commandPrefix + forgetNo})
	case forgetYes:
		// The state is emptied here, atomically with the reply; the
		// adapter then deletes it and the subscription.
		*c.st = State{Version: c.st.Version}
		c.setOp(Forget)
		c.say(T("subscribe.forgotten"))
	case forgetNo:
		c.say(T("subscribe.kept"))
	}
}

// subscribe records that the user started the bot, in a private chat.
func (c *conv) subscribe() {
	if !c.group {
		c.setOp(Subscribe)
	}
}

func (c *conv) setOp(op SubscriptionOp) { c.sub = &Subscription{Op: op} }

// remindOptions offers reminders of the dates under a check's result, in a
// private chat; the button is good while the result stands.
func (c *conv) remindOptions() []Option {
	if c.group {
		return nil
	}
	return []Option{{Label: T("result.button.remind"), Value: resultPrefix + detailRemind}}
}

// effect returns the subscription effect of the step: the one a command
// set, else an Update when the step changed the conversation's language
// (chosen with /lang, or the one the user writes in) or finished a check,
// in a private chat; nil when there is none. lang and done are the
// conversation's language and whether a check was finished before the
// step.
func (c *conv) effect(lang string, done bool) *Subscription {
	s := c.sub
	if s == nil {
		finished := c.st.Check.Told() && !done
		if c.group || (c.lang == lang && !finished) {
			return nil
		}
		s = &Subscription{Op: Update}
	}
	s.Lang = c.lang
	if ch := c.st.Check; ch.Told() {
		s.Checked = true
		s.Level = c.e.rules.Outcome(ch.Answers).Highest
	}
	return s
}
