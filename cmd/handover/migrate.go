package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/sqlite"
)

func newMigrate() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate [--db postgres://…]",
		Short: "Apply the pending schema migrations to the database",
		Long: `migrate brings the database's schema up to this version of handover: the
PostgreSQL database of --db (or $HANDOVER_DB), else the SQLite database of the data
directory. It prints the schema version before and after. Every command applies
pending migrations when it opens the store; migrate does only that, so that an
upgrade can be applied (and its outcome seen) before the servers start.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir := dataDir(cmd)
			url := dbURLFrom(ctx)
			where := redactURL(url)
			driver, dsn := "pgx", url
			if url == "" {
				dsn = filepath.Join(dir, sqlite.FileName)
				if _, err := os.Stat(dsn); errors.Is(err, fs.ErrNotExist) {
					return fmt.Errorf("%s has no database %s: run `handover init --data %s` first (or give --db postgres://…)", dir, sqlite.FileName, dir)
				}
				driver, where = "sqlite3", dsn
			}
			before, err := schemaVersion(ctx, driver, dsn)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			db, err := openStore(ctx, dir)
			if err != nil {
				return err
			}
			if err := db.Close(); err != nil {
				return err
			}
			after, err := schemaVersion(ctx, driver, dsn)
			if err != nil {
				return fmt.Errorf("%s: %w", where, err)
			}
			out := cmd.OutOrStdout()
			if before == after {
				fmt.Fprintf(out, "%s: schema version %d, up to date\n", where, after)
			} else {
				fmt.Fprintf(out, "%s: schema version %d → %d\n", where, before, after)
			}
			return nil
		},
	}
}

// schemaVersion returns the highest migration applied to a database (0 before the
// first), as recorded by goose.
func schemaVersion(ctx context.Context, driver, dsn string) (int64, error) {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var exists bool
	q := "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version')"
	if driver == "pgx" {
		q = "SELECT to_regclass('goose_db_version') IS NOT NULL"
	}
	if err := db.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	if !exists {
		return 0, nil
	}
	var v int64
	if err := db.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}
