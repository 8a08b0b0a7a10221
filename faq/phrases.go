package faq

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// smallTalk are the subjects of small talk, in the order that decides
// which one a message of several is: "好的，謝謝" is thanks.
var smallTalk = []string{"bye", "thanks", "greeting", "ack"}

// commandNames are the commands that may be typed without their slash.
var commandNames = []string{"start", "check", "help", "back", "restart", "cancel", "lang", "where"}

// phrasebook reads whole messages that are small talk or a command.
type phrasebook struct {
	talk     map[string]int    // a phrase, normalised and without spaces → its subject's index in smallTalk
	commands map[string]string // a phrase, normalised and without spaces → its command
	longest  int               // the longest small-talk phrase, in runes
}

// maxTalk is the most bytes per rune of the longest phrase that small talk
// may have: a message longer says more than hello.
const maxTalk = 12

// parsePhrases reads a phrases file (see phrases.txt for the format),
// normalising each phrase with norm. Errors name the file, as name, and
// the line.
func parsePhrases(name string, r io.Reader, norm func(string) string) (*phrasebook, error) {
	p := &phrasebook{talk: map[string]int{}, commands: map[string]string{}}
	where := map[string]int{} // a phrase → its line
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		head, list, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want \"subject: phrase, phrase…\" or \"command NAME: phrase, phrase…\"", name, n)
		}
		head = strings.TrimSpace(head)
		subject, command := slices.Index(smallTalk, head), ""
		if cmd, ok := strings.CutPrefix(head, "command "); ok {
			command = strings.TrimSpace(cmd)
			if !slices.Contains(commandNames, command) {
				return nil, fmt.Errorf("%s:%d: unknown command %q: want one of %s", name, n, command, strings.Join(commandNames, ", "))
			}
		} else if subject < 0 {
			return nil, fmt.Errorf("%s:%d: unknown subject %q: want one of %s, or command NAME", name, n, head, strings.Join(smallTalk, ", "))
		}
		for _, phrase := range splitList(list) {
			key := squeeze(norm(phrase))
			if key == "" {
				return nil, fmt.Errorf("%s:%d: phrase %q has nothing to read", name, n, phrase)
			}
			if first, dup := where[key]; dup && (p.commands[key] != command || command == "" && p.talk[key] != subject) {
				return nil, fmt.Errorf("%s:%d: phrase %q is already on line %d, for something else", name, n, phrase, first)
			}
			where[key] = n
			if command != "" {
				p.commands[key] = command
				continue
			}
			p.talk[key] = subject
			p.longest = max(p.longest, utf8.RuneCountInString(key))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return p, nil
}

// splitList splits a list of phrases at commas, ASCII or full-width, and
// drops empty ones.
func splitList(list string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == '，' }) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// squeeze drops what does not tell one phrase from another: spaces,
// punctuation, and the modifiers emoji are written with.
func squeeze(s string) string {
	var b strings.Builder
	for _, r := range s {
		if !skippable(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// skippable reports whether r is a space, punctuation or an emoji
// modifier: nothing a message says.
func skippable(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || r == '\u200d' || r == '\ufe0f' ||
		(r >= 0x1F3FB && r <= 0x1F3FF) || r == '~' || r == '^' || r == '`' || r == '…'
}

// decoration reports whether r is a symbol, an emoji most often, that
// adorns a message.
func decoration(r rune) bool {
	return unicode.Is(unicode.So, r) || unicode.Is(unicode.Sk, r)
}

// match reads a whole message, normalised: a command when it is one
// command's phrase (with or without a slash), small talk when it is made
// of small-talk phrases, sentence-final particles and emoji, and nothing
// else. A message of emoji alone is an acknowledgement.
func (p *phrasebook) match(text string) (Match, bool) {
	s := strings.TrimSpace(text)
	if cmd, ok := strings.CutPrefix(s, "/"); ok {
		name, _, _ := strings.Cut(cmd, "@")
		if c, ok := p.commands[squeeze(name)]; ok {
			return Match{Kind: Command, Subject: c, Score: 1}, true
		}
		return Match{}, false
	}
	key := squeeze(s)
	if c, ok := p.commands[key]; ok {
		return Match{Kind: Command, Subject: c, Score: 1}, true
	}
	if key == "" || len(key) > maxTalk*p.longest {
		return Match{}, false
	}
	// reach[i] says how key[:i] reads: unread when it cannot be read,
	// noPhrase when it is only particles and emoji, else the index in
	// smallTalk of the first subject of its phrases.
	const unread, noPhrase = -2, -1
	join := func(a, b int) int { // two readings of the same text
		switch {
		case a == unread || a == noPhrase && b != unread:
			return b
		case b == unread || b == noPhrase:
			return a
		}
		return min(a, b)
	}
	reach := make([]int, len(key)+1)
	for i := range reach {
		reach[i] = unread
	}
	reach[0] = noPhrase
	for i, r := range key {
		v := reach[i]
		if v == unread {
			continue
		}
		next := i + utf8.RuneLen(r)
		if decoration(r) || strings.ContainsRune(particles, r) {
			reach[next] = join(reach[next], v)
		}
		for j, n := next, 1; n <= p.longest; n++ {
			if sub, ok := p.talk[key[i:j]]; ok {
				reach[j] = join(reach[j], join(v, sub))
			}
			if j == len(key) {
				break
			}
			_, size := utf8.DecodeRuneInString(key[j:])
			j += size
		}
	}
	switch end := reach[len(key)]; {
	case end >= 0:
		return Match{Kind: SmallTalk, Subject: smallTalk[end], Score: 1}, true
	case end == noPhrase && strings.IndexFunc(key, func(r rune) bool { return !decoration(r) }) < 0:
		return Match{Kind: SmallTalk, Subject: "ack", Score: 1}, true
	}
	return Match{}, false
}
