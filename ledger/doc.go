// Package ledger defines the handover ledger: an append-only RFC 6962 Merkle
// tree of event commitments, its signed checkpoints, its proofs, and its
// publication as a C2SP tiled transparency log.
//
// The package knows nothing of custody. It sees an event only as an opaque
// identifier and the exact bytes that were stored; it never re-encodes them.
//
// # Entries
//
// An event is stored as bytes, exactly as it was hashed. Its commitment is
//
//	Commitment(event) = SHA-256("handover/event/v1\n" || event)
//
// where "\n" is the single byte 0x0A and || is concatenation. The string
// "handover/event/v1\n" separates the commitment's domain from every other
// use of SHA-256; a future format gets a new string, never a changed meaning.
//
// The leaf entry of an event is 48 bytes: its 16-byte identifier (a UUID, in
// network byte order) followed by its commitment:
//
//	Entry(id, event) = id || Commitment(event)
//
// The tree, its tiles and its checkpoints therefore reveal no event contents.
// A party that holds an event can show that it was logged by exhibiting the
// event bytes, the leaf index and an inclusion proof.
//
// # Tree
//
// The tree is the Merkle Tree of RFC 6962, Section 2.1, over the sequence of
// entries in order of appending, with SHA-256:
//
//	LeafHash(entry)  = SHA-256(0x00 || entry)
//	NodeHash(l, r)   = SHA-256(0x01 || l || r)
//	MTH({})          = SHA-256("")
//
// A tree of n leaves has size n. A node is named by its level (0 for leaves)
// and its index within that level; the node at level l and index i is
// complete when its leaves [i·2^l, (i+1)·2^l) are all in the tree, and its
// hash is then MTH of those leaves. Inclusion and consistency proofs are
// those of RFC 6962, Section 2.1.1 and 2.1.2 (equivalently RFC 9162,
// Section 2.1.3 and 2.1.4).
//
// # Stored hashes and tiles
//
// A store keeps, besides the entries, the leaf hashes and the hashes of the
// complete nodes whose level is a positive multiple of 8 (8, 16, 24, …), as
// reported by [Tree.Append]. These are exactly the hashes of C2SP
// tlog-tiles: the tile at tile level L and index N holds the 256 hashes of
// tree level 8·L with indices [N·256, N·256+256); tile level 0 holds leaf
// hashes. Any complete node at tree level l, with 8·k <= l < 8·k+8, is then
// computed from at most 256 hashes of one tile at tile level k; see
// [NodeHash] and [TileReader].
//
// A partial tile of width W (1 <= W < 256) holds the first W hashes of a tile
// whose later hashes are not yet complete. Tiles are named by paths
//
//	tile/<L>/<N>[.p/<W>]
//	tile/entries/<N>[.p/<W>]
//
// where <N> is written in zero-padded groups of three decimal digits, all
// groups but the last prefixed with "x" (1234067 is "x001/x234/067"); see
// [TilePath]. An entry bundle is the sequence of the entries of the
// corresponding level-0 tile, each preceded by its length as a big-endian
// uint16. [Handler] serves all of these under /log/.
//
// # Checkpoints
//
// A checkpoint is a C2SP tlog-checkpoint: a C2SP signed note whose text is
// exactly three lines,
//
//	<origin>
//	<size, decimal, no leading zeros>
//	<root hash, standard base64 with padding>
//
// each ending in a newline, signed with Ed25519 by the log's key, whose note
// key name is the origin. The origin is the deployment's log name (for
// example "handover.example/ne-syria"): non-empty UTF-8 with no spaces, no
// control characters and no '+'. This log writes no extension lines, and
// [OpenCheckpoint] accepts only texts in exactly the form [SignCheckpoint]
// produces; other signatures on the note (for example witness cosignatures)
// are ignored. A checkpoint is signed after every commit batch.
//
// For example, a checkpoint of the empty tree reads
//
//	handover.example/test
//	0
//	47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=
//
//	— handover.example/test <base64 of key hash || signature>
package ledger
