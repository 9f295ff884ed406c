package api_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

func party(code string) map[string]any {
	return map[string]any{"party": map[string]any{"code": code, "name": "Monitor " + code, "kind": "monitor"}, "occurred_at": at(3)}
}

// TestIdempotency checks that a retry with the same key and request gets the first
// response and records nothing, that a key reused with another request is refused,
// that refusals are kept as well, and that keys are checked.
func TestIdempotency(t *testing.T) {
	c := newServer(t)
	c.world()
	k := c.withKey("register-monitor-1")
	status, h, first := k.do("POST", "/api/v1/parties", party("MONA"))
	if status != 201 || h.Get(api.ReplayedHeader) != "" {
		t.Fatalf("first: %d %v %s", status, h, first)
	}
	size := c.size()
	for range 2 {
		status, h, again := k.do("POST", "/api/v1/parties", party("MONA"))
		if status != 201 || !bytes.Equal(again, first) || h.Get(api.ReplayedHeader) != "true" || h.Get("Content-Type") != "application/json" {
			t.Fatalf("retry: %d %v\n%s\nfirst:\n%s", status, h, again, first)
		}
	}
	if c.size() != size {
		t.Fatalf("retries changed the ledger: %d → %d", size, c.size())
	}
	// The same key with another request: another body, another path.
	status, _, body := k.do("POST", "/api/v1/parties", party("MONB"))
	problemOf(t, status, body, 422, "idempotency key reused with a different request", "header.Idempotency-Key")
	status, _, body = k.do("POST", "/api/v1/facilities", party("MONA"))
	problemOf(t, status, body, 422, "idempotency key reused with a different request", "header.Idempotency-Key")
	if c.size() != size {
		t.Fatalf("reused keys changed the ledger: %d → %d", size, c.size())
	}
	// A refusal is kept too: a retry gets it again, and the corrected request
	// needs a key of its own.
	k2 := c.withKey("register-monitor-2")
	status, _, refused := k2.do("POST", "/api/v1/parties", party("MONA"))
	problemOf(t, status, refused, 409, "already registered", "body.party.code")
	status, h, body = k2.do("POST", "/api/v1/parties", party("MONA"))
	if status != 409 || !bytes.Equal(body, refused) || h.Get(api.ReplayedHeader) != "true" || h.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("retried refusal: %d %v %s", status, h, body)
	}
	status, _, body = k2.do("POST", "/api/v1/parties", party("MONC"))
	problemOf(t, status, body, 422, "idempotency key reused with a different request", "header.Idempotency-Key")
	c.withKey("register-monitor-3").json("POST", "/api/v1/parties", party("MONC"), 201, nil)
	if c.size() != size+1 {
		t.Fatalf("after the corrected request the ledger has %d events, want %d", c.size(), size+1)
	}
	// Reads ignore the key.
	k.json("GET", "/api/v1/parties", nil, 200, nil)

	for name, key := range map[string]string{
		"empty": "", "too long": strings.Repeat("k", 201), "not ASCII": "clé-1",
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", c.url+"/api/v1/parties", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer "+c.credentials())
			req.Header.Set(api.IdempotencyKeyHeader, key)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			problemOf(t, res.StatusCode, b, 422, "header.Idempotency-Key: must be", "header.Idempotency-Key")
		})
	}
	req, _ := http.NewRequest("POST", c.url+"/api/v1/parties", strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+c.credentials())
	req.Header.Add(api.IdempotencyKeyHeader, "a")
	req.Header.Add(api.IdempotencyKeyHeader, "b")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	problemOf(t, res.StatusCode, b, 422, "must be given once", "header.Idempotency-Key")
	if c.size() != size+1 {
		t.Fatalf("refused keys changed the ledger")
	}

	// The responses are kept by the store: a new server over it replays them.
	c2 := c.restarted().withKey("register-monitor-1")
	status, _, again := c2.do("POST", "/api/v1/parties", party("MONA"))
	if status != 201 || !bytes.Equal(again, first) {
		t.Fatalf("replay by a restarted server: %d %s", status, again)
	}
	c.verifyLedger()
}

// TestIdempotencyConcurrent checks that concurrent requests with one key write once.
func TestIdempotencyConcurrent(t *testing.T) {
	c := newServer(t)
	c.world()
	size := c.size()
	const n = 16
	var wg sync.WaitGroup
	bodies := make([][]byte, n)
	statuses := make([]int, n)
	same := c.withKey("same-request")
	other := c.withKey("other-requests")
	others := make([]int, n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			// A person without an id: each write would register another person.
			statuses[i], _, bodies[i] = same.do("POST", "/api/v1/persons", map[string]any{"person": personJSON(storetest.Person(1)), "facility": "HSK", "occurred_at": at(9)})
		}()
		go func() {
			defer wg.Done()
			others[i], _, _ = other.do("POST", "/api/v1/parties", party("MON"+string(rune('A'+i))))
		}()
	}
	wg.Wait()
	created := 0
	for i := range n {
		if statuses[i] != 201 || !bytes.Equal(bodies[i], bodies[0]) {
			t.Fatalf("request %d: %d %s\nfirst: %s", i, statuses[i], bodies[i], bodies[0])
		}
		switch others[i] {
		case 201:
			created++
		case 422:
		default:
			t.Errorf("request %d with another body: %d", i, others[i])
		}
	}
	if created != 1 || c.size() != size+2 {
		t.Fatalf("%d parties created, ledger %d → %d; want one person and one party", created, size, c.size())
	}
	var page custody.PersonPage
	c.json("GET", "/api/v1/persons", nil, 200, &page)
	if len(page.Persons) != 1 {
		t.Errorf("%d persons registered", len(page.Persons))
	}
}

// TestIdempotencyInMemory checks the fallback for a store that keeps no responses.
func TestIdempotencyInMemory(t *testing.T) {
	c := newServer(t)
	c.world()
	m := c.restarted().withKey("in-memory")
	_, _, first := m.do("POST", "/api/v1/parties", party("MONA"))
	size := c.size()
	status, h, again := m.do("POST", "/api/v1/parties", party("MONA"))
	if status != 201 || !bytes.Equal(again, first) || h.Get(api.ReplayedHeader) != "true" || c.size() != size {
		t.Fatalf("in-memory replay: %d %s", status, again)
	}
	status, _, body := m.do("POST", "/api/v1/parties", party("MONB"))
	problemOf(t, status, body, 422, "reused with a different request", "header.Idempotency-Key")
}

// TestOpenAPIIdempotencyKey checks that the description documents the header on
// every write of the ledger and on no read, nor on the writes of accounts, whose
// answers carry secrets or cookies and are never kept.
func TestOpenAPIIdempotencyKey(t *testing.T) {
	c := newServer(t)
	var doc struct {
		Info  struct{ Description string }
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
		}
	}
	c.json("GET", "/openapi.json", nil, 200, &doc)
	if !strings.Contains(doc.Info.Description, "Idempotency-Key") {
		t.Errorf("the description does not explain idempotency: %q", doc.Info.Description)
	}
	accounts := []string{"/api/v1/login", "/api/v1/logout", "/api/v1/me/password", "/api/v1/tokens", "/api/v1/tokens/{id}", "/api/v1/users", "/api/v1/users/{id}"}
	writes, want := 0, 34 // with POST /api/v1/imports, …/risks, …/plan/acceptances and the three link decisions
	if _, ok := doc.Paths["/api/v1/parties/{id}/mandate"]; ok {
		want++
	}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			has := slices.ContainsFunc(op.Parameters, func(p struct{ Name, In string }) bool {
				return p.Name == api.IdempotencyKeyHeader && p.In == "header"
			})
			write := method != "get" && !slices.Contains(accounts, path)
			if has != write {
				t.Errorf("%s %s: Idempotency-Key documented: %v", method, path, has)
			}
			if write {
				writes++
			}
		}
	}
	if writes != want {
		t.Errorf("%d ledger writes in the description, want %d", writes, want)
	}
}
