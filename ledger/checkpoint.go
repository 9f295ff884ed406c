package ledger

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// Errors of [OpenCheckpoint] (and, for ErrMalformed, of other parsers) wrap
// one of these, to be told apart with errors.Is.
var (
	// ErrBadSignature: the note carries no valid signature by the log's key.
	ErrBadSignature = errors.New("ledger: checkpoint not signed by the log's key")
	// ErrWrongOrigin: the checkpoint is signed but names another log.
	ErrWrongOrigin = errors.New("ledger: checkpoint of another log")
	// ErrInvalidOrigin: an origin (log name) that this package refuses to use.
	ErrInvalidOrigin = errors.New("ledger: invalid origin")
)

// ValidateOrigin reports whether origin can name a log: it must be
// non-empty, valid UTF-8, and contain no spaces, control characters or '+'.
// It is used as a note key name and as the first line of a checkpoint.
func ValidateOrigin(origin string) error {
	switch {
	case origin == "":
		return fmt.Errorf("%w: empty", ErrInvalidOrigin)
	case !utf8.ValidString(origin):
		return fmt.Errorf("%w: %q is not valid UTF-8", ErrInvalidOrigin, origin)
	case strings.IndexFunc(origin, unicode.IsSpace) >= 0:
		return fmt.Errorf("%w: %q contains a space", ErrInvalidOrigin, origin)
	case strings.IndexFunc(origin, unicode.IsControl) >= 0:
		return fmt.Errorf("%w: %q contains a control character", ErrInvalidOrigin, origin)
	case strings.Contains(origin, "+"):
		return fmt.Errorf("%w: %q contains '+'", ErrInvalidOrigin, origin)
	}
	return nil
}

// GenerateKey returns a new Ed25519 note key pair named by origin: the
// secret signer key skey ("PRIVATE+KEY+<origin>+<hash>+<key>") and the
// public verifier key vkey ("<origin>+<hash>+<key>") to give to monitors.
func GenerateKey(origin string) (skey, vkey string, err error) {
	if err := ValidateOrigin(origin); err != nil {
		return "", "", err
	}
	return note.GenerateKey(rand.Reader, origin)
}

// NewSigner returns the signer for a signer key made by [GenerateKey].
func NewSigner(skey string) (note.Signer, error) {
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, fmt.Errorf("ledger: signer key: %w", err)
	}
	return s, nil
}

// NewVerifier returns the verifier for a verifier key made by [GenerateKey].
func NewVerifier(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("ledger: verifier key: %w", err)
	}
	return v, nil
}

// A Checkpoint is the body of a signed checkpoint: the tree of Size leaves
// of the log named Origin has root hash Root.
type Checkpoint struct {
	Origin string
	Size   uint64
	Root   [HashSize]byte
}

// Marshal returns the checkpoint's note text, the three lines that are signed.
func (c Checkpoint) Marshal() []byte {
	return log.Checkpoint{Origin: c.Origin, Size: c.Size, Hash: c.Root[:]}.Marshal()
}

// SignCheckpoint returns the signed note of the checkpoint (origin, size,
// root), signed by s. The signer's key should be named by origin.
func SignCheckpoint(s note.Signer, origin string, size uint64, root [HashSize]byte) ([]byte, error) {
	if s == nil {
		return nil, errors.New("ledger: signing checkpoint: no signer")
	}
	if err := ValidateOrigin(origin); err != nil {
		return nil, err
	}
	body := Checkpoint{Origin: origin, Size: size, Root: root}.Marshal()
	text, err := note.Sign(&note.Note{Text: string(body)}, s)
	if err != nil {
		return nil, fmt.Errorf("ledger: signing checkpoint: %w", err)
	}
	return text, nil
}

// OpenCheckpoint verifies a signed checkpoint note against the log's
// verifier v and expected origin, and returns its body. Signatures by other
// keys (witness cosignatures) are ignored. Errors wrap [ErrMalformed] (not a
// signed note, or a body not exactly in the form [SignCheckpoint] writes:
// three lines, no extension lines, canonical size and base64),
// [ErrBadSignature] (no valid signature by v), or [ErrWrongOrigin].
func OpenCheckpoint(text []byte, v note.Verifier, origin string) (Checkpoint, error) {
	if v == nil {
		return Checkpoint{}, fmt.Errorf("%w: no verifier", ErrBadSignature)
	}
	n, err := note.Open(text, note.VerifierList(v))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return Checkpoint{}, fmt.Errorf("%w: key %s+%08x: %v", ErrBadSignature, v.Name(), v.KeyHash(), err)
		}
		return Checkpoint{}, fmt.Errorf("%w: checkpoint note: %v", ErrMalformed, err)
	}
	body := []byte(n.Text)
	var lc log.Checkpoint
	rest, err := lc.Unmarshal(body)
	switch {
	case err != nil:
		return Checkpoint{}, fmt.Errorf("%w: checkpoint: %v", ErrMalformed, err)
	case rest != nil:
		return Checkpoint{}, fmt.Errorf("%w: checkpoint has extension lines", ErrMalformed)
	case len(lc.Hash) != HashSize:
		return Checkpoint{}, fmt.Errorf("%w: checkpoint root is %d bytes, want %d", ErrMalformed, len(lc.Hash), HashSize)
	}
	c := Checkpoint{Origin: lc.Origin, Size: lc.Size, Root: [HashSize]byte(lc.Hash)}
	if !bytes.Equal(c.Marshal(), body) {
		return Checkpoint{}, fmt.Errorf("%w: checkpoint body is not in canonical form", ErrMalformed)
	}
	if c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("%w: origin %q, want %q", ErrWrongOrigin, c.Origin, origin)
	}
	return c, nil
}
