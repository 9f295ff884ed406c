package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/transparency-dev/merkle/rfc6962"
	"github.com/transparency-dev/merkle/testonly"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/witness"
)

type witnessBenchResult struct {
	Logs        int     `json:"logs"`
	Requests    int     `json:"requests"`
	Clients     int     `json:"clients"`
	Seconds     float64 `json:"seconds"`
	PerSec      float64 `json:"add_checkpoint_per_sec"`
	P50Millis   float64 `json:"p50_ms"`
	P99Millis   float64 `json:"p99_ms"`
	RSSKiB      int     `json:"witness_rss_kib"`
	PeakRSSKiB  int     `json:"witness_peak_rss_kib"`
	LeavesAdded int     `json:"leaves_per_request"`
}

func newBenchWitness() *cobra.Command {
	var (
		logs, n, grow int
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "witness",
		Short: "Measure a witness process: add-checkpoint rate and memory while it follows many logs",
		Long: `bench witness starts ` + "`handover witness serve`" + ` as a child process on a fresh
state directory following --logs logs, then sends it -n add-checkpoint requests over
loopback, one in flight per log (all logs at once): each log grows by --grow leaves,
signs a checkpoint and sends it with its consistency proof. Every answer must be a
valid cosignature. It prints the rate, the latency (p50, p99) and the witness
process's resident memory at the end (VmRSS) and at its peak (VmHWM). The logs are
in-memory Merkle trees in this process, which shares the machine's cores with the
witness.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if logs < 1 || n < logs || grow < 1 {
				return fmt.Errorf("--logs and --grow must be at least 1, and -n at least --logs")
			}
			res, err := benchWitness(cmd.Context(), logs, n, grow)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "witness, %d logs: %d add-checkpoint in %.2fs: %.0f/s; p50 %.2f ms, p99 %.2f ms; witness memory %d KiB resident, peak %d KiB\n",
				res.Logs, res.Requests, res.Seconds, res.PerSec, res.P50Millis, res.P99Millis, res.RSSKiB, res.PeakRSSKiB)
			return nil
		},
	}
	cmd.Flags().IntVar(&logs, "logs", 10, "number of logs the witness follows")
	cmd.Flags().IntVarP(&n, "requests", "n", 10000, "number of add-checkpoint requests")
	cmd.Flags().IntVar(&grow, "grow", 16, "leaves each log adds between two requests")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

// benchLog is one in-memory log of the witness benchmark.
type benchLog struct {
	origin string
	signer note.Signer
	tree   *testonly.Tree
	vkey   string
}

func benchWitness(ctx context.Context, nlogs, n, grow int) (*witnessBenchResult, error) {
	tmp, err := os.MkdirTemp("", "handover-bench-witness-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	dir := filepath.Join(tmp, "state")
	st, err := witness.InitState(dir, "witness.bench.example")
	if err != nil {
		return nil, err
	}
	logs := make([]*benchLog, nlogs)
	for i := range logs {
		origin := fmt.Sprintf("bench.example/log-%d", i)
		skey, vkey, err := ledger.GenerateKey(origin)
		if err != nil {
			return nil, err
		}
		s, err := ledger.NewSigner(skey)
		if err != nil {
			return nil, err
		}
		if err := st.AddLog(origin, vkey); err != nil {
			return nil, err
		}
		logs[i] = &benchLog{origin: origin, signer: s, tree: testonly.New(rfc6962.DefaultHasher), vkey: vkey}
	}
	signer, err := st.Signer()
	if err != nil {
		return nil, err
	}
	policy, err := witness.ParsePolicy([]byte("witness w " + signer.VKey() + "\nquorum w\n"))
	if err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	child := exec.CommandContext(ctx, self, "witness", "serve", "--state", dir, "--listen", "127.0.0.1:0")
	stdout, err := child.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr bytes.Buffer
	child.Stderr = &stderr
	if err := child.Start(); err != nil {
		return nil, err
	}
	defer func() { child.Process.Kill(); child.Wait() }()
	sc := bufio.NewScanner(stdout)
	url := ""
	for sc.Scan() {
		if m := regexp.MustCompile(` on (http://\S+)/ `).FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	if url == "" {
		return nil, fmt.Errorf("the witness did not start: %s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: nlogs}}
	per := n / nlogs
	lat := make([][]time.Duration, nlogs)
	errs := make(chan error, nlogs)
	var wg sync.WaitGroup
	start := time.Now()
	for i, l := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range per {
				old := l.tree.Size()
				for range grow {
					l.tree.AppendData(fmt.Appendf(nil, "%s leaf %d", l.origin, l.tree.Size()))
				}
				var proof [][]byte
				if old > 0 {
					var perr error
					if proof, perr = l.tree.ConsistencyProof(old, l.tree.Size()); perr != nil {
						errs <- perr
						return
					}
				}
				body := fmt.Sprintf("%s\n%d\n%s\n", l.origin, l.tree.Size(), base64.StdEncoding.EncodeToString(l.tree.Hash()))
				text, err := note.Sign(&note.Note{Text: body}, l.signer)
				if err != nil {
					errs <- err
					return
				}
				t := time.Now()
				resp, err := client.Post(url+"/add-checkpoint", "text/plain", bytes.NewReader(witness.FormatRequest(old, proof, text)))
				if err != nil {
					errs <- err
					return
				}
				answer, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = append(lat[i], time.Since(t))
				if resp.StatusCode != http.StatusOK || !policy.Satisfied(append(text, answer...)) {
					errs <- fmt.Errorf("log %s size %d: %d %s", l.origin, l.tree.Size(), resp.StatusCode, strings.TrimSpace(string(answer)))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	ms := func(q float64) float64 { return float64(all[min(len(all)-1, int(q*float64(len(all))))]) / 1e6 }
	res := &witnessBenchResult{Logs: nlogs, Requests: len(all), Clients: nlogs, Seconds: elapsed.Seconds(), PerSec: float64(len(all)) / elapsed.Seconds(),
		P50Millis: ms(0.5), P99Millis: ms(0.99), LeavesAdded: grow}
	res.RSSKiB, res.PeakRSSKiB = procMemory(child.Process.Pid)
	return res, nil
}

// procMemory reads a process's resident and peak resident memory (KiB)
// from /proc; zeros where it cannot.
func procMemory(pid int) (rss, peak int) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			switch f[0] {
			case "VmRSS:":
				fmt.Sscan(f[1], &rss)
			case "VmHWM:":
				fmt.Sscan(f[1], &peak)
			}
		}
	}
	return rss, peak
}
