package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// demoTokensDir holds, in a demo's data directory, one API token per demo
// account: tokens/LOGIN.token (mode 0600), so that the client commands of the
// README's field flow can act as each account through the running server
// (--token-file) without anyone signing in.
const demoTokensDir = "tokens"

// demoTokenPath is the token file of a demo account.
func demoTokenPath(dir, login string) string {
	return filepath.Join(dir, demoTokensDir, login+".token")
}

// createDemoTokens makes an API token for each demo account, stored hashed as
// any token, and writes each secret to its file. It runs while the demo, not a
// server, holds the data directory.
func createDemoTokens(ctx context.Context, d *dataDirectory, accounts []demoAccount) error {
	if err := os.MkdirAll(filepath.Join(d.dir, demoTokensDir), 0o700); err != nil {
		return fmt.Errorf("demo tokens: %w", err)
	}
	now := time.Now().UTC()
	for _, a := range accounts {
		secret, hash, err := access.NewSecret(access.TokenPrefix)
		if err != nil {
			return err
		}
		t := access.Token{ID: uuid.Must(uuid.NewV7()), User: a.user.ID, Name: "demo: the README's commands", Hash: hash, Created: now}
		if err := d.db.CreateToken(ctx, t); err != nil {
			return fmt.Errorf("demo token of %s: %w", a.user.Name, err)
		}
		if err := writeNew(demoTokenPath(d.dir, a.user.Name), secret+"\n", 0o600); err != nil {
			return err
		}
	}
	return nil
}

// url is the URL a client on this machine reaches the server at, as the
// demo prints it in its commands: --listen's address (an empty or unspecified
// host is the loopback), https with a certificate.
func (f *serveFlags) url() string {
	host, port, err := net.SplitHostPort(f.listen)
	if err != nil {
		return defaultServerURL
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	if f.tls() {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}
