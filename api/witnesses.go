package api

import (
	"context"
	"time"

	"github.com/handover-project/handover/custody"
)

// WitnessReporter tells what the log knows of its witnesses (the server's
// witness client and the cosignatures stored beside the checkpoints).
type WitnessReporter interface {
	// Report returns each witness of the policy and the newest checkpoint
	// that meets the quorum.
	Report(ctx context.Context) (WitnessReport, error)
	// Covering returns the smallest stored checkpoint that covers the event
	// at index (its size is beyond index) and meets the quorum; ok is false
	// if none does yet.
	Covering(ctx context.Context, index uint64) (w WitnessedCheckpoint, ok bool, err error)
}

// WitnessReport is the state of the log's witnessing.
type WitnessReport struct {
	Quorum    string               `json:"quorum" doc:"The policy's quorum: a group or witness name, or none"`
	Witnessed *WitnessedCheckpoint `json:"witnessed,omitempty" doc:"The newest checkpoint that meets the quorum; absent if none does"`
	Witnesses []WitnessInfo        `json:"witnesses"`
}

// WitnessInfo is what the log knows of one witness.
type WitnessInfo struct {
	Name       string     `json:"name" doc:"The witness's name in the policy"`
	Key        string     `json:"key" doc:"Its verifier key (C2SP vkey)"`
	URL        string     `json:"url,omitempty" doc:"Its add-checkpoint URL"`
	Size       uint64     `json:"size" doc:"The largest tree size it has cosigned"`
	CosignedAt *time.Time `json:"cosigned_at,omitempty" doc:"The time of that cosignature"`
	Silent     bool       `json:"silent" doc:"It has not cosigned the newest checkpoint within the allowed time"`
	LastError  string     `json:"last_error,omitempty" doc:"Why the last request to it failed"`
	Refused    string     `json:"refused,omitempty" doc:"Its last refusal that points at a fork or a truncation"`
}

// WitnessedCheckpoint is a checkpoint that meets the quorum.
type WitnessedCheckpoint struct {
	Size      uint64    `json:"size"`
	Note      string    `json:"note" doc:"The checkpoint with its cosignature lines (C2SP tlog-cosignature)"`
	Witnesses []string  `json:"witnesses" doc:"The witnesses that cosigned it"`
	Since     time.Time `json:"since" doc:"When the log held the cosignatures that meet the quorum"`
}

type witnessesOutput struct{ Body WitnessReport }

func (s *server) witnesses(ctx context.Context, _ *struct{}) (*witnessesOutput, error) {
	if s.cfg.Witnesses == nil {
		return &witnessesOutput{Body: WitnessReport{Quorum: "none", Witnesses: []WitnessInfo{}}}, nil
	}
	r, err := s.cfg.Witnesses.Report(ctx)
	if err != nil {
		return nil, err
	}
	return &witnessesOutput{Body: r}, nil
}

type witnessedEventOutput struct {
	Body struct {
		Index      uint64               `json:"index"`
		Witnessed  bool                 `json:"witnessed"`
		Checkpoint *WitnessedCheckpoint `json:"checkpoint,omitempty" doc:"The smallest witnessed checkpoint covering the event"`
	}
}

func (s *server) witnessedEvent(ctx context.Context, in *eventInput) (*witnessedEventOutput, error) {
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if in.Index >= size {
		return nil, at(custody.Errorf(custody.NotFound, "index", "no event at %d: the ledger has %d", in.Index, size), where{"index": "path.index"})
	}
	out := &witnessedEventOutput{}
	out.Body.Index = in.Index
	if s.cfg.Witnesses == nil {
		return out, nil
	}
	w, ok, err := s.cfg.Witnesses.Covering(ctx, in.Index)
	if err != nil {
		return nil, err
	}
	if ok {
		out.Body.Witnessed, out.Body.Checkpoint = true, &w
	}
	return out, nil
}
