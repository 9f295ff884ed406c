package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/postgres"
	"github.com/handover-project/handover/verify"
)

func newBench() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure handover on this machine",
	}
	cmd.AddCommand(newBenchAppend(), newBenchAppendReplica(), newBenchHandover(), newBenchCampaign(), newBenchPages(), newBenchWitness())
	return cmd
}

// benchDataDir initialises the data directory a benchmark writes into: --data if
// given (it must not be a data directory yet), else a temporary one that cleanup
// removes unless keep is set.
func benchDataDir(cmd *cobra.Command, keep bool) (dir string, cleanup func(), err error) {
	dir, cleanup = dataDir(cmd), func() {}
	if !cmd.Flags().Changed("data") {
		tmp, err := os.MkdirTemp("", "handover-bench-")
		if err != nil {
			return "", nil, err
		}
		dir = tmp + "/data"
		if !keep {
			cleanup = func() { os.RemoveAll(tmp) }
		}
	}
	if err := initDataDir(cmd.Context(), dir, "handover.example/bench"); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// quantile returns the q-quantile of sorted durations by the nearest-rank method, in
// milliseconds.
func quantile(sorted []time.Duration, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return float64(sorted[max(0, min(len(sorted)-1, i))]) / 1e6
}

// appendResult is what `bench append` reports.
type appendResult struct {
	Workload      string  `json:"workload"`
	Events        int     `json:"events"`
	Writers       int     `json:"writers"`
	Seconds       float64 `json:"seconds"`
	EventsPerSec  float64 `json:"events_per_sec"`
	P50Millis     float64 `json:"ack_p50_ms"`
	P99Millis     float64 `json:"ack_p99_ms"`
	MaxMillis     float64 `json:"ack_max_ms"`
	Checkpoints   int     `json:"checkpoints"`
	AllCovered    bool    `json:"all_acks_covered_by_checkpoint"`
	Durable       string  `json:"durability"`
	Store         string  `json:"store"`
	Replicas      int     `json:"replicas"`
	DataDirectory string  `json:"data_directory,omitempty"`
	// With --witnesses: how many, and from each commit to the first checkpoint
	// at least as large that all of them cosigned.
	Witnesses        int     `json:"witnesses,omitempty"`
	QuorumP50Millis  float64 `json:"commit_to_quorum_p50_ms,omitempty"`
	QuorumP99Millis  float64 `json:"commit_to_quorum_p99_ms,omitempty"`
	QuorumCheckpoint int     `json:"quorum_checkpoints,omitempty"`
	// CosignatureWrites counts the transactions that stored cosignatures
	// beside the sequencer's own (one per checkpoint).
	CosignatureWrites int `json:"cosignature_writes,omitempty"`
}

func newBenchAppend() *cobra.Command {
	var (
		n, writers int
		replicas   int
		asJSON     bool
		keep       bool
		sqliteToo  bool
		processes  bool
		workload   string
		witnesses  int
		witnessDir string
		witnessGap time.Duration
	)
	cmd := &cobra.Command{
		Use:   "append",
		Short: "Append N synthetic events from C concurrent writers; print events/s and ack latency",
		Long: `bench append registers N synthetic persons (one event each) from C concurrent
writers into a fresh data directory (a temporary one unless --data is given), and
prints the throughput and the acknowledgement latency (p50, p99, max). Every
acknowledgement is checked to be covered by the signed checkpoint it carries.
Appends are durable: SQLite in WAL mode with synchronous=FULL; PostgreSQL with
synchronous_commit on.

With --db (or HANDOVER_DB) the ledger is in that PostgreSQL database, which must be
empty. --replicas R opens R stores on it, each with its own sequencer and
connections, as R servers would (they share nothing but the database), and gives
each C/R of the writers; with --processes each runs in a process of its own. --sqlite-too then runs the same benchmark on a fresh SQLite
data directory (one sequencer, C writers) and prints both, so that the two engines
are measured under the same conditions.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if n < 1 || writers < 1 || replicas < 1 || replicas > writers {
				return fmt.Errorf("-n, -c and --replicas must be at least 1, and --replicas at most -c")
			}
			ctx := cmd.Context()
			if replicas > 1 && dbURLFrom(ctx) == "" {
				return fmt.Errorf("--replicas: several sequencers share a PostgreSQL database (--db postgres://…); SQLite has one writer")
			}
			if sqliteToo && dbURLFrom(ctx) == "" {
				return fmt.Errorf("--sqlite-too: give --db postgres://… (the benchmark then runs on both)")
			}
			dir, cleanup, err := benchDataDir(cmd, keep)
			if err != nil {
				return err
			}
			defer cleanup()
			var subs []submitter
			var first *dataDirectory
			if processes {
				if replicas < 2 {
					return fmt.Errorf("--processes: give --replicas 2 or more")
				}
				d, err := openWriter(ctx, dir)
				if err != nil {
					return err
				}
				defer d.Close()
				first = d
			}
			for range replicas {
				if processes {
					break // the replicas are child processes
				}
				d, err := openWriter(ctx, dir)
				if err != nil {
					return err
				}
				defer d.Close()
				if first == nil {
					first = d
				}
				subs = append(subs, d.db)
			}
			var bw *benchWitnesses
			if witnesses > 0 {
				if processes || replicas > 1 {
					return fmt.Errorf("--witnesses: with one sequencer only")
				}
				if bw, err = startBenchWitnesses(first, witnesses, witnessDir, witnessGap); err != nil {
					return err
				}
				defer bw.Close()
			}
			var res *appendResult
			if processes {
				res, err = benchAppendProcesses(cmd, first, workload, n, writers, replicas)
			} else {
				res, err = benchAppend(ctx, first, subs, workload, n, writers)
			}
			if err != nil {
				return err
			}
			if bw != nil {
				if err := bw.quorumResult(ctx, res); err != nil {
					return err
				}
			}
			if keep || cmd.Flags().Changed("data") {
				res.DataDirectory = dir
			}
			results := []*appendResult{res}
			if sqliteToo {
				res, err := benchAppendSQLite(withDB(ctx, ""), workload, n, writers)
				if err != nil {
					return fmt.Errorf("on SQLite: %w", err)
				}
				results = append(results, res)
			}
			for _, res := range results {
				if asJSON {
					enc := json.NewEncoder(cmd.OutOrStdout())
					enc.SetIndent("", "  ")
					if err := enc.Encode(res); err != nil {
						return err
					}
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s, %d replica(s), %s workload: %d events from %d writers in %.2fs: %.0f events/s; ack p50 %.2f ms, p99 %.2f ms, max %.2f ms; %d checkpoints; every ack covered: %v\n",
					res.Store, res.Replicas, res.Workload, res.Events, res.Writers, res.Seconds, res.EventsPerSec, res.P50Millis, res.P99Millis, res.MaxMillis, res.Checkpoints, res.AllCovered)
				if res.Witnesses > 0 {
					fmt.Fprintf(cmd.OutOrStdout(), "  %d witnesses (quorum: all): commit → quorum-cosigned checkpoint p50 %.2f ms, p99 %.2f ms over %d commits; %d transactions stored their cosignatures\n",
						res.Witnesses, res.QuorumP50Millis, res.QuorumP99Millis, res.QuorumCheckpoint, res.CosignatureWrites)
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "events", "n", 100000, "number of events to append")
	cmd.Flags().IntVarP(&writers, "writers", "c", 64, "number of concurrent writers")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	cmd.Flags().StringVar(&workload, "workload", "custody", "register (every event registers a person) or custody (a registration, then four moves per person)")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the temporary data directory (its path is printed)")
	cmd.Flags().IntVar(&replicas, "replicas", 1, "sequencers sharing the PostgreSQL database (--db), as that many servers; the writers are split between them")
	cmd.Flags().BoolVar(&processes, "processes", false, "with --replicas: run each replica in a process of its own (this binary), as separate servers would")
	cmd.Flags().BoolVar(&sqliteToo, "sqlite-too", false, "with --db: run the same benchmark on a fresh SQLite data directory too, and print both")
	cmd.Flags().IntVar(&witnesses, "witnesses", 0, "run this many witnesses in process (each on its own loopback port) under a policy requiring all; print the time from commit to a quorum-cosigned checkpoint")
	cmd.Flags().DurationVar(&witnessGap, "witness-interval", 200*time.Millisecond, "with --witnesses: least time between two requests to one witness (serve --witness-interval)")
	cmd.Flags().StringVar(&witnessDir, "witness-dir", "", "with --witnesses: make the witnesses' state directories under this directory (default: the system's temporary one); a tmpfs such as /dev/shm keeps their fsyncs off the log's disk, as witnesses on machines of their own would")
	return cmd
}

// benchAppendSQLite runs the append benchmark on a temporary SQLite data directory.
func benchAppendSQLite(ctx context.Context, workload string, n, writers int) (*appendResult, error) {
	tmp, err := os.MkdirTemp("", "handover-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := tmp + "/data"
	if err := initDataDir(ctx, dir, "handover.example/bench"); err != nil {
		return nil, err
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	return benchAppend(ctx, d, []submitter{d.db}, workload, n, writers)
}

// benchWorld registers the parties and facilities the benchmark writes into.
func benchWorld(ctx context.Context, d *dataDirectory, n int) (prisons [2]uuid.UUID, hospital uuid.UUID, err error) {
	party := custody.Party{ID: uuid.Must(uuid.NewV7()), Code: "BENCH", Name: "Benchmark authority", Kind: custody.DetainingAuthority}
	meta := custody.Meta{Actor: "bench", OccurredAt: time.Now()}
	cmds := []custody.Command{custody.RegisterParty{Meta: meta, Party: party}}
	for i, spec := range []struct {
		code, series string
		kind         custody.FacilityKind
	}{{"BENCH-A", "BNA", custody.Prison}, {"BENCH-B", "BNB", custody.Prison}, {"BENCH-H", "", custody.Hospital}} {
		f := custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: spec.code, Name: "Benchmark " + spec.code, Kind: spec.kind,
			Country: "SYR", Series: spec.series, Capacities: map[custody.Category]int{custody.Detainee: n}, ControllingParty: party.ID}
		cmds = append(cmds, custody.RegisterFacility{Meta: meta, Facility: f})
		if i < 2 {
			prisons[i] = f.ID
		} else {
			hospital = f.ID
		}
	}
	for _, c := range cmds {
		if _, err := d.db.Submit(ctx, c); err != nil {
			return prisons, hospital, err
		}
	}
	return prisons, hospital, nil
}

// benchCommands returns the commands of the benchmark, grouped by person: each group
// must be submitted in order. Workload "register" registers a new person with every
// event; "custody" registers a person and then moves them four times (hospital and
// back, to the other prison and back), as custody records mostly grow.
func benchCommands(workload string, n int, prisons [2]uuid.UUID, hospital uuid.UUID) ([][]custody.Command, error) {
	meta := custody.Meta{Actor: "bench", OccurredAt: time.Now()}
	var groups [][]custody.Command
	for i, events := 0, 0; events < n; i++ {
		p := benchPerson(i)
		g := []custody.Command{custody.RegisterPerson{Meta: meta, Person: p, Facility: prisons[0]}}
		switch workload {
		case "register":
		case "custody":
			g = append(g,
				custody.AdmitToHospital{Meta: meta, Person: p.ID, Hospital: hospital, Reason: "benchmark"},
				custody.ReturnFromHospital{Meta: meta, Person: p.ID},
				custody.AdmitPerson{Meta: meta, Person: p.ID, Facility: prisons[1]},
				custody.AdmitPerson{Meta: meta, Person: p.ID, Facility: prisons[0]})
		default:
			return nil, fmt.Errorf("--workload: %q is not register or custody", workload)
		}
		g = g[:min(len(g), n-events)]
		events += len(g)
		groups = append(groups, g)
	}
	return groups, nil
}

// benchAppend runs the append benchmark: writer i submits to subs[i % len(subs)];
// d is the data directory (its first store sets up the world and counts checkpoints).
func benchAppend(ctx context.Context, d *dataDirectory, subs []submitter, workload string, n, writers int) (*appendResult, error) {
	prisons, hospital, err := benchWorld(ctx, d, n)
	if err != nil {
		return nil, err
	}
	groups, err := benchCommands(workload, n, prisons, hospital)
	if err != nil {
		return nil, err
	}
	lat, uncovered, elapsed, err := runWriters(ctx, subs, groups, n, writers)
	if err != nil {
		return nil, err
	}
	return appendSummary(ctx, d, lat, uncovered, elapsed, workload, writers, len(subs))
}

// runWriters submits the groups of commands from concurrent writers (writer i to
// subs[i % len(subs)]) and returns every acknowledgement's latency, how many were not
// covered by the checkpoint they carried, and the time it all took.
func runWriters(ctx context.Context, subs []submitter, groups [][]custody.Command, n, writers int) (lat []time.Duration, uncovered int64, elapsed time.Duration, err error) {
	lat = make([]time.Duration, 0, n)
	var latMu sync.Mutex
	var next atomic.Int64
	var uncov atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := range writers {
		sub := subs[w%len(subs)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]time.Duration, 0, n/writers+8)
			defer func() { latMu.Lock(); lat = append(lat, mine...); latMu.Unlock() }()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(groups) {
					return
				}
				for _, c := range groups[i] {
					t := time.Now()
					r, err := sub.Submit(ctx, c)
					mine = append(mine, time.Since(t))
					if err != nil {
						once.Do(func() { firstErr = err })
						return
					}
					if r.Checkpoint.Size <= r.Events[len(r.Events)-1].Index || len(r.Checkpoint.Note) == 0 {
						uncov.Add(1)
					}
				}
			}
		}()
	}
	wg.Wait()
	return lat, uncov.Load(), time.Since(start), firstErr
}

// appendSummary is the result of an append benchmark from its latencies.
func appendSummary(ctx context.Context, d *dataDirectory, lat []time.Duration, uncovered int64, elapsed time.Duration, workload string, writers, replicas int) (*appendResult, error) {
	slices.Sort(lat)
	ms := func(q float64) float64 { return float64(lat[min(len(lat)-1, int(q*float64(len(lat))))]) / 1e6 }
	store, durable := "sqlite", "sqlite WAL, synchronous=FULL"
	if _, ok := d.db.(*postgres.DB); ok {
		store, durable = "postgres", "postgres, synchronous_commit=on"
	}
	cps := 0
	if err := d.db.Checkpoints(ctx, func(*verify.StoredCheckpoint) error { cps++; return nil }); err != nil {
		return nil, err
	}
	return &appendResult{
		Workload: workload, Events: len(lat), Writers: writers, Seconds: elapsed.Seconds(), EventsPerSec: float64(len(lat)) / elapsed.Seconds(),
		P50Millis: ms(0.50), P99Millis: ms(0.99), MaxMillis: float64(lat[len(lat)-1]) / 1e6,
		Checkpoints: cps, AllCovered: uncovered == 0, Durable: durable, Store: store, Replicas: replicas,
	}, nil
}

var benchGiven = []string{"Ahmad", "Khalid", "Omar", "Yusuf", "Ibrahim", "Hamza", "Bilal", "Tariq"}
var benchGivenAr = []string{"أحمد", "خالد", "عمر", "يوسف", "إبراهيم", "حمزة", "بلال", "طارق"}

// benchPerson is a small synthetic detainee record.
func benchPerson(i int) custody.Person {
	g := i % len(benchGiven)
	return custody.Person{
		ID: uuid.Must(uuid.NewV7()),
		Names: []custody.Name{
			{Text: benchGivenAr[g] + " " + benchGivenAr[(i/8)%8], Script: custody.Arabic, Kind: custody.PrimaryName},
			{Text: fmt.Sprintf("%s %s %d", benchGiven[g], benchGiven[(i/8)%8], i), Script: custody.Latin, Kind: custody.PrimaryName},
		},
		Sex: custody.Male, Birth: custody.BirthDate{Date: fmt.Sprint(1970 + i%35), Precision: custody.Year},
		Nationalities: []string{[]string{"IRQ", "SYR", "TUN", "MAR"}[i%4]}, Category: custody.Detainee,
		Detention: custody.Detention{Reasons: "synthetic benchmark record", OrderingAuthority: "benchmark"},
		Demo:      true,
	}
}
