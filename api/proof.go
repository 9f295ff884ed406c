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

// proofCheckpoint returns the signed checkpoint the proof of the event at
// index is given against: with witnesses, the smallest checkpoint covering it
// that meets their quorum, with its cosignatures; without, the latest. It is
// opened with the log's key before it is used.
func (s *server) proofCheckpoint(ctx context.Context, index uint64) ([]byte, ledger.Checkpoint, error) {
	var text []byte
	if s.cfg.Witnesses != nil {
		w, ok, err := s.cfg.Witnesses.Covering(ctx, index)
		if err != nil {
			return nil, ledger.Checkpoint{}, err
		}
		if !ok {
			return nil, ledger.Checkpoint{}, at(custody.Errorf(custody.NotFound, "index",
				"no proof of event %d yet: no checkpoint covering it meets the witnesses' quorum; ask again once they have cosigned", index),
				where{"index": "path.index"})
		}
		text = []byte(w.Note)
	} else {
		var err error
		if text, _, err = s.store.LatestCheckpoint(ctx); err != nil {
			return nil, ledger.Checkpoint{}, err
		}
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
	text, c, err := s.proofCheckpoint(ctx, in.Index)
	if err != nil {
		return nil, err
	}
	if in.Index >= c.Size {
		return nil, at(custody.Errorf(custody.NotFound, "index", "no event at %d: the ledger has %d", in.Index, c.Size),
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
