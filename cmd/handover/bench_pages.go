package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

// pageResult is one page's timings in `bench pages`.
type pageResult struct {
	User      string  `json:"user"`
	Page      string  `json:"page"`
	Status    int     `json:"status"`
	Bytes     int     `json:"bytes"`
	P50Millis float64 `json:"p50_ms"`
	P99Millis float64 `json:"p99_ms"`
	MaxMillis float64 `json:"max_ms"`
}

func newBenchPages() *cobra.Command {
	var (
		n       int
		users   []string
		asJSON  bool
		pdfRuns int
	)
	cmd := &cobra.Command{
		Use:   "pages",
		Short: "Time every page of the web interface on the demo world, per user",
		Long: `pages loads the demo world into a new data directory in a temporary folder
(or uses --data if it already holds the demo), serves it on a free local port and,
signed in as each --user in turn, requests every page of the interface -N times:
the dashboard, the persons list and searches (by Arabic and Latin name, by
registration number), a person's page and the verification of an event,
facilities and a roster, transfers and a transfer's checklist, movements, a
movement's reconciliation, the manifest builder and the handover screen,
incidents, notifications, the ledger and the audit log. It prints each page's
p50, p99 and maximum time (the request as a browser on this machine sees it, an
upper bound of the server's time), and the manifest PDF's separately
(--pdf runs). A page a user may not open is timed like the others; its status
says so.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			dir := dataDir(cmd)
			if !cmd.Flags().Changed("data") {
				tmp, err := os.MkdirTemp("", "handover-bench-pages-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(tmp)
				dir = filepath.Join(tmp, "data")
			}
			if _, err := os.Stat(filepath.Join(dir, configFile)); errors.Is(err, os.ErrNotExist) {
				if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
					return err
				}
			}
			d, err := openWriter(ctx, dir)
			if err != nil {
				return err
			}
			defer d.Close()
			if err := loadDemo(ctx, d, 1, io.Discard, cmd.ErrOrStderr()); err != nil {
				return err
			}
			s, err := startServer(d, serveFlags{listen: "127.0.0.1:0"}, io.Discard)
			if err != nil {
				return err
			}
			defer s.Close()
			pw, err := readDemoPasswords(dir)
			if err != nil {
				return err
			}
			base := "http://" + s.Addr()
			var results []pageResult
			for _, u := range users {
				rs, err := timePages(ctx, base, u, pw[u], n, pdfRuns)
				if err != nil {
					return fmt.Errorf("%s: %w", u, err)
				}
				results = append(results, rs...)
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(results)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "%-22s %-48s %6s %9s %9s %9s\n", "user", "page", "status", "p50 ms", "p99 ms", "max ms")
			worst := pageResult{}
			for _, r := range results {
				fmt.Fprintf(w, "%-22s %-48s %6d %9.1f %9.1f %9.1f\n", r.User, clipPage(r.Page), r.Status, r.P50Millis, r.P99Millis, r.MaxMillis)
				if !strings.HasSuffix(r.Page, ".pdf") && r.P99Millis > worst.P99Millis {
					worst = r
				}
			}
			fmt.Fprintf(w, "slowest page (p99, PDF apart): %s as %s, %.1f ms\n", worst.Page, worst.User, worst.P99Millis)
			return nil
		},
	}
	cmd.Flags().IntVarP(&n, "n", "n", 20, "requests per page")
	cmd.Flags().StringSliceVar(&users, "user", []string{"sdf-registrar", "usf-registrar", "irq-facility-commander", "icrc-monitor", "sdf-auditor"}, "demo users to sign in as")
	cmd.Flags().IntVar(&pdfRuns, "pdf", 3, "times to print a 150-person manifest PDF (0: none)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the results as JSON")
	return cmd
}

func clipPage(p string) string {
	if len(p) > 48 {
		return p[:47] + "…"
	}
	return p
}

// readDemoPasswords reads the demo accounts' passwords from the data directory.
func readDemoPasswords(dir string) (map[string]string, error) {
	f, err := os.Open(filepath.Join(dir, demoUsersFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) == 4 && fs[0] != "LOGIN" {
			out[fs[0]] = fs[3]
		}
	}
	return out, sc.Err()
}

// timePages signs in as user and times each page n times.
func timePages(ctx context.Context, base, user, password string, n, pdfRuns int) ([]pageResult, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: time.Minute, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"name": {user}, "password": {password}, "next": {"/"}}
	res, err := c.PostForm(base+"/login", form)
	if err != nil {
		return nil, err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in answered %d", res.StatusCode)
	}
	get := func(path string, out any) error {
		r, err := c.Get(base + path)
		if err != nil {
			return err
		}
		defer r.Body.Close()
		if r.StatusCode == http.StatusForbidden {
			return nil // the user may not read these: their pages are timed as refusals
		}
		if r.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %d", path, r.StatusCode)
		}
		return json.NewDecoder(r.Body).Decode(out)
	}
	// Records to open: the first person listed, a transfer, a movement of each status.
	var page custody.PersonPage
	if err := get("/api/v1/persons?limit=1", &page); err != nil {
		return nil, err
	}
	pages := []string{"/", "/persons", "/facilities", "/transfers", "/movements", "/incidents", "/notifications", "/ledger", "/audit"}
	if len(page.Persons) > 0 {
		p := page.Persons[0]
		pages = append(pages, "/persons/"+p.Record.ID.String(), "/persons?q="+url.QueryEscape(p.Record.PrimaryName(custody.Arabic)),
			"/persons?q="+url.QueryEscape(p.Record.PrimaryName(custody.Latin)), "/persons?q="+p.Record.RegNo,
			"/persons/"+p.Record.ID.String()+"/events/"+fmt.Sprint(p.Custody.Event)+"/verify")
		if fac := p.Custody.Facility; fac != (custody.PersonState{}).Custody.Facility {
			pages = append(pages, "/facilities/"+fac.String())
		}
	}
	var ts struct {
		Transfers []custody.TransferState `json:"transfers"`
	}
	if err := get("/api/v1/transfers", &ts); err != nil {
		return nil, err
	}
	if len(ts.Transfers) > 0 {
		pages = append(pages, "/transfers/"+ts.Transfers[0].ID.String(), "/movements/new?transfer="+ts.Transfers[len(ts.Transfers)-1].ID.String())
	}
	var ms struct {
		Movements []custody.MovementState `json:"movements"`
	}
	if err := get("/api/v1/movements", &ms); err != nil {
		return nil, err
	}
	var pdf string
	for _, m := range ms.Movements {
		pages = append(pages, "/movements/"+m.ID.String())
		if m.Status == custody.PlannedMovement || m.Status == custody.DepartedMovement {
			pages = append(pages, "/movements/"+m.ID.String()+"/handover")
		}
		if pdf == "" && len(m.Manifest) >= 150 {
			pdf = "/movements/" + m.ID.String() + "/manifest.pdf"
		}
	}
	var out []pageResult
	timeOne := func(path string, runs int) error {
		r := pageResult{User: user, Page: path}
		var ds []time.Duration
		for range runs {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := time.Now()
			res, err := c.Get(base + path)
			if err != nil {
				return err
			}
			nb, err := io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if err != nil {
				return err
			}
			ds = append(ds, time.Since(start))
			r.Status, r.Bytes = res.StatusCode, int(nb)
		}
		slices.Sort(ds)
		r.P50Millis, r.P99Millis, r.MaxMillis = quantile(ds, 0.5), quantile(ds, 0.99), quantile(ds, 1)
		out = append(out, r)
		return nil
	}
	for _, p := range pages {
		if err := timeOne(p, n); err != nil {
			return nil, err
		}
	}
	if pdf != "" && pdfRuns > 0 {
		if err := timeOne(pdf, pdfRuns); err != nil {
			return nil, err
		}
	}
	return out, nil
}
