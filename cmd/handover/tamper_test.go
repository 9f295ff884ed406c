package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sqlite"
)

// runCLI runs the command line in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// smallLedger makes a data directory holding a few hundred events (enough for a
// tree node at level 8) and returns its path.
func smallLedger(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, stderr := runCLI(t, "init", "--data", dir, "--origin", "handover.test/tamper"); code != 0 {
		t.Fatalf("init: %s", stderr)
	}
	ctx := context.Background()
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	party := custody.Party{ID: uuid.New(), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}
	fac := custody.Facility{ID: uuid.New(), Code: "HSK", Name: "Hasakah", Kind: custody.Prison, Country: "SYR", Series: "HSK",
		Capacities: map[custody.Category]int{custody.Detainee: 1000}, ControllingParty: party.ID}
	meta := custody.Meta{Actor: "test", OccurredAt: time.Now()}
	cmds := []custody.Command{custody.RegisterParty{Meta: meta, Party: party}, custody.RegisterFacility{Meta: meta, Facility: fac}}
	var ids []uuid.UUID
	for i := range 600 {
		p := benchPerson(i)
		ids = append(ids, p.ID)
		cmds = append(cmds, custody.RegisterPerson{Meta: meta, Person: p, Facility: fac.ID})
	}
	if err := submitAll(ctx, d.db, cmds, func() {}); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids[:10] {
		if _, err := d.db.Submit(ctx, custody.ReleasePerson{Meta: meta, Person: id, Reason: "acquitted", Authority: "court"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyDir copies a data directory (closed, so its WAL is folded into the database).
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(src)
	for _, e := range entries {
		in, err := os.Open(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		fi, _ := in.Stat()
		out, err := os.OpenFile(filepath.Join(dst, e.Name()), os.O_CREATE|os.O_WRONLY, fi.Mode().Perm())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(out, in); err != nil {
			t.Fatal(err)
		}
		in.Close()
		out.Close()
	}
	return dst
}

// tamper opens the SQLite file directly, as an attacker with file access would,
// drops the append-only triggers and runs the statements.
func tamper(t *testing.T, dir string, fn func(db *sql.DB)) {
	t.Helper()
	db, err := sql.Open("sqlite3", filepath.Join(dir, sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, trig := range []string{"events_append_only_update", "events_append_only_delete", "checkpoints_append_only_update", "checkpoints_append_only_delete"} {
		if _, err := db.Exec("DROP TRIGGER " + trig); err != nil {
			t.Fatal(err)
		}
	}
	fn(db)
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func eventBytes(t *testing.T, db *sql.DB, idx int) []byte {
	t.Helper()
	var b []byte
	if err := db.QueryRow("SELECT bytes FROM events WHERE idx = ?", idx).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyDetectsTampering(t *testing.T) {
	base := smallLedger(t)
	if code, stdout, stderr := runCLI(t, "verify", "--data", base); code != 0 {
		t.Fatalf("untouched ledger: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, db *sql.DB)
		want string
	}{
		{"EditEventBytes", func(t *testing.T, db *sql.DB) {
			b := bytes.Replace(eventBytes(t, db, 300), []byte("synthetic"), []byte("Synthetic"), 1)
			mustExec(t, db, "UPDATE events SET bytes = ? WHERE idx = 300", b)
		}, `leaf 300: the event's bytes do not match its stored leaf hash`},
		{"DeleteEvent", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "DELETE FROM events WHERE idx = 250")
		}, `leaf 250: missing \(the next stored event is 251\)`},
		{"SwapEvents", func(t *testing.T, db *sql.DB) {
			a, b := eventBytes(t, db, 100), eventBytes(t, db, 101)
			var ida, idb []byte
			db.QueryRow("SELECT id FROM events WHERE idx = 100").Scan(&ida)
			db.QueryRow("SELECT id FROM events WHERE idx = 101").Scan(&idb)
			var sa, sb []byte
			db.QueryRow("SELECT subject FROM events WHERE idx = 100").Scan(&sa)
			db.QueryRow("SELECT subject FROM events WHERE idx = 101").Scan(&sb)
			mustExec(t, db, "UPDATE events SET bytes = ?, id = ?, subject = ? WHERE idx = 100", b, idb, sb)
			mustExec(t, db, "UPDATE events SET bytes = ?, id = ?, subject = ? WHERE idx = 101", a, ida, sa)
		}, `leaf 100: the event's bytes do not match its stored leaf hash`},
		{"EditSubject", func(t *testing.T, db *sql.DB) {
			// The release of the person at 602 moved to another person's history
			// (issue 11: it vanished from the first one's timeline unnoticed).
			mustExec(t, db, "UPDATE events SET subject = (SELECT subject FROM events WHERE idx = 300) WHERE idx = 602")
		}, `leaf 602: the stored subject [0-9a-f]{32} is not the event's subject`},
		{"EditLeaf", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "UPDATE events SET leaf_hash = zeroblob(32) WHERE idx = 400")
		}, `leaf 400: the event's bytes do not match its stored leaf hash`},
		{"EditCheckpoint", func(t *testing.T, db *sql.DB) {
			var size int
			var note []byte
			db.QueryRow("SELECT size, note FROM checkpoints ORDER BY size LIMIT 1 OFFSET 3").Scan(&size, &note)
			note = bytes.Replace(note, []byte("\n— "), []byte("\n— x"), 1)
			mustExec(t, db, "UPDATE checkpoints SET note = ? WHERE size = ?", note, size)
		}, `checkpoint 4 \(size \d+\): .*not signed by the log's key`},
		{"DeleteCheckpoints", func(t *testing.T, db *sql.DB) {
			// All but the first and the last two: before, verify passed, and an
			// altered leaf could only be placed somewhere in the whole log.
			mustExec(t, db, "DELETE FROM checkpoints WHERE seq > 1 AND seq < (SELECT MAX(seq) - 1 FROM checkpoints)")
		}, `checkpoint 2 is missing: after checkpoint 1 \(size \d+\) the next stored one is checkpoint \d+ \(size \d+\)`},
		{"DeleteLastCheckpoint", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "DELETE FROM checkpoints WHERE seq = (SELECT MAX(seq) FROM checkpoints)")
		}, `leaf \d+: events from \d+ on are covered by no signed checkpoint`},
		{"RenumberCheckpoint", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "UPDATE checkpoints SET seq = 1000 WHERE seq = 5")
		}, `checkpoint 5 is missing: after checkpoint 4 \(size \d+\) the next stored one is checkpoint 1000 \(size \d+\)`},
		{"TruncateLog", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "DELETE FROM events WHERE idx >= 500")
		}, `leaf 500: missing: the log holds 500 events but checkpoint \d+ \(size \d+\) was signed \(the log was truncated\)`},
		{"RewriteEventAndLeaf", func(t *testing.T, db *sql.DB) {
			// A careful forger recomputes the leaf hash too; the signed checkpoints catch it.
			var id []byte
			db.QueryRow("SELECT id FROM events WHERE idx = 450").Scan(&id)
			b := bytes.Replace(eventBytes(t, db, 450), []byte("synthetic"), []byte("Synthetic"), 1)
			mustExec(t, db, "UPDATE events SET bytes = ?, leaf_hash = ? WHERE idx = 450", b, leafHashOf(t, id, b))
		}, `leaf \d+: checkpoint \d+ \(size \d+\) does not match the tree recomputed from the events: a leaf in \[\d+, \d+\) was altered`},
		{"EditTreeNode", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "UPDATE tree_nodes SET hash = zeroblob(32) WHERE level = 8 AND idx = 1")
		}, `leaf 256: the stored tree node \(level 8, index 1\) over leaves \[256, 512\) is wrong`},
		{"EditProjection", func(t *testing.T, db *sql.DB) {
			mustExec(t, db, "UPDATE custody SET status = 'released' WHERE id = (SELECT id FROM persons WHERE reg_no = 'HSK-000200')")
		}, `projection custody: row [0-9a-f-]+ differs from the replayed events`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, base)
			tamper(t, dir, func(db *sql.DB) { tc.fn(t, db) })
			code, stdout, stderr := runCLI(t, "verify", "--data", dir)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", code, stdout, stderr)
			}
			if !regexp.MustCompile(tc.want).MatchString(stderr) {
				t.Errorf("stderr %q does not match %q", stderr, tc.want)
			}
		})
	}
}

func leafHashOf(t *testing.T, id, event []byte) []byte {
	t.Helper()
	u, err := uuid.FromBytes(id)
	if err != nil {
		t.Fatal(err)
	}
	h := ledger.LeafHash(ledger.Entry(u, event))
	return h[:]
}
