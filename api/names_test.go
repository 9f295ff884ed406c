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

// TestDuplicates: two registrations of one person under other spellings, by two
// facilities, are listed as a pair with the explanation; the father with the same
// family name is not; and the fields of a person not yet registered find the
// registered one.
func TestDuplicates(t *testing.T) {
	c := newServer(t)
	c.world()
	reg := func(n int, facility string, nm custody.Name, birth custody.BirthDate, father string) string {
		p := storetest.Person(n)
		p.Names, p.Birth, p.FatherName, p.Sex = []custody.Name{nm}, birth, father, custody.Male
		var r struct{ custody.PersonState }
		// planted duplicates, passed with a reason
		c.as(controller[facility]).json("POST", "/api/v1/persons", map[string]any{"person": personJSON(p), "facility": facility, "occurred_at": at(5 + n),
			"duplicate_reason": "registered twice on purpose"}, 201, &r)
		return r.Record.ID.String()
	}
	ar := func(s string) custody.Name {
		return custody.Name{Text: s, Script: custody.Arabic, Kind: custody.PrimaryName}
	}
	la := func(s string) custody.Name {
		return custody.Name{Text: s, Script: custody.Latin, Kind: custody.PrimaryName}
	}
	a := reg(1, "HSK", ar("عبد الرحمن خالد الحداد"), custody.BirthDate{Date: "1990-04-02", Precision: custody.Day}, "خالد")
	b := reg(2, "HSK", la("AL-HADDAD Abdurrahman Khaled"), custody.BirthDate{Date: "1990", Precision: custody.Year}, "")
	reg(3, "HSK", ar("خالد عمر الحداد"), custody.BirthDate{Date: "1962", Precision: custody.Year}, "عمر")
	var out struct {
		Pairs []struct {
			A, B struct {
				Record custody.Person `json:"person"`
			}
			Score   float64 `json:"score"`
			English string  `json:"english"`
			Arabic  string  `json:"arabic"`
		} `json:"pairs"`
		Matches []struct {
			ID    string  `json:"id"`
			Score float64 `json:"score"`
		} `json:"matches"`
	}
	c.json("GET", "/api/v1/duplicates", nil, 200, &out)
	if len(out.Pairs) != 1 {
		t.Fatalf("pairs: %+v", out.Pairs)
	}
	p := out.Pairs[0]
	ids := []string{p.A.Record.ID.String(), p.B.Record.ID.String()}
	if !(ids[0] == a && ids[1] == b || ids[0] == b && ids[1] == a) || p.Score < 0.8 || !strings.Contains(p.English, "date of birth") || p.Arabic == "" {
		t.Errorf("pair %+v", p)
	}
	q := url.Values{"name": {"Abdelrahman el-Haddad"}, "birth": {"1990"}, "precision": {"year"}, "sex": {"male"}}
	c.json("GET", "/api/v1/duplicates?"+q.Encode(), nil, 200, &out)
	if len(out.Matches) != 2 || out.Matches[0].ID != a && out.Matches[0].ID != b {
		t.Errorf("candidates of a new registration: %+v", out.Matches)
	}
	c.json("GET", "/api/v1/duplicates?threshold=2", nil, 422, nil)
}
