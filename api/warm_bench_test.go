package api_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/sqlite"
	"github.com/handover-project/handover/storetest"
)

// BenchmarkWarmNames measures the names index built at start-up over a real
// SQLite store of HANDOVER_BENCH_PERSONS persons (default 10,000; invented
// names, 40 given × 40 fathers' × 60 family names, dates of birth to the day):
// the wall and CPU time of the index (the store read included), and how long
// /healthz takes to answer while it runs (start-up is not delayed).
//
//	HANDOVER_BENCH_PERSONS=100000 go test ./api -run XXX -bench WarmNames -benchtime 1x
func BenchmarkWarmNames(b *testing.B) {
	n := 10_000
	if v := os.Getenv("HANDOVER_BENCH_PERSONS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), sqlite.FileName))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Start(ctx, storetest.Config(b)); err != nil {
		b.Fatal(err)
	}
	storetest.World(b, db)
	r := rand.New(rand.NewPCG(14, 14))
	word := func(prefix string, i int) string { // invented name parts: Ba-, Da-, … with a number's syllables
		syl := []string{"ra", "mi", "sa", "lu", "ka", "di", "na", "fo", "ti", "ze"}
		return prefix + syl[i%10] + syl[(i/10)%10]
	}
	start := time.Now()
	for done := 0; done < n; {
		batch := make([]custody.Person, 0, min(custody.MaxImport, n-done))
		for range cap(batch) {
			batch = append(batch, custody.Person{ID: uuid.Must(uuid.NewV7()),
				Names: []custody.Name{{Text: word("Ba", r.IntN(40)) + " " + word("Da", r.IntN(40)) + " al-" + word("Ha", r.IntN(60)), Script: custody.Latin, Kind: custody.PrimaryName}},
				Sex:   custody.Male, Birth: custody.BirthDate{Date: fmt.Sprintf("%d-%02d-%02d", 1950+r.IntN(60), 1+r.IntN(12), 1+r.IntN(28)), Precision: custody.Day},
				Nationalities: []string{"SYR"}, Category: custody.Detainee,
				Detention: custody.Detention{Reasons: "benchmark", OrderingAuthority: "benchmark"}})
		}
		storetest.MustSubmit(b, db, custody.ImportPersons{Meta: storetest.Meta(10), Facility: storetest.ID("HSK"), Persons: batch})
		done += len(batch)
	}
	b.Logf("registered %d persons in %v", n, time.Since(start).Round(time.Millisecond))
	b.ResetTimer()
	for range b.N {
		h, err := api.New(db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(b), Accounts: db,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			b.Fatal(err)
		}
		srv := httptest.NewServer(h)
		cpu0 := processCPU()
		done := make(chan api.NamesWarmed, 1)
		t0 := time.Now()
		h.WarmNames(func(w api.NamesWarmed) { done <- w })
		res, err := http.Get(srv.URL + "/healthz")
		ready := time.Since(t0)
		if err != nil || res.StatusCode != 200 {
			b.Fatalf("healthz while warming: %v %v", err, res)
		}
		res.Body.Close()
		w := <-done
		cpu := processCPU() - cpu0
		if w.Err != nil || w.Persons != n {
			b.Fatalf("warmed %+v", w)
		}
		b.ReportMetric(w.Index.Seconds(), "index-s")
		b.ReportMetric(cpu.Seconds(), "cpu-s")
		b.ReportMetric(float64(ready.Microseconds())/1000, "healthz-ms")
		srv.Close()
		h.Close()
	}
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
