package redisstore

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/redis/go-redis/v9"
)

// target is where a store's Redis is, as its URL names it: one server
// (single), or the master of a Sentinel set (failover).
type target struct {
	single   *redis.Options
	failover *redis.FailoverOptions
}

// CheckURL reports whether Open can read url (see Open), with an error
// that says what is wrong in it and never holds its passwords.
func CheckURL(url string) error {
	_, err := parseURL(url)
	return err
}

// parseURL reads a Redis URL. A URL with master_name (or addr) names a
// Sentinel set, in go-redis's failover form (redis.ParseFailoverURL);
// any other one server (redis.ParseURL). Both refuse an option they do
// not know.
func parseURL(raw string) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the URL, which may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return target{}, fmt.Errorf("not a URL: %v", err)
	}
	q := u.Query()
	if !q.Has("master_name") && !q.Has("addr") {
		o, err := redis.ParseURL(raw)
		if err != nil {
			if q.Has("username") || q.Has("password") {
				return target{}, fmt.Errorf("%v (username and password parameters are a Sentinel set's master's, with master_name; one server's go before its host: redis://user:password@host:6379)", redact(err, u))
			}
			return target{}, redact(err, u)
		}
		return target{single: o}, nil
	}
	if u.Scheme != "redis" && u.Scheme != "rediss" {
		return target{}, fmt.Errorf("a Sentinel set's URL starts with redis:// or rediss://, not %s://", u.Scheme)
	}
	if q.Get("master_name") == "" {
		return target{}, errors.New("a Sentinel set needs master_name, the name its sentinels monitor the master by (redis://sentinel1:26379?addr=sentinel2:26379&master_name=mymaster)")
	}
	o, err := redis.ParseFailoverURL(raw)
	if err != nil {
		return target{}, redact(err, u)
	}
	if !q.Has("max_retries") {
		o.MaxRetries = failoverRetries
	}
	if o.TLSConfig != nil {
		// go-redis checks every server's certificate against the host of
		// the URL, the first sentinel's: each is checked against the
		// address it is reached at instead (the sentinels' as the URL
		// names them, the master's as the sentinels announce it).
		o.TLSConfig.ServerName = ""
	}
	return target{failover: o}, nil
}

// failoverRetries is how many times a command is sent again, by default,
// when it fails on a Sentinel set's master (the connection breaks or is
// refused, the master says READONLY or LOADING): with go-redis's backoff
// and dial retries, for about 8 s, so that a command in flight when the
// master dies lands on the promoted replica rather than failing. The
// store's scripts have the effect and the answer of their first run when
// they are sent again.
const failoverRetries = 10

// redact takes the passwords of u out of err's message.
func redact(err error, u *url.URL) error {
	msg := err.Error()
	var secrets []string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	if p := u.Query().Get("password"); p != "" {
		secrets = append(secrets, p)
	}
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "<password>")
	}
	return errors.New(msg)
}

// String describes the target for messages, without passwords.
func (t target) String() string {
	if t.failover != nil {
		return fmt.Sprintf("master %q of the sentinels %s", t.failover.MasterName, strings.Join(t.failover.SentinelAddrs, ","))
	}
	return t.single.Addr
}

// client returns a client of the target with a pool of conns connections
// (the URL's pool_size takes precedence), buffers of connBuffer bytes,
// and roots, if not nil, as the certificate authorities that rediss://
// trusts.
func (t target) client(conns int, roots *x509.CertPool) *redis.Client {
	if t.failover != nil {
		o := *t.failover
		if o.PoolSize == 0 {
			o.PoolSize = max(conns, 0)
		}
		o.ReadBufferSize, o.WriteBufferSize = connBuffer, connBuffer
		o.TLSConfig = withRoots(o.TLSConfig, roots)
		return redis.NewFailoverClient(&o)
	}
	o := *t.single
	if o.PoolSize == 0 {
		o.PoolSize = max(conns, 0)
	}
	o.ReadBufferSize, o.WriteBufferSize = connBuffer, connBuffer
	o.TLSConfig = withRoots(o.TLSConfig, roots)
	return redis.NewClient(&o)
}

func withRoots(c *tls.Config, roots *x509.CertPool) *tls.Config {
	if c == nil || roots == nil {
		return c
	}
	c = c.Clone()
	c.RootCAs = roots
	return c
}
