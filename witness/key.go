package witness

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// algCosignatureV1 is the signed-note signature type of tlog-cosignature/v1
// Ed25519 cosignatures.
const algCosignatureV1 = 0x04

// ErrKey: a witness key that cannot be used.
var ErrKey = errors.New("witness: invalid key")

// A Signer makes tlog-cosignature/v1 Ed25519 cosignatures of checkpoints.
// It is safe for concurrent use.
type Signer struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
}

// GenerateKey returns a new witness key pair named name: the secret signer
// key skey ("PRIVATE+KEY+NAME+HASH+KEY", type 0x04) and the public verifier
// key vkey ("NAME+HASH+KEY"), which goes into policies.
func GenerateKey(name string) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("%w: name %q", ErrKey, name)
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return "", "", err
	}
	s := newSigner(name, seed)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, s.hash, base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, seed...)))
	return skey, s.VKey(), nil
}

// NewSigner returns the signer of a key made by [GenerateKey]. An Ed25519
// signed-note key (type 0x01) is accepted too and used as a cosignature key.
func NewSigner(skey string) (*Signer, error) {
	f := strings.SplitN(skey, "+", 5)
	if len(f) != 5 || f[0] != "PRIVATE" || f[1] != "KEY" || !validName(f[2]) || len(f[3]) != 8 {
		return nil, fmt.Errorf("%w: not a signer key", ErrKey)
	}
	b, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(b) != 1+ed25519.SeedSize || (b[0] != algCosignatureV1 && b[0] != 0x01) {
		return nil, fmt.Errorf("%w: not an Ed25519 signer key", ErrKey)
	}
	s := newSigner(f[2], b[1:])
	if b[0] == algCosignatureV1 && fmt.Sprintf("%08x", s.hash) != f[3] {
		return nil, fmt.Errorf("%w: key hash %s does not match the key", ErrKey, f[3])
	}
	return s, nil
}

func newSigner(name string, seed []byte) *Signer {
	key := ed25519.NewKeyFromSeed(seed)
	pub := append([]byte{algCosignatureV1}, key.Public().(ed25519.PublicKey)...)
	h := sha256.Sum256(append([]byte(name+"\n"), pub...))
	return &Signer{name: name, hash: binary.BigEndian.Uint32(h[:4]), key: key}
}

// Name returns the key's name, the witness's name in signature lines.
func (s *Signer) Name() string { return s.name }

// KeyHash returns the 4-byte key ID of the cosignature key.
func (s *Signer) KeyHash() uint32 { return s.hash }

// VKey returns the public verifier key (type 0x04).
func (s *Signer) VKey() string {
	pub := append([]byte{algCosignatureV1}, s.key.Public().(ed25519.PublicKey)...)
	return fmt.Sprintf("%s+%08x+%s", s.name, s.hash, base64.StdEncoding.EncodeToString(pub))
}

// Cosign returns the tlog-cosignature/v1 signature line on a checkpoint
// body (the note text: origin, size, root hash, any extension lines, each
// ending in a newline), timestamped t (whole seconds, UTC):
//
//	— NAME base64(keyID || timestamp || Ed25519 signature)
//
// The signed message is "cosignature/v1\ntime T\n" followed by the body.
func (s *Signer) Cosign(body []byte, t time.Time) (string, error) {
	if len(body) == 0 || body[len(body)-1] != '\n' || strings.Count(string(body), "\n") < 3 {
		return "", errors.New("witness: cosign: not a checkpoint body")
	}
	ts := uint64(t.Unix())
	msg := fmt.Appendf(nil, "cosignature/v1\ntime %d\n%s", ts, body)
	sig := binary.BigEndian.AppendUint32(nil, s.hash)
	sig = binary.BigEndian.AppendUint64(sig, ts)
	sig = append(sig, ed25519.Sign(s.key, msg)...)
	return "— " + s.name + " " + base64.StdEncoding.EncodeToString(sig) + "\n", nil
}

// validName is the signed-note rule for key names: non-empty, no '+', no
// spaces or other Unicode space characters.
func validName(name string) bool {
	return name != "" && strings.IndexFunc(name, func(r rune) bool { return r == '+' || unicode.IsSpace(r) }) < 0
}
