package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

func TestListPersons(t *testing.T) {
	c := newServer(t)
	c.world()
	for n := range 7 { // nationalities cycle IRQ SYR TUN FRA
		c.register(n, "HSK")
	}
	c.register(7, "IQ1")
	fm := storetest.Person(8)
	fm.Category, fm.Names[1].Text = custody.FamilyMember, "Fatima Hassan"
	c.json("POST", "/api/v1/persons", map[string]any{"person": personJSON(fm), "facility": "HOL", "occurred_at": at(20)}, 201, nil)
	var rel api.Receipt
	c.json("POST", "/api/v1/persons/HSK-000003/releases", map[string]any{"reason": "acquitted", "authority": "court", "occurred_at": at(30)}, 201, &rel)

	// Each party lists the persons it holds; SDF's and IRQ's lists together
	// (IRQ's series sorts last) are everyone's.
	list := func(q string) []string {
		t.Helper()
		var regs []string
		for _, party := range []string{"SDF", "IRQ"} {
			var page custody.PersonPage
			c.as(party).json("GET", "/api/v1/persons?"+q, nil, 200, &page)
			for _, p := range page.Persons {
				if p.Custody.Custodian != storetest.ID(party) {
					t.Errorf("%s lists %s, held by %s", party, p.Record.RegNo, p.Custody.Custodian)
				}
				regs = append(regs, p.Record.RegNo)
			}
		}
		return regs
	}
	for q, want := range map[string]string{
		"":             "HOL-000001 HSK-000001 HSK-000002 HSK-000003 HSK-000004 HSK-000005 HSK-000006 HSK-000007 IQA-000001",
		"facility=HSK": "HSK-000001 HSK-000002 HSK-000004 HSK-000005 HSK-000006 HSK-000007",
		"facility=" + storetest.ID("IQ1").String(): "IQA-000001",
		"nationality=TUN":                          "HSK-000003 HSK-000007",
		"category=family_member":                   "HOL-000001",
		"status=released":                          "HSK-000003",
		"name=fatima":                              "HOL-000001",
		"name=" + "خليل":                           "HSK-000001", // storetest.Person(0), al-Khalil
		"facility=HSK&nationality=IRQ":             "HSK-000001 HSK-000005",
		"after=HSK-000005":                         "HSK-000006 HSK-000007 IQA-000001",
	} {
		if got := strings.Join(list(q), " "); got != want {
			t.Errorf("?%s: %s, want %s", q, got, want)
		}
	}
	// Pagination: pages of 4 cover everything SDF sees once, in order.
	var all []string
	after := ""
	for range 10 {
		var page custody.PersonPage
		c.json("GET", "/api/v1/persons?limit=4&after="+after, nil, 200, &page)
		for _, p := range page.Persons {
			all = append(all, p.Record.RegNo)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if len(all) != 8 || !slices.IsSorted(all) {
		t.Errorf("paginated %v", all)
	}
}
