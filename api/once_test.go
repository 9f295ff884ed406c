package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/storetest"
)

// TestIdempotencyLostAnswers: concurrent clients with random, short timeouts
// register persons, each sending its request again under its key until it gets
// an answer. Every answer is the first one (persons carry no identifier and get
// their id from the server, so a second write would be a second person rather
// than a refusal), and each key's person is recorded once. Small enough for
// -race, which CI runs on this package.
func TestIdempotencyLostAnswers(t *testing.T) {
	c := newServer(t)
	c.world()
	const clients, keys = 6, 5
	answers := make([]uuid.UUID, clients*keys)
	var lost, replayed sync.Mutex
	nLost, nReplayed := 0, 0
	var wg sync.WaitGroup
	for w := range clients {
		wg.Go(func() {
			for k := range keys {
				n := w*keys + k
				// the fixture's names, no two likely duplicates: a retry whose
				// first attempt was recorded must get its receipt, not be refused
				// as a likely duplicate of its own person
				p := personJSON(storetest.Person(100 + n))
				delete(p, "identifiers")
				body, _ := json.Marshal(map[string]any{"person": p, "facility": "HSK", "occurred_at": at(9)})
			attempts:
				for attempt := 0; ; attempt++ {
					if attempt > 200 {
						t.Errorf("key %d: no answer in 200 attempts", n)
						break attempts
					}
					timeout := time.Duration(2+rand.IntN(80)) * time.Millisecond
					status, h, raw, err := c.post(fmt.Sprintf("lost-%d", n), body, timeout)
					if err != nil {
						lost.Lock()
						nLost++
						lost.Unlock()
						continue
					}
					if status != 201 {
						t.Errorf("key %d: %d %s", n, status, raw)
						break attempts
					}
					if h.Get(api.ReplayedHeader) == "true" {
						replayed.Lock()
						nReplayed++
						replayed.Unlock()
					}
					var out struct {
						Person struct {
							ID uuid.UUID `json:"id"`
						} `json:"person"`
					}
					json.Unmarshal(raw, &out)
					answers[n] = out.Person.ID
					break attempts
				}
			}
		})
	}
	wg.Wait()
	var page struct {
		Persons []struct {
			Person struct {
				ID    uuid.UUID `json:"id"`
				Names []struct {
					Text string `json:"text"`
				} `json:"names"`
			} `json:"person"`
		} `json:"persons"`
	}
	c.json("GET", "/api/v1/persons?limit=500&facility=HSK", nil, 200, &page)
	recorded := map[string][]uuid.UUID{}
	for _, p := range page.Persons {
		recorded[p.Person.Names[0].Text] = append(recorded[p.Person.Names[0].Text], p.Person.ID)
	}
	for n, id := range answers {
		got := recorded[storetest.Person(100 + n).Names[0].Text]
		if len(got) != 1 || got[0] != id {
			t.Errorf("key %d: answered with person %s; recorded %v", n, id, got)
		}
	}
	t.Logf("%d keys, %d answers lost, %d retries answered with the first answer, duplicates: %d", len(answers), nLost, nReplayed, len(page.Persons)-len(answers))
	c.verifyLedger()
}

// post sends a keyed POST of a person with a client timeout; err says no answer came.
func (c *client) post(key string, body []byte, timeout time.Duration) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", c.url+"/api/v1/persons", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(api.IdempotencyKeyHeader, key)
	req.Header.Set("Authorization", "Bearer "+c.credentials())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return res.StatusCode, res.Header, raw, nil
}
