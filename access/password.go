package access

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters. DefaultParams were chosen by measurement so
// that one login costs 50–250 ms on the deployment's 2-core machine (BENCHMARKS.md);
// hashes carry their parameters, so they can be raised later without a migration.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	KeyLen  uint32
	SaltLen int
}

// DefaultParams is the cost of new password hashes.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2, KeyLen: 32, SaltLen: 16}

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 12

// CheckPasswordStrength refuses passwords too short to resist guessing.
func CheckPasswordStrength(pw string) error {
	if n := len([]rune(pw)); n < MinPasswordLength {
		return fmt.Errorf("a password needs at least %d characters; this one has %d", MinPasswordLength, n)
	}
	if strings.TrimSpace(pw) != pw {
		return errors.New("a password may not begin or end with spaces")
	}
	return nil
}

// HashPassword returns the PHC-format argon2id hash of a password:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>, base64 without padding.
func HashPassword(pw string, p Params) (string, error) {
	switch {
	case p.SaltLen < 8 || p.SaltLen > 64:
		return "", fmt.Errorf("access: salt length %d is outside 8–64 bytes", p.SaltLen)
	case p.KeyLen < 16 || p.KeyLen > 64:
		return "", fmt.Errorf("access: key length %d is outside 16–64 bytes", p.KeyLen)
	case p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 100 || p.Threads < 1:
		return "", fmt.Errorf("access: argon2id parameters m=%d t=%d p=%d are out of range", p.Memory, p.Time, p.Threads)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash is returned for a stored hash that is not a well-formed argon2id hash.
var ErrBadHash = errors.New("access: malformed password hash")

// parseHash reads a PHC argon2id hash, exactly as HashPassword writes them.
func parseHash(h string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(h, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return p, nil, nil, ErrBadHash
	}
	var threads uint32
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &threads); err != nil || n != 3 ||
		parts[3] != fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, threads) || // nothing after, no signs or zeros before
		p.Memory < 8 || p.Memory > 1<<20 || p.Time < 1 || p.Time > 100 || threads < 1 || threads > 255 {
		return p, nil, nil, ErrBadHash
	}
	p.Threads = uint8(threads)
	b64 := base64.RawStdEncoding.Strict() // unused trailing bits must be zero: one encoding per hash
	if salt, err = b64.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrBadHash
	}
	if key, err = b64.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrBadHash
	}
	if b64.EncodeToString(salt) != parts[4] || b64.EncodeToString(key) != parts[5] { // the decoder skips \r and \n
		return p, nil, nil, ErrBadHash
	}
	p.KeyLen, p.SaltLen = uint32(len(key)), len(salt)
	return p, salt, key, nil
}

// CheckPassword reports whether pw matches the stored hash, in constant time.
func CheckPassword(pw, hash string) (bool, error) {
	p, salt, key, err := parseHash(hash)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is checked against when a login names no user, so that the answer takes
// as long as for a real user and does not tell which names exist. It is made on first
// use: every program that imports the package should not pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("handover: no such user", DefaultParams)
	return h
})

// CheckNoUser spends the time of one password check.
func CheckNoUser(pw string) { CheckPassword(pw, dummyHash()) }
