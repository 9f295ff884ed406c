package storetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/verify"
)

func verifyStore(s Store, v note.Verifier) (*verify.Report, error) {
	return verify.Run(context.Background(), s, v, Origin, nil)
}

func started(t *testing.T, open Opener, reopen bool) Store {
	t.Helper()
	s := open(t, reopen)
	if err := s.Start(context.Background(), Config(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

func testAppendAndRead(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	r := MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(5), Person: Person(1), Facility: ID("HSK")})
	if len(r.Events) != 1 || r.Events[0].Index != 5 || r.Events[0].Type != custody.TypePersonRegistered {
		t.Fatalf("receipt %+v", r.Events)
	}
	c, err := ledger.OpenCheckpoint(r.Checkpoint.Note, Verifier(t), Origin)
	if err != nil || c.Size != 6 {
		t.Fatalf("receipt checkpoint: %v, size %d", err, c.Size)
	}
	p, err := s.Person(ctx, Person(1).ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Record.RegNo != "HSK-000001" || p.Custody.Status != custody.Held || p.Custody.Facility != ID("HSK") || p.Custody.Event != 5 {
		t.Errorf("person %+v", p)
	}
	if _, err := s.Person(ctx, uuid.New()); custody.ErrorCode(err) != custody.NotFound {
		t.Errorf("unknown person: %v", err)
	}
	if byNo, err := s.PersonByRegNo(ctx, "HSK-000001"); err != nil || byNo.Record.ID != Person(1).ID {
		t.Errorf("by registration number: %v %+v", err, byNo)
	}
	if _, err := s.PersonByRegNo(ctx, "HSK-000002"); custody.ErrorCode(err) != custody.NotFound {
		t.Errorf("unknown registration number: %v", err)
	}
	fs, err := s.Facilities(ctx)
	if err != nil || len(fs) != 3 {
		t.Fatalf("facilities %v %v", fs, err)
	}
	if fs[0].Code != "HOL" || fs[1].Code != "HSK" || fs[1].Population[custody.Detainee] != 1 || fs[1].Controller != ID("SDF") {
		t.Errorf("facilities %+v", fs)
	}
	ps, err := s.Parties(ctx)
	if err != nil || len(ps) != 2 || ps[0].Code != "IRQ" {
		t.Errorf("parties %v %v", ps, err)
	}
	h, err := s.History(ctx, Person(1).ID)
	if err != nil || len(h) != 1 || h[0].Index != 5 {
		t.Fatalf("history %v %v", h, err)
	}
	e, err := s.Event(ctx, 5)
	if err != nil || string(e.Bytes) != string(h[0].Bytes) {
		t.Errorf("event 5: %v", err)
	}
	MustVerify(t, s)
}

func testRefused(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(5), Person: Person(1), Facility: ID("HSK")})
	before, _, _ := s.LatestCheckpoint(ctx)
	bad := Person(2)
	bad.Nationalities = []string{"Iraqi"}
	for _, cmd := range []custody.Command{
		custody.RegisterPerson{Meta: Meta(6), Person: bad, Facility: ID("HSK")},
		custody.RegisterPerson{Meta: Meta(6), Person: Person(1), Facility: ID("HSK")},
		custody.ReleasePerson{Meta: Meta(6), Person: uuid.New(), Reason: "r", Authority: "a"},
	} {
		_, err := s.Submit(ctx, cmd)
		var e *custody.Error
		if !errors.As(err, &e) || e.Code == custody.Internal {
			t.Errorf("%T: %v, want a refusal", cmd, err)
		}
	}
	after, _, _ := s.LatestCheckpoint(ctx)
	if string(before) != string(after) {
		t.Errorf("a refused command changed the checkpoint")
	}
	if n, _ := s.EventCount(ctx); n != 6 {
		t.Errorf("%d events, want 6", n)
	}
	MustVerify(t, s)
}

func testConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	const writers, each = 32, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint64]bool{}
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				r, err := s.Submit(ctx, custody.RegisterPerson{Meta: Meta(10), Person: Person(w*each + i), Facility: ID("HSK")})
				if err != nil {
					errs <- err
					return
				}
				c, err := ledger.OpenCheckpoint(r.Checkpoint.Note, Verifier(t), Origin)
				if err != nil || c.Size <= r.Events[0].Index {
					errs <- fmt.Errorf("event %d acknowledged with checkpoint of size %d: %v", r.Events[0].Index, c.Size, err)
					return
				}
				mu.Lock()
				seen[r.Events[0].Index] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for i := uint64(5); i < 5+writers*each; i++ {
		if !seen[i] {
			t.Fatalf("index %d not acknowledged", i)
		}
	}
	fs, _ := s.Facilities(ctx)
	for _, f := range fs {
		if f.Code == "HSK" && f.Population[custody.Detainee] != writers*each {
			t.Errorf("HSK population %d", f.Population[custody.Detainee])
		}
	}
	MustVerify(t, s)
}

func testProofs(t *testing.T, open Opener) {
	ctx := context.Background()
	s := started(t, open, false)
	defer s.Close()
	World(t, s)
	var roots []ledger.Checkpoint
	for i := range 300 {
		r := MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(10), Person: Person(i), Facility: ID("HSK")})
		c, _ := ledger.OpenCheckpoint(r.Checkpoint.Note, Verifier(t), Origin)
		roots = append(roots, c)
	}
	last := roots[len(roots)-1]
	for _, idx := range []uint64{0, 1, 5, 255, 256, 300, last.Size - 1} {
		e, err := s.Event(ctx, idx)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := custody.DecodeEvent(e.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		proof, err := ledger.InclusionProof(ctx, s, idx, last.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyInclusion(idx, last.Size, ledger.LeafHash(ledger.Entry(ev.ID, e.Bytes)), proof, last.Root); err != nil {
			t.Errorf("inclusion of %d: %v", idx, err)
		}
	}
	for _, c := range []ledger.Checkpoint{roots[0], roots[100], roots[250]} {
		proof, err := ledger.ConsistencyProof(ctx, s, c.Size, last.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := ledger.VerifyConsistency(c.Size, last.Size, proof, c.Root, last.Root); err != nil {
			t.Errorf("consistency %d→%d: %v", c.Size, last.Size, err)
		}
	}
	// The read side serves tiles a standard client can follow.
	srv := httptest.NewServer(ledger.Handler(s))
	defer srv.Close()
	for _, path := range []string{"/log/checkpoint", "/log/tile/0/000", "/log/tile/0/001.p/49", "/log/tile/entries/000"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

func testRestart(t *testing.T, open Opener) {
	s := started(t, open, false)
	World(t, s)
	for i := range 20 {
		MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(10), Person: Person(i), Facility: ID("HSK")})
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = started(t, open, true)
	defer s.Close()
	r := MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(11), Person: Person(20), Facility: ID("HSK")})
	if r.Events[0].Index != 25 {
		t.Errorf("after restart the next index is %d, want 25", r.Events[0].Index)
	}
	p, err := s.Person(context.Background(), Person(20).ID)
	if err != nil || p.Record.RegNo != "HSK-000021" {
		t.Errorf("after restart: %v %+v", err, p)
	}
	MustVerify(t, s)
}

// populated starts a fresh store holding the World, n detainees at HSK, and the
// release of the detainee numbered released.
func populated(t *testing.T, open Opener, n, released int) Store {
	s := started(t, open, false)
	World(t, s)
	for i := range n {
		MustSubmit(t, s, custody.RegisterPerson{Meta: Meta(10), Person: Person(i), Facility: ID("HSK")})
	}
	MustSubmit(t, s, custody.ReleasePerson{Meta: Meta(20), Person: Person(released).ID, Reason: "acquitted", Authority: "court"})
	return s
}

func testRebuild(t *testing.T, open Opener) {
	ctx := context.Background()
	s := populated(t, open, 30, 3)
	defer s.Close()
	MustSubmit(t, s, custody.ChangeFacilityControl{Meta: Meta(30), Facility: ID("HSK"), To: ID("IRQ"), Reason: "agreement"})
	before, err := s.Persons(ctx, custody.PersonFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	fBefore, _ := s.Facilities(ctx)
	if _, err := s.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Persons(ctx, custody.PersonFilter{Limit: 500})
	fAfter, _ := s.Facilities(ctx)
	if !reflect.DeepEqual(before, after) || !reflect.DeepEqual(fBefore, fAfter) {
		t.Errorf("rebuild changed the projections")
	}
	MustVerify(t, s)
}

func testFilters(t *testing.T, open Opener) {
	ctx := context.Background()
	s := populated(t, open, 40, 4)
	defer s.Close()
	count := func(f custody.PersonFilter) int {
		t.Helper()
		n := 0
		for {
			p, err := s.Persons(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			n += len(p.Persons)
			if p.Next == "" {
				return n
			}
			f.After = p.Next
		}
	}
	for name, tc := range map[string]struct {
		f    custody.PersonFilter
		want int
	}{
		"all":          {custody.PersonFilter{}, 40},
		"paged":        {custody.PersonFilter{Limit: 7}, 40},
		"nationality":  {custody.PersonFilter{Nationality: "TUN"}, 10},
		"status":       {custody.PersonFilter{Status: custody.Released}, 1},
		"facility":     {custody.PersonFilter{Facility: ID("HSK")}, 39},
		"name latin":   {custody.PersonFilter{Name: "AL-K"}, 8}, // al-Khalil, al-Kubaisi, al-Khazraji, al-Karbouli, al-Khatib
		"name arabic":  {custody.PersonFilter{Name: "الخليل"}, 2},
		"category":     {custody.PersonFilter{Category: custody.Minor}, 0},
		"no such name": {custody.PersonFilter{Name: "zzz"}, 0},
	} {
		if got := count(tc.f); got != tc.want {
			t.Errorf("%s: %d persons, want %d", name, got, tc.want)
		}
	}
	if _, err := s.Persons(ctx, custody.PersonFilter{Nationality: "Iraq"}); custody.ErrorCode(err) != custody.Invalid {
		t.Errorf("bad nationality filter: %v", err)
	}
}
