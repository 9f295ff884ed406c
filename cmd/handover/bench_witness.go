package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/handover-project/handover/internal/sqlstore"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/witness"
)

// benchWitnesses runs k witnesses in process, each on a loopback port of
// its own with its own state, and makes d send its checkpoints to them
// under a policy that requires all k. It clocks every commit and the moment
// a checkpoint of at least its size first meets the quorum.
type benchWitnesses struct {
	d   *dataDirectory
	ws  []*witnessServer
	wit *witnessing
	tmp string

	mu      sync.Mutex
	commits []sizeAt // in order of size
	quorums []sizeAt // in order of time
	writes  int      // transactions that stored cosignatures
}

type sizeAt struct {
	size uint64
	at   time.Time
}

func startBenchWitnesses(d *dataDirectory, k int, under string, interval time.Duration) (*benchWitnesses, error) {
	tmp, err := os.MkdirTemp(under, "handover-bench-witnesses-")
	if err != nil {
		return nil, err
	}
	b := &benchWitnesses{d: d, tmp: tmp}
	policy := fmt.Sprintf("log %s\n", d.vkey)
	var names []string
	for i := range k {
		name := fmt.Sprintf("witness%d.bench.example", i)
		dir := filepath.Join(tmp, name)
		st, err := witness.InitState(dir, name)
		if err != nil {
			b.Close()
			return nil, err
		}
		if err := st.AddLog(d.origin, d.vkey); err != nil {
			b.Close()
			return nil, err
		}
		ws, err := startWitness(dir, "127.0.0.1:0", io.Discard)
		if err != nil {
			b.Close()
			return nil, err
		}
		b.ws = append(b.ws, ws)
		policy += fmt.Sprintf("witness w%d %s http://%s/\n", i, ws.w.Signer().VKey(), ws.Addr())
		names = append(names, fmt.Sprintf("w%d", i))
	}
	policy += fmt.Sprintf("group everyone all %s\nquorum everyone\n", strings.Join(names, " "))
	path := filepath.Join(tmp, "policy.txt")
	if err := os.WriteFile(path, []byte(policy), 0o644); err != nil {
		b.Close()
		return nil, err
	}
	v, err := d.verifier()
	if err != nil {
		b.Close()
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	b.wit, err = startWitnessing(d, path, time.Hour, interval, v, io.Discard, logger, func(w *witnessing) {
		w.onCommit = func(c sequencer.Checkpoint) {
			b.mu.Lock()
			b.commits = append(b.commits, sizeAt{c.Size, time.Now()})
			b.mu.Unlock()
		}
		// The policy requires all k: a size meets it when k cosignatures of
		// it are stored.
		count := map[uint64]int{}
		w.onStored = func(batch []sqlstore.Cosignature) {
			now := time.Now()
			b.mu.Lock()
			defer b.mu.Unlock()
			b.writes++
			for _, c := range batch {
				if count[c.Size]++; count[c.Size] == k {
					b.quorums = append(b.quorums, sizeAt{c.Size, now})
				}
			}
		}
	})
	if err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// wait waits (up to a minute) for a checkpoint of size to meet the quorum.
func (b *benchWitnesses) wait(ctx context.Context, size uint64) error {
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		b.mu.Lock()
		done := len(b.quorums) > 0 && slices.MaxFunc(b.quorums, func(x, y sizeAt) int { return int(x.size) - int(y.size) }).size >= size
		b.mu.Unlock()
		if done {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("no quorum-cosigned checkpoint of size %d within a minute", size)
}

// latencies returns, for every commit, the time until a checkpoint at least
// as large first met the quorum.
func (b *benchWitnesses) latencies() []time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []time.Duration
	q := 0
	var best uint64
	for _, c := range b.commits {
		for best < c.size && q < len(b.quorums) {
			best = max(best, b.quorums[q].size)
			q++
		}
		if best < c.size {
			break
		}
		out = append(out, max(0, b.quorums[q-1].at.Sub(c.at)))
	}
	slices.Sort(out)
	return out
}

// Close stops the client and the witnesses and removes their state.
func (b *benchWitnesses) Close() {
	b.wit.Close()
	for _, ws := range b.ws {
		ws.Close()
	}
	os.RemoveAll(b.tmp)
}

// quorumResult waits for the final checkpoint to meet the quorum and adds
// the commit → quorum figures to res.
func (b *benchWitnesses) quorumResult(ctx context.Context, res *appendResult) error {
	_, size, err := b.d.db.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if err := b.wait(ctx, size); err != nil {
		return err
	}
	lat := b.latencies()
	if len(lat) == 0 {
		return fmt.Errorf("no commit reached the quorum")
	}
	ms := func(q float64) float64 { return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / 1e6 }
	res.Witnesses, res.QuorumP50Millis, res.QuorumP99Millis, res.QuorumCheckpoint = len(b.ws), ms(0.5), ms(0.99), len(lat)
	b.mu.Lock()
	res.CosignatureWrites = b.writes
	b.mu.Unlock()
	return nil
}
