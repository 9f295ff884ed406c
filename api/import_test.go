package api_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/bulk"
)

const importHeader = "Name,Name (ar),Sex,Born,Nationality,Category,Household,Reasons,Ordered by,Reg no\n" +
	"#person +name,#person +name +i_ar,#person +sex,#date +birth,#country +nationality,#person +category,#group +household,#description +detention,#org +authority,#person +code\n"

type importAnswer struct {
	Report  bulk.Report    `json:"report"`
	Persons []api.Imported `json:"persons"`
	Receipt *api.Receipt   `json:"receipt"`
}

type importRefused struct {
	Status int         `json:"status"`
	Code   string      `json:"code"`
	Report bulk.Report `json:"report"`
}

func (c *client) importFile(query, contentType, body string) (int, []byte) {
	c.t.Helper()
	status, _, b := c.as("SDF").withHeader("Content-Type", contentType).do("POST", "/api/v1/imports"+query, body)
	return status, b
}

func TestImportCSV(t *testing.T) {
	c := newServer(t)
	c.world()
	before := c.size()
	file := importHeader +
		"Yusuf Hamdan,يوسف حمدان,m,1988-03,IRQ,detainee,,alleged membership of an armed group,SDF internal security,\n" +
		"Hawra Nasser,حوراء ناصر,f,~1994,SYR;IRQ,family_member,H1,,,\n" +
		"Zaid Nasser,زيد ناصر,m,2015-07-02,SYR,minor,H1,,,HOL-000050\n"

	// A dry run checks and writes nothing.
	status, b := c.importFile("?facility=HOL&dry_run=true", "text/csv", file)
	if status != 200 {
		t.Fatalf("dry run: %d %s", status, b)
	}
	if c.size() != before {
		t.Fatal("a dry run wrote to the ledger")
	}

	status, b = c.importFile("?facility=HOL", "text/csv; charset=utf-8", file)
	if status != 201 {
		t.Fatalf("import: %d %s", status, b)
	}
	var got importAnswer
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.Report.Rows != 3 || len(got.Persons) != 3 || got.Receipt == nil || len(got.Receipt.Events) != 3 {
		t.Fatalf("%s", b)
	}
	want := []string{"HOL-000051", "HOL-000052", "HOL-000050"} // the file's own number first, the rest after it
	for i, p := range got.Persons {
		if p.Line != i+3 || p.RegNo != want[i] {
			t.Errorf("person %d: line %d, %s; want line %d, %s", i, p.Line, p.RegNo, i+3, want[i])
		}
		ps := c.person(p.RegNo)
		if ps.Record.ID != p.ID || ps.Custody.Status != "held" {
			t.Errorf("%s: %+v", p.RegNo, ps.Custody)
		}
	}
	if a, b := c.person("HOL-000052"), c.person("HOL-000050"); a.Record.Household != b.Record.Household {
		t.Error("the rows of household H1 are not one household")
	}
	if c.size() != before+3 {
		t.Fatalf("ledger grew by %d, want 3", c.size()-before)
	}
	c.verifyLedger() // fails the test on any problem
}

func TestImportRefusesWholeFile(t *testing.T) {
	c := newServer(t)
	c.world()
	c.register(1, "HSK") // HSK-000001
	before := c.size()
	for _, tc := range []struct {
		name, contentType, body string
		status                  int
		line                    int
		problem                 string
	}{
		{"BadCell", "text/csv", importHeader +
			"Omar Said,عمر سعيد,m,1990,IRQ,detainee,,alleged,SDF,\n" +
			"Omar Said,عمر سعيد,x,1990,IRAQ,detainee,,alleged,SDF,\n", 422, 4, "is not a sex"},
		{"TakenNumber", "text/csv", importHeader +
			"Omar Said,عمر سعيد,m,1990,IRQ,detainee,,alleged,SDF,\n" +
			"Khalid Jasim,خالد جاسم,m,1979,IRQ,detainee,,alleged,SDF,HSK-000001\n", 409, 4, "already the registration number"},
		{"NoTags", "text/csv", "Name,Sex\nOmar,m\n", 422, 0, "no HXL hashtag row"},
		{"BadJSONLine", "application/x-ndjson", `{"names":[{"text":"Omar","script":"Latn","kind":"primary"}],"sex":"male","color":"blue"}` + "\n", 422, 1, "unknown field"},
		{"Empty", "text/csv", importHeader, 422, 0, "no person"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, b := c.importFile("?facility=HSK", tc.contentType, tc.body)
			if status != tc.status {
				t.Fatalf("status %d, want %d: %s", status, tc.status, b)
			}
			var r importRefused
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range r.Report.Problems {
				if p.Line == tc.line && strings.Contains(p.Message, tc.problem) {
					found = true
				}
			}
			if !found || r.Code == "" {
				t.Fatalf("no problem %q on line %d: %s", tc.problem, tc.line, b)
			}
			if c.size() != before {
				t.Fatal("a refused import wrote to the ledger")
			}
		})
	}
	status, b := c.importFile("?facility=HSK", "application/pdf", "x")
	if status != 415 {
		t.Fatalf("a PDF: %d %s", status, b)
	}
}

// TestImportIdempotent: the same file sent again with the same key is answered as
// the first time, and registers nobody twice.
func TestImportIdempotent(t *testing.T) {
	c := newServer(t)
	c.world()
	before := c.size()
	var rows strings.Builder
	rows.WriteString(importHeader)
	for i := range 40 {
		fmt.Fprintf(&rows, "Person %c%c,شخص,m,1990,IRQ,detainee,,alleged,SDF,\n", 'A'+i%26, 'a'+i/26)
	}
	k := c.withKey("import-hsk-2026-01-20")
	var first, second []byte
	for i, out := range []*[]byte{&first, &second} {
		status, _, b := k.as("SDF").withHeader("Content-Type", "text/csv").do("POST", "/api/v1/imports?facility=HSK", rows.String())
		if status != 201 {
			t.Fatalf("attempt %d: %d %s", i+1, status, b)
		}
		*out = b
	}
	if string(first) != string(second) {
		t.Error("the retry's answer differs from the first")
	}
	if c.size() != before+40 {
		t.Fatalf("ledger grew by %d, want 40", c.size()-before)
	}
}

// BenchmarkImport7000 times one import of a 7,000-row CSV file (a whole campaign's
// detainees) through the handler on a real SQLite store: reading and checking the
// file, one ledger command of 7,000 registrations, and the answer.
func BenchmarkImport7000(b *testing.B) {
	h, token := benchServer(b, access.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	var file strings.Builder
	file.WriteString(importHeader)
	for i := range 7000 {
		fmt.Fprintf(&file, "Person %d Hamdan,يوسف حمدان,m,1988-03,IRQ,detainee,,alleged membership of an armed group,SDF internal security,\n", i)
	}
	body := file.String()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		// the rows share their names, and the second import's rows are the first's
		// persons again: passed as likely duplicates
		r := httptest.NewRequest("POST", "/api/v1/imports?facility=HSK&duplicate_reason=benchmark", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		r.Header.Set("Content-Type", "text/csv")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 201 {
			b.Fatalf("%d %s", w.Code, w.Body.String()[:min(400, w.Body.Len())])
		}
	}
	b.ReportMetric(float64(7000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
