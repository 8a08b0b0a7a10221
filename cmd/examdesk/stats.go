package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"examdesk"
	"examdesk/faq"
	"examdesk/redisstore"
	"examdesk/stats"
)

const statsUsage = "examdesk stats [--days N] [--json]"

// defaultStatsDays is how many days `examdesk stats` shows without --days.
const defaultStatsDays = 7

// runStats prints the statistics of the last days (today, China time,
// included) kept in the Redis at REDIS_URL: a table, or with --json the
// report as one JSON object (stats.Report). Bad input: exit status 2 and
// one line on stderr; a failure of Redis: exit status 1.
func runStats(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	days := fs.String("days", strconv.Itoa(defaultStatsDays), "")
	asJSON := fs.Bool("json", false, "")
	if err := fs.Parse(args); err != nil {
		return usageError("stats: %v\nusage: %s", err, statsUsage)
	}
	if fs.NArg() > 0 {
		return usageError("stats: unexpected argument %q\nusage: %s", fs.Arg(0), statsUsage)
	}
	n, err := strconv.Atoi(strings.TrimSpace(*days))
	if err != nil || stats.CheckDays(n) != nil {
		return usageError("stats: --days %q is not a number of days from 1 to %d", *days, stats.MaxDays)
	}
	topics, err := faqTopics()
	if err != nil {
		return err
	}
	st, cancel, err := openCLIStore(ctx, "stats", getenv)
	if err != nil {
		return err
	}
	defer cancel()
	r, err := st.Stats().Report(ctx, n, now)
	if err != nil {
		return fmt.Errorf("stats: %w", err)
	}
	r = r.WithTopics(topics)
	if *asJSON {
		return json.NewEncoder(stdout).Encode(r)
	}
	return printReport(stdout, r, topics)
}

// faqTopics lists the FAQ's topics, in the order of DOMAIN.md.
func faqTopics() ([]string, error) {
	m, err := faq.Load()
	if err != nil {
		return nil, err
	}
	return m.Topics(), nil
}

// openCLIStore opens the Redis at REDIS_URL for a command that needs it,
// within a minute; cancel closes it.
func openCLIStore(ctx context.Context, cmd string, getenv func(string) string) (*redisstore.Store, func(), error) {
	url := strings.TrimSpace(getenv("REDIS_URL"))
	if url == "" {
		return nil, nil, usageError("%s: REDIS_URL is not set (the Redis that serve uses, like redis://127.0.0.1:6379/0)", cmd)
	}
	ctx, stop := context.WithTimeout(ctx, time.Minute)
	st, err := redisstore.Open(ctx, url)
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("%s: %w", cmd, err)
	}
	return st, func() { st.Close(); stop() }, nil
}

// printReport writes r as tables for people.
func printReport(w io.Writer, r stats.Report, topics []string) error {
	first, last := r.Days[0].Date, r.Days[len(r.Days)-1].Date
	fmt.Fprintf(w, "%d days, %s to %s (China time)\n\n", len(r.Days), first, last)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "date\tnew users\tactive users\tmessages\tchecks started\tcompleted\tgiven up\tdon't know\tbroadcast sent\tblocked\tfailed\t")
	row := func(label, active string, d stats.DayCounts) {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", label, d.NewUsers, active, d.Messages,
			d.ChecksStarted, d.ChecksCompleted, d.ChecksAbandoned, d.DontKnow, d.BroadcastSent, d.BroadcastBlocked, d.BroadcastFailed)
	}
	for _, d := range r.Days {
		row(d.Date, strconv.Itoa(d.ActiveUsers), d)
	}
	// Users active on several days are one user each day: the days'
	// active users do not add up.
	row("total", "", r.Total())
	tw.Flush()

	fmt.Fprintf(w, "\nThe check, question by question (the most reached first):\n")
	if len(r.Funnel) == 0 {
		fmt.Fprintln(w, "  no check")
	} else {
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "question\treached\tanswered\tgiven up there\t")
		for _, s := range r.Funnel {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", s.Question, s.Reached, s.Answered, s.Abandoned)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nResults by highest level (%d):\n", r.Results.Total())
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "level\tresults\tin person\tthrough training\t")
	for _, l := range []int{0, 4, 3, 2, 1} {
		label := "level " + strconv.Itoa(l)
		if l == 0 {
			label = "none"
		}
		n, training := r.Results.ByLevel[l], r.Results.Training[l]
		if l == 0 {
			fmt.Fprintf(tw, "%s\t%d\t\t\t\n", label, n)
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", label, n, n-training, training)
	}
	tw.Flush()

	fmt.Fprintf(w, "\nFAQ topics answered:\n")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, t := range r.TopicsByCount() {
		mark := ""
		if !slices.Contains(topics, t) {
			mark = " (no longer a topic)"
		}
		fmt.Fprintf(tw, "%s%s\t%d\t\n", t, mark, r.Topics[t])
	}
	tw.Flush()

	fmt.Fprintf(w, "\nUnanswered questions, the most asked first:\n")
	if len(r.Unanswered) == 0 {
		fmt.Fprintln(w, "  none")
		return nil
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "times\tlast asked\tquestion")
	for _, q := range r.Unanswered {
		fmt.Fprintf(tw, "%d\t%s\t%s\n", q.Count, q.Last, q.Text)
	}
	return tw.Flush()
}

const faqExportUsage = "examdesk faq export"

// runFAQExport prints the examples administrators added (from the Redis
// at REDIS_URL) in the format of faq/knowledge.txt: a section a topic, in
// the FAQ's order, then the questions marked out of scope under
// [off_topic], each example after a comment saying who added it and when.
func runFAQExport(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer, now time.Time) error {
	if len(args) > 0 {
		return usageError("faq export: unexpected argument %q\nusage: %s", args[0], faqExportUsage)
	}
	m, err := faq.Load()
	if err != nil {
		return err
	}
	st, cancel, err := openCLIStore(ctx, "faq export", getenv)
	if err != nil {
		return err
	}
	defer cancel()
	exs, _, err := st.Stats().Examples(ctx)
	if err != nil {
		return fmt.Errorf("faq export: %w", err)
	}
	_, err = io.WriteString(stdout, exportExamples(exs, m, now))
	return err
}

// exportExamples writes exs as sections of faq/knowledge.txt, the topics in
// the order of m's, then OffTopic, then any other topic by name. Each goes
// under the language the file takes for its text (m.ExampleLang); one that
// is already an example of the file (the same once normalised, which the
// file cannot have twice) is written as a comment.
func exportExamples(exs []stats.Example, m *faq.Matcher, now time.Time) string {
	topics := m.Topics()
	var b strings.Builder
	fmt.Fprintf(&b, "# %d examples added by administrators (examdesk faq export, %s China time).\n",
		len(exs), now.In(examdesk.China).Format("2006-01-02 15:04"))
	b.WriteString("# Merge each section's lines into the topic's section of faq/knowledge.txt;\n")
	fmt.Fprintf(&b, "# [%s] holds the questions marked out of scope, which the bot should refuse.\n", stats.OffTopic)
	order := append(slices.Clone(topics), stats.OffTopic)
	byTopic := map[string][]stats.Example{}
	for _, ex := range exs {
		if !slices.Contains(order, ex.Topic) {
			order = append(order, ex.Topic)
		}
		byTopic[ex.Topic] = append(byTopic[ex.Topic], ex)
	}
	slices.Sort(order[len(topics)+1:])
	for _, t := range order {
		list := byTopic[t]
		if len(list) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n[%s]\n", t)
		for _, ex := range list {
			fmt.Fprintf(&b, "# added %s by %s, asked %d times\n", ex.At.In(examdesk.China).Format("2006-01-02 15:04"), ex.By, ex.Count)
			line := m.ExampleLang(ex.Text, ex.Lang) + ": " + ex.Text
			if class, known := m.Example(ex.Text); known {
				line = "# already an example of " + class + ": " + line
			}
			fmt.Fprintln(&b, line)
		}
	}
	return b.String()
}
