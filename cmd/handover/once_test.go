package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestExactlyOnceUnderChaos proves exactly-once writes from outside: real `handover
// serve` processes, many clients each registering persons under keys of their own
// with random timeouts, and servers SIGKILLed at random moments and restarted.
// Each client sends its key again (to any server) until it gets an answer. Then
// every key's person is present exactly once (persons carry a name unique to their
// key and no identifier, so a second write would be a second person, not a
// refusal), each answer names that person, and verify passes. It prints the table
// recorded in BENCHMARKS.md.
func TestExactlyOnceUnderChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills servers")
	}
	t.Run("SQLite", func(t *testing.T) {
		chaos(t, newDeployment(t, ""), 1)
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		chaos(t, newReplicaDeployment(t), 2)
	})
}

// chaosConfig sizes a run: clients × keys each, and the kills.
const (
	chaosClients = 12
	chaosKeys    = 20 // per client
	chaosKills   = 6
)

// chaosServers are the live servers of a run, restarted as they are killed.
type chaosServers struct {
	mu   sync.Mutex
	live []*replica // nil while one is being restarted
}

func (s *chaosServers) pick() *replica {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live[rand.IntN(len(s.live))]
	return r
}

// chaosTally counts what happened to the requests.
type chaosTally struct {
	attempts, lost, timeouts, refusedConn, serverErrors, replayed, fresh, kills atomic.Int64
}

func chaos(t *testing.T, dep *replicaDeployment, servers int) {
	start := time.Now()
	srv := &chaosServers{}
	for i := range servers {
		srv.live = append(srv.live, dep.start(t, fmt.Sprintf("%s-%d", t.Name(), i)))
	}
	var tally chaosTally
	var answersMu sync.Mutex
	answers := map[int]uuid.UUID{} // the person each key's answer names
	run := fmt.Sprintf("%x", rand.Uint32())
	killer := make(chan struct{})
	var clients sync.WaitGroup
	for c := range chaosClients {
		clients.Go(func() {
			// At least chaosKeys keys each, and on until the last kill.
			for k := 0; ; k++ {
				if k >= chaosKeys {
					select {
					case <-killer:
						return
					default:
					}
				}
				n := k*chaosClients + c
				id := chaosRegister(t, dep, srv, &tally, run, n)
				answersMu.Lock()
				answers[n] = id
				answersMu.Unlock()
			}
		})
	}
	go func() {
		defer close(killer)
		for range chaosKills {
			time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
			srv.mu.Lock()
			i := rand.IntN(len(srv.live))
			r := srv.live[i]
			srv.mu.Unlock()
			r.cmd.Process.Signal(syscall.SIGKILL)
			r.cmd.Wait()
			tally.kills.Add(1)
			again := dep.start(t, r.name)
			srv.mu.Lock()
			srv.live[i] = again
			srv.mu.Unlock()
		}
	}()
	clients.Wait()

	// Every key's person exactly once, and the one its answer names.
	names := dep.chaosNames(t, srv.pick(), run)
	duplicates, missing := 0, 0
	for n, id := range answers {
		ids := names[chaosName(run, n)]
		switch {
		case len(ids) == 0:
			missing++
			t.Errorf("key %d: no person recorded, but answered %s", n, id)
		case len(ids) > 1:
			duplicates += len(ids) - 1
			t.Errorf("key %d: %d persons recorded: %v", n, len(ids), ids)
		case ids[0] != id:
			t.Errorf("key %d: answered with person %s, but %s is recorded", n, id, ids[0])
		}
	}
	srv.mu.Lock()
	for _, r := range srv.live {
		r.stop(t)
	}
	srv.mu.Unlock()
	mustHandover(t, append([]string{"verify", "--data", dep.dir}, dep.dbFlags()...)...)
	t.Logf("\n| engine | servers | keys | attempts | answers lost (timeouts / refused connections / 5xx) | kills | retries replayed | duplicates | missing | seconds |\n"+
		"| %s | %d | %d | %d | %d (%d / %d / %d) | %d | %d | %d | %d | %.1f |",
		strings.TrimPrefix(t.Name(), "TestExactlyOnceUnderChaos/"), servers, len(answers), tally.attempts.Load(), tally.lost.Load(),
		tally.timeouts.Load(), tally.refusedConn.Load(), tally.serverErrors.Load(), tally.kills.Load(), tally.replayed.Load(),
		duplicates, missing, time.Since(start).Seconds())
	if os.Getenv("HANDOVER_CHAOS_LOG") != "" {
		f, _ := os.OpenFile(os.Getenv("HANDOVER_CHAOS_LOG"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		fmt.Fprintf(f, "| %s | %d | %d | %d | %d (%d / %d / %d) | %d | %d | %d | %d | %.1f |\n",
			strings.TrimPrefix(t.Name(), "TestExactlyOnceUnderChaos/"), servers, len(answers), tally.attempts.Load(), tally.lost.Load(),
			tally.timeouts.Load(), tally.refusedConn.Load(), tally.serverErrors.Load(), tally.kills.Load(), tally.replayed.Load(),
			duplicates, missing, time.Since(start).Seconds())
		f.Close()
	}
}

// chaosName is the Latin name of key n's person: unique to the key and the run.
func chaosName(run string, n int) string { return fmt.Sprintf("Chaos %s Person %d", run, n) }

// chaosRegister registers key n's person, sending the same request under the
// same key to any live server until one answers; it returns the person the
// answer names.
func chaosRegister(t *testing.T, dep *replicaDeployment, srv *chaosServers, tally *chaosTally, run string, n int) uuid.UUID {
	p := benchPerson(n)
	p.ID, p.RegNo = uuid.Nil, "" // assigned by the server: a second write would be a second person
	p.Names[1].Text = chaosName(run, n)
	// the synthetic persons share their Arabic names: passed as likely duplicates
	body, err := json.Marshal(map[string]any{"occurred_at": "2026-01-20T09:00:00Z", "person": p, "facility": "RIV",
		"duplicate_reason": "chaos test: synthetic persons share their names"})
	if err != nil {
		t.Fatal(err)
	}
	key := fmt.Sprintf("chaos-%s-%d", run, n)
	deadline := time.Now().Add(90 * time.Second)
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		tally.attempts.Add(1)
		r := srv.pick()
		timeout := time.Duration(5+rand.IntN(300)) * time.Millisecond
		status, raw, replayed, err := chaosPost(r.url+"/api/v1/persons", dep.tokens["sdfregistrar"], key, body, timeout)
		switch {
		case err != nil:
			tally.lost.Add(1)
			if errors.Is(err, context.DeadlineExceeded) {
				tally.timeouts.Add(1)
			} else {
				tally.refusedConn.Add(1)
			}
		case status >= 500:
			tally.lost.Add(1)
			tally.serverErrors.Add(1)
		case status == http.StatusCreated:
			if replayed {
				tally.replayed.Add(1)
			} else {
				tally.fresh.Add(1)
			}
			var out struct {
				Record struct {
					ID uuid.UUID `json:"id"`
				} `json:"person"`
			}
			if err := json.Unmarshal(raw, &out); err != nil || out.Record.ID == uuid.Nil {
				t.Errorf("key %d: answer without a person: %s", n, raw)
			}
			return out.Record.ID
		default:
			t.Errorf("key %d: refused: %d %s", n, status, raw)
			return uuid.Nil
		}
		time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
	}
	t.Errorf("key %d: no answer in 90 s", n)
	return uuid.Nil
}

// chaosPost sends one keyed POST with a client timeout.
func chaosPost(u, token, key string, body []byte, timeout time.Duration) (int, []byte, bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, false, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, false, err
	}
	return resp.StatusCode, raw, resp.Header.Get("Idempotent-Replayed") == "true", nil
}

// chaosNames lists the persons of RIV whose Latin name belongs to the run: name
// → their ids. It pages through every person at RIV in registration order, not
// through a name search, which ranks and returns one page of the best matches.
func (dep *replicaDeployment) chaosNames(t *testing.T, r *replica, run string) map[string][]uuid.UUID {
	t.Helper()
	out := map[string][]uuid.UUID{}
	after := ""
	for {
		q := url.Values{"facility": {"RIV"}, "limit": {"500"}}
		if after != "" {
			q.Set("after", after)
		}
		req, _ := http.NewRequest(http.MethodGet, r.url+"/api/v1/persons?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+dep.tokens["sdfregistrar"])
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Persons []struct {
				Record struct {
					ID    uuid.UUID `json:"id"`
					Names []struct {
						Text string `json:"text"`
					} `json:"names"`
				} `json:"person"`
			} `json:"persons"`
			Next string `json:"next"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Persons {
			for _, nm := range p.Record.Names {
				if strings.HasPrefix(nm.Text, "Chaos "+run+" ") {
					out[nm.Text] = append(out[nm.Text], p.Record.ID)
				}
			}
		}
		if page.Next == "" {
			return out
		}
		after = page.Next
	}
}
