package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"examdesk"
	"examdesk/broadcast"
	"examdesk/redisstore"
)

const broadcastUsage = `usage:
  examdesk broadcast send --file FILE [--lang zh-Hant|zh-Hans|en] [--level 1-4] [--at RFC3339]
  examdesk broadcast status ID
  examdesk broadcast cancel ID`

// runBroadcast queues a broadcast to the subscribers, or shows or cancels
// one, in the Redis at REDIS_URL. send prints the new broadcast's id;
// status and cancel print its status as one JSON object. Bad input: exit
// status 2 and one line on stderr; a failure of Redis: exit status 1.
func runBroadcast(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	if len(args) == 0 {
		return usageError("broadcast: no subcommand\n%s", broadcastUsage)
	}
	sub, args := args[0], args[1:]
	var run func(context.Context, *redisstore.Store) error
	switch sub {
	case "send":
		n, err := parseSend(args, getenv)
		if err != nil {
			return err
		}
		run = func(ctx context.Context, st *redisstore.Store) error {
			s, err := st.Broadcasts(0).Create(ctx, n, st.Subscribers())
			if err != nil {
				if errors.Is(err, broadcast.ErrTooLong) || errors.Is(err, broadcast.ErrEmpty) {
					return usageError("broadcast send: %v", err)
				}
				return fmt.Errorf("broadcast send: %w", err)
			}
			_, err = fmt.Fprintln(stdout, s.ID)
			return err
		}
	case "status", "cancel":
		if len(args) != 1 || args[0] == "" || strings.HasPrefix(args[0], "-") {
			return usageError("broadcast %s: want one broadcast id, as send printed it", sub)
		}
		id := args[0]
		run = func(ctx context.Context, st *redisstore.Store) error {
			q := st.Broadcasts(0)
			var s broadcast.Status
			var err error
			if sub == "status" {
				s, _, err = q.Status(ctx, id)
			} else {
				s, err = q.Cancel(ctx, id)
			}
			if errors.Is(err, broadcast.ErrNotFound) {
				return usageError("broadcast %s: no broadcast %q", sub, id)
			}
			if err != nil {
				return fmt.Errorf("broadcast %s: %w", sub, err)
			}
			return json.NewEncoder(stdout).Encode(s)
		}
	default:
		return usageError("broadcast: unknown subcommand %q (want send, status or cancel)", sub)
	}

	url := strings.TrimSpace(getenv("REDIS_URL"))
	if url == "" {
		return usageError("broadcast: REDIS_URL is not set (the Redis that serve uses, like redis://127.0.0.1:6379/0)")
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	st, err := redisstore.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("broadcast %s: %w", sub, err)
	}
	defer st.Close()
	return run(ctx, st)
}

// parseSend reads the arguments of broadcast send and the text of its
// file: a notice to queue, or a usage error naming what is wrong.
func parseSend(args []string, getenv func(string) string) (broadcast.Notice, error) {
	fs := flag.NewFlagSet("broadcast send", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	file := fs.String("file", "", "")
	lang := fs.String("lang", "", "")
	level := fs.String("level", "", "")
	at := fs.String("at", "", "")
	if err := fs.Parse(args); err != nil {
		return broadcast.Notice{}, usageError("broadcast send: %v (see examdesk help)", err)
	}
	if fs.NArg() > 0 {
		return broadcast.Notice{}, usageError("broadcast send: unexpected argument %q", fs.Arg(0))
	}
	n := broadcast.Notice{By: "cli:" + getenv("USER")}
	switch *lang {
	case "", examdesk.Traditional, examdesk.Simplified, examdesk.English:
		n.Filter.Lang = *lang
	default:
		return n, usageError("broadcast send: --lang %q is not zh-Hant, zh-Hans or en", *lang)
	}
	if *level != "" {
		l, err := strconv.Atoi(*level)
		if err != nil || l < 1 || l > 4 {
			return n, usageError("broadcast send: --level %q is not a level from 1 to 4", *level)
		}
		n.Filter.Level = examdesk.Level(l)
	}
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return n, usageError("broadcast send: --at %q is not an RFC 3339 time like 2026-03-01T09:00:00+08:00", *at)
		}
		n.At = t
	}
	if *file == "" {
		return n, usageError("broadcast send: --file is required (the text to send, plain UTF-8)")
	}
	data, err := os.ReadFile(*file)
	if err != nil {
		return n, usageError("broadcast send: read --file: %v", err)
	}
	// The text as written, less the newline that ends a text file.
	text := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	switch err := broadcast.CheckText(text); {
	case errors.Is(err, broadcast.ErrEmpty):
		return n, usageError("broadcast send: %s is empty", *file)
	case errors.Is(err, broadcast.ErrTooLong):
		return n, usageError("broadcast send: %s is %d characters long; Telegram takes at most %d", *file, examdesk.UTF16Len(text), broadcast.MaxText)
	case err != nil:
		return n, usageError("broadcast send: %s is not UTF-8 text", *file)
	}
	n.Texts = map[string]string{"": text}
	return n, nil
}
