package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
	"github.com/handover-project/handover/sequencer"
)

func newDemo() *cobra.Command {
	var (
		noServe       bool
		noWitness     bool
		witnessListen string
		seed          int64
		srv           serveFlags
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Load the synthetic demo world (docs/scenario.md) and serve it",
		Long: `demo initialises the data directory if needed, loads the synthetic world of the
north-east Syria → Iraq transfers — parties, facilities, some 10,000 invented people,
al-Hol's control change — and the campaign's first four movements, through the same
commands a user would give, and serves it. Every person in it is invented and every
record is marked as demo data.

The movements (docs/scenario.md): 1, 150 detainees from Hasakah, arrived and reconciled;
2, arrived with one person missing, so a discrepancy incident is open (a
disappearance alert); 3, departed and on the road; 4, planned, with some persons
blocked on safeguards. Their handovers are signed with officers' keys made at demo
time for SDF, USF and IRQ and kept in DATA/officers/ (mode 0600), so that you can
sign the next handover — movement 3's arrival — yourself; demo prints how.

It also starts the ICRC's witness (C2SP tlog-witness) in process on a port of its
own, with its own key and state in DATA/witness-icrc, and serves with a witness
policy (DATA/witness-policy.txt) that requires its cosignature: /log/checkpoint
carries it, and the ledger page shows it. --no-witness leaves it out.

With --no-serve it loads and exits. Run twice on one data directory, it loads once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir := dataDir(cmd)
			if _, err := os.Stat(filepath.Join(dir, configFile)); errors.Is(err, os.ErrNotExist) {
				if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "initialised %s\n", dir)
			}
			d, err := openWriter(ctx, dir)
			if err != nil {
				return err
			}
			defer d.Close()
			if err := loadDemoFor(ctx, d, seed, srv.url(), cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil {
				return err
			}
			if noServe {
				return nil
			}
			if !noWitness && srv.witnessPolicy == "" {
				ws, policy, err := startDemoWitness(d, witnessListen, cmd.OutOrStdout(), cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				defer ws.Close()
				srv.witnessPolicy = policy
			}
			return serve(ctx, d, srv, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&noServe, "no-serve", false, "load the demo world and exit")
	cmd.Flags().BoolVar(&noWitness, "no-witness", false, "serve without the ICRC witness")
	cmd.Flags().StringVar(&witnessListen, "witness-listen", "127.0.0.1:0", "address of the demo's ICRC witness (port 0 picks a free one)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the synthetic world")
	srv.register(cmd)
	return cmd
}

// loadDemo loads the demo world into an empty ledger; on a ledger that already
// holds it, it does nothing.
func loadDemo(ctx context.Context, d *dataDirectory, seed int64, stdout, stderr io.Writer) error {
	return loadDemoFor(ctx, d, seed, defaultServerURL, stdout, stderr)
}

// loadDemoFor is loadDemo whose printed commands go through the server at
// server, which will serve the demo.
func loadDemoFor(ctx context.Context, d *dataDirectory, seed int64, server string, stdout, stderr io.Writer) error {
	n, err := d.db.EventCount(ctx)
	if err != nil {
		return err
	}
	w := scenario.New(seed)
	if n > 0 {
		ps, err := d.db.Parties(ctx)
		if err != nil {
			return err
		}
		for _, p := range ps {
			if p.ID != w.Parties[0].ID {
				continue
			}
			if _, err := d.db.Doc(ctx, custody.CampaignDoc, w.Operations.Campaign.ID); err != nil {
				return fmt.Errorf("%s holds a demo ledger of %d events without the demo's campaign: an earlier load stopped half-way; use a fresh --data directory", d.dir, n)
			}
			fmt.Fprintf(stdout, "demo already loaded: %d events in the ledger\n", n)
			printDemoAccounts(d.dir, stdout)
			return nil
		}
		return fmt.Errorf("%s holds a ledger of %d events that is not the demo's: use another --data directory", d.dir, n)
	}
	start := time.Now()
	officers, err := demoOfficers(d.dir, w)
	if err != nil {
		return err
	}
	accounts := demoAccounts(w)
	for _, o := range officers {
		o.User = signingAccount(accounts, o.Party.Code)
	}
	cmds, err := demoCommands(w, officers, time.Now())
	if err != nil {
		return err
	}
	cmds = append(cmds, custody.SetMandate{Meta: custody.Meta{Actor: scenario.Actor, OccurredAt: w.Operations.Created},
		Party: w.Party(scenario.ICRC).ID, All: true})
	bar := newProgress(stderr, int64(len(cmds)), "loading demo")
	err = submitAll(ctx, d.db, cmds, func() { bar.Add(1) })
	bar.Finish()
	if err != nil {
		return err
	}
	if err := createDemoAccounts(ctx, d, accounts); err != nil {
		return err
	}
	if err := createDemoTokens(ctx, d, accounts); err != nil {
		return err
	}
	size, _ := d.db.EventCount(ctx)
	fmt.Fprintf(stdout, "loaded the demo world: %d parties, %d facilities, %d persons, %d events in %.1fs\n",
		len(w.Parties), len(w.Facilities), len(w.Persons), size, time.Since(start).Seconds())
	if err := demoSummary(ctx, d, w, server, stdout); err != nil {
		return err
	}
	printDemoAccounts(d.dir, stdout)
	return nil
}

// demoCommands drafts the demo's commands with its times moved by whole days so
// that its latest event falls on the day before now: the dashboard looks the same
// on whatever day the demo is loaded (docs/scenario.md keeps the order and spacing).
func demoCommands(w *scenario.World, officers []*scenario.Officer, now time.Time) ([]custody.Command, error) {
	draft := func() ([]custody.Command, error) {
		drafter, err := w.NewDrafter(officers...)
		if err != nil {
			return nil, err
		}
		ops, err := drafter.Commands(&w.Operations)
		if err != nil {
			return nil, err
		}
		return append(append(w.Commands(), w.Risks()...), ops...), nil
	}
	cmds, err := draft()
	if err != nil {
		return nil, err
	}
	var latest time.Time
	for _, c := range cmds {
		if at := occurredAt(c); at.After(latest) {
			latest = at
		}
	}
	if d := scenario.DaysBefore(latest, now); d > 0 {
		w.Shift(d)
		return draft()
	}
	return cmds, nil
}

// occurredAt is when a command says its event occurred.
func occurredAt(c custody.Command) time.Time {
	v := reflect.ValueOf(c)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return time.Time{}
	}
	if m, ok := v.FieldByName("Meta").Interface().(custody.Meta); ok {
		return m.OccurredAt
	}
	return time.Time{}
}

type submitter interface {
	Submit(ctx context.Context, cmd custody.Command) (sequencer.Receipt, error)
}

// submitAll submits commands as a user's clients would, concurrently where order
// does not matter: consecutive person registrations go through 64 workers so that
// they share transactions; every other command waits for what came before it.
// Registration numbers are given out in command order first, so the result does
// not depend on the interleaving.
func submitAll(ctx context.Context, s submitter, cmds []custody.Command, done func()) error {
	series := map[uuid.UUID]string{}
	counters := map[string]int{}
	for i, c := range cmds {
		switch c := c.(type) {
		case custody.RegisterFacility:
			series[c.Facility.ID] = c.Facility.Series
		case custody.RegisterPerson:
			if c.Person.RegNo == "" && series[c.Facility] != "" {
				counters[series[c.Facility]]++
				c.Person.RegNo = fmt.Sprintf("%s-%06d", series[c.Facility], counters[series[c.Facility]])
				cmds[i] = c
			}
		}
	}
	for i := 0; i < len(cmds); {
		j := i
		for j < len(cmds) {
			if _, ok := cmds[j].(custody.RegisterPerson); !ok {
				break
			}
			j++
		}
		if j == i { // one ordered command
			if _, err := s.Submit(ctx, cmds[i]); err != nil {
				return fmt.Errorf("command %d (%T): %w", i, cmds[i], err)
			}
			done()
			i++
			continue
		}
		if err := submitParallel(ctx, s, cmds[i:j], 64, done); err != nil {
			return err
		}
		i = j
	}
	return nil
}

func submitParallel(ctx context.Context, s submitter, cmds []custody.Command, workers int, done func()) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan int)
	var once sync.Once
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				if _, err := s.Submit(ctx, cmds[i]); err != nil {
					once.Do(func() { firstErr = fmt.Errorf("%T: %w", cmds[i], err); cancel() })
					return
				}
				done()
			}
		}()
	}
feed:
	for i := range cmds {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}
