package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/names"
	"github.com/handover-project/handover/storetest"
)

// TestListMatchesRecordChecks: whoever lists persons gets exactly the persons
// that GET /persons/{id} lets them read, in registration number order, in full
// pages (every page but the last holds the limit), with or without other filters.
// The fixture is the matrix's, with more persons at IQ1, IQ2 and HSK, so that
// what a party may see and what it may not alternate in registration number
// order; and two more monitors: one whose mandate covers IQ1 (the transfers' end)
// and whose user is also a registrar, one whose mandate covers everyone.
func TestListMatchesRecordChecks(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	ctx := context.Background()
	c.enrol(6, 10, "IQ1", nil)
	c.enrol(10, 13, "HSK", nil)
	c.enrol(13, 15, "IQ2", nil)
	tokens := map[string]string{}
	for name, tok := range f.tokens {
		tokens[name] = tok
	}
	for i, m := range []struct {
		party string
		cmd   custody.SetMandate
		roles []access.Role
	}{
		{"MON", custody.SetMandate{Facilities: []uuid.UUID{storetest.ID("IQ1")}}, []access.Role{access.MonitorRole, access.Registrar}},
		{"ALL", custody.SetMandate{All: true}, []access.Role{access.MonitorRole}},
	} {
		c.as("SDF").json("POST", "/api/v1/parties", map[string]any{"party": custody.Party{ID: storetest.ID(m.party), Code: m.party,
			Name: "Monitor " + m.party, Kind: custody.Monitor}, "occurred_at": at(80 + i)}, 201, nil)
		m.cmd.Meta = custody.Meta{Actor: "operator", Party: storetest.ID(m.party), OccurredAt: t0.Add(time.Duration(81+i) * time.Minute)}
		m.cmd.Party = storetest.ID(m.party)
		if _, err := c.db.Submit(ctx, m.cmd); err != nil {
			t.Fatal(err)
		}
		name := userName(m.party, access.MonitorRole)
		c.user(name, m.party, m.roles...)
		tokens[name] = c.tokenOf(name)
	}

	everyone, err := c.db.Persons(ctx, custody.PersonFilter{Limit: custody.MaxPageSize})
	if err != nil || everyone.Next != "" {
		t.Fatalf("all persons: %v, next %q", err, everyone.Next)
	}
	filters := []struct {
		query string
		f     custody.PersonFilter
	}{
		{"", custody.PersonFilter{}},
		{"facility=HSK", custody.PersonFilter{Facility: storetest.ID("HSK")}},
		{"nationality=IRQ", custody.PersonFilter{Nationality: "IRQ"}},
		{"name=" + url.QueryEscape("khalil 1"), custody.PersonFilter{Name: "khalil 1"}},
	}
	seen := map[string]int{}
	for name, tok := range tokens {
		u := c.withToken(tok)
		// What the per-record check allows.
		readable := map[string]bool{}
		for _, p := range everyone.Persons {
			status, _, b := u.do("GET", "/api/v1/persons/"+p.Record.ID.String(), nil)
			switch status {
			case 200:
				readable[p.Record.RegNo] = true
			case 403, 404: // the roles grant no read (403), or the person is out of sight (404, as if there were none)
			default:
				t.Fatalf("%s reads %s: %d %s", name, p.Record.RegNo, status, b)
			}
		}
		if status, _, _ := u.do("GET", "/api/v1/persons", nil); status == 403 {
			if len(readable) > 0 {
				t.Errorf("%s may not list persons, but reads %d", name, len(readable))
			}
			continue
		}
		seen[name] = len(readable)
		for _, fl := range filters {
			want := []string{}
			matching, err := c.db.Persons(ctx, custody.PersonFilter{Facility: fl.f.Facility, Nationality: fl.f.Nationality, Limit: custody.MaxPageSize})
			if err != nil {
				t.Fatal(err)
			}
			if fl.f.Name != "" { // a search by name: the names index's ranking
				matching.Persons = ranked(everyone.Persons, fl.f.Name)
			}
			for _, p := range matching.Persons {
				if readable[p.Record.RegNo] {
					want = append(want, p.Record.RegNo)
				}
			}
			for _, limit := range []int{1, 3, 50} {
				var got []string
				after := ""
				for pages := 0; ; pages++ {
					if pages > len(everyone.Persons) {
						t.Fatalf("%s ?%s, limit %d: the pages do not end", name, fl.query, limit)
					}
					var page custody.PersonPage
					u.json("GET", fmt.Sprintf("/api/v1/persons?limit=%d&after=%s&%s", limit, after, fl.query), nil, 200, &page)
					for _, p := range page.Persons {
						got = append(got, p.Record.RegNo)
					}
					if page.Next == "" {
						break
					}
					if len(page.Persons) != limit {
						t.Errorf("%s ?%s, limit %d: a page of %d before the last", name, fl.query, limit, len(page.Persons))
					}
					after = page.Next
				}
				if !slices.Equal(got, want) {
					t.Errorf("%s ?%s, limit %d: lists %v, the records it may read are %v", name, fl.query, limit, got, want)
				}
			}
		}
	}
	// The fixture does what it says: each kind of reader sees some persons and
	// not others (a test that everyone sees everything would prove little).
	for name, want := range map[string]int{
		userName("SDF", access.Registrar):    8,  // HSK, its hospital, on the road
		userName("IRQ", access.Registrar):    10, // IQ1, IQ2, on its transfers
		userName("USF", access.Registrar):    2,  // on the road
		userName("ICRC", access.MonitorRole): 8,  // HSK's mandate
		userName("MON", access.MonitorRole):  8,  // IQ1's mandate: IQ1 and its transfers
		userName("ALL", access.MonitorRole):  len(everyone.Persons),
		userName("SDF", access.MonitorRole):  0, // no mandate
	} {
		if seen[name] != want {
			t.Errorf("%s reads %d persons, want %d", name, seen[name], want)
		}
	}
}

// ranked is what a search by name finds among persons, best first.
func ranked(persons []custody.PersonState, q string) []custody.PersonState {
	idx := names.NewIndex()
	byID := map[string]custody.PersonState{}
	for _, p := range persons {
		np := names.Person{}
		for _, n := range p.Record.Names {
			np.Names = append(np.Names, n.Text)
		}
		idx.Put(p.Record.ID.String(), np)
		byID[p.Record.ID.String()] = p
	}
	var out []custody.PersonState
	for _, h := range idx.Search(q, custody.MaxPageSize, 0.5) {
		out = append(out, byID[h.ID])
	}
	return out
}
