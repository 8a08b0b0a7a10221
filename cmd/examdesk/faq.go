package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"time"

	"examdesk"
	"examdesk/calendar"
	"examdesk/dialog"
	"examdesk/faq"
	"examdesk/locales"
	"examdesk/redisstore"
)

// faqUsage is the command line of runFAQ.
const faqUsage = "examdesk faq [--lang zh-Hant|zh-Hans|en] [--json] QUESTION..."

// faqAnswer is what runFAQ prints with --json.
type faqAnswer struct {
	Topic  string  `json:"topic"`  // "" when the matcher is not sure of any
	Score  float64 `json:"score"`  // the matcher's confidence, 0 to 1
	Answer string  `json:"answer"` // as plain text
	// Kind is what the question is: topic, unknown, unstated (the notice
	// does not say), other_exam, small_talk or command.
	Kind string `json:"kind"`
}

// runFAQ answers one question, its arguments joined by spaces, the way the
// bot would: the answer of the FAQ topic it asks, or where the centre
// publishes its news when the matcher is not sure of any. With REDIS_URL
// set, questions about dates are answered from the exam calendar there,
// and with the examples administrators taught there, as the bot answers
// them. The answer is in the language of --lang, or else
// of the question, and printed as plain text or, with --json, as one JSON
// object {"topic", "score", "answer", "kind"}. Flags may come anywhere
// among the words of the question.
func runFAQ(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	d, err := loadFAQ()
	if err != nil {
		return err
	}
	if url := getenv("REDIS_URL"); url != "" {
		st, err := redisstore.Open(ctx, url)
		if err != nil {
			return err
		}
		defer st.Close()
		cal, err := calendar.NewCache(st.Calendar(), calendar.CacheOptions{})
		if err != nil {
			return err
		}
		if err := cal.Refresh(ctx); err != nil {
			return fmt.Errorf("faq: load the exam calendar: %w", err)
		}
		d.dates = dialog.NewDateAnswers(cal, d.matcher)
		// The examples administrators taught, as serve learns them (an
		// example serve leaves out is left out here too).
		exs, version, err := st.Stats().Examples(ctx)
		if err != nil {
			return fmt.Errorf("faq: load the examples taught: %w", err)
		}
		_ = d.matcher.Learn(version, faqExamples(exs))
	}
	return d.run(args, stdout)
}

// faqData is what runFAQ answers from, loaded once.
type faqData struct {
	matcher *faq.Matcher
	catalog *locales.Catalog
	// dates, if set, answers the topics about dates from the calendar.
	dates dialog.Dates
}

func loadFAQ() (*faqData, error) {
	matcher, err := faq.Load()
	if err != nil {
		return nil, err
	}
	catalog, err := locales.Load()
	if err != nil {
		return nil, err
	}
	return &faqData{matcher: matcher, catalog: catalog}, nil
}

// run is runFAQ on loaded data.
func (d *faqData) run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("faq", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	lang := fs.String("lang", "", "language of the answer: "+strings.Join(examdesk.Languages, ", ")+" (default: the question's)")
	asJSON := fs.Bool("json", false, "print the topic, score and answer as JSON")
	var words []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(stdout, "usage:", faqUsage)
				return nil
			}
			return usageError("faq: %v; usage: %s", err, faqUsage)
		}
		if fs.NArg() == 0 {
			break
		}
		// A word of the question: the flags may go on after it.
		words, args = append(words, fs.Arg(0)), fs.Args()[1:]
	}
	question := strings.Join(words, " ")
	if strings.TrimSpace(question) == "" {
		return usageError("faq: no question; usage: %s", faqUsage)
	}
	if *lang != "" {
		l, ok := dialog.ParseLanguage(*lang)
		if !ok {
			return usageError("faq: --lang %q: want one of %s", *lang, strings.Join(examdesk.Languages, ", "))
		}
		*lang = l
	}

	matcher, catalog := d.matcher, d.catalog
	if *lang == "" {
		*lang = matcher.Language(question)
	}
	best := matcher.Best(question)
	text := d.answer(best)
	answer := plainText(dialog.Render(catalog, *lang, text, html.EscapeString))

	if !*asJSON {
		_, err := fmt.Fprintln(stdout, answer)
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(faqAnswer{Topic: best.Topic, Score: best.Score, Answer: answer, Kind: best.Kind.String()})
}

// answer is what the bot says to a message the matcher read as m, outside
// the eligibility check.
func (d *faqData) answer(m faq.Match) dialog.Text {
	switch m.Kind {
	case faq.Topic:
		return dialog.TopicAnswer(d.matcher, d.dates, m.Topic, time.Now())
	case faq.Unstated:
		return dialog.T("faq.unstated", "Subject", dialog.T("unstated."+m.Subject))
	case faq.OtherExam:
		return dialog.T("faq.other_exam")
	case faq.SmallTalk:
		return dialog.T("smalltalk." + m.Subject)
	case faq.Command:
		return dialog.T("faq.command", "Command", "/"+m.Subject)
	}
	return dialog.T("faq.unknown")
}

var link = regexp.MustCompile(`<a href="([^"]*)">([^<]*)</a>`)

// plainText renders a message, Telegram HTML, as plain text: a link as its
// text and address, the other tags dropped (as the terminal chat drops
// them), entities unescaped.
func plainText(s string) string {
	s = link.ReplaceAllString(s, "$2: $1")
	return html.UnescapeString(tag.ReplaceAllString(s, ""))
}
