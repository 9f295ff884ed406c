package main

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Officer key files. An officer's signing key is one line of text:
//
//	handover-officer-key v1 <standard base64 of the 32-byte Ed25519 seed>
//
// and its public key, in FILE.pub beside it:
//
//	handover-officer-pub v1 <standard base64 of the 32-byte Ed25519 public key>
//
// each ending in one newline. The key's id is custody.KeyID of the public key.
const (
	officerKeyTag = "handover-officer-key v1 "
	officerPubTag = "handover-officer-pub v1 "
)

var b64 = base64.StdEncoding.Strict()

func formatOfficerKey(k ed25519.PrivateKey) []byte {
	return []byte(officerKeyTag + b64.EncodeToString(k.Seed()) + "\n")
}

func formatOfficerPub(pub ed25519.PublicKey) []byte {
	return []byte(officerPubTag + b64.EncodeToString(pub) + "\n")
}

// parseOfficerKey reads an officer's private key file.
func parseOfficerKey(b []byte) (ed25519.PrivateKey, error) {
	if bytes.HasPrefix(b, []byte(officerPubTag)) {
		return nil, errors.New("this is a public key file (handover-officer-pub); sign with the private key file, the one without .pub")
	}
	seed, err := parseKeyLine(b, officerKeyTag, ed25519.SeedSize, "seed")
	if err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// parseOfficerPub reads an officer's public key file.
func parseOfficerPub(b []byte) (ed25519.PublicKey, error) {
	if bytes.HasPrefix(b, []byte(officerKeyTag)) {
		return nil, errors.New("this is a PRIVATE key file (handover-officer-key); give the public key file, FILE.pub, and keep this one secret")
	}
	pub, err := parseKeyLine(b, officerPubTag, ed25519.PublicKeySize, "public key")
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(pub), nil
}

func parseKeyLine(b []byte, tag string, size int, what string) ([]byte, error) {
	line, _ := bytes.CutSuffix(b, []byte("\n"))
	rest, found := bytes.CutPrefix(line, []byte(tag))
	if !found {
		return nil, fmt.Errorf("not an officer key file: it should be one line %q", tag+"<base64 "+what+">")
	}
	// The decoder skips newlines inside its input; a key file has none.
	if i := bytes.IndexAny(rest, "\r\n \t"); i >= 0 {
		return nil, fmt.Errorf("the %s holds a space or a line break at byte %d: a key file is one line", what, len(tag)+i)
	}
	raw, err := b64.DecodeString(string(rest))
	if err != nil {
		return nil, fmt.Errorf("the %s is not standard base64: %v", what, err)
	}
	if len(raw) != size {
		return nil, fmt.Errorf("the %s has %d bytes; an Ed25519 %s has %d", what, len(raw), what, size)
	}
	return raw, nil
}

// readOfficerKey reads a private key file, refusing one that others can read.
func readOfficerKey(path string) (ed25519.PrivateKey, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("--key: %s is readable by others (mode %04o): chmod 600 it", path, fi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--key: %w", err)
	}
	k, err := parseOfficerKey(b)
	if err != nil {
		return nil, fmt.Errorf("--key %s: %w", path, err)
	}
	return k, nil
}

// readOfficerPub reads a public key file.
func readOfficerPub(flag, path string) (ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	pub, err := parseOfficerPub(b)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", flag, path, err)
	}
	return pub, nil
}

// writeOfficerKey writes a private key (mode 0600) to path and its public key to
// path.pub. Without force it refuses to replace either file.
func writeOfficerKey(path string, k ed25519.PrivateKey, force bool) error {
	pubPath := path + ".pub"
	if !force {
		for _, p := range []string{path, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return fmt.Errorf("%s already exists: keep it, choose another --out, or replace it with --force (what it signed stays valid only while its key is registered)", p)
			}
		}
	}
	if err := writeFile(path, formatOfficerKey(k), 0o600, force); err != nil {
		return err
	}
	return writeFile(pubPath, formatOfficerPub(k.Public().(ed25519.PublicKey)), 0o644, force)
}

// writeFile writes content to path with the given mode. Without replace it refuses an
// existing file; with it, it writes a temporary file and renames it over the old one,
// so that the mode is the one given and a crash leaves the old file or the new.
func writeFile(path string, content []byte, mode os.FileMode, replace bool) error {
	if !replace {
		return writeNew(path, string(content), mode)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(content); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// Signature files: the JSON of a custody.Signature, {"key": key id, "sig": base64}.

func formatSignature(s custody.Signature) []byte {
	b, _ := json.Marshal(s)
	return append(b, '\n')
}

// parseSignature reads a signature file strictly.
func parseSignature(b []byte) (custody.Signature, error) {
	var s custody.Signature
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf(`not a signature file ({"key": key id, "sig": base64}): %v`, err)
	}
	if dec.More() {
		return s, errors.New("trailing data after the signature object")
	}
	if s.Key == uuid.Nil {
		return s, errors.New(`"key" (the signing key's id) is missing`)
	}
	if len(s.Sig) != ed25519.SignatureSize {
		return s, fmt.Errorf(`"sig" has %d bytes; an Ed25519 signature has %d`, len(s.Sig), ed25519.SignatureSize)
	}
	return s, nil
}

// sideOf names the side of a handover document a key signs for, or "".
func sideOf(from, to custody.Officer, key uuid.UUID) string {
	var sides []string
	if from.Key == key {
		sides = append(sides, "from")
	}
	if to.Key == key {
		sides = append(sides, "to")
	}
	return strings.Join(sides, " and ")
}
