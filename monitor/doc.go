// Package monitor follows a handover log from outside, over its C2SP
// tlog-tiles publication under /log/, with the log's key (and, when one is
// given, a witness policy) pinned in advance.
//
// A monitor keeps on its own disk a full copy of the log's entries and tile
// hashes and the last checkpoint it verified (see [Copy]). Each [Monitor.Poll]
// fetches the log's latest checkpoint and checks, in order:
//
//   - the signature of the pinned log key (a checkpoint signed by another key
//     of the same log name is a changed key), and the policy's quorum;
//   - that the log did not shrink, and that a checkpoint of the verified size
//     has the verified root (otherwise a fork);
//   - that every new entry bundle hashes to its level-0 tile, that the old
//     hashes of a partial tile it extends are unchanged, that the tree grown
//     from the verified copy has the new checkpoint's root (the new tree
//     extends the old one), and that every new tile of every level holds the
//     hashes the monitor computed.
//
// [Monitor.Recheck] fetches again every tile and bundle the copy holds, so that
// an old tile changed or removed behind an unchanged checkpoint is found too.
//
// Any failure is an [Alert]: the monitor writes the evidence (both signed
// checkpoints, the tiles at fault) into the copy's evidence directory, stops,
// and refuses to follow again until an operator removes the alert file. The
// copy is only ever extended after a checkpoint verified, and the checkpoint
// file is replaced last, so that a monitor killed at any moment restarts from
// a verified state.
//
// [Handler] serves the copy read-only as tlog-tiles, so that the log's
// commitments outlive the site that kept it; [Copy] is also what
// `handover verify --against` compares a store with.
package monitor
