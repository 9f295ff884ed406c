package api_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestLinkedRecords: a registrar links two registrations proposed as one person;
// the event names both, the reason and the actor; each record lists the other;
// the pair is no longer proposed; the link is refused twice, to itself, to an
// unknown record; it is withdrawn; and "different persons" stops the proposal too.
func TestLinkedRecords(t *testing.T) {
	c := newServer(t)
	c.world()
	reg := func(n int, nm custody.Name, birth custody.BirthDate) string {
		p := storetest.Person(n)
		p.Names, p.Birth, p.Sex = []custody.Name{nm}, birth, custody.Male
		var r struct{ custody.PersonState }
		// the second is a planted duplicate of the first: passed with a reason
		c.json("POST", "/api/v1/persons", map[string]any{"person": personJSON(p), "facility": "HSK", "occurred_at": at(5 + n),
			"duplicate_reason": "registered twice on purpose"}, 201, &r)
		return r.Record.ID.String()
	}
	a := reg(1, custody.Name{Text: "عبد الرحمن خالد الحداد", Script: custody.Arabic, Kind: custody.PrimaryName}, custody.BirthDate{Date: "1990-04-02", Precision: custody.Day})
	b := reg(2, custody.Name{Text: "AL-HADDAD Abdurrahman Khaled", Script: custody.Latin, Kind: custody.PrimaryName}, custody.BirthDate{Date: "1990", Precision: custody.Year})
	pairs := func() int {
		var out struct {
			Pairs []struct{} `json:"pairs"`
		}
		c.json("GET", "/api/v1/duplicates", nil, 200, &out)
		return len(out.Pairs)
	}
	if pairs() != 1 {
		t.Fatalf("the pair is not proposed")
	}
	var r struct{ Receipt api.Receipt }
	c.json("POST", "/api/v1/persons/"+a+"/links", map[string]any{"other": b, "reason": "same father; photo compared", "occurred_at": at(20)}, 201, &r.Receipt)
	if len(r.Receipt.Events) != 1 || r.Receipt.Events[0].Type != custody.TypePersonLinked {
		t.Fatalf("receipt %+v", r.Receipt)
	}
	le, err := c.db.Event(context.Background(), r.Receipt.Events[0].Index)
	if err != nil {
		t.Fatal(err)
	}
	e, err := custody.DecodeEvent(le.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := e.Data.(*custody.PersonLinked)
	if !ok || e.Subject.String() != a || d.Other.String() != b || d.Reason != "same father; photo compared" || e.Actor == "" {
		t.Fatalf("event %+v %+v", e, e.Data)
	}
	linked := func(id string) []uuid.UUID {
		var p custody.PersonState
		c.json("GET", "/api/v1/persons/"+id, nil, 200, &p)
		return p.Custody.Linked
	}
	if !slices.Equal(linked(a), []uuid.UUID{uuid.MustParse(b)}) || !slices.Equal(linked(b), []uuid.UUID{uuid.MustParse(a)}) {
		t.Fatalf("linked %v / %v", linked(a), linked(b))
	}
	if pairs() != 0 {
		t.Errorf("a linked pair is still proposed")
	}
	for _, tc := range []struct {
		name, path string
		other      string
		status     int
	}{
		{"again", "/links", a, 409},
		{"itself", "/links", b, 422},
		{"unknown", "/links", storetest.ID("nobody").String(), 404},
		{"distinct while linked", "/distinctions", a, 409},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.json("POST", "/api/v1/persons/"+b+tc.path, map[string]any{"other": tc.other, "reason": "r", "occurred_at": at(21)}, tc.status, nil)
		})
	}
	c.json("POST", "/api/v1/persons/"+b+"/links", map[string]any{"other": a, "occurred_at": at(21)}, 422, nil) // no reason
	c.json("POST", "/api/v1/persons/"+b+"/unlinks", map[string]any{"other": a, "reason": "linked by mistake", "occurred_at": at(22)}, 201, nil)
	if linked(a) != nil || pairs() != 1 {
		t.Fatalf("after unlink: %v, %d pairs", linked(a), pairs())
	}
	c.json("POST", "/api/v1/persons/"+a+"/distinctions", map[string]any{"other": b, "reason": "different mothers", "occurred_at": at(23)}, 201, nil)
	if pairs() != 0 {
		t.Errorf("a distinct pair is still proposed")
	}
}
