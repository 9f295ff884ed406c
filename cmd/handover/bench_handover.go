package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

// benchCampaign loads world w and the campaign ops into d, with officers' keys made
// for the run: the world's registrations, the keys and the campaign, then every
// movement up to its departure from workers concurrent clients (each movement's
// commands in order). With arrive, each movement's signed arrival handover follows
// its departure. It returns the drafter.
func benchCampaign(ctx context.Context, d *dataDirectory, w *scenario.World, ops *scenario.Operations, workers int, arrive bool) (*scenario.Drafter, error) {
	var officers []*scenario.Officer
	for _, s := range scenario.SigningOfficers {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		o, err := w.NewOfficer(s.Party, s.Name, k)
		if err != nil {
			return nil, err
		}
		officers = append(officers, o)
	}
	dr, err := w.NewDrafter(officers...)
	if err != nil {
		return nil, err
	}
	if err := submitAll(ctx, d.db, append(w.Commands(), dr.Opening(ops)...), func() {}); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		once     sync.Once
		firstErr error
	)
	jobs := make(chan *scenario.Move)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for m := range jobs {
				cmds, err := dr.Prepare(m)
				if err == nil && arrive {
					var a *custody.SubmitHandover
					if a, err = dr.Arrival(m); a != nil {
						cmds = append(cmds, *a)
					}
				}
				for _, c := range cmds {
					if err != nil {
						break
					}
					_, err = d.db.Submit(ctx, c)
					if err != nil {
						err = fmt.Errorf("%s: %T: %w", m.Name, c, err)
					}
				}
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
			}
		}()
	}
feed:
	for i := range ops.Moves {
		select {
		case jobs <- &ops.Moves[i]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return dr, ctx.Err()
}

// handoverResult is what `bench handover` reports.
type handoverResult struct {
	Repetitions     int     `json:"repetitions"`
	Persons         int     `json:"persons_per_handover"`
	EventsPerSubmit int     `json:"events_per_handover"`
	DocumentBytes   int     `json:"document_bytes"`
	P50Millis       float64 `json:"p50_ms"`
	P99Millis       float64 `json:"p99_ms"`
	MeanMillis      float64 `json:"mean_ms"`
	MinMillis       float64 `json:"min_ms"`
	MaxMillis       float64 `json:"max_ms"`
	LedgerEvents    uint64  `json:"ledger_events"`
	SetupSeconds    float64 `json:"setup_seconds"`
	DataDirectory   string  `json:"data_directory,omitempty"`
}

func newBenchHandover() *cobra.Command {
	var (
		n, workers   int
		asJSON, keep bool
	)
	cmd := &cobra.Command{
		Use:   "handover",
		Short: "Time the server's work on a signed 150-person arrival handover; print p50 and p99",
		Long: `bench handover measures what the ledger does with a signed arrival handover of 150
persons: it parses the document, verifies both officers' Ed25519 signatures over its
exact bytes, decides 150 arrivals and the movement's reconciliation, appends and
commits the 152 events with their projections (persons, notifications, transfer,
movement, campaign) and signs a checkpoint.

Into a fresh data directory (a temporary one unless --data is given) it first
loads the demo world and, untimed, N transfers of 150 detainees each with all their
safeguards, both approvals, a movement and its signed departure handover. Then it
submits the N arrival handovers one after another and times each Submit alone (the
documents are drafted and signed beforehand, as officers do in the field). It
prints the p50 and p99 of the N times, by the nearest-rank method: with N below
100, p99 is the slowest run. N is at most the number of full movements of the
world's 7,000 adult detainees (45; each prison's last movement is smaller).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 {
				return fmt.Errorf("-n must be at least 1; got %d", n)
			}
			if workers < 1 {
				return fmt.Errorf("--workers must be at least 1")
			}
			ctx := cmd.Context()
			dir, cleanup, err := benchDataDir(cmd, keep)
			if err != nil {
				return err
			}
			defer cleanup()
			d, err := openWriter(ctx, dir)
			if err != nil {
				return err
			}
			defer d.Close()
			began := time.Now()
			w := scenario.New(1)
			ops, err := w.CampaignPlan(scenario.CampaignTarget)
			if err != nil {
				return err
			}
			// Only full movements: every repetition hands over 150 persons.
			ops.Moves = slices.DeleteFunc(ops.Moves, func(m scenario.Move) bool { return len(m.Transfer.Persons) != scenario.MovementSize })
			if len(ops.Moves) < n {
				return fmt.Errorf("-n: the world has %d full movements of %d; asked for %d", len(ops.Moves), scenario.MovementSize, n)
			}
			ops.Moves = ops.Moves[:n]
			dr, err := benchCampaign(ctx, d, w, ops, workers, false)
			if err != nil {
				return err
			}
			arrivals := make([]custody.SubmitHandover, len(ops.Moves))
			for i := range ops.Moves {
				a, err := dr.Arrival(&ops.Moves[i])
				if err != nil {
					return err
				}
				arrivals[i] = *a
			}
			res := handoverResult{Repetitions: n, Persons: scenario.MovementSize, DocumentBytes: len(arrivals[0].Document),
				SetupSeconds: time.Since(began).Seconds()}
			times := make([]time.Duration, 0, n)
			var sum time.Duration
			for i, a := range arrivals {
				t := time.Now()
				r, err := d.db.Submit(ctx, a)
				dt := time.Since(t)
				if err != nil {
					return fmt.Errorf("arrival %d: %w", i+1, err)
				}
				if i > 0 && len(r.Events) != res.EventsPerSubmit {
					return fmt.Errorf("arrival %d recorded %d events, arrival 1 %d", i+1, len(r.Events), res.EventsPerSubmit)
				}
				res.EventsPerSubmit = len(r.Events)
				times = append(times, dt)
				sum += dt
			}
			slices.Sort(times)
			res.P50Millis, res.P99Millis = quantile(times, 0.50), quantile(times, 0.99)
			res.MinMillis, res.MaxMillis = float64(times[0])/1e6, float64(times[len(times)-1])/1e6
			res.MeanMillis = float64(sum) / float64(len(times)) / 1e6
			if res.LedgerEvents, err = d.db.EventCount(ctx); err != nil {
				return err
			}
			if keep || cmd.Flags().Changed("data") {
				res.DataDirectory = dir
			}
			return printBench(cmd.OutOrStdout(), asJSON, res, func(w io.Writer) {
				fmt.Fprintf(w, "arrival handover of %d persons (%d-byte document, 2 signatures verified, %d events): %d repetitions: p50 %.1f ms, p99 %.1f ms; mean %.1f ms, min %.1f ms, max %.1f ms; ledger of %d events; setup %.1fs\n",
					res.Persons, res.DocumentBytes, res.EventsPerSubmit, res.Repetitions, res.P50Millis, res.P99Millis, res.MeanMillis, res.MinMillis, res.MaxMillis, res.LedgerEvents, res.SetupSeconds)
				if res.DataDirectory != "" {
					fmt.Fprintf(w, "data directory: %s\n", res.DataDirectory)
				}
			})
		},
	}
	cmd.Flags().IntVarP(&n, "repetitions", "n", 40, "number of arrival handovers to time (each its own movement of 150)")
	cmd.Flags().IntVar(&workers, "workers", 8, "concurrent clients that set the movements up (untimed)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary data directory (its path is printed)")
	return cmd
}
