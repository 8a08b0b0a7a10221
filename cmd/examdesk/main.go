// Command examdesk is the examdesk bot and its tools:
//
//	examdesk chat [--lang zh-Hant|zh-Hans|en]    talk to the bot in the terminal
//	examdesk eligibility [--facts FILE]          evaluate facts JSON, print the result JSON
//	examdesk faq [--lang L] [--json] QUESTION... answer one question of the FAQ
//	examdesk calendar list|add|remove|holidays   keep the exam calendar (REDIS_URL)
//	examdesk broadcast send|status|cancel        queue, watch or cancel a notice (REDIS_URL)
//	examdesk stats [--days N] [--json]           what the bot was asked, day by day (REDIS_URL)
//	examdesk faq export                          the examples administrators added (REDIS_URL)
//	examdesk photo check|crop|sheet FILE         check a photo, make its print-ready files
//	examdesk serve                               serve candidates on Telegram
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	logRedisClient(os.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitError is an error with the exit status it calls for. Its message has
// already been printed when msg is empty.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// usageError is a bad command line or configuration: exit status 2.
func usageError(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// exitCode prints err, if any, and returns the process's exit status.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "examdesk:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "examdesk:", err)
	return 1
}

const usage = `usage:
  examdesk chat [--lang zh-Hant|zh-Hans|en]     talk to the bot in the terminal
  examdesk eligibility [--facts FILE]           evaluate facts JSON (stdin without --facts)
  examdesk faq [--lang L] [--json] QUESTION...  answer one question of the FAQ (L: zh-Hant, zh-Hans, en)
  examdesk calendar list|add|remove|holidays    the exam calendar in REDIS_URL (calendar help: how)
  examdesk broadcast send|status|cancel ...     queue a notice to the subscribers, show or cancel one
  examdesk stats [--days N] [--json]            the statistics of the last N days (7), in REDIS_URL
  examdesk faq export                           the examples administrators taught, as faq/knowledge.txt lines
  examdesk photo check|crop|sheet FILE ...      check a photo, crop it to 33 × 48 mm, make a 6-inch sheet (photo help: how)
  examdesk serve                                serve on Telegram (configured by environment)`

// run runs the examdesk command named by args[0].
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageError("no command\n%s", usage)
	}
	switch args[0] {
	case "chat":
		return runChat(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "faq":
		if len(args) > 1 && args[1] == "export" {
			return runFAQExport(ctx, args[2:], getenv, stdout, time.Now())
		}
		return runFAQ(ctx, args[1:], getenv, stdout)
	case "stats":
		return runStats(ctx, args[1:], getenv, stdout, time.Now())
	case "eligibility":
		return runEligibility(args[1:], stdin, stdout, stderr)
	case "calendar":
		return runCalendar(ctx, args[1:], getenv, stdin, stdout)
	case "serve":
		return runServe(ctx, args[1:], getenv, stderr)
	case "broadcast":
		return runBroadcast(ctx, args[1:], getenv, stdout)
	case "photo":
		return runPhoto(args[1:], stdout)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, usage)
		return nil
	}
	return usageError("unknown command %q\n%s", args[0], usage)
}
