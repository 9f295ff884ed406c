// Package proof defines the proof that an event is in the handover log: one
// self-contained text file that anyone can check with no network and no
// data directory, given the log's and its witnesses' public keys (a witness
// policy).
//
// The file is a C2SP tlog-proof (https://c2sp.org/tlog-proof, version
// c2sp.org/tlog-proof@v1), read and written by
// github.com/transparency-dev/formats/proof:
//
//	c2sp.org/tlog-proof@v1
//	extra <base64 of the event's 48-byte leaf entry: id || commitment>
//	index <the event's ledger index>
//	<inclusion proof, one base64 hash a line>
//
//	<the checkpoint, a signed note with the witnesses' cosignatures>
//
// The extra data is always present: it is the event's leaf entry (see
// package ledger), so that the proof carries the event's commitment and
// proves it without revealing the event. Holding the event's exact bytes,
// one checks that they are the ones committed to.
//
// Only the canonical form is accepted: a file whose parse does not marshal
// back to the same bytes is refused, so that a proof changed by one byte
// never verifies. Files should be named with the extension .tlog-proof.
package proof

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	fproof "github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/witness"
)

// Errors wrap one of these, to be told apart with errors.Is.
var (
	// ErrMalformed: not a canonical proof file of this log's kind.
	ErrMalformed = errors.New("proof: malformed")
	// ErrInvalid: a well-formed proof that does not prove what it claims.
	ErrInvalid = errors.New("proof: does not verify")
)

// ContentType is the media type the API serves proofs with.
const ContentType = "text/plain; charset=utf-8"

// A Proof shows that the event whose leaf entry is Entry is at Index in the
// tree of Checkpoint.
type Proof struct {
	Index      uint64
	Entry      [ledger.EntrySize]byte
	Hashes     [][ledger.HashSize]byte // the RFC 6962 inclusion proof
	Checkpoint []byte                  // signed note, with cosignatures
}

// Marshal returns the proof file.
func (p *Proof) Marshal() []byte {
	return fproof.TLogProof{Index: p.Index, Hashes: p.Hashes, Checkpoint: p.Checkpoint, ExtraData: p.Entry[:]}.Marshal()
}

// Parse parses a proof file. Errors wrap [ErrMalformed].
func Parse(b []byte) (*Proof, error) {
	var t fproof.TLogProof
	if err := t.Unmarshal(b); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(t.ExtraData) != ledger.EntrySize {
		return nil, fmt.Errorf("%w: the extra data is %d bytes, not an event's %d-byte leaf entry", ErrMalformed, len(t.ExtraData), ledger.EntrySize)
	}
	p := &Proof{Index: t.Index, Entry: [ledger.EntrySize]byte(t.ExtraData), Hashes: t.Hashes, Checkpoint: t.Checkpoint}
	if !bytes.Equal(p.Marshal(), b) {
		return nil, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	if err := canonicalSignatures(p.Checkpoint); err != nil {
		return nil, err
	}
	return p, nil
}

// canonicalSignatures refuses a checkpoint note whose signature lines are
// not in canonical base64 (a changed unused bit decodes to the same
// signature, and would leave a changed file valid).
func canonicalSignatures(note []byte) error {
	_, sigs, ok := bytes.Cut(note, []byte("\n\n"))
	if !ok {
		return fmt.Errorf("%w: the checkpoint has no signature lines", ErrMalformed)
	}
	for _, line := range bytes.SplitAfter(sigs, []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 || line[len(line)-1] != '\n' {
			return fmt.Errorf("%w: a checkpoint signature line is malformed", ErrMalformed)
		}
		enc := line[i+1 : len(line)-1]
		raw, err := base64.StdEncoding.Strict().DecodeString(string(enc))
		if err != nil || base64.StdEncoding.EncodeToString(raw) != string(enc) {
			return fmt.Errorf("%w: a checkpoint signature is not canonical base64", ErrMalformed)
		}
	}
	return nil
}

// Verified is what a proof that verified shows.
type Verified struct {
	Origin       string
	Index        uint64
	EventID      uuid.UUID
	Commitment   [ledger.HashSize]byte
	Checkpoint   ledger.Checkpoint
	Cosignatures []witness.Cosignature
}

// Verify checks the proof against a witness policy: the checkpoint is
// signed by a log the policy names and meets its quorum, and the inclusion
// proof proves the entry at the index in the checkpoint's tree. If event is
// not nil, it must be the exact bytes committed to, with the entry's id.
// Errors wrap [ErrInvalid].
func (p *Proof) Verify(policy *witness.Policy, event []byte) (*Verified, error) {
	origin, _, _ := bytes.Cut(p.Checkpoint, []byte("\n"))
	logV := policy.LogVerifier(string(origin))
	if logV == nil {
		return nil, fmt.Errorf("%w: the policy names no log %q", ErrInvalid, origin)
	}
	_, cosigs, err := policy.Check(p.Checkpoint, logV)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	// Every signature by a key the policy knows must verify, even beyond the quorum.
	known := []note.Verifier{logV}
	for _, w := range policy.Witnesses {
		known = append(known, w.Verifier)
	}
	if _, err := note.Open(p.Checkpoint, note.VerifierList(known...)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	cp, err := ledger.OpenCheckpoint(p.Checkpoint, logV, string(origin))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if p.Index >= cp.Size {
		return nil, fmt.Errorf("%w: index %d is beyond the checkpoint's tree of size %d", ErrInvalid, p.Index, cp.Size)
	}
	if err := ledger.VerifyInclusion(p.Index, cp.Size, ledger.LeafHash(p.Entry[:]), p.Hashes, cp.Root); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	id, commitment, _ := ledger.ParseEntry(p.Entry[:])
	v := &Verified{Origin: cp.Origin, Index: p.Index, EventID: uuid.UUID(id), Commitment: commitment, Checkpoint: cp, Cosignatures: cosigs}
	if event != nil {
		if c := ledger.Commitment(event); c != commitment {
			return nil, fmt.Errorf("%w: the event's bytes have commitment %x, the proof's entry %x", ErrInvalid, c, commitment)
		}
		var e struct {
			ID uuid.UUID `json:"id"`
		}
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, fmt.Errorf("%w: the event: %v", ErrInvalid, err)
		}
		if e.ID != v.EventID {
			return nil, fmt.Errorf("%w: the event's id is %s, the proof's entry %s", ErrInvalid, e.ID, v.EventID)
		}
	}
	return v, nil
}
