package redisstore

import (
	"embed"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// The store's Lua scripts are the files of lua/, one a script, each
// starting with a header of comments that says what it does and names its
// KEYS, its ARGV, what it returns, and, on a line "-- Uses: a, b", the
// shared fragments of lua/lib/ it needs, which are put before it in that
// order. A fragment defines local functions only, so that a script runs
// no command it does not ask for. A script that derives a key from what it
// reads says so on a line "-- Derives:" and builds the key with
// lua/lib/keys.lua, the key schema of keys.go.
//
//go:embed lua/*.lua lua/lib/*.lua
var luaFiles embed.FS

// Scripts, by the file they are in.
var (
	addScript    = mustScript("inbox_add.lua")
	claimScript  = mustScript("inbox_claim.lua")
	commitScript = mustScript("inbox_commit.lua")
	sentScript   = mustScript("inbox_sent.lua")
	nextScript   = mustScript("inbox_next.lua")
	deferScript  = mustScript("inbox_defer.lua")
	renewScript  = mustScript("inbox_renew.lua")
	saveScript   = mustScript("state_save.lua")

	registerScript = mustScript("inst_register.lua")
	beatScript     = mustScript("inst_beat.lua")
	leaveScript    = mustScript("inst_leave.lua")

	bcCreateScript = mustScript("bc_create.lua")
	bcCancelScript = mustScript("bc_cancel.lua")
	bcClaimScript  = mustScript("bc_claim.lua")
	bcRenewScript  = mustScript("bc_renew.lua")
	bcRecordScript = mustScript("bc_record.lua")
	bcRetryScript  = mustScript("bc_retry.lua")

	subscribeScript  = mustScript("sub_subscribe.lua")
	deactivateScript = mustScript("sub_deactivate.lua")
	remindScript     = mustScript("sub_remind.lua")
	forgetScript     = mustScript("sub_forget.lua")
	pageScript       = mustScript("sub_page.lua")

	waitScript  = mustScript("lim_wait.lua")
	slowScript  = mustScript("lim_slow.lua")
	rateScript  = mustScript("lim_rate.lua")
	debitScript = mustScript("lim_debit.lua")

	progressClaimScript   = mustScript("progress_claim.lua")
	progressReleaseScript = mustScript("progress_release.lua")

	pollerHoldScript    = mustScript("poller_hold.lua")
	pollerReleaseScript = mustScript("poller_release.lua")
)

// mustScript returns the script of lua/name, with the fragments it uses.
// The files are embedded in the binary, so a script that does not load is
// a mistake in this package, which TestScripts catches: mustScript panics
// on it, as regexp.MustCompile does on a bad literal.
func mustScript(name string) *redis.Script {
	src, err := scriptSource(name)
	if err != nil {
		panic(err)
	}
	return redis.NewScript(src)
}

// scriptSource returns the source of the script lua/name: the fragments
// named on its "-- Uses:" line, then the script itself.
func scriptSource(name string) (string, error) {
	body, err := luaFiles.ReadFile("lua/" + name)
	if err != nil {
		return "", fmt.Errorf("lua script %s: %w", name, err)
	}
	var src strings.Builder
	for line := range strings.Lines(string(body)) {
		if !strings.HasPrefix(line, "--") {
			break // the header is over
		}
		uses, ok := strings.CutPrefix(line, "-- Uses:")
		if !ok {
			continue
		}
		for _, lib := range strings.FieldsFunc(uses, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
			frag, err := luaFiles.ReadFile("lua/lib/" + lib + ".lua")
			if err != nil {
				return "", fmt.Errorf("lua script %s uses %s: %w", name, lib, err)
			}
			src.Write(frag)
		}
	}
	src.Write(body)
	return src.String(), nil
}
