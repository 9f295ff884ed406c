package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// duplicateRefusal is the 409 likely_duplicate problem.
type duplicateRefusal struct {
	Status     int    `json:"status"`
	Code       string `json:"code"`
	Type       string `json:"type"`
	Detail     string `json:"detail"`
	Candidates []struct {
		ID      uuid.UUID `json:"id"`
		RegNo   string    `json:"reg_no"`
		Name    string    `json:"name"`
		Score   float64   `json:"score"`
		English string    `json:"english"`
		Arabic  string    `json:"arabic"`
	} `json:"candidates"`
}

// registeredEvents decodes the events of a registration's receipt.
func registeredEvents(t *testing.T, c *client, r registered) []*custody.Event {
	t.Helper()
	var out []*custody.Event
	for _, re := range r.Receipt.Events {
		le, err := c.db.Event(context.Background(), re.Index)
		if err != nil {
			t.Fatal(err)
		}
		e, err := custody.DecodeEvent(le.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, &e)
	}
	return out
}

// TestRegisterLikelyDuplicate: registering a person whom a registered record
// likely is is refused with 409 likely_duplicate listing that record, its score
// and explanation, and writes nothing; the same key and request get the same
// answer; with a duplicate_reason it is registered and the warning recorded in
// person.registered; with link_to it is registered and linked in one receipt;
// a record the caller may not see is neither shown nor reason to refuse.
func TestRegisterLikelyDuplicate(t *testing.T) {
	c := newServer(t)
	c.world()
	person := func(n int, nm custody.Name, birth custody.BirthDate) map[string]any {
		p := storetest.Person(n)
		p.Names, p.Birth, p.FatherName = []custody.Name{nm}, birth, ""
		p.ID = uuid.Nil
		return personJSON(p)
	}
	ar := custody.Name{Text: "عبد الرحمن خالد الحداد", Script: custody.Arabic, Kind: custody.PrimaryName}
	la := custody.Name{Text: "AL-HADDAD Abdurrahman Khaled", Script: custody.Latin, Kind: custody.PrimaryName}
	la2 := custody.Name{Text: "Abdelrahman Khalid el-Haddad", Script: custody.Latin, Kind: custody.PrimaryName}
	var first registered
	c.json("POST", "/api/v1/persons", map[string]any{"person": person(1, ar, custody.BirthDate{Date: "1990-04-02", Precision: custody.Day}), "facility": "HSK", "occurred_at": at(5)}, 201, &first)

	body := map[string]any{"person": person(2, la, custody.BirthDate{Date: "1990", Precision: custody.Year}), "facility": "HSK", "occurred_at": at(6)}
	size := c.size()
	keyed := c.withKey("register-twice")
	var refusals [2][]byte
	for i := range refusals {
		status, h, b := keyed.do("POST", "/api/v1/persons", body)
		if status != 409 || !strings.HasPrefix(h.Get("Content-Type"), "application/problem+json") {
			t.Fatalf("attempt %d: %d %s", i, status, b)
		}
		refusals[i] = b
	}
	if string(refusals[0]) != string(refusals[1]) {
		t.Errorf("a retry with the same key got another answer:\n%s\n%s", refusals[0], refusals[1])
	}
	var p duplicateRefusal
	if err := json.Unmarshal(refusals[0], &p); err != nil {
		t.Fatal(err)
	}
	if p.Code != "likely_duplicate" || !strings.HasSuffix(p.Type, "#likely_duplicate") || len(p.Candidates) != 1 ||
		p.Candidates[0].ID != first.Record.ID || p.Candidates[0].RegNo != first.Record.RegNo || p.Candidates[0].Score < 0.8 ||
		p.Candidates[0].English == "" || p.Candidates[0].Arabic == "" || !strings.Contains(p.Detail, first.Record.RegNo) {
		t.Fatalf("problem %s", refusals[0])
	}
	if c.size() != size {
		t.Fatalf("a refused registration wrote %d events", c.size()-size)
	}

	// Passed with a reason, under a new key: registered, the warning recorded.
	body["duplicate_reason"] = "other mother; the camp card was compared"
	var second registered
	c.withKey("register-with-reason").json("POST", "/api/v1/persons", body, 201, &second)
	es := registeredEvents(t, c, second)
	reg, ok := es[0].Data.(*custody.PersonRegistered)
	if len(es) != 1 || !ok || reg.Duplicates == nil || !slices.Equal(reg.Duplicates.Candidates, []uuid.UUID{first.Record.ID}) ||
		reg.Duplicates.Reason != "other mother; the camp card was compared" {
		t.Fatalf("events %+v", es)
	}
	// the same key with the reason gets the same receipt, nothing written
	size = c.size()
	var again registered
	c.withKey("register-with-reason").json("POST", "/api/v1/persons", body, 201, &again)
	if again.Record.ID != second.Record.ID || c.size() != size {
		t.Fatalf("replay: %s, %d events written", again.Record.ID, c.size()-size)
	}

	// Linked instead: the new record and the link, one receipt.
	linkBody := map[string]any{"person": person(3, la2, custody.BirthDate{Date: "1990-04", Precision: custody.Month}), "facility": "HOL", "occurred_at": at(7),
		"link_to": first.Record.RegNo}
	c.json("POST", "/api/v1/persons", linkBody, 422, nil) // link_to needs its reason
	linkBody["duplicate_reason"] = "the same man: arrived at al-Hol under a camp spelling"
	var third registered
	c.json("POST", "/api/v1/persons", linkBody, 201, &third)
	es = registeredEvents(t, c, third)
	if len(es) != 2 || es[0].Type != custody.TypePersonRegistered || es[1].Type != custody.TypePersonLinked || es[1].Subject != third.Record.ID {
		t.Fatalf("events %+v", es)
	}
	if l := es[1].Data.(*custody.PersonLinked); l.Other != first.Record.ID || l.Reason != "the same man: arrived at al-Hol under a camp spelling" {
		t.Fatalf("link %+v", l)
	}
	if reg := es[0].Data.(*custody.PersonRegistered); reg.Duplicates == nil || !slices.Contains(reg.Duplicates.Candidates, first.Record.ID) {
		t.Fatalf("the warning passed by the link is not recorded: %+v", reg.Duplicates)
	}
	var linked custody.PersonState
	c.json("GET", "/api/v1/persons/"+first.Record.ID.String(), nil, 200, &linked)
	if !slices.Contains(linked.Custody.Linked, third.Record.ID) {
		t.Fatalf("linked %v", linked.Custody.Linked)
	}

	// A facility commander registers but may not link.
	c.user("hsk-commander", "SDF", access.FacilityCommander)
	cmdr := c.withToken(c.tokenOf("hsk-commander"))
	linkBody["person"] = person(4, la2, custody.BirthDate{Date: "1990-04", Precision: custody.Month})
	cmdr.json("POST", "/api/v1/persons", linkBody, 403, nil)

	// Another party's registrar does not see SDF's records: no warning from them.
	var irq registered
	c.as("IRQ").json("POST", "/api/v1/persons", map[string]any{"person": person(5, la2, custody.BirthDate{Date: "1990", Precision: custody.Year}),
		"facility": "IQ1", "occurred_at": at(8)}, 201, &irq)
	if reg := registeredEvents(t, c, irq)[0].Data.(*custody.PersonRegistered); reg.Duplicates != nil {
		t.Fatalf("warned of records the caller may not see: %+v", reg.Duplicates)
	}
	// A person unlike any is registered at once; a reason then is not recorded.
	other := person(6, custody.Name{Text: "Yusuf al-Najjar", Script: custody.Latin, Kind: custody.PrimaryName}, custody.BirthDate{Date: "1971", Precision: custody.Year})
	var plain registered
	c.json("POST", "/api/v1/persons", map[string]any{"person": other, "facility": "HSK", "occurred_at": at(9), "duplicate_reason": "none expected"}, 201, &plain)
	if reg := registeredEvents(t, c, plain)[0].Data.(*custody.PersonRegistered); reg.Duplicates != nil {
		t.Fatalf("warning recorded with no candidate: %+v", reg.Duplicates)
	}
	storetest.MustVerify(t, c.db)
}

// TestWarmNames: a handler started over a store of persons builds the names index
// in the background; the search after it finds them, and Close waits for it.
func TestWarmNames(t *testing.T) {
	c := newServer(t)
	c.world()
	var ids []uuid.UUID
	for n := range 5 {
		ids = append(ids, c.register(n, "HSK").Record.ID)
	}
	h, err := api.New(c.db, api.Config{Origin: storetest.Origin, Verifier: storetest.Verifier(t),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Accounts: c.db, PasswordParams: testParams})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan api.NamesWarmed, 1)
	h.WarmNames(func(w api.NamesWarmed) { done <- w })
	w := <-done
	if w.Err != nil || w.Persons != 5 || w.Index <= 0 {
		t.Fatalf("warmed %+v", w)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	cc := *c
	cc.url = srv.URL
	var page rankedPage
	cc.json("GET", "/api/v1/persons?name="+url.QueryEscape(storetest.Person(3).Names[1].Text), nil, 200, &page)
	if len(page.Persons) == 0 || page.Persons[0].Record.ID != ids[3] {
		t.Fatalf("search after warming: %+v", page.Matches)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestImportLikelyDuplicates: an import whose rows registered persons likely are
// is refused with 409 likely_duplicate and a report naming the line and the
// record (its dry run lists them and writes nothing); with duplicate_reason it
// is registered and each such row's event records its candidates and the reason.
func TestImportLikelyDuplicates(t *testing.T) {
	c := newServer(t)
	c.world()
	file := importHeader +
		"Yusuf Hamdan,يوسف حمدان,m,1988-03,IRQ,detainee,,alleged membership of an armed group,SDF internal security,\n"
	if status, b := c.importFile("?facility=HOL", "text/csv", file); status != 201 {
		t.Fatalf("first import: %d %s", status, b)
	}
	again := importHeader +
		"Youssef Hamdane,,m,1988,IRQ,detainee,,alleged membership of an armed group,SDF internal security,\n" +
		"Hawra Nasser,حوراء ناصر,f,~1994,SYR;IRQ,family_member,,,,\n"
	before := c.size()
	status, b := c.importFile("?facility=HSK&dry_run=true", "text/csv", again)
	var dry importAnswer
	if err := json.Unmarshal(b, &dry); status != 200 || err != nil || len(dry.Report.Duplicates) != 1 || dry.Report.Duplicates[0].Line != 3 ||
		dry.Report.Duplicates[0].Candidates[0].RegNo != "HOL-000001" || dry.Report.Duplicates[0].Candidates[0].English == "" {
		t.Fatalf("dry run: %d %s", status, b)
	}
	status, b = c.importFile("?facility=HSK", "text/csv", again)
	var ref importRefused
	if err := json.Unmarshal(b, &ref); status != 409 || err != nil || ref.Code != "likely_duplicate" || len(ref.Report.Duplicates) != 1 {
		t.Fatalf("import: %d %s", status, b)
	}
	if c.size() != before {
		t.Fatal("a refused import wrote to the ledger")
	}
	status, b = c.importFile("?facility=HSK&duplicate_reason="+url.QueryEscape("camp list checked: another Yusuf"), "text/csv", again)
	var got importAnswer
	if err := json.Unmarshal(b, &got); status != 201 || err != nil || len(got.Persons) != 2 {
		t.Fatalf("import with a reason: %d %s", status, b)
	}
	es := registeredEvents(t, c, registered{Receipt: *got.Receipt})
	if d := es[0].Data.(*custody.PersonRegistered).Duplicates; d == nil || d.Reason != "camp list checked: another Yusuf" || len(d.Candidates) != 1 {
		t.Fatalf("first row's warning %+v", d)
	}
	if d := es[1].Data.(*custody.PersonRegistered).Duplicates; d != nil {
		t.Fatalf("second row's warning %+v", d)
	}
	storetest.MustVerify(t, c.db)
}
