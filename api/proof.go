package api

import (
	"context"
	"fmt"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/proof"
)

// proofPath is where the API serves the proof of the event at an index.
func proofPath(index uint64) string { return fmt.Sprintf("/api/v1/events/%d/proof", index) }

type eventProofOutput struct {
	ContentType string `header:"Content-Type"`
	Size        string `header:"Ledger-Size" doc:"The size of the checkpoint the proof is given against"`
	Body        []byte
}

// proofCheckpoint returns the signed checkpoint proofs are given against:
// Config.ProofCheckpoint's (the newest one the witnesses cosigned), else the
// latest; it is opened with the log's key before it is used.
func (s *server) proofCheckpoint(ctx context.Context) ([]byte, ledger.Checkpoint, error) {
	var text []byte
	var err error
	if s.cfg.ProofCheckpoint != nil {
		text, err = s.cfg.ProofCheckpoint(ctx)
	} else {
		text, _, err = s.store.LatestCheckpoint(ctx)
	}
	if err != nil {
		return nil, ledger.Checkpoint{}, err
	}
	if len(text) == 0 {
		return nil, ledger.Checkpoint{}, custody.Errorf(custody.NotFound, "", "no checkpoint to prove against yet")
	}
	c, err := ledger.OpenCheckpoint(text, s.cfg.Verifier, s.cfg.Origin)
	if err != nil {
		return nil, ledger.Checkpoint{}, fmt.Errorf("proof checkpoint: %w", err)
	}
	return text, c, nil
}

// eventProof serves the proof file of one event (package proof): its leaf
// entry, index and inclusion proof in the tree of the (cosigned) checkpoint.
func (s *server) eventProof(ctx context.Context, in *eventInput) (*eventProofOutput, error) {
	text, c, err := s.proofCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if in.Index >= c.Size {
		return nil, at(custody.Errorf(custody.NotFound, "index",
			"no proof of event %d yet: the checkpoint proofs are given against has size %d; ask again once the witnesses have cosigned a newer one", in.Index, c.Size),
			where{"index": "path.index"})
	}
	es, err := s.store.Entries(ctx, in.Index, 1)
	if err != nil {
		return nil, err
	}
	if len(es) != 1 || len(es[0]) != ledger.EntrySize {
		return nil, fmt.Errorf("api: the store's entry %d is malformed", in.Index)
	}
	hs, err := ledger.InclusionProof(ctx, s.store, in.Index, c.Size)
	if err != nil {
		return nil, err
	}
	p := proof.Proof{Index: in.Index, Entry: [ledger.EntrySize]byte(es[0]), Hashes: hs, Checkpoint: text}
	return &eventProofOutput{ContentType: proof.ContentType, Size: fmt.Sprint(c.Size), Body: p.Marshal()}, nil
}
