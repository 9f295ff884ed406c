package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/verify"
)

// copiedTables are the tables copy moves row by row, in order, with the order of
// their rows. The projections (parties, facilities, persons, custody, docs) are
// rebuilt on the target from the events; sessions are not copied (users sign in
// again).
var copiedTables = []struct{ name, order string }{
	{"events", "idx"},
	{"tree_nodes", "level, idx"},
	{"checkpoints", "size"},
	{"users", "id"},
	{"tokens", "id"},
	{"audit", "seq"},
	{"idempotency", "key"},
}

// checkedEmpty are the target's tables that must be empty before a copy.
var checkedEmpty = []string{"events", "tree_nodes", "checkpoints", "users", "tokens", "audit", "idempotency",
	"sessions", "parties", "facilities", "persons", "custody", "docs"}

func newCopy() *cobra.Command {
	var from, to string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "copy --from DATADIR --to postgres://…",
		Short: "Copy a deployment from its SQLite database to an empty PostgreSQL database, and verify the copy",
		Long: `copy moves a deployment from the embedded SQLite store to PostgreSQL: the events
(their exact bytes, indexes, ids, subjects and leaf hashes), the stored tree nodes, the
signed checkpoints, the accounts, API tokens, audit log and kept idempotent responses,
in one transaction. It then rebuilds the projections on the target from the events and
verifies the copy: the target's latest checkpoint must be the source's (same size, same
root) and ` + "`verify`" + ` must pass on the target with the data directory's log public key.

--from is a data directory or the handover.db inside one (its config.json and log.pub
are read beside it). The target must be empty: copy refuses a database that holds any
event, account or projection. Sessions are not copied: users sign in again.

Stop the server writing to the source first. Afterwards run the servers with
--db URL and the same data directory (its log.key signs the next checkpoints).`,
		Example: `  handover copy --from ./handover-data --to 'postgres://handover@db.example:5432/handover'
  handover serve --data ./handover-data --db 'postgres://handover@db.example:5432/handover'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from == "" || to == "" {
				return errors.New("--from and --to are required")
			}
			if err := checkDBURL(to, "--to"); err != nil {
				return err
			}
			var progress io.Writer
			if !quiet {
				progress = cmd.ErrOrStderr()
			}
			return copyToPostgres(cmd.Context(), from, to, cmd.OutOrStdout(), progress)
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "the source: a data directory, or the SQLite database (handover.db) inside one")
	cmd.Flags().StringVar(&to, "to", "", "the target: an empty PostgreSQL database, postgres://USER@HOST:PORT/DATABASE")
	cmd.Flags().BoolVar(&quiet, "quiet", false, "no progress bar")
	return cmd
}

// copyToPostgres copies the deployment at from into the empty database at to, then
// rebuilds the target's projections and verifies it. progress, if not nil, shows a
// bar for large copies.
func copyToPostgres(ctx context.Context, from, to string, out, progress io.Writer) error {
	start := time.Now()
	dir, path := from, filepath.Join(from, sqlite.FileName)
	if fi, err := os.Stat(from); err != nil {
		return fmt.Errorf("--from: %w", err)
	} else if !fi.IsDir() {
		dir, path = filepath.Dir(from), from
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--from: %s holds no %s", dir, sqlite.FileName)
	}
	origin, vkey, err := readDataDir(dir)
	if err != nil {
		return fmt.Errorf("--from: %w (copy reads the log name and public key beside the database)", err)
	}
	v, err := ledger.NewVerifier(vkey)
	if err != nil {
		return err
	}

	// Both stores are opened once so that both schemas are at this version.
	src, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, to)
	if err != nil {
		return err
	}
	defer dst.Close()
	target := redactURL(to)

	srcRaw, err := sql.Open("sqlite3", path)
	if err != nil {
		return err
	}
	defer srcRaw.Close()
	// One read transaction: a snapshot of the source, consistent across its tables.
	stx, err := srcRaw.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return err
	}
	defer stx.Rollback()

	conn, err := pgx.Connect(ctx, to)
	if err != nil {
		return fmt.Errorf("%s: %w", target, err)
	}
	defer conn.Close(context.Background())
	// One write transaction: a failed copy leaves the target as it was, empty.
	ttx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer ttx.Rollback(context.Background())
	for _, t := range checkedEmpty {
		var some bool
		if err := ttx.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+t+")").Scan(&some); err != nil {
			return fmt.Errorf("%s: %w", target, err)
		}
		if some {
			return fmt.Errorf("--to: %s is not empty (table %s has rows): copy only into a new database", target, t)
		}
	}

	counts := map[string]int64{}
	for _, t := range copiedTables {
		var total int64
		if err := stx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+t.name).Scan(&total); err != nil {
			return fmt.Errorf("%s: count %s: %w", path, t.name, err)
		}
		n, err := copyTable(ctx, stx, ttx, t.name, t.order, total, progress)
		if err != nil {
			return fmt.Errorf("copy %s: %w", t.name, err)
		}
		if n != total {
			return fmt.Errorf("copy %s: %d rows copied of %d", t.name, n, total)
		}
		counts[t.name] = n
	}
	// The audit log's sequence continues after the copied entries.
	if _, err := ttx.Exec(ctx, "SELECT setval(pg_get_serial_sequence('audit', 'seq'), COALESCE(MAX(seq), 0) + 1, false) FROM audit"); err != nil {
		return fmt.Errorf("%s: audit sequence: %w", target, err)
	}
	if err := ttx.Commit(ctx); err != nil {
		return fmt.Errorf("%s: commit the copy: %w", target, err)
	}
	stx.Rollback()
	copied := time.Since(start)

	st, err := dst.Rebuild(ctx)
	if err != nil {
		return fmt.Errorf("rebuild the projections on %s: %w", target, err)
	}
	srcCP, srcSize, err := src.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	dstCP, dstSize, err := dst.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	if srcSize != dstSize || !bytes.Equal(srcCP, dstCP) {
		return exitError{code: 1, err: fmt.Errorf("copy failed: the latest checkpoint of %s (size %d) differs from the source's (size %d)", target, dstSize, srcSize)}
	}
	var bar interface{ Set64(int64) error }
	rep, err := verify.Run(ctx, dst, v, origin, func(done, total uint64) {
		if progress == nil || total < 10000 {
			return
		}
		if bar == nil {
			bar = newProgress(progress, int64(total), "verifying")
		}
		bar.Set64(int64(done))
	})
	var p *verify.Problem
	if errors.As(err, &p) {
		return exitError{code: 1, err: fmt.Errorf("copy failed: verify on %s: %w", target, p)}
	}
	if err != nil {
		return err
	}
	if rep.Size != srcSize {
		return exitError{code: 1, err: fmt.Errorf("copy failed: %s verified %d events, the source's latest checkpoint covers %d", target, rep.Size, srcSize)}
	}

	fmt.Fprintf(out, "copied %s to %s in %s:\n", path, target, copied.Round(time.Millisecond))
	fmt.Fprintf(out, "  %d events, %d tree nodes, %d checkpoints\n", counts["events"], counts["tree_nodes"], counts["checkpoints"])
	fmt.Fprintf(out, "  %d users, %d API tokens, %d audit entries, %d idempotent responses (sessions are not copied: users sign in again)\n",
		counts["users"], counts["tokens"], counts["audit"], counts["idempotency"])
	fmt.Fprintf(out, "rebuilt the projections: %d persons, %d facilities, %d parties\n", len(st.Persons()), len(st.Facilities()), len(st.Parties()))
	fmt.Fprintf(out, "same latest checkpoint: size %d, root %s\n", dstSize, base64.StdEncoding.EncodeToString(rep.Root[:]))
	fmt.Fprintf(out, "verified the copy: %s\n", rep)
	fmt.Fprintf(out, "serve it with: handover serve --data %s --db '%s'\n", dir, target)
	return nil
}

// copyTable copies the rows of table from the SQLite transaction into the
// PostgreSQL one with COPY, converting SQLite's storage classes to the target's
// column types. It returns the number of rows copied.
func copyTable(ctx context.Context, stx *sql.Tx, ttx pgx.Tx, table, order string, total int64, progress io.Writer) (int64, error) {
	rows, err := ttx.Query(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return 0, err
	}
	var cols, types []string
	for rows.Next() {
		var c, t string
		if err := rows.Scan(&c, &t); err != nil {
			rows.Close()
			return 0, err
		}
		cols, types = append(cols, c), append(types, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(cols) == 0 {
		return 0, fmt.Errorf("the target has no table %s", table)
	}
	srcCols := make([]string, len(cols))
	for i, c := range cols {
		srcCols[i] = c
		if c == "user_id" { // the SQLite schema's column is "user", a reserved word in PostgreSQL
			srcCols[i] = `"user"`
		}
	}
	srows, err := stx.QueryContext(ctx, "SELECT "+strings.Join(srcCols, ", ")+" FROM "+table+" ORDER BY "+order)
	if err != nil {
		return 0, err
	}
	defer srows.Close()
	s := &sqliteRows{rows: srows, types: types, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	if progress != nil && total >= 10000 {
		bar := newProgress(progress, total, "copying "+table)
		s.tick = func(n int64) {
			if n%1000 == 0 || n == total {
				bar.Set64(n)
			}
		}
	}
	return ttx.CopyFrom(ctx, pgx.Identifier{table}, cols, s)
}

// sqliteRows is a pgx.CopyFromSource over SQLite rows.
type sqliteRows struct {
	rows  *sql.Rows
	types []string // the target's data types
	vals  []any
	ptrs  []any
	n     int64
	tick  func(n int64)
	err   error
}

func (s *sqliteRows) Next() bool {
	if !s.rows.Next() {
		return false
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		s.err = err
		return false
	}
	s.n++
	if s.tick != nil {
		s.tick(s.n)
	}
	return true
}

func (s *sqliteRows) Values() ([]any, error) {
	out := make([]any, len(s.vals))
	for i, v := range s.vals {
		switch t := s.types[i]; {
		case v == nil:
			out[i] = nil
		case t == "bytea":
			switch v := v.(type) {
			case []byte:
				out[i] = bytes.Clone(v)
			case string:
				out[i] = []byte(v)
			default:
				return nil, fmt.Errorf("column %d: %T for bytea", i, v)
			}
		case t == "boolean":
			switch v := v.(type) {
			case int64:
				out[i] = v != 0
			case bool:
				out[i] = v
			default:
				return nil, fmt.Errorf("column %d: %T for boolean", i, v)
			}
		case t == "text":
			switch v := v.(type) {
			case string:
				out[i] = v
			case []byte:
				out[i] = string(v)
			default:
				return nil, fmt.Errorf("column %d: %T for text", i, v)
			}
		default:
			out[i] = v
		}
	}
	return out, nil
}

func (s *sqliteRows) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}
