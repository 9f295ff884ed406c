package access

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// Secrets — session ids and API tokens — are 32 random bytes, shown once to their
// holder and stored only as their SHA-256. A stolen database does not give a usable
// session or token.

// TokenPrefix starts every API token, so that a leaked one is recognisable (secret
// scanners) and a token is not mistaken for a session id.
const TokenPrefix = "hot_"

// NewSecret returns a new random secret with a prefix, and its hash.
func NewSecret(prefix string) (secret string, hash []byte, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, HashSecret(secret), nil
}

// HashSecret is how a secret is stored and looked up.
func HashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// ErrMalformedSecret is returned for a presented secret of the wrong shape.
var ErrMalformedSecret = errors.New("access: malformed credential")

// CheckSecretShape refuses a presented secret that cannot be one handover gave out,
// before it costs a database lookup.
func CheckSecretShape(prefix, s string) error {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) != 43 {
		return ErrMalformedSecret
	}
	if _, err := base64.RawURLEncoding.DecodeString(rest); err != nil {
		return ErrMalformedSecret
	}
	return nil
}
