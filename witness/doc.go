// Package witness gives the ledger independent eyes, after the open
// standards of transparency logs.
//
// It holds three things: the witness policy (which witnesses must cosign a
// checkpoint before anyone trusts it, in the Sigsum/transparency-dev policy
// format), the witness server (C2SP tlog-witness add-checkpoint: it checks
// each new checkpoint is consistent with the last one it cosigned, keeps
// that durably, and cosigns per C2SP tlog-cosignature), and the log's
// client of its witnesses (which sends them each new checkpoint, off the
// write path, and gathers their cosignatures).
//
// Signed notes, checkpoints and cosignature verification come from
// golang.org/x/mod/sumdb/note and github.com/transparency-dev/formats; the
// policy's group structure is evaluated by transparency-dev/formats/witness.
package witness
