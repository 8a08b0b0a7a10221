// Package redisstore keeps conversation state in Redis: one hash per
// conversation, saved with compare-and-set on its version and expiring after
// a time to live, either on a Redis server or on an embedded in-process one.
package redisstore

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"examdesk"
	"examdesk/dialog"
)

const (
	// DefaultPrefix starts every key of a store opened without WithPrefix.
	DefaultPrefix = "examdesk:"
	// DefaultTTL is how long a state is kept after it was saved last, for a
	// store opened without WithTTL.
	DefaultTTL = 30 * 24 * time.Hour
)

// Option changes how a Store is opened.
type Option func(*options)

type options struct {
	prefix string
	ttl    time.Duration
	conns  int
	roots  *x509.CertPool
}

// WithPrefix makes the store keep its keys under prefix instead of
// DefaultPrefix; the empty prefix is allowed.
func WithPrefix(prefix string) Option {
	return func(o *options) { o.prefix = prefix }
}

// WithTTL makes a saved state expire ttl after it was saved last instead of
// after DefaultTTL. The ttl must be at least a millisecond.
func WithTTL(ttl time.Duration) Option {
	return func(o *options) { o.ttl = ttl }
}

// WithConnections lets the store keep up to n connections to Redis open,
// for n callers at once, instead of go-redis's ten per CPU (n <= 0 keeps
// that); a pool_size in the URL given to Open takes precedence.
func WithConnections(n int) Option {
	return func(o *options) { o.conns = n }
}

// WithRootCAs makes a store opened with a rediss:// URL trust the
// certificate authorities in roots instead of the system's.
func WithRootCAs(roots *x509.CertPool) Option {
	return func(o *options) { o.roots = roots }
}

// Store is a dialog.Store on Redis. Each conversation is a hash at
// <prefix>state:<chat>:<user> with the fields v (the version, a decimal
// integer) and d (the record of dialog.EncodeState). Load and Save each take
// one round trip to Redis: Load an HGETALL, Save a Lua script (two the first
// time a server runs it).
type Store struct {
	client *redis.Client
	k      keys
	ttl    time.Duration
	srv    *miniredis.Miniredis // the embedded server, nil for Open

	closeOnce sync.Once
	closeErr  error
}

var _ dialog.Store = (*Store)(nil)

// Open connects to the Redis at url and checks, within ctx, that it
// answers. The URL names one server, redis://[user:password@]host:port/db,
// or the master of a Sentinel set in go-redis's failover form,
// redis://[user:password@]sentinel1:26379/db?addr=sentinel2:26379&addr=sentinel3:26379&master_name=mymaster,
// where the user and password before the host are the sentinels' and the
// master's go in the username and password parameters; rediss:// instead
// of redis:// connects with TLS. Other parameters are go-redis's options
// (dial_timeout=3s, pool_size=10, skip_verify=true, …); one it does not
// know is an error.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, err
	}
	t, err := parseURL(url)
	if err != nil {
		return nil, fmt.Errorf("open redis store: bad redis URL: %w", err)
	}
	st, err := open(ctx, t.client(o.conns, o.roots), t.String(), o, nil)
	if err != nil {
		return nil, fmt.Errorf("open redis store: %w", err)
	}
	return st, nil
}

// OpenEmbedded starts a Redis server in this process and opens a Store on
// it, for running without a Redis server. Its state lives in memory only: it
// is lost when the process ends or the store is closed. stop closes the
// store and the server; it is the same as st.Close.
func OpenEmbedded(ctx context.Context, opts ...Option) (st *Store, stop func() error, err error) {
	o, err := newOptions(opts)
	if err != nil {
		return nil, nil, err
	}
	srv, err := miniredis.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("open embedded redis store: start server: %w", err)
	}
	c := redis.NewClient(&redis.Options{Addr: srv.Addr(), PoolSize: max(o.conns, 0),
		ReadBufferSize: connBuffer, WriteBufferSize: connBuffer})
	st, err = open(ctx, c, srv.Addr(), o, srv)
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("open embedded redis store: %w", err)
	}
	return st, st.Close, nil
}

func newOptions(opts []Option) (options, error) {
	o := options{prefix: DefaultPrefix, ttl: DefaultTTL}
	for _, opt := range opts {
		opt(&o)
	}
	if o.ttl < time.Millisecond {
		return o, fmt.Errorf("open redis store: time to live %v is less than 1ms", o.ttl)
	}
	return o, nil
}

// connBuffer is the size of a connection's read and write buffers: the
// store's commands and replies are small (conversations, queued updates),
// and go-redis's 32 KiB ones make a large pool weigh megabytes.
const connBuffer = 4 << 10

// open pings the server c connects to, at addr, and makes a store of it;
// it closes c when it does not answer.
func open(ctx context.Context, c *redis.Client, addr string, o options, srv *miniredis.Miniredis) (*Store, error) {
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("ping %s: %w", addr, err)
	}
	return &Store{client: c, k: keys(o.prefix), ttl: o.ttl, srv: srv}, nil
}

// Client returns the store's connection to Redis, for other parts that keep
// data in the same Redis. It is valid until the store is closed.
func (s *Store) Client() *redis.Client { return s.client }

// Prefix returns the prefix of every key of the store.
func (s *Store) Prefix() string { return string(s.k) }

// Close closes the connection to Redis and stops the embedded server, if
// any. Calls after the first return the first one's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if err := s.client.Close(); err != nil {
			s.closeErr = fmt.Errorf("close redis store: %w", err)
		}
		if s.srv != nil {
			s.srv.Close()
		}
	})
	return s.closeErr
}

// Load returns the state saved last for key, or the zero State if there is
// none.
func (s *Store) Load(ctx context.Context, key examdesk.Key) (dialog.State, error) {
	// HGETALL rather than HMGET v d: a hash without those fields is not
	// missing, and Save would conflict with it forever.
	fields, err := s.client.HGetAll(ctx, s.k.state(key.Chat, key.User)).Result()
	if err != nil {
		return dialog.State{}, fmt.Errorf("load state %d/%d: %w", key.Chat, key.User, err)
	}
	st, err := decode(fields)
	if err != nil {
		return dialog.State{}, fmt.Errorf("load state %d/%d from %s: %w", key.Chat, key.User, s.k.state(key.Chat, key.User), err)
	}
	return st, nil
}

// decode makes a State of the fields of a record; no fields is no record.
func decode(fields map[string]string) (dialog.State, error) {
	if len(fields) == 0 {
		return dialog.State{}, nil
	}
	v, ok := fields["v"]
	if !ok {
		return dialog.State{}, errors.New("field v is missing")
	}
	d, ok := fields["d"]
	if !ok {
		return dialog.State{}, errors.New("field d is missing")
	}
	version, err := strconv.ParseInt(v, 10, 64)
	if err != nil || version < 1 {
		return dialog.State{}, fmt.Errorf("field v = %q is not a version", v)
	}
	st, err := dialog.DecodeState([]byte(d))
	if err != nil {
		return dialog.State{}, err
	}
	st.Version = version
	return st, nil
}

// Save stores st as the state of key if the stored version is still
// st.Version, and returns dialog.ErrConflict otherwise (lua/state_save.lua).
func (s *Store) Save(ctx context.Context, key examdesk.Key, st dialog.State) error {
	d, err := dialog.EncodeState(st)
	if err != nil {
		return fmt.Errorf("save state %d/%d: %w", key.Chat, key.User, err)
	}
	ok, err := saveScript.Run(ctx, s.client, []string{s.k.state(key.Chat, key.User)},
		strconv.FormatInt(st.Version, 10),
		strconv.FormatInt(st.Version+1, 10),
		d,
		s.ttl.Milliseconds(),
	).Int()
	if err != nil {
		return fmt.Errorf("save state %d/%d: %w", key.Chat, key.User, err)
	}
	if ok != 1 {
		return fmt.Errorf("save state %d/%d at version %d: %w", key.Chat, key.User, st.Version, dialog.ErrConflict)
	}
	return nil
}
