package main

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/storetest"
)

// TestNameSearchAndDuplicates: `persons --name` finds a person under another
// spelling and in the other script, ranked, with the reason; `duplicates` lists the
// two registrations of one person and not the father who shares the family name.
func TestNameSearchAndDuplicates(t *testing.T) {
	m := custody.Meta{Actor: "test", OccurredAt: time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)}
	person := func(n int, name string, script custody.Script, birth custody.BirthDate) custody.Person {
		p := storetest.Person(n)
		p.ID = uuid.Must(uuid.NewV7())
		p.Names = []custody.Name{{Text: name, Script: script, Kind: custody.PrimaryName}}
		p.Birth = birth
		return p
	}
	s := startTestServer(t, func(riv uuid.UUID) []custody.Command {
		return []custody.Command{
			custody.RegisterPerson{Meta: m, Facility: riv, Person: person(1, "عبد الله بن أحمد الجبيلاوي", custody.Arabic, custody.BirthDate{Date: "1988-06-01", Precision: custody.Day})},
			custody.RegisterPerson{Meta: m, Facility: riv, Person: person(2, "AL-JUBAYLAWI Abdallah Ahmed", custody.Latin, custody.BirthDate{Date: "1988", Precision: custody.Year})},
			custody.RegisterPerson{Meta: m, Facility: riv, Person: person(3, "أحمد سعيد الجبيلاوي", custody.Arabic, custody.BirthDate{Date: "1961", Precision: custody.Year})},
		}
	})
	code, out, errs := runCLI(t, append([]string{"persons", "--name", "abdullah jubaylawi"}, s.as("sdfadmin")...)...)
	if code != 0 || !strings.Contains(out, "RIV-000001") || !strings.Contains(out, "RIV-000002") || strings.Contains(out, "RIV-000003") ||
		!strings.Contains(out, "why (ranked by score, best first)") || !strings.Contains(out, "the same name in the other script") {
		t.Errorf("persons --name: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = runCLI(t, append([]string{"duplicates"}, s.as("sdfadmin")...)...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[0], "RIV-000001") || !strings.Contains(lines[0], "RIV-000002") || !strings.Contains(lines[1], "date of birth") {
		t.Errorf("duplicates: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, append([]string{"duplicates", "--arabic"}, s.as("sdfadmin")...)...)
	if code != 0 || !strings.Contains(out, "تاريخ الميلاد") {
		t.Errorf("duplicates --arabic: %s", out)
	}
	if code, _, errs = runCLI(t, append([]string{"duplicates", "--threshold", "3"}, s.as("sdfadmin")...)...); code != 2 && code != 1 || !strings.Contains(errs, "--threshold must be between 0 and 1") {
		t.Errorf("bad threshold: exit %d %s", code, errs)
	}
	// the receiving state sees none of SDF's persons, so no pair
	if code, out, _ = runCLI(t, append([]string{"duplicates"}, s.as("irqadmin")...)...); code != 0 || !strings.Contains(out, "no likely duplicates") {
		t.Errorf("irqadmin: %s", out)
	}
}
