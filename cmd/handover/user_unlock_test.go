package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/access"
)

// TestUserUnlock: an address that failed an account too often waits; `handover
// user unlock` lets it in at once, against a running server, and the unlock is in
// the audit log.
func TestUserUnlock(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, stderr := runCLI(t, "init", "--data", dir, "--origin", "handover.test/unlock", "--party", "SDF", "--party-name", "Syrian Democratic Forces", "--admin", "amira"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	ctx := context.Background()
	d, err := openDataDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	const password = "a long enough password"
	if _, err := addUser(ctx, d, "omar", "Omar Test", "SDF", []string{"registrar"}, password); err != nil {
		t.Fatal(err)
	}
	d.Close()
	addr := freeAddr(t)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var errb bytes.Buffer
	go func() { done <- run(sctx, []string{"serve", "--data", dir, "--listen", addr}, &bytes.Buffer{}, &errb) }()
	defer func() {
		stop()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	}()
	login := func(pw string) int {
		b, _ := json.Marshal(map[string]string{"name": "omar", "password": pw})
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			res, err := http.Post("http://"+addr+"/api/v1/login", "application/json", bytes.NewReader(b))
			if err == nil {
				res.Body.Close()
				return res.StatusCode
			}
			if time.Now().After(deadline) {
				t.Fatalf("no server on %s: %v", addr, err)
			}
		}
	}
	for range 5 {
		if got := login("not the password"); got != 401 {
			t.Fatalf("wrong password: %d", got)
		}
	}
	if got := login(password); got != 401 {
		t.Fatalf("the right password from an address that must wait: %d", got)
	}
	code, stdout, stderr := runCLI(t, "user", "unlock", "omar", "--data", dir)
	if code != 0 || !strings.Contains(stdout, "unlocked user omar") {
		t.Fatalf("user unlock: exit %d: %s%s", code, stdout, stderr)
	}
	if got := login(password); got != 200 {
		t.Fatalf("after the unlock: %d", got)
	}
	if code, _, stderr := runCLI(t, "user", "unlock", "nobody", "--data", dir); code == 0 || !strings.Contains(stderr, "no user named nobody") {
		t.Errorf("unlock of no user: exit %d: %s", code, stderr)
	}
	d, err = openDataDir(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	es, err := d.db.AuditLog(ctx, access.AuditFilter{Action: "unlock-account", Limit: 10})
	if err != nil || len(es) != 1 || es[0].Name != "omar" || es[0].Address != "cli" {
		t.Errorf("unlocks in the audit log: %+v, %v", es, err)
	}
}
