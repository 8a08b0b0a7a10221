package redisstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/redis/go-redis/v9"

	"examdesk"
)

// Defaults of InstanceOptions.
const (
	DefaultBeat = 250 * time.Millisecond
	DefaultDead = time.Second
)

// ErrNameInUse is Register's error when a live process holds the name.
var ErrNameInUse = errors.New("redisstore: a live process is registered under this name")

// ErrNameTaken is Run's error when another process registered under the
// instance's name: this one must stop.
var ErrNameTaken = errors.New("redisstore: another process registered under this instance's name")

// namePattern is what an instance's name may be: a host name, a pod's.
var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// InstanceOptions tune an Instance; a zero field takes its default.
type InstanceOptions struct {
	// Beat is how often Run beats (default DefaultBeat).
	Beat time.Duration
	// Dead is how long a process may go without beating before another
	// may take its name (default DefaultDead): Register waits that long
	// at most for a sign of life of the process registered before.
	Dead time.Duration
	// Log receives Run's failed beats (default: nowhere).
	Log *slog.Logger
}

// Instance is this process among the processes sharing the store. The
// queues it makes (Inbox, Broadcasts) take leases in its name, and a
// process registered under the same name after this one died takes them
// over at once, rather than waiting for them to expire: a replica that
// restarts (a StatefulSet's pod) goes on where it stopped. Two live
// processes never share a name.
//
// Its key is inst:<name> (see keys.go); its scripts are lua/inst_*.lua.
type Instance struct {
	st    *Store
	name  string
	nonce string // "" for an anonymous instance, which keeps no key
	opts  InstanceOptions

	chats, recipients int // taken over by Register
}

// anonymous is the name of a process that has none of its own: nobody
// takes its leases over before they expire.
func anonymous() string { return "~" + rand.Text()[:12] }

// Register registers this process under name, unless a live process holds
// it (ErrNameInUse), and takes over the leases that a process registered
// under it before held: their chats and broadcast recipients are ready at
// once. When the name's last beat is recent, Register waits until its
// process would have beaten again (Dead at most) and looks again. An
// empty name registers nothing: the instance's leases are its own, and
// expire when it dies.
func (s *Store) Register(ctx context.Context, name string, o InstanceOptions) (*Instance, error) {
	if o.Beat <= 0 {
		o.Beat = DefaultBeat
	}
	if o.Dead <= 0 {
		o.Dead = DefaultDead
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if name == "" {
		return &Instance{st: s, name: anonymous(), opts: o}, nil
	}
	if !namePattern.MatchString(name) {
		return nil, fmt.Errorf("register instance %q: a name is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	in := &Instance{st: s, name: name, nonce: rand.Text(), opts: o}
	waited := false
	for {
		r, err := registerScript.Run(ctx, s.client, []string{s.k.instance(name), s.k.ready(), s.k.active()},
			string(s.k), name, in.nonce, o.Dead.Milliseconds()*5, o.Dead.Milliseconds()).Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("register instance %q: %w", name, err)
		}
		if len(r) != 3 && len(r) != 2 {
			return nil, fmt.Errorf("register instance %q: unexpected reply %v", name, r)
		}
		if r[0] == 1 {
			in.chats, in.recipients = int(r[1]), int(r[2])
			return in, nil
		}
		age := time.Duration(r[1]) * time.Millisecond
		if waited {
			return nil, fmt.Errorf("register instance %q: %w (it beat %v ago): give each process a name of its own", name, ErrNameInUse, age.Round(time.Millisecond))
		}
		// The process may have died since it beat: wait until it would
		// have beaten again, had it lived.
		waited = true
		if err := examdesk.Sleep(ctx, o.Dead-age+10*time.Millisecond); err != nil {
			return nil, fmt.Errorf("register instance %q: %w", name, err)
		}
	}
}

// Name returns the instance's name: the one it registered, or, for an
// anonymous instance, one of its own that starts with "~".
func (in *Instance) Name() string { return in.name }

// TookOver returns how many chats and broadcast recipients Register took
// over from the process registered under the name before.
func (in *Instance) TookOver() (chats, recipients int) { return in.chats, in.recipients }

// Inbox returns the store's inbox (Store.Inbox) taking leases in the
// instance's name.
func (in *Instance) Inbox(opts ...InboxOption) (*Inbox, error) {
	return in.st.Inbox(append(opts, withOwner(in.name))...)
}

// Broadcasts returns the store's broadcast queue (Store.Broadcasts)
// taking leases in the instance's name.
func (in *Instance) Broadcasts(lease time.Duration) *Broadcasts {
	b := in.st.Broadcasts(lease)
	b.owner = in.name
	return b
}

// Run keeps the instance's name, beating every Beat, until ctx is done,
// then gives the name up, so that the next process with it needs not
// wait. A beat that fails is logged and tried again; Run returns
// ErrNameTaken when another process registered under the name (this one
// went so long without beating that it was taken for dead): this process
// must stop, and nil once ctx is done. An anonymous instance only waits.
func (in *Instance) Run(ctx context.Context) error {
	if in.nonce == "" {
		<-ctx.Done()
		return nil
	}
	t := time.NewTicker(in.opts.Beat)
	defer t.Stop()
	key := in.st.k.instance(in.name)
	for {
		select {
		case <-ctx.Done():
			lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			defer cancel()
			if err := leaveScript.Run(lctx, in.st.client, []string{key}, in.nonce).Err(); err != nil {
				in.opts.Log.Warn("giving the instance's name up failed; the next process with it waits a moment", "instance", in.name, "err", err)
			}
			return nil
		case <-t.C:
			ok, err := beatScript.Run(ctx, in.st.client, []string{key}, in.nonce, in.opts.Dead.Milliseconds()*5).Int()
			switch {
			case err != nil && ctx.Err() == nil && !errors.Is(err, redis.ErrClosed):
				in.opts.Log.Warn("the instance's heartbeat failed", "instance", in.name, "err", err)
			case err == nil && ok == 0:
				return fmt.Errorf("instance %q: %w", in.name, ErrNameTaken)
			}
		}
	}
}
