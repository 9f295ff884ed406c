package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/verify"
)

// ledgerTables are the ledger's tables, each with the columns that key its rows
// and the pattern that names a row (from its key values) in verify's messages.
var ledgerTables = []struct {
	name string
	key  []string
	row  func(key []int64) string
}{
	{"events", []string{"idx"}, func(k []int64) string { return fmt.Sprintf(`leaf %d:`, k[0]) }},
	{"tree_nodes", []string{"level", "idx"}, func(k []int64) string { return fmt.Sprintf(`tree node \(level %d, index %d\)`, k[0], k[1]) }},
	{"checkpoints", []string{"seq"}, func(k []int64) string { return fmt.Sprintf(`checkpoint %d\b`, k[0]) }},
}

// ledgerDB is a ledger's database opened twice: raw, as an attacker with write
// access would (append-only triggers off), and as the store verify reads.
type ledgerDB struct {
	raw     *sql.DB
	store   verify.Source
	columns func(t *testing.T, table string) []string
	ph      func(i int) string // the i-th placeholder, from 1
}

// TestVerifyCoversEveryLedgerColumn changes every column of every ledger table
// (as the schema lists them, so a new column is covered or fails this test), one
// at a time, in the first, a middle and the last row, and asserts that verify fails
// naming that row; on SQLite and on PostgreSQL. Each change is undone before the next.
func TestVerifyCoversEveryLedgerColumn(t *testing.T) {
	base := smallLedger(t)
	origin, vkey, err := readDataDir(base)
	if err != nil {
		t.Fatal(err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t.Run("SQLite", func(t *testing.T) {
		dir := copyDir(t, base)
		path := filepath.Join(dir, sqlite.FileName)
		store, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		raw, err := sql.Open("sqlite3", path)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		for _, trig := range []string{"events_append_only_update", "events_append_only_delete", "checkpoints_append_only_update", "checkpoints_append_only_delete"} {
			mustExec(t, raw, "DROP TRIGGER "+trig)
		}
		testLedgerColumns(t, &ledgerDB{raw: raw, store: store, ph: func(int) string { return "?" },
			columns: func(t *testing.T, table string) []string {
				return queryStrings(t, raw, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
			}}, v, origin)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		if testing.Short() {
			t.Skip("copies the ledger to PostgreSQL")
		}
		url := freshPostgres(t)
		mustHandover(t, "copy", "--quiet", "--from", base, "--to", url)
		store, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		raw, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		mustExec(t, raw, "ALTER TABLE events DISABLE TRIGGER USER")
		mustExec(t, raw, "ALTER TABLE checkpoints DISABLE TRIGGER USER")
		testLedgerColumns(t, &ledgerDB{raw: raw, store: store, ph: func(i int) string { return fmt.Sprintf("$%d", i) },
			columns: func(t *testing.T, table string) []string {
				return queryStrings(t, raw, `SELECT column_name FROM information_schema.columns
					WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
			}}, v, origin)
	})
}

func testLedgerColumns(t *testing.T, db *ledgerDB, v note.Verifier, origin string) {
	ctx := context.Background()
	if _, err := verify.Run(ctx, db.store, v, origin, nil); err != nil {
		t.Fatalf("untouched ledger: %v", err)
	}
	changes := 0
	for _, table := range ledgerTables {
		cols := db.columns(t, table.name)
		if len(cols) == 0 {
			t.Fatalf("the schema has no table %s", table.name)
		}
		keys := ledgerRowKeys(t, db, table.name, table.key)
		for _, col := range cols {
			for _, key := range keys {
				name := fmt.Sprintf("%s.%s at %v", table.name, col, key)
				changes++
				orig, changed := changeColumn(t, db, table.name, table.key, key, col)
				_, err := verify.Run(ctx, db.store, v, origin, nil)
				var p *verify.Problem
				switch {
				case err == nil:
					t.Errorf("%s changed (%v → %v): verify passed", name, orig, changed)
				case !errors.As(err, &p):
					t.Errorf("%s changed: verify could not read the ledger: %v", name, err)
				case !regexp.MustCompile(table.row(key)).MatchString(p.Error()):
					t.Errorf("%s changed: verify failed with %q, which does not name the row (%s)", name, p, table.row(key))
				}
				restoreColumn(t, db, table.name, table.key, key, col, orig, changed)
			}
		}
	}
	if _, err := verify.Run(ctx, db.store, v, origin, nil); err != nil {
		t.Fatalf("every change undone: %v", err)
	}
	t.Logf("%d changes, each caught", changes)
}

// ledgerRowKeys returns the keys of the first, a middle and the last row of table.
func ledgerRowKeys(t *testing.T, db *ledgerDB, table string, key []string) [][]int64 {
	t.Helper()
	rows, err := db.raw.Query("SELECT " + strings.Join(key, ", ") + " FROM " + table + " ORDER BY " + strings.Join(key, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var all [][]int64
	for rows.Next() {
		k := make([]int64, len(key))
		ptrs := make([]any, len(k))
		for i := range k {
			ptrs[i] = &k[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		all = append(all, k)
	}
	if len(all) < 2 {
		t.Fatalf("%s holds %d rows: the ledger is too small for this test", table, len(all))
	}
	return [][]int64{all[0], all[len(all)/2], all[len(all)-1]}
}

// changeColumn changes col in the row of table keyed by key, and returns its value
// before and after. Integers move far out of range; bytes get one bit flipped.
func changeColumn(t *testing.T, db *ledgerDB, table string, keyCols []string, key []int64, col string) (orig, changed any) {
	t.Helper()
	sel, selArgs := keyWhere(db, keyCols, key, 1)
	if err := db.raw.QueryRow("SELECT "+col+" FROM "+table+" WHERE "+sel, selArgs...).Scan(&orig); err != nil {
		t.Fatalf("%s.%s: %v", table, col, err)
	}
	switch o := orig.(type) {
	case int64:
		changed = o + 1000003
	case int32:
		changed = int64(o) + 1000003
	case []byte:
		b := bytes.Clone(o)
		b[len(b)/2] ^= 0x01
		changed = b
	default:
		t.Fatalf("%s.%s holds a %T: teach this test (and verify) how to change it", table, col, orig)
	}
	where, args := keyWhere(db, keyCols, key, 2)
	mustExec(t, db.raw, "UPDATE "+table+" SET "+col+" = "+db.ph(1)+" WHERE "+where, append([]any{changed}, args...)...)
	return orig, changed
}

// restoreColumn undoes changeColumn.
func restoreColumn(t *testing.T, db *ledgerDB, table string, keyCols []string, key []int64, col string, orig, changed any) {
	t.Helper()
	now := append([]int64(nil), key...)
	for i, k := range keyCols {
		if k == col {
			now[i] = changed.(int64)
		}
	}
	where, args := keyWhere(db, keyCols, now, 2)
	mustExec(t, db.raw, "UPDATE "+table+" SET "+col+" = "+db.ph(1)+" WHERE "+where, append([]any{orig}, args...)...)
}

func keyWhere(db *ledgerDB, cols []string, key []int64, first int) (string, []any) {
	var conds []string
	var args []any
	for i, c := range cols {
		conds = append(conds, c+" = "+db.ph(first+i))
		args = append(args, key[i])
	}
	return strings.Join(conds, " AND "), args
}

func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
