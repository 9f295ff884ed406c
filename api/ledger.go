package api

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"strconv"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
)

// Checkpoint is a signed checkpoint: the note text, and the size and root it states.
type Checkpoint struct {
	Size uint64 `json:"size"`
	Root []byte `json:"root" doc:"Root hash, base64"`
	Note string `json:"note" doc:"The signed note (C2SP tlog-checkpoint)"`
}

// latest returns the latest checkpoint, opened with the log's key: a checkpoint
// that does not verify is never served as a basis for proofs.
func (s *server) latest(ctx context.Context) (Checkpoint, error) {
	text, _, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	if len(text) == 0 {
		return Checkpoint{}, custody.Errorf(custody.NotFound, "", "the ledger is empty: no checkpoint yet")
	}
	c, err := ledger.OpenCheckpoint(text, s.cfg.Verifier, s.cfg.Origin)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("latest checkpoint: %w", err)
	}
	return Checkpoint{Size: c.Size, Root: c.Root[:], Note: string(text)}, nil
}

type checkpointOutput struct{ Body Checkpoint }

func (s *server) checkpoint(ctx context.Context, _ *struct{}) (*checkpointOutput, error) {
	c, err := s.latest(ctx)
	if err != nil {
		return nil, err
	}
	return &checkpointOutput{Body: c}, nil
}

// treeSize resolves a requested tree size: 0 means the latest checkpoint's, and a
// size beyond it is refused.
func (s *server) treeSize(ctx context.Context, loc string, size uint64) (uint64, []byte, error) {
	c, err := s.latest(ctx)
	if err != nil {
		return 0, nil, err
	}
	switch {
	case size == 0 || size == c.Size:
		return c.Size, c.Root, nil
	case size > c.Size:
		return 0, nil, invalid(loc, fmt.Sprintf("%d is beyond the latest checkpoint, of size %d", size, c.Size))
	}
	root, err := ledger.RootAt(ctx, s.store, size)
	return size, root[:], err
}

type inclusionInput struct {
	Index uint64 `query:"index" required:"true" doc:"The event's ledger index"`
	Size  uint64 `query:"size" doc:"Tree size; default the latest checkpoint's"`
}

type inclusionOutput struct {
	Body struct {
		Index    uint64   `json:"index"`
		Size     uint64   `json:"size"`
		Root     []byte   `json:"root" doc:"Root of the tree of that size, base64"`
		LeafHash []byte   `json:"leaf_hash" doc:"RFC 6962 leaf hash of the event's entry, base64"`
		Proof    [][]byte `json:"proof" doc:"RFC 6962 inclusion proof, base64 hashes"`
	}
}

func (s *server) inclusion(ctx context.Context, in *inclusionInput) (*inclusionOutput, error) {
	size, root, err := s.treeSize(ctx, "query.size", in.Size)
	if err != nil {
		return nil, err
	}
	if in.Index >= size {
		return nil, invalid("query.index", fmt.Sprintf("must be less than the tree size %d", size))
	}
	leaf, proof, err := s.prove(ctx, in.Index, size)
	if err != nil {
		return nil, err
	}
	out := &inclusionOutput{}
	out.Body.Index, out.Body.Size, out.Body.Root, out.Body.LeafHash, out.Body.Proof = in.Index, size, root, leaf, proof
	return out, nil
}

// prove returns the stored leaf hash at index and its inclusion proof in size.
func (s *server) prove(ctx context.Context, index, size uint64) ([]byte, [][]byte, error) {
	leaf, err := s.store.TileHashes(ctx, 0, index, 1)
	if err != nil {
		return nil, nil, err
	}
	p, err := ledger.InclusionProof(ctx, s.store, index, size)
	if err != nil {
		return nil, nil, err
	}
	return leaf[0][:], hashes(p), nil
}

func hashes(p [][ledger.HashSize]byte) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

type consistencyInput struct {
	From uint64 `query:"from" required:"true" doc:"The smaller tree size"`
	To   uint64 `query:"to" doc:"The larger tree size; default the latest checkpoint's"`
}

type consistencyOutput struct {
	Body struct {
		From     uint64   `json:"from"`
		To       uint64   `json:"to"`
		FromRoot []byte   `json:"from_root"`
		ToRoot   []byte   `json:"to_root"`
		Proof    [][]byte `json:"proof" doc:"RFC 6962 consistency proof, base64 hashes"`
	}
}

func (s *server) consistency(ctx context.Context, in *consistencyInput) (*consistencyOutput, error) {
	to, toRoot, err := s.treeSize(ctx, "query.to", in.To)
	if err != nil {
		return nil, err
	}
	if in.From > to {
		return nil, invalid("query.from", fmt.Sprintf("must be at most the larger size %d", to))
	}
	fromRoot, err := ledger.RootAt(ctx, s.store, in.From)
	if err != nil {
		return nil, err
	}
	p, err := ledger.ConsistencyProof(ctx, s.store, in.From, to)
	if err != nil {
		return nil, err
	}
	out := &consistencyOutput{}
	out.Body.From, out.Body.To, out.Body.FromRoot, out.Body.ToRoot, out.Body.Proof = in.From, to, fromRoot[:], toRoot, hashes(p)
	return out, nil
}

type eventInput struct {
	Index uint64 `path:"index" doc:"Ledger index"`
}

// eventResponse documents get-event's answer as what it is: an event document,
// the exact bytes of the ledger's leaf, not a base64 string.
func eventResponse(api huma.API) func(*huma.Operation) {
	ref := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[eventDocument](), true, "Event")
	return func(op *huma.Operation) {
		op.Description = "The event at a ledger index, as the exact bytes hashed into the log's leaf: " +
			"hash them as an RFC 6962 leaf to check an inclusion proof. Served once a checkpoint covers the index."
		op.Responses = map[string]*huma.Response{"200": {Description: "The event's bytes",
			Headers: map[string]*huma.Param{"Ledger-Index": {Description: "The event's index", Schema: &huma.Schema{Type: huma.TypeString, Pattern: "^[0-9]+$"}}},
			Content: map[string]*huma.MediaType{"application/json": {Schema: ref}}}}
	}
}

type eventOutput struct {
	ContentType string `header:"Content-Type"`
	Index       string `header:"Ledger-Index"`
	Body        []byte
}

func (s *server) event(ctx context.Context, in *eventInput) (*eventOutput, error) {
	_, size, err := s.store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	if in.Index >= size { // not yet covered by a checkpoint: not served
		return nil, at(custody.Errorf(custody.NotFound, "index", "no event at %d: the ledger has %d", in.Index, size), where{"index": "path.index"})
	}
	e, err := s.store.Event(ctx, in.Index)
	if err != nil {
		return nil, at(err, where{"index": "path.index"})
	}
	return &eventOutput{ContentType: "application/json", Index: strconv.FormatUint(e.Index, 10), Body: e.Bytes}, nil
}

// HistoryEntry is one event of a person's history with what proves it logged.
type HistoryEntry struct {
	Index     uint64          `json:"index"`
	Event     json.RawMessage `json:"event" doc:"The event's exact stored bytes"`
	LeafHash  []byte          `json:"leaf_hash" doc:"RFC 6962 leaf hash of the event's entry, base64"`
	Proof     [][]byte        `json:"proof" doc:"Inclusion proof in the checkpoint's tree, base64 hashes"`
	Witnessed *Witnessing     `json:"witnessed" doc:"Whether a checkpoint covering the event meets the witnesses' quorum, by whom and since when"`
}

type historyOutput struct {
	Body struct {
		Person     string         `json:"person"`
		Checkpoint Checkpoint     `json:"checkpoint"`
		Events     []HistoryEntry `json:"events"`
	}
}

func (s *server) history(ctx context.Context, in *personRefInput) (*historyOutput, error) {
	p, err := s.person(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	// Events first, then the checkpoint: it covers every event read before it.
	evs, err := s.store.History(ctx, p.Record.ID)
	if err != nil {
		return nil, err
	}
	c, err := s.latest(ctx)
	if err != nil {
		return nil, err
	}
	out := &historyOutput{}
	out.Body.Person, out.Body.Checkpoint = p.Record.ID.String(), c
	out.Body.Events = make([]HistoryEntry, len(evs))
	var w *Witnessing
	for i, e := range evs {
		if e.Index >= c.Size {
			return nil, fmt.Errorf("history: event %d is beyond checkpoint %d", e.Index, c.Size)
		}
		leaf, proof, err := s.prove(ctx, e.Index, c.Size)
		if err != nil {
			return nil, err
		}
		// Events come in ledger order: the smallest witnessed checkpoint
		// covering one covers the next too, if it is beyond it.
		if w == nil || w.Checkpoint == nil || w.Index > e.Index || w.Checkpoint.Size <= e.Index {
			if w, err = s.witnessing(ctx, e.Index, true, 0); err != nil {
				return nil, err
			}
		}
		ew := *w
		ew.Index, ew.Poll = e.Index, witnessedPath(e.Index)
		out.Body.Events[i] = HistoryEntry{Index: e.Index, Event: e.Bytes, LeafHash: leaf, Proof: proof, Witnessed: &ew}
	}
	return out, nil
}
