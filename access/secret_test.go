package access

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestNewSecret(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{TokenPrefix, "", "hos_"} {
		for range 50 {
			s, h, err := NewSecret(prefix)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(s, prefix) || len(s) != len(prefix)+43 {
				t.Fatalf("secret %q with prefix %q", s, prefix)
			}
			if err := CheckSecretShape(prefix, s); err != nil {
				t.Errorf("a new secret %q has the wrong shape: %v", s, err)
			}
			want := sha256.Sum256([]byte(s))
			if !bytes.Equal(h, want[:]) || !bytes.Equal(HashSecret(s), h) {
				t.Errorf("secret %q: hash %x, want its SHA-256 %x", s, h, want)
			}
			if seen[s] {
				t.Fatalf("secret %q given twice", s)
			}
			seen[s] = true
		}
	}
}

func TestHashSecretDistinguishes(t *testing.T) {
	a, b := HashSecret("hot_a"), HashSecret("hot_b")
	if bytes.Equal(a, b) || len(a) != sha256.Size {
		t.Errorf("%x %x", a, b)
	}
}

func TestCheckSecretShape(t *testing.T) {
	good, _, err := NewSecret(TokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	body := strings.TrimPrefix(good, TokenPrefix)
	for _, s := range []string{
		"",
		TokenPrefix,
		body,                                  // no prefix
		"hos_" + body,                         // another prefix
		"HOT_" + body,                         // prefix in capitals
		TokenPrefix + body[:42],               // one character short
		TokenPrefix + body + "A",              // one too many
		TokenPrefix + body[:42] + "=",         // padding
		TokenPrefix + body[:41] + "+/",        // the standard alphabet, not the URL one
		TokenPrefix + body[:42] + "!",         // not base64
		TokenPrefix + body[:42] + " ",         // space
		" " + good,                            // space before
		good + "\n",                           // newline after
		TokenPrefix + strings.Repeat("é", 21), // 42 bytes of non-ASCII
	} {
		if err := CheckSecretShape(TokenPrefix, s); !errors.Is(err, ErrMalformedSecret) {
			t.Errorf("%q: %v, want ErrMalformedSecret", s, err)
		}
	}
	if err := CheckSecretShape("", body); err != nil {
		t.Errorf("a session id without prefix: %v", err)
	}
	if err := CheckSecretShape("", good); !errors.Is(err, ErrMalformedSecret) {
		t.Errorf("a token given as a session id: %v", err)
	}
}

// BenchmarkCheckSecret is the cost of recognising and hashing a presented token,
// before its lookup.
func BenchmarkCheckSecret(b *testing.B) {
	s, _, err := NewSecret(TokenPrefix)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := CheckSecretShape(TokenPrefix, s); err != nil {
			b.Fatal(err)
		}
		_ = HashSecret(s)
	}
}
