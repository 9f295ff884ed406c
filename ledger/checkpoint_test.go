package ledger

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestGenerateKey(t *testing.T) {
	skey, vkey, err := GenerateKey("handover.example/ne-syria")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name() != "handover.example/ne-syria" || v.Name() != s.Name() || v.KeyHash() != s.KeyHash() {
		t.Errorf("keys named %q %08x and %q %08x", s.Name(), s.KeyHash(), v.Name(), v.KeyHash())
	}
	root := naiveRoot(leafHashes(5))
	text, err := SignCheckpoint(s, s.Name(), 5, root)
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenCheckpoint(text, v, s.Name())
	if err != nil || c != (Checkpoint{Origin: s.Name(), Size: 5, Root: root}) {
		t.Errorf("OpenCheckpoint = %+v, %v", c, err)
	}
}

func TestInvalidOrigins(t *testing.T) {
	for _, o := range []string{"", "a b", "a\tb", "a\nb", "a+b", "a\x00b", "a\x7fb", "\xff", "a\u00a0b"} {
		if _, _, err := GenerateKey(o); !errors.Is(err, ErrInvalidOrigin) {
			t.Errorf("GenerateKey(%q) error = %v, want ErrInvalidOrigin", o, err)
		}
		if _, err := SignCheckpoint(testSigner(t), o, 0, emptyRoot); !errors.Is(err, ErrInvalidOrigin) {
			t.Errorf("SignCheckpoint(%q) error = %v, want ErrInvalidOrigin", o, err)
		}
	}
	if _, err := SignCheckpoint(nil, testOrigin, 0, emptyRoot); err == nil {
		t.Error("SignCheckpoint with no signer succeeded")
	}
	if _, err := NewSigner("PRIVATE+KEY+x"); err == nil {
		t.Error("NewSigner accepted a malformed key")
	}
	if _, err := NewVerifier("x+00000000+AA=="); err == nil {
		t.Error("NewVerifier accepted a malformed key")
	}
}

func TestCheckpointFormat(t *testing.T) {
	text, err := SignCheckpoint(testSigner(t), testOrigin, 0, emptyRoot)
	if err != nil {
		t.Fatal(err)
	}
	wantBody := "handover.example/test\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— handover.example/test "
	if !strings.HasPrefix(string(text), wantBody) {
		t.Errorf("checkpoint =\n%s\nwant prefix\n%s", text, wantBody)
	}
}

func TestOpenCheckpointErrors(t *testing.T) {
	s, v := testSigner(t), testVerifier(t)
	good, err := SignCheckpoint(s, testOrigin, 7, naiveRoot(leafHashes(7)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(good, v, testOrigin); err != nil {
		t.Fatal(err)
	}
	// signBody signs an arbitrary body with the test key.
	signBody := func(body string) []byte {
		b, err := note.Sign(&note.Note{Text: body}, s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	otherSkey, otherVkey, _ := GenerateKey(testOrigin)
	other, _ := NewSigner(otherSkey)
	otherV, _ := NewVerifier(otherVkey)
	otherText, _ := SignCheckpoint(other, testOrigin, 7, naiveRoot(leafHashes(7)))
	root := "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="

	for _, tc := range []struct {
		name string
		text []byte
		v    note.Verifier
		want error
	}{
		{"tampered body", bytes.Replace(good, []byte("\n7\n"), []byte("\n8\n"), 1), v, ErrBadSignature},
		{"signed by another key", otherText, v, ErrBadSignature},
		{"nil verifier", good, nil, ErrBadSignature},
		{"wrong origin", signBody("handover.example/other\n0\n" + root + "\n"), v, ErrWrongOrigin},
		{"not a note", []byte("hello"), v, ErrMalformed},
		{"empty", nil, v, ErrMalformed},
		{"extension line", signBody(testOrigin + "\n0\n" + root + "\next\n"), v, ErrMalformed},
		{"leading zero size", signBody(testOrigin + "\n00\n" + root + "\n"), v, ErrMalformed},
		{"plus size", signBody(testOrigin + "\n+1\n" + root + "\n"), v, ErrMalformed},
		{"short root", signBody(testOrigin + "\n0\nAAAA\n"), v, ErrMalformed},
		{"unpadded root", signBody(testOrigin + "\n0\n" + strings.TrimSuffix(root, "=") + "\n"), v, ErrMalformed},
		{"two lines", signBody(testOrigin + "\n0\n"), v, ErrMalformed},
	} {
		if _, err := OpenCheckpoint(tc.text, tc.v, testOrigin); !errors.Is(err, tc.want) {
			t.Errorf("%s: error = %v, want %v", tc.name, err, tc.want)
		}
	}
	// A cosignature by another key is ignored.
	cosigned, err := note.Sign(&note.Note{Text: string(good[:bytes.Index(good, []byte("\n\n"))+1])}, s, other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCheckpoint(cosigned, v, testOrigin); err != nil {
		t.Errorf("cosigned checkpoint: %v", err)
	}
	if _, err := OpenCheckpoint(cosigned, otherV, testOrigin); err != nil {
		t.Errorf("cosigned checkpoint, other key: %v", err)
	}
}
