package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestImportLikelyDuplicates: `import --dry-run` lists the rows that registered
// persons likely are, with the record and score; the import is then refused with
// a precise message and a non-zero exit, registering nobody, and goes through
// with --duplicate-reason.
func TestImportLikelyDuplicates(t *testing.T) {
	m := custody.Meta{Actor: "test", OccurredAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	p := storetest.Person(1)
	p.ID = uuid.Must(uuid.NewV7())
	p.Names = []custody.Name{{Text: "يوسف حمدان", Script: custody.Arabic, Kind: custody.PrimaryName}}
	p.Birth, p.Nationalities = custody.BirthDate{Date: "1988-03", Precision: custody.Month}, []string{"IRQ"}
	s := startTestServer(t, func(riv uuid.UUID) []custody.Command {
		return []custody.Command{custody.RegisterPerson{Meta: m, Facility: riv, Person: p}}
	})
	s.addUser(t, [3]string{"sdfregistrar", "SDF", "registrar"})
	file := filepath.Join(t.TempDir(), "camp.csv")
	csv := "Name,Sex,Born,Nationality,Category,Reasons,Ordered by\n" +
		"#person +name,#person +sex,#date +birth,#country +nationality,#person +category,#description +detention,#org +authority\n" +
		"Youssef Hamdane,m,1988,IRQ,detainee,alleged membership of an armed group,SDF internal security\n" +
		"Hawra Nasser,f,~1994,SYR,family_member,,\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, append([]string{"import", file, "--facility", "RIV", "--dry-run"}, s.as("sdfregistrar")...)...)
	if code != 0 || !strings.Contains(out, "line 3: likely already registered as RIV-000001") || !strings.Contains(out, "1 likely registered already") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, append([]string{"import", file, "--facility", "RIV"}, s.as("sdfregistrar")...)...)
	if code == 0 || !strings.Contains(errs, "line 3: likely already registered as RIV-000001") ||
		!strings.Contains(errs, "1 of 2 rows are likely persons already registered: nothing was registered; pass them with --duplicate-reason") {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, append([]string{"import", file, "--facility", "RIV", "--duplicate-reason", "another Yusuf: other mother"}, s.as("sdfregistrar")...)...)
	if code != 0 || !strings.Contains(out, "registered 2 persons at RIV: RIV-000002 … RIV-000003") {
		t.Fatalf("import with a reason: exit %d\n%s%s", code, out, errs)
	}
}
