package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/witness"
)

// cosignatureStore is what the witnessing needs of a store beyond the
// ledger: both sqlite.DB and postgres.DB embed sqlstore.Store.
type cosignatureStore interface {
	ledger.Reader
	AddCosignatures(ctx context.Context, cs ...sqlstore.Cosignature) error
	CosignedCheckpoints(ctx context.Context, n int) ([]sqlstore.CosignedCheckpoint, error)
	CosignedCheckpointsAfter(ctx context.Context, size uint64, n int) ([]sqlstore.CosignedCheckpoint, error)
	LatestCosignatures(ctx context.Context) ([]sqlstore.Cosignature, error)
}

// witnessing is a server's side of its witnesses: the client that sends
// them checkpoints, and the views of the cosignatures it keeps.
type witnessing struct {
	d           *dataDirectory
	policy      *witness.Policy
	origin      string
	logV        note.Verifier
	db          cosignatureStore
	client      *witness.Client
	silentAfter time.Duration
	now         func() time.Time
	// onCommit and onStored, if set before the first commit, are told of each
	// commit and of each batch of cosignatures stored (the benchmark's clocks).
	onCommit func(sequencer.Checkpoint)
	onStored func([]sqlstore.Cosignature)
	interval time.Duration // least time between two requests to a witness

	queue  chan sqlstore.Cosignature
	logger *slog.Logger

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

var (
	_ witness.LogStore       = (*witnessing)(nil)
	_ witness.CosignedSource = (*witnessing)(nil)
	_ api.WitnessReporter    = (*witnessing)(nil)
)

// startWitnessing loads the policy and starts sending d's checkpoints to its
// witnesses after every commit.
func startWitnessing(d *dataDirectory, policyFile string, silentAfter, interval time.Duration, logV note.Verifier, alerts io.Writer, logger *slog.Logger, opts ...func(*witnessing)) (*witnessing, error) {
	p, err := witness.LoadPolicy(policyFile)
	if err != nil {
		return nil, fmt.Errorf("--witness-policy: %w", err)
	}
	db, ok := any(d.db).(cosignatureStore)
	if !ok {
		return nil, errors.New("this store keeps no cosignatures")
	}
	w := &witnessing{d: d, interval: interval, queue: make(chan sqlstore.Cosignature, 1024), logger: logger, policy: p, origin: d.origin, logV: logV, db: db, silentAfter: silentAfter, now: time.Now}
	for _, o := range opts {
		o(w)
	}
	w.client = witness.NewClient(p, d.origin, logV, w, witness.ClientConfig{Alerts: alerts, Logger: logger, MinInterval: w.interval})
	ctx := context.Background()
	known, err := db.LatestCosignatures(ctx)
	if err != nil {
		return nil, err
	}
	for _, pw := range p.Witnesses {
		for _, k := range known {
			if k.Witness == pw.Verifier.Name() {
				w.client.SetKnown(pw.Name, k.Size, k.SignedAt)
			}
		}
	}
	ctx, w.cancel = context.WithCancel(ctx)
	w.wg.Add(2)
	go func() { defer w.wg.Done(); w.client.Run(ctx) }()
	go func() { defer w.wg.Done(); w.flush(ctx) }()
	notify := func(c sequencer.Checkpoint) {
		if f := w.onCommit; f != nil {
			f(c)
		}
		w.client.Notify()
	}
	d.onCommit.Store(&notify)
	return w, nil
}

// Close stops the client; a nil witnessing is closed.
func (w *witnessing) Close() {
	if w == nil {
		return
	}
	w.d.onCommit.Store(nil)
	w.cancel()
	w.wg.Wait()
}

// checkpointHandler serves /log/checkpoint as the newest witnessed checkpoint.
func (w *witnessing) checkpointHandler(logger *slog.Logger) http.Handler {
	return witness.CheckpointHandler(w.policy, w.logV, w, logger)
}

// LatestCheckpoint implements witness.LogStore.
func (w *witnessing) LatestCheckpoint(ctx context.Context) ([]byte, uint64, error) {
	return w.db.LatestCheckpoint(ctx)
}

// ConsistencyProof implements witness.LogStore.
func (w *witnessing) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	p, err := ledger.ConsistencyProof(ctx, w.db, from, to)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out, nil
}

// AddCosignature implements witness.LogStore: the cosignature is queued and
// written with the others that came within flushEvery, in one transaction,
// so that the witnesses' answers take the database's write lock from the
// sequencer seldom. One lost in a crash is asked for again at restart.
func (w *witnessing) AddCosignature(ctx context.Context, size uint64, c witness.Cosignature) error {
	select {
	case w.queue <- sqlstore.Cosignature{Size: size, Witness: c.Key, Line: c.Line, SignedAt: c.Time, ReceivedAt: w.now()}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// flushEvery is how long cosignatures wait to be written together.
const flushEvery = 100 * time.Millisecond

// flush writes the queued cosignatures until ctx ends.
func (w *witnessing) flush(ctx context.Context) {
	for {
		var batch []sqlstore.Cosignature
		select {
		case c := <-w.queue:
			batch = append(batch, c)
		case <-ctx.Done():
			for { // what is queued at the end is still written
				select {
				case c := <-w.queue:
					batch = append(batch, c)
					continue
				default:
				}
				break
			}
			if len(batch) > 0 {
				w.db.AddCosignatures(context.WithoutCancel(ctx), batch...)
			}
			return
		}
		timer := time.NewTimer(flushEvery)
	gather:
		for {
			select {
			case c := <-w.queue:
				batch = append(batch, c)
			case <-timer.C:
				break gather
			case <-ctx.Done():
				timer.Stop()
				break gather
			}
		}
		if err := w.db.AddCosignatures(context.WithoutCancel(ctx), batch...); err != nil {
			w.logger.Error("witness client: storing cosignatures", "err", err)
			continue
		}
		if w.onStored != nil {
			w.onStored(batch)
		}
	}
}

// Cosigned implements witness.CosignedSource.
func (w *witnessing) Cosigned(ctx context.Context, n int) ([]witness.Cosigned, error) {
	cs, err := w.db.CosignedCheckpoints(ctx, n)
	return toCosigned(cs), err
}

func toCosigned(cs []sqlstore.CosignedCheckpoint) []witness.Cosigned {
	out := make([]witness.Cosigned, len(cs))
	for i, c := range cs {
		out[i] = witness.Cosigned{Size: c.Size, Note: c.Note}
		for _, s := range c.Cosignatures {
			out[i].Lines = append(out[i].Lines, s.Line)
		}
	}
	return out
}

// witnessedOf describes a checkpoint that meets the quorum; since is when
// the last of its cosignatures reached the log.
func witnessedOf(text []byte, size uint64, cosigs []witness.Cosignature, stored []sqlstore.Cosignature) *api.WitnessedCheckpoint {
	wc := &api.WitnessedCheckpoint{Size: size, Note: string(text), Witnesses: []string{}, Cosignatures: []api.WitnessCosignature{}}
	for _, c := range cosigs {
		wc.Witnesses = append(wc.Witnesses, c.Witness)
		got := api.WitnessCosignature{Witness: c.Witness, SignedAt: c.Time.UTC()}
		for _, s := range stored { // its line; a key's other lines of this size are retries
			if s.Witness == c.Key && (got.ReceivedAt.IsZero() || s.Line == c.Line) {
				got.ReceivedAt = s.ReceivedAt.UTC()
			}
		}
		wc.Cosignatures = append(wc.Cosignatures, got)
		if got.ReceivedAt.After(wc.Since) {
			wc.Since = got.ReceivedAt
		}
	}
	return wc
}

// Report implements api.WitnessReporter.
func (w *witnessing) Report(ctx context.Context) (api.WitnessReport, error) {
	r := api.WitnessReport{Quorum: w.policy.Quorum, Witnesses: []api.WitnessInfo{}}
	_, latest, err := w.db.LatestCheckpoint(ctx)
	if err != nil {
		return r, err
	}
	cs, err := w.db.CosignedCheckpoints(ctx, 64)
	if err != nil {
		return r, err
	}
	for _, c := range cs {
		text, size, cosigs, ok, _ := witness.Witnessed(ctx, w.policy, w.logV, staticCosigned{c})
		if ok {
			r.Witnessed = witnessedOf(text, size, cosigs, c.Cosignatures)
			break
		}
	}
	known, err := w.db.LatestCosignatures(ctx)
	if err != nil {
		return r, err
	}
	status := map[string]witness.WitnessStatus{}
	for _, s := range w.client.Status() {
		status[s.Name] = s
	}
	for _, pw := range w.policy.Witnesses {
		info := api.WitnessInfo{Name: pw.Name, Key: pw.VKey, URL: pw.AddCheckpointURL()}
		for _, k := range known {
			if k.Witness == pw.Verifier.Name() {
				t := k.SignedAt
				info.Size, info.CosignedAt = k.Size, &t
			}
		}
		st := status[pw.Name]
		info.LastError, info.Refused = st.LastError, st.Refused
		// Silent: behind the newest checkpoint, and no cosignature for longer
		// than allowed (or ever, once the server has run that long).
		if info.Size < latest {
			last := time.Time{}
			if info.CosignedAt != nil {
				last = *info.CosignedAt
			}
			info.Silent = w.now().Sub(last) > w.silentAfter
		}
		r.Witnesses = append(r.Witnesses, info)
	}
	return r, nil
}

// Covering implements api.WitnessReporter.
func (w *witnessing) Covering(ctx context.Context, index uint64) (api.WitnessedCheckpoint, bool, error) {
	for after := index; ; {
		cs, err := w.db.CosignedCheckpointsAfter(ctx, after, 64)
		if err != nil || len(cs) == 0 {
			return api.WitnessedCheckpoint{}, false, err
		}
		for _, c := range cs {
			text, size, cosigs, ok, _ := witness.Witnessed(ctx, w.policy, w.logV, staticCosigned{c})
			if ok {
				return *witnessedOf(text, size, cosigs, c.Cosignatures), true, nil
			}
			after = c.Size
		}
	}
}

// staticCosigned is one stored checkpoint as a witness.CosignedSource.
type staticCosigned struct{ c sqlstore.CosignedCheckpoint }

func (s staticCosigned) LatestCheckpoint(context.Context) ([]byte, uint64, error) {
	return s.c.Note, s.c.Size, nil
}

func (s staticCosigned) Cosigned(context.Context, int) ([]witness.Cosigned, error) {
	return toCosigned([]sqlstore.CosignedCheckpoint{s.c}), nil
}
