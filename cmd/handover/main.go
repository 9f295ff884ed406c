// Command handover keeps custody records of people deprived of liberty and runs their
// transfers, in a tamper-evident ledger. `handover --help` lists the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line and returns the exit code: 0 on success, 1 when a
// check fails (verify), 2 on any other error.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintf(stderr, "handover: %v\n", err)
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	return 2
}

// exitError carries a specific exit code.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "handover",
		Short: "Custody records and transfers of people deprived of liberty, in a tamper-evident ledger",
		Long: `handover keeps the custody records of people deprived of liberty and runs their
transfers between authorities, so that nobody disappears on the way. Every custody
change is an event in an append-only Merkle-tree ledger with signed checkpoints.

Start with:  handover demo`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().String("data", "./handover-data", "data directory (database, log key, configuration)")
	root.PersistentFlags().String("db", "", "PostgreSQL database URL, postgres://… (default $HANDOVER_DB; unset: the SQLite database in the data directory)")
	root.PersistentFlags().String("log-key", "", "the log's signer key file, kept apart from the data directory (default $HANDOVER_LOG_KEY, else log.key in the data directory)")
	root.PersistentFlags().String("cpuprofile", "", "write a CPU profile of the command to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	var profile *os.File
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		db, from := os.Getenv("HANDOVER_DB"), "HANDOVER_DB"
		if cmd.Flags().Changed("db") {
			db, _ = cmd.Flags().GetString("db")
			from = "--db"
		}
		if db != "" {
			if err := checkDBURL(db, from); err != nil {
				return err
			}
			cmd.SetContext(withDB(cmd.Context(), db))
		}
		if k, _ := cmd.Flags().GetString("log-key"); k != "" {
			cmd.SetContext(withLogKey(cmd.Context(), k))
		}
		path, _ := cmd.Flags().GetString("cpuprofile")
		if path == "" {
			return nil
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		profile = f
		return pprof.StartCPUProfile(f)
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		if profile != nil {
			pprof.StopCPUProfile()
			profile.Close()
		}
	}
	root.AddCommand(newInit(), newDemo(), newServe(), newVerify(), newRebuild(), newCheckpoint(), newBench(),
		newKeygen(), newKey(), newSign(), newHandover(), newUser(), newToken(), newMandate(), newMigrate(), newCopy(), newNames(),
		newWitness(), newMonitor(), newProof())
	addClientCommands(root)
	return root
}

func dataDir(cmd *cobra.Command) string {
	d, _ := cmd.Flags().GetString("data")
	return d
}
