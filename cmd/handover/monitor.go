package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/monitor"
)

func newMonitor() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "Follow a handover log from outside, keep a verified copy of it, and alert on any shrink, fork or changed key",
		Long: `A monitor is what an outside party (the ICRC, a UN body, each of the parties for
the others) runs on its own machine: it follows a log over /log/ (C2SP tlog-tiles)
with the log's public key pinned, keeps a full copy of the log's entries and tiles and
its last verified checkpoint in its own directory, and stops with an alert, keeping
both signed checkpoints and the tiles at fault as evidence, when the log shrinks,
forks, changes its key, signs badly, or serves a missing or changed tile.

  handover monitor init --dir D --url URL --log-pub log.pub [--policy FILE]
  handover monitor run  --dir D [--once] [--interval 30s] [--recheck-every 24h]
  handover monitor recheck --dir D                 (every tile again, now)
  handover monitor serve --dir D --listen ADDR     (the copy, read-only, as tiles)`,
	}
	cmd.PersistentFlags().String("dir", "./handover-monitor", "the monitor's directory (its copy of the log, pinned key, evidence)")
	cmd.AddCommand(newMonitorInit(), newMonitorRun(), newMonitorRecheck(), newMonitorServe())
	return cmd
}

func monitorDir(cmd *cobra.Command) string {
	d, _ := cmd.Flags().GetString("dir")
	return d
}

func newMonitorInit() *cobra.Command {
	var url, pub, policy string
	cmd := &cobra.Command{
		Use:   "init --url URL --log-pub FILE|KEY [--policy FILE]",
		Short: "Create a monitor directory, pinning the log's public key (and witness policy)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if url == "" || pub == "" {
				return errors.New("--url and --log-pub are required")
			}
			vkey := pub
			if b, err := os.ReadFile(pub); err == nil {
				vkey = strings.TrimSpace(string(b))
			} else if !strings.Contains(pub, "+") {
				return fmt.Errorf("--log-pub: %w", err)
			}
			cfg := monitor.Config{URL: strings.TrimSuffix(url, "/"), LogKey: vkey}
			if policy != "" {
				b, err := os.ReadFile(policy)
				if err != nil {
					return fmt.Errorf("--policy: %w", err)
				}
				cfg.Policy = string(b)
			}
			if err := monitor.Init(monitorDir(cmd), cfg); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "monitor %s follows %s with the key %s\n", monitorDir(cmd), cfg.URL, vkey)
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", "", "the log's address: the prefix of /log/ (e.g. https://handover.example)")
	cmd.Flags().StringVar(&pub, "log-pub", "", "the log's public key: its log.pub file, or the key itself")
	cmd.Flags().StringVar(&policy, "policy", "", "a witness policy file: checkpoints must meet its quorum")
	return cmd
}

func newMonitorRun() *cobra.Command {
	var once bool
	var interval, recheckEvery time.Duration
	cmd := &cobra.Command{
		Use:   "run [--once] [--interval D]",
		Short: "Follow the log: poll, verify, extend the copy; exit 1 on an alert",
		Long: `run polls the log every --interval (once with --once), and for each new checkpoint
checks its signature by the pinned key and the policy's quorum, that it extends the
last verified checkpoint, and the hashes of every new tile and entry bundle, then
extends the copy. Every --recheck-every it also fetches again every tile and bundle the
copy holds and compares them (a log must go on serving what it served). On an alert it prints it, keeps the evidence under the monitor's
evidence/ directory, and exits 1; it will not follow again until the file "alert"
in the monitor's directory is removed. An unreachable log is reported and retried.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := monitor.Open(monitorDir(cmd))
			if err != nil {
				return err
			}
			m := &monitor.Monitor{Copy: c, Client: &http.Client{Timeout: 30 * time.Second}}
			out := cmd.OutOrStdout()
			lastRecheck := time.Now()
			for {
				p, err := m.Poll(cmd.Context())
				var a *monitor.Alert
				switch {
				case errors.As(err, &a):
					return exitError{code: 1, err: a}
				case err != nil && once:
					return err
				case err != nil:
					fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v (retrying)\n", time.Now().UTC().Format(time.RFC3339), err)
				default:
					report(out, c, p)
				}
				if recheckEvery > 0 && time.Since(lastRecheck) >= recheckEvery {
					lastRecheck = time.Now()
					if err := recheck(cmd, m, once); err != nil {
						return err
					}
				}
				if once {
					return nil
				}
				select {
				case <-cmd.Context().Done():
					return nil
				case <-time.After(interval):
				}
			}
		},
	}
	cmd.Flags().BoolVar(&once, "once", false, "poll once and exit")
	cmd.Flags().DurationVar(&interval, "interval", 30*time.Second, "time between polls")
	cmd.Flags().DurationVar(&recheckEvery, "recheck-every", 24*time.Hour, "how often to fetch and compare again every tile the copy holds (0: never)")
	return cmd
}

// recheck runs a full recheck: an alert is exit 1; a transport error is
// returned when once, else reported (the next recheck tries again).
func recheck(cmd *cobra.Command, m *monitor.Monitor, once bool) error {
	err := m.Recheck(cmd.Context())
	var a *monitor.Alert
	switch {
	case errors.As(err, &a):
		return exitError{code: 1, err: a}
	case err != nil && once:
		return err
	case err != nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "%s: recheck: %v (retrying later)\n", time.Now().UTC().Format(time.RFC3339), err)
		return nil
	}
	cp, _ := m.Copy.Checkpoint()
	fmt.Fprintf(cmd.OutOrStdout(), "%s: rechecked every tile of %s up to size %d: unchanged\n", time.Now().UTC().Format(time.RFC3339), m.Copy.Origin(), cp.Size)
	return nil
}

func newMonitorRecheck() *cobra.Command {
	return &cobra.Command{
		Use:   "recheck",
		Short: "Fetch again every tile and bundle the copy holds and compare them; exit 1 on an alert",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := monitor.Open(monitorDir(cmd))
			if err != nil {
				return err
			}
			m := &monitor.Monitor{Copy: c, Client: &http.Client{Timeout: 30 * time.Second}}
			return recheck(cmd, m, true)
		},
	}
}

func report(w io.Writer, c *monitor.Copy, p monitor.Progress) {
	cp, _ := c.Checkpoint()
	if p.To == p.From {
		fmt.Fprintf(w, "%s: %s at size %d, root %x…: unchanged\n", time.Now().UTC().Format(time.RFC3339), c.Origin(), cp.Size, cp.Root[:6])
		return
	}
	fmt.Fprintf(w, "%s: %s verified from size %d to %d, root %x…\n", time.Now().UTC().Format(time.RFC3339), c.Origin(), p.From, p.To, cp.Root[:6])
}

func newMonitorServe() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve --listen ADDR",
		Short: "Serve the monitor's copy read-only as a C2SP tiled log under /log/",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := monitor.Open(monitorDir(cmd))
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("--listen: %w", err)
			}
			srv := &http.Server{Handler: monitor.Handler(c), ReadHeaderTimeout: 10 * time.Second}
			done := make(chan error, 1)
			go func() { done <- srv.Serve(ln) }()
			fmt.Fprintf(cmd.OutOrStdout(), "serving the copy of %s on http://%s/log/; Ctrl-C stops\n", c.Origin(), ln.Addr())
			tick := time.NewTicker(2 * time.Second)
			defer tick.Stop()
			for {
				select {
				case err := <-done:
					return err
				case <-cmd.Context().Done():
					return srv.Close()
				case <-tick.C:
					if err := c.Reload(); err != nil {
						srv.Close()
						return err
					}
				}
			}
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:8081", "address to serve on (port 0 picks a free one)")
	return cmd
}
