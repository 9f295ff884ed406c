package main

import (
	"bytes"
	"crypto/ed25519"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

var update = flag.Bool("update", false, "rewrite golden files")

// goldenKey is the officer key of seed 0, 1, …, 31.
func goldenKey() ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i)
	}
	return ed25519.NewKeyFromSeed(seed)
}

// TestOfficerKeyGolden pins the key file format and the key id derivation: a key
// file written today must read the same in every later version.
func TestOfficerKeyGolden(t *testing.T) {
	k := goldenKey()
	pub := k.Public().(ed25519.PublicKey)
	got := fmt.Sprintf("%s%skey id %s\n", formatOfficerKey(k), formatOfficerPub(pub), custody.KeyID(pub))
	path := filepath.Join("testdata", "officer-key.golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("key files changed:\n%s\nwant:\n%s", got, want)
	}
	lines := strings.SplitAfter(string(want), "\n")
	back, err := parseOfficerKey([]byte(lines[0]))
	if err != nil || !back.Equal(k) {
		t.Fatalf("parse golden key: %v", err)
	}
	bpub, err := parseOfficerPub([]byte(lines[1]))
	if err != nil || !bpub.Equal(pub) {
		t.Fatalf("parse golden public key: %v", err)
	}
	if id := strings.TrimSpace(strings.TrimPrefix(lines[2], "key id ")); id != custody.KeyID(bpub).String() {
		t.Fatalf("key id %s, derived %s", id, custody.KeyID(bpub))
	}
}

func TestParseOfficerKeyErrors(t *testing.T) {
	good := string(formatOfficerKey(goldenKey()))
	pub := string(formatOfficerPub(goldenKey().Public().(ed25519.PublicKey)))
	b64seed := strings.TrimSpace(strings.TrimPrefix(good, officerKeyTag))
	for _, c := range []struct{ in, err string }{
		{"", "not an officer key file"},
		{"handover-officer-key v2 " + b64seed + "\n", "not an officer key file"},
		{b64seed + "\n", "not an officer key file"},
		{pub, "this is a public key file"},
		{officerKeyTag + b64seed + "\n\n", "a space or a line break"},
		{officerKeyTag + b64seed + "\r\n", "a space or a line break"},
		{officerKeyTag + b64seed[:20] + "\n" + b64seed[20:], "a space or a line break"},
		{officerKeyTag + " " + b64seed, "a space or a line break"},
		{officerKeyTag + "not*base64", "not standard base64"},
		{officerKeyTag + "AAAA\n", "the seed has 3 bytes; an Ed25519 seed has 32"},
	} {
		_, err := parseOfficerKey([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseOfficerKey(%q) = %v, want %q", c.in, err, c.err)
		}
	}
	if _, err := parseOfficerKey([]byte(strings.TrimSuffix(good, "\n"))); err != nil {
		t.Errorf("a key file without its final newline: %v", err)
	}
	if _, err := parseOfficerPub([]byte(good)); err == nil || !strings.Contains(err.Error(), "PRIVATE key file") {
		t.Errorf("a private key given as public: %v", err)
	}
}

func TestWriteOfficerKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "o.key")
	k := goldenKey()
	if err := writeOfficerKey(path, k, false); err != nil {
		t.Fatal(err)
	}
	if err := writeOfficerKey(path, k, false); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("second write: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := readOfficerKey(path); err == nil || !strings.Contains(err.Error(), "readable by others (mode 0644)") {
		t.Fatalf("read a key readable by others: %v", err)
	}
	if err := writeOfficerKey(path, k, true); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after --force: %o", fi.Mode().Perm())
	}
	got, err := readOfficerKey(path)
	if err != nil || !got.Equal(k) {
		t.Fatalf("read back: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("files left: %v", entries)
	}
}

func FuzzParseOfficerKey(f *testing.F) {
	k := goldenKey()
	f.Add(formatOfficerKey(k))
	f.Add(formatOfficerPub(k.Public().(ed25519.PublicKey)))
	f.Add(bytes.TrimSuffix(formatOfficerKey(k), []byte("\n")))
	f.Add([]byte(officerKeyTag + "AAAA\n"))
	f.Add([]byte(officerKeyTag + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if k, err := parseOfficerKey(b); err == nil {
			// A file that reads is the one canonical line, with or without its newline.
			if out := formatOfficerKey(k); !bytes.Equal(out, b) && !bytes.Equal(out, append(bytes.Clone(b), '\n')) {
				t.Fatalf("%q reads as a key whose file is %q", b, out)
			}
		}
		if pub, err := parseOfficerPub(b); err == nil {
			if out := formatOfficerPub(pub); !bytes.Equal(out, b) && !bytes.Equal(out, append(bytes.Clone(b), '\n')) {
				t.Fatalf("%q reads as a public key whose file is %q", b, out)
			}
		}
	})
}

func FuzzParseSignature(f *testing.F) {
	sig := custody.Signature{Key: uuid.MustParse("6e5f2cc8-c469-5c19-95c5-7435fde8c066"), Sig: ed25519.Sign(goldenKey(), []byte("doc"))}
	f.Add(formatSignature(sig))
	f.Add([]byte(`{"key":"6e5f2cc8-c469-5c19-95c5-7435fde8c066","sig":"AAAA"}`))
	f.Add([]byte(`{"key":"6e5f2cc8-c469-5c19-95c5-7435fde8c066","sig":"AAAA","x":1}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSignature(b)
		if err != nil {
			return
		}
		if s.Key == uuid.Nil || len(s.Sig) != ed25519.SignatureSize {
			t.Fatalf("%q read as %+v", b, s)
		}
		back, err := parseSignature(formatSignature(s))
		if err != nil || back.Key != s.Key || !bytes.Equal(back.Sig, s.Sig) {
			t.Fatalf("round trip of %+v: %+v, %v", s, back, err)
		}
	})
}

func TestParseSignatureErrors(t *testing.T) {
	for _, c := range []struct{ in, err string }{
		{``, "not a signature file"},
		{`{"key":"6e5f2cc8-c469-5c19-95c5-7435fde8c066","sig":"AAAA"}`, `"sig" has 3 bytes; an Ed25519 signature has 64`},
		{`{"sig":"AAAA"}`, `"key" (the signing key's id) is missing`},
		{`{"key":"x","sig":"AAAA"}`, "not a signature file"},
		{`{"key":"6e5f2cc8-c469-5c19-95c5-7435fde8c066","sig":"AAAA","by":"me"}`, `unknown field "by"`},
		{`{} {}`, "trailing data"},
	} {
		if _, err := parseSignature([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseSignature(%s) = %v, want %q", c.in, err, c.err)
		}
	}
}
