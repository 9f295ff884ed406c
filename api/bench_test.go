package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

// benchServer is an API over a real SQLite store holding the storetest world and
// one person at HSK, with an SDF registrar who has an API token and a password
// hashed with params.
func benchServer(b *testing.B, params access.Params) (h *api.Handler, token string) {
	b.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Start(ctx, storetest.Config(b)); err != nil {
		b.Fatal(err)
	}
	storetest.World(b, db)
	storetest.MustSubmit(b, db, custody.RegisterPerson{Meta: storetest.Meta(5), Person: storetest.Person(1), Facility: storetest.ID("HSK")})
	hash, err := access.HashPassword(testPassword, params)
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC().Add(-time.Minute)
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: "amira", FullName: "Amira", Party: storetest.ID("SDF"),
		Roles: []access.Role{access.Registrar}, PasswordHash: hash, Created: now, PasswordChanged: now}
	if err := db.CreateUser(ctx, u); err != nil {
		b.Fatal(err)
	}
	token, th, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.CreateToken(ctx, access.Token{ID: uuid.Must(uuid.NewV7()), User: u.ID, Name: "bench", Hash: th, Created: now}); err != nil {
		b.Fatal(err)
	}
	h, err = api.New(db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(b), Accounts: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close(); db.Close() })
	return h, token
}

// timed runs f b.N times and reports the median and 99th percentile of one run.
func timed(b *testing.B, f func()) {
	b.Helper()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		f()
		ds = append(ds, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(ds[len(ds)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkAuth measures what authentication and authorisation add to a request
// signed with an API token (the policy is indexed once, at start):
//
//	token:        the token's check (its hash looked up, its user read) and the grant
//	token+person: and the resolution of a person's concerns and the decision (get-person)
//	request/*:    whole requests through the handler, in process, for comparison:
//	              /healthz (no authentication) and GET /api/v1/parties (token).
func BenchmarkAuth(b *testing.B) {
	h, token := benchServer(b, access.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	req := func(method, path string) *http.Request {
		r := httptest.NewRequest(method, path, nil)
		r.Header.Set("Authorization", "Bearer "+token)
		return r
	}
	b.Run("token", func(b *testing.B) {
		r := req("GET", "/api/v1/parties")
		timed(b, func() {
			if err := api.AuthorizeForBenchmark(h, r, "list-parties", ""); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("token+person", func(b *testing.B) {
		r := req("GET", "/api/v1/persons/HSK-000001")
		timed(b, func() {
			if err := api.AuthorizeForBenchmark(h, r, "get-person", "HSK-000001"); err != nil {
				b.Fatal(err)
			}
		})
	})
	for _, path := range []string{"/healthz", "/api/v1/parties"} {
		b.Run("request"+strings.ReplaceAll(path, "/", "_"), func(b *testing.B) {
			r := req("GET", path)
			timed(b, func() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != 200 {
					b.Fatalf("%s: %d %s", path, w.Code, w.Body)
				}
			})
		})
	}
}

// BenchmarkLogin measures a whole login request (POST /api/v1/login, in
// process) with the default argon2id parameters: the password's check dominates.
func BenchmarkLogin(b *testing.B) {
	h, _ := benchServer(b, access.DefaultParams)
	body := `{"name":"amira","password":"` + testPassword + `"}`
	timed(b, func() {
		r := httptest.NewRequest("POST", "/api/v1/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("login: %d %s", w.Code, w.Body)
		}
	})
}
