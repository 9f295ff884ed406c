package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

type rankedPage struct {
	custody.PersonPage
	Matches []struct {
		ID      string  `json:"id"`
		Score   float64 `json:"score"`
		English string  `json:"english"`
		Arabic  string  `json:"arabic"`
	} `json:"matches"`
}

// TestSearchByName: a search by name finds a person under other spellings, in the
// other script, family name first, in part; ranks by score with an explanation;
// a registration number or an identifier goes straight to its record; and a person
// registered after the first search is found by the next.
func TestSearchByName(t *testing.T) {
	c := newServer(t)
	c.world()
	reg := func(n int, ar, la string) string {
		p := storetest.Person(n)
		p.Names = []custody.Name{{Text: ar, Script: custody.Arabic, Kind: custody.PrimaryName}}
		if la != "" {
			p.Names = append(p.Names, custody.Name{Text: la, Script: custody.Latin, Kind: custody.Spelling})
		}
		p.Identifiers = []custody.Identifier{{Kind: custody.ICRCNumber, Value: "SY-77-" + strings.Repeat(string(rune('0'+n)), 4)}}
		var r struct{ custody.PersonState }
		c.json("POST", "/api/v1/persons", map[string]any{"person": personJSON(p), "facility": "HSK", "occurred_at": at(5 + n)}, 201, &r)
		return r.Record.RegNo
	}
	sami := reg(1, "سامي البشقلي", "")
	abd := reg(2, "عبد الله بن أحمد الجبيلاوي", "")
	other := reg(3, "سامي الجبيلاوي", "Sami al-Jubaylawi")
	search := func(q string) rankedPage {
		t.Helper()
		var page rankedPage
		c.json("GET", "/api/v1/persons?name="+url.QueryEscape(q), nil, 200, &page)
		return page
	}
	for q, want := range map[string]string{
		"سامي البشقلي":          sami,
		"Bashqali Sami":         sami,
		"Abdallah al-Jbeilaoui": abd,
		"abdullah jubaylawi":    abd,
		"عبدالله الجبيلاوي":     abd,
		"Sami Jubaylawi":        other,
		other:                   other,
		"sy 77 2222":            abd,
	} {
		page := search(q)
		if len(page.Persons) == 0 || page.Persons[0].Record.RegNo != want {
			t.Errorf("%q: first of %d is not %s", q, len(page.Persons), want)
			continue
		}
		if custody.IsRegNo(q) || strings.HasPrefix(q, "sy") {
			continue
		}
		if len(page.Matches) != len(page.Persons) || page.Matches[0].Score < 0.85 || page.Matches[0].English == "" || page.Matches[0].Arabic == "" {
			t.Errorf("%q: matches %+v", q, page.Matches)
		}
	}
	if page := search("Mahmoud Haddad"); len(page.Persons) != 0 {
		t.Errorf("Mahmoud Haddad finds %d", len(page.Persons))
	}
	// a given name alone finds both Samis, and only them
	if page := search("Sami"); len(page.Persons) != 2 || page.Persons[0].Record.RegNo == abd || page.Persons[1].Record.RegNo == abd {
		t.Errorf("Sami: %+v", page.Matches)
	}
	later := reg(4, "نور الدين الزبير", "")
	if page := search("Nureddine Zoubir"); len(page.Persons) == 0 || page.Persons[0].Record.RegNo != later {
		t.Errorf("a person registered after the first search is not found: %+v", page.Matches)
	}
}
