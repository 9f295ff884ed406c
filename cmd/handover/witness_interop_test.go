package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/torchwood"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/witness"
)

// TestIndependentImplementations: a log served with a real witness process,
// checked by code that is not ours: filippo.io/torchwood (a C2SP
// tlog-tiles client, tlog-cosignature signer and verifier, and checkpoint
// parser) and golang.org/x/mod/sumdb (signed notes, RFC 6962 proofs). Its
// cosignature verifies with torchwood's cosignature/v1 verifier, whose key
// encoding and key ID are our witness's; torchwood's tlog client reads every
// entry from our tiles and proves each in the witnessed checkpoint's tree;
// and a cosignature made by torchwood's signer meets our policy.
func TestIndependentImplementations(t *testing.T) {
	dir := smallLedger(t)
	origin := "handover.test/tamper"
	wdir := newWitnessDir(t, "witness.icrc.example", dir, origin)
	start := time.Now().Add(-time.Second)
	w := startWitnessProc(t, wdir, "127.0.0.1:0")
	policy, p := writePolicy(t, t.TempDir(), fmt.Sprintf("log %s\nwitness icrc %s %s/\nquorum icrc\n", readVKey(t, dir), w.vkey(t), w.url))
	l := startLogServer(t, dir, policy)
	defer l.close(t)
	size := l.register(t, 3)
	eventually(t, "the witness cosigns", func() bool { return l.witnessedSize(t, p) == size })
	text := l.get(t, "/log/checkpoint")
	ctx := context.Background()

	// The witness's key, as torchwood makes a cosignature/v1 key of it.
	skey, err := os.ReadFile(filepath.Join(wdir, "witness.key"))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.SplitN(strings.TrimSpace(string(skey)), "+", 5) // PRIVATE+KEY+NAME+HASH+KEY: the key's base64 may hold a +
	seed, err := base64.StdEncoding.DecodeString(f[len(f)-1])
	if err != nil || len(f) != 5 || len(seed) != 1+ed25519.SeedSize {
		t.Fatalf("witness key file %s", wdir)
	}
	tw, err := torchwood.NewCosignatureSigner("witness.icrc.example", ed25519.NewKeyFromSeed(seed[1:]))
	if err != nil {
		t.Fatal(err)
	}
	if got := tw.Verifier().String(); got != w.vkey(t) {
		t.Fatalf("torchwood encodes the witness's key as %s, we as %s", got, w.vkey(t))
	}
	logV, err := note.NewVerifier(readVKey(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	n, err := note.Open(text, note.VerifierList(logV, tw.Verifier()))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("x/mod/sumdb/note with torchwood's cosignature verifier: %v (%d signatures verified)\n%s", err, len(n.Sigs), text)
	}
	for _, s := range n.Sigs {
		if s.Name != "witness.icrc.example" {
			continue
		}
		ts, err := torchwood.CosignatureTimestamp(s)
		if at := time.Unix(ts, 0); err != nil || at.Before(start.Truncate(time.Second)) || at.After(time.Now()) {
			t.Errorf("cosignature timestamp %d (%v), want one from this test", ts, err)
		}
	}
	c, err := torchwood.ParseCheckpoint(n.Text)
	if err != nil || c.Origin != origin || uint64(c.N) != size || c.Extension != "" {
		t.Fatalf("torchwood parses the checkpoint as %+v, %v", c, err)
	}

	// torchwood's tlog client reads our tiles and entry bundles and proves
	// every entry in the tree (golang.org/x/mod/sumdb/tlog).
	fetcher, err := torchwood.NewTileFetcher("http://"+l.s.Addr()+"/log/", torchwood.WithHTTPClient(&http.Client{Timeout: time.Minute}))
	if err != nil {
		t.Fatal(err)
	}
	tc, err := torchwood.NewClient(fetcher)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := l.d.db.Entries(ctx, 0, size)
	if err != nil || uint64(len(ours)) != size {
		t.Fatalf("our entries: %d, %v", len(ours), err)
	}
	next := int64(0)
	for i, e := range tc.Entries(ctx, c.Tree, 0) {
		if i != next || !bytes.Equal(e, ours[i]) {
			t.Fatalf("torchwood read entry %d as %x, ours is %x", i, e, ours[i])
		}
		next++
	}
	if err := tc.Err(); err != nil {
		t.Fatalf("torchwood's client: %v", err)
	}
	fromTiles := next
	for ; next < c.N; next++ { // the last, partial tile: entry by entry
		e, _, err := tc.Entry(ctx, c.Tree, next)
		if err != nil || !bytes.Equal(e, ours[next]) {
			t.Fatalf("torchwood entry %d: %x, %v; ours is %x", next, e, err, ours[next])
		}
	}
	t.Logf("torchwood's client read and proved %d entries tile by tile and %d one by one", fromTiles, c.N-fromTiles)

	// A cosignature by torchwood's signer, of a witness we did not write,
	// meets a policy that names it; changed by one bit, it does not.
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := torchwood.NewCosignatureSigner("witness.other.example", priv)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, other)
	if err != nil {
		t.Fatal(err)
	}
	line := signed[bytes.LastIndex(signed, []byte("\n— "))+1:]
	p2, err := witness.ParsePolicy(fmt.Appendf(nil, "log %s\nwitness other %s\nquorum other\n", readVKey(t, dir), other.Verifier().String()))
	if err != nil {
		t.Fatal(err)
	}
	cosigned := append(append([]byte{}, text...), line...)
	if _, valid, err := p2.Check(cosigned, logV); err != nil || len(valid) != 1 || valid[0].Witness != "other" || time.Since(valid[0].Time) > time.Minute {
		t.Fatalf("our policy check of torchwood's cosignature: %v %+v", err, valid)
	}
	bad := bytes.Clone(cosigned)
	bad[len(bad)-5] ^= 1
	if _, _, err := p2.Check(bad, logV); err == nil {
		t.Fatal("a cosignature changed by one bit meets the policy")
	}
}
