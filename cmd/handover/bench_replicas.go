package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"
)

// replicaRun is what a replica process of `bench append --processes` reports.
type replicaRun struct {
	Latencies []time.Duration `json:"latencies_ns"`
	Uncovered int64           `json:"uncovered"`
	Start     time.Time       `json:"start"`
	End       time.Time       `json:"end"`
}

// benchAppendProcesses runs the append benchmark with each replica in a process of
// its own (this binary's hidden `bench append-replica`), all on the database of d,
// whose world is registered first. The events and writers are split evenly; the
// replicas start together and the rate is all their events over the time from the
// first start to the last end.
func benchAppendProcesses(cmd *cobra.Command, d *dataDirectory, workload string, n, writers, replicas int) (*appendResult, error) {
	ctx := cmd.Context()
	prisons, hospital, err := benchWorld(ctx, d, n)
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	type child struct {
		cmd *exec.Cmd
		in  io.WriteCloser
		out *bufio.Reader
	}
	var children []child
	defer func() {
		for _, c := range children {
			if c.cmd.ProcessState == nil {
				c.cmd.Process.Kill()
				c.cmd.Wait()
			}
		}
	}()
	for r := range replicas {
		share, w := n/replicas, writers/replicas
		if r < n%replicas {
			share++
		}
		if r < writers%replicas {
			w++
		}
		c := exec.CommandContext(ctx, exe, "bench", "append-replica", "--data", d.dir, "--db", dbURLFrom(ctx), "--workload", workload,
			"-n", fmt.Sprint(share), "-c", fmt.Sprint(w), "--prisons", prisons[0].String()+","+prisons[1].String(), "--hospital", hospital.String())
		c.Stderr = cmd.ErrOrStderr()
		in, err := c.StdinPipe()
		if err != nil {
			return nil, err
		}
		out, err := c.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := c.Start(); err != nil {
			return nil, err
		}
		children = append(children, child{cmd: c, in: in, out: bufio.NewReader(out)})
	}
	for _, c := range children {
		if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
			return nil, fmt.Errorf("a replica process did not start (%q, %v)", line, err)
		}
	}
	for _, c := range children {
		if _, err := io.WriteString(c.in, "go\n"); err != nil {
			return nil, err
		}
	}
	var lat []time.Duration
	var uncovered int64
	var start, end time.Time
	for _, c := range children {
		var run replicaRun
		if err := json.NewDecoder(c.out).Decode(&run); err != nil {
			return nil, fmt.Errorf("a replica process: %w", err)
		}
		if err := c.cmd.Wait(); err != nil {
			return nil, fmt.Errorf("a replica process: %w", err)
		}
		lat = append(lat, run.Latencies...)
		uncovered += run.Uncovered
		if start.IsZero() || run.Start.Before(start) {
			start = run.Start
		}
		if run.End.After(end) {
			end = run.End
		}
	}
	return appendSummary(ctx, d, lat, uncovered, end.Sub(start), workload, writers, replicas)
}

// newBenchAppendReplica is one replica process of `bench append --processes`: it
// opens the data directory's database with a sequencer of its own, says "ready",
// waits for "go" on its standard input, appends, and prints a replicaRun.
func newBenchAppendReplica() *cobra.Command {
	var (
		n, writers        int
		workload          string
		prisons, hospital string
	)
	cmd := &cobra.Command{
		Use:    "append-replica",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			ps := strings.Split(prisons, ",")
			if len(ps) != 2 {
				return errors.New("--prisons: two ids")
			}
			var p [2]uuid.UUID
			for i := range ps {
				id, err := uuid.Parse(ps[i])
				if err != nil {
					return err
				}
				p[i] = id
			}
			h, err := uuid.Parse(hospital)
			if err != nil {
				return err
			}
			groups, err := benchCommands(workload, n, p, h)
			if err != nil {
				return err
			}
			d, err := openWriter(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			fmt.Fprintln(cmd.OutOrStdout(), "ready")
			if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
				return err
			}
			start := time.Now()
			lat, uncovered, elapsed, err := runWriters(ctx, []submitter{d.db}, groups, n, writers)
			if err != nil {
				return err
			}
			return json.NewEncoder(cmd.OutOrStdout()).Encode(replicaRun{Latencies: lat, Uncovered: uncovered, Start: start, End: start.Add(elapsed)})
		},
	}
	cmd.Flags().IntVarP(&n, "events", "n", 0, "events to append")
	cmd.Flags().IntVarP(&writers, "writers", "c", 1, "concurrent writers")
	cmd.Flags().StringVar(&workload, "workload", "custody", "register or custody")
	cmd.Flags().StringVar(&prisons, "prisons", "", "the two prisons' ids")
	cmd.Flags().StringVar(&hospital, "hospital", "", "the hospital's id")
	return cmd
}
