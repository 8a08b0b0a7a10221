package redistest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// CA is a certificate authority of a test's own, for Redis over TLS.
type CA struct {
	// File is its certificate, PEM, for redis-server's tls-ca-cert-file.
	File string
	// Pool holds its certificate, for a client to trust.
	Pool *x509.CertPool
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	dir  string
}

// NewCA makes a certificate authority in a temporary folder.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "redistest CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	ca := &CA{Pool: x509.NewCertPool(), cert: cert, key: key, dir: t.TempDir()}
	ca.Pool.AddCert(cert)
	ca.File = filepath.Join(ca.dir, "ca.pem")
	writePEM(t, ca.File, "CERTIFICATE", der)
	return ca
}

// Issue makes a server certificate for hosts (IP addresses or names) and
// returns the files of the certificate and of its key.
func (ca *CA) Issue(t testing.TB, hosts ...string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.Join(hosts, "_") + "-" + serial.String()
	certFile, keyFile = filepath.Join(ca.dir, name+".pem"), filepath.Join(ca.dir, name+".key")
	writePEM(t, certFile, "CERTIFICATE", der)
	writePEM(t, keyFile, "EC PRIVATE KEY", keyDER)
	return certFile, keyFile
}

func writePEM(t testing.TB, file, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tlsArgs are the redis-server arguments (or, without their dashes,
// configuration lines) of a server that listens with TLS only on port,
// with a certificate of ca for hosts, and replicates and monitors over
// TLS.
func (ca *CA) tlsArgs(t testing.TB, port int, hosts ...string) []string {
	cert, key := ca.Issue(t, hosts...)
	return []string{"--port", "0", "--tls-port", strconv.Itoa(port),
		"--tls-cert-file", cert, "--tls-key-file", key, "--tls-ca-cert-file", ca.File,
		"--tls-auth-clients", "no", "--tls-replication", "yes"}
}

// pingTLS checks that the TLS server at addr answers, trusting ca.
func (ca *CA) pingTLS(addr string) func() error {
	return func() error {
		host, _, _ := net.SplitHostPort(addr)
		c := redis.NewClient(&redis.Options{Addr: addr, TLSConfig: &tls.Config{RootCAs: ca.Pool, ServerName: host}})
		defer c.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return c.Ping(ctx).Err()
	}
}

// StartTLS starts a redis-server of the test's own as Start does, but
// listening with TLS only, with a certificate of ca for 127.0.0.1; its
// URL is rediss://127.0.0.1:<port>/0.
func StartTLS(t testing.TB, ca *CA) *Server {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &Server{port: port, URL: "rediss://127.0.0.1:" + strconv.Itoa(port) + "/0"}
	args := serverArgs(port, dir)
	s.args = append(args[2:], ca.tlsArgs(t, port, "127.0.0.1")...) // less "--port <port>"
	s.ping = ca.pingTLS(s.Addr())
	if err := s.run(); err != nil {
		t.Fatalf("start redis-server with TLS: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartSentinelTLS starts a sentinel of the test's own that monitors
// master, a server of StartTLS, over TLS, and listens with TLS only, with
// a certificate of ca for the name localhost (not for its address); its
// URL is rediss://localhost:<port>.
func StartSentinelTLS(t testing.TB, ca *CA, master *Server) *Server {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lines := []string{
		"bind 127.0.0.1",
		"dir " + dir,
		"logfile " + filepath.Join(dir, "sentinel.log"),
	}
	args := ca.tlsArgs(t, port, "localhost")
	for i := 0; i < len(args); i += 2 {
		lines = append(lines, strings.TrimPrefix(args[i], "--")+" "+args[i+1])
	}
	lines = append(lines, fmt.Sprintf("sentinel monitor %s 127.0.0.1 %d 1", MasterName, master.port))
	conf := filepath.Join(dir, "sentinel.conf")
	if err := os.WriteFile(conf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := &Server{port: port, URL: "rediss://localhost:" + strconv.Itoa(port), args: []string{conf, "--sentinel"}}
	s.ping = ca.pingTLS("localhost:" + strconv.Itoa(port))
	if err := s.run(); err != nil {
		t.Fatalf("start a sentinel with TLS: %v", err)
	}
	t.Cleanup(s.Stop)
	return s
}
