// Package storetest is the conformance suite every handover store passes: the same
// tests, run against SQLite always and against PostgreSQL whenever a server is
// reachable. A store opens a fresh, empty database for each call of Open.
package storetest

import (
	"context"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/verify"
)

// Store is what the suite needs of a storage engine: everything the API serves
// from (so a store that passes the suite can back the API), what verify reads, and
// the engine's own life cycle.
type Store interface {
	api.Store
	verify.Source
	Start(ctx context.Context, cfg sequencer.Config) error
	Rebuild(ctx context.Context) (*custody.State, error)
	Close() error
	// Doc and DocList read the operational records (transfers, movements…) as JSON.
	Doc(ctx context.Context, kind custody.DocKind, id uuid.UUID) ([]byte, error)
	DocList(ctx context.Context, kind custody.DocKind) ([][]byte, error)
}

// Opener opens a store. Called with reopen=false it must give a fresh, empty
// database; with reopen=true, the database of the previous call (to test restarts).
type Opener func(t *testing.T, reopen bool) Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("AppendAndRead", func(t *testing.T) { testAppendAndRead(t, open) })
	t.Run("Refused", func(t *testing.T) { testRefused(t, open) })
	t.Run("Concurrent", func(t *testing.T) { testConcurrent(t, open) })
	t.Run("CheckpointNumbers", func(t *testing.T) { testCheckpointNumbers(t, open) })
	t.Run("Proofs", func(t *testing.T) { testProofs(t, open) })
	t.Run("Restart", func(t *testing.T) { testRestart(t, open) })
	t.Run("Rebuild", func(t *testing.T) { testRebuild(t, open) })
	t.Run("Filters", func(t *testing.T) { testFilters(t, open) })
	t.Run("Transfers", func(t *testing.T) { testTransfers(t, open) })
	t.Run("Visibility", func(t *testing.T) { testVisibility(t, open) })
	t.Run("ByIDs", func(t *testing.T) { testByIDs(t, open) })
	t.Run("Cosignatures", func(t *testing.T) { testCosignatures(t, open) })
	t.Run("ExactlyOnce", func(t *testing.T) { testExactlyOnce(t, open) })
}
