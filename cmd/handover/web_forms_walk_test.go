package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/handover-project/handover/access"
)

// formUse is what the browser tests do with one form: the API operation it
// performs, whose rule in access.Table names the roles that may use it, and for
// each of those roles the browser tests that submit it as that role, checking the
// outcome on the page and in the ledger. The roles the rule leaves out are tried
// by TestWebRoles/refused (refusedForms): the form is not offered, and both the
// page and the API refuse it.
type formUse struct {
	action string                   // "" for the sign-in and language forms, which anybody uses
	by     map[access.Role][]string // "TestName" or "TestName/subtest name"
}

// submittedForms names, for each address a page's form (or the handover
// screen's script) writes to, what formUse says. TestEveryFormIsSubmitted keeps
// it whole: a new form, or a role the access rules let use a form, without a
// browser test here fails the build's tests.
var submittedForms = map[string]formUse{
	"/login":    {"", everyRole("TestWebRoles/own account")},
	"/logout":   {"logout", everyRole("TestWebRoles/own account")},
	"/language": {"", everyRole("TestWebRoles/own account")},
	"/movements": {"plan-movement", map[access.Role][]string{
		access.FacilityCommander: {"TestWebMovementHandover"},
		access.EscortCommander:   {"TestWebRoles/escort commander plans a movement"}}},
	"/movements/{}/handover/draft": {"submit-handover", map[access.Role][]string{
		access.EscortCommander:   {"TestWebMovementHandover", "TestWebForms/handover survives the field"},
		access.FacilityCommander: {"TestWebMovementHandover"}}},
	"/movements/{}/handover": {"submit-handover", map[access.Role][]string{
		access.EscortCommander:   {"TestWebMovementHandover", "TestWebForms/handover survives the field"},
		access.FacilityCommander: {"TestWebMovementHandover"}}},
	"/incidents/{}/resolutions": {"resolve-incident", map[access.Role][]string{
		access.FacilityCommander: {"TestWebForms/resolve an incident"},
		access.EscortCommander:   {"TestWebForms/resolve an incident"}}},
	"/notifications/{}/completions": {"complete-notification", map[access.Role][]string{
		access.Registrar:         {"TestWebForms/complete a notification"},
		access.FacilityCommander: {"TestWebForms/complete a notification"}}},
	"/persons": {"register-person", map[access.Role][]string{
		access.Registrar:         {"TestWebRegisterDuplicate/register all the same", "TestWebRegisterDuplicate/same person in Arabic"},
		access.FacilityCommander: {"TestWebRegisterDuplicate/a facility commander registers a new person"}}},
	"/duplicates/links": {"link-persons", map[access.Role][]string{
		access.Registrar: {"TestWebDuplicates/same person"}}},
	"/duplicates/distinctions": {"distinguish-persons", map[access.Role][]string{
		access.Registrar: {"TestWebDuplicates/different persons"}}},
	"/campaigns/{}/plan/accept": {"accept-plan", map[access.Role][]string{
		access.TransferApprover: {"TestWebPlan"}}},
	"/transfers/{}/approvals": {"approve-transfer", map[access.Role][]string{
		access.TransferApprover: {"TestWebForms/approve a transfer"}}},
	"/transfers/{}/safeguards": {"record-safeguard", map[access.Role][]string{
		access.LegalOfficer: {"TestWebForms/record and override safeguards", "TestWebForms/refusal stays on the page"}}},
	"/transfers/{}/overrides": {"override-safeguard", map[access.Role][]string{
		access.LegalOfficer: {"TestWebForms/record and override safeguards"}}},
}

// everyRole names the same tests for every role.
func everyRole(tests ...string) map[access.Role][]string {
	m := map[access.Role][]string{}
	for _, r := range access.Roles {
		m[r] = tests
	}
	return m
}

// permittedRoles are the roles access.Table lets take action (every role for "").
func permittedRoles(action string) []access.Role {
	if action == "" {
		return access.Roles
	}
	var out []access.Role
	for _, r := range access.Table {
		if r.Action != action {
			continue
		}
		for _, role := range r.Roles {
			if !slices.Contains(out, role) {
				out = append(out, role)
			}
		}
	}
	return out
}

// refusedRoles are the roles access.Table does not let take action.
func refusedRoles(action string) []access.Role {
	allowed := permittedRoles(action)
	return slices.DeleteFunc(slices.Clone(access.Roles), func(r access.Role) bool { return slices.Contains(allowed, r) })
}

var (
	formTag    = regexp.MustCompile(`(?is)<form\b[^>]*>`)
	postMethod = regexp.MustCompile(`(?i)\bmethod="post"`)
	actionAttr = regexp.MustCompile(`(?i)\b(?:action|data-submit)="([^"]*)"`)
	tmplAction = regexp.MustCompile(`\{\{[^}]*\}\}`)
)

// TestEveryFormIsSubmitted walks the page templates: each form that writes
// (method="post", and the handover screen's data-submit) must be submitted by a
// browser test that exists.
func TestEveryFormIsSubmitted(t *testing.T) {
	files, err := filepath.Glob("../../web/templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("no templates: %v", err)
	}
	tests := testSources(t)
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range formTag.FindAllString(string(b), -1) {
			if !postMethod.MatchString(tag) {
				continue
			}
			for _, m := range actionAttr.FindAllStringSubmatch(tag, -1) {
				action := tmplAction.ReplaceAllString(m[1], "{}")
				seen[action] = true
				if _, ok := submittedForms[action]; !ok {
					t.Errorf("%s: the form writing to %s is submitted by no browser test (add one and name it in submittedForms)", filepath.Base(f), action)
				}
			}
		}
	}
	for form, use := range submittedForms {
		if !seen[form] {
			t.Errorf("submittedForms names %s, which no template's form writes to", form)
		}
		if use.action != "" && !access.DefaultPolicy.Known(use.action) {
			t.Errorf("%s: submittedForms names the action %q, which access.Table does not know", form, use.action)
		}
		allowed := permittedRoles(use.action)
		for _, role := range allowed {
			if len(use.by[role]) == 0 {
				t.Errorf("%s: the role %s may %s, and no browser test submits the form in that role (name one in submittedForms)", form, role, use.action)
			}
		}
		for role, names := range use.by {
			if !slices.Contains(allowed, role) {
				t.Errorf("%s: submittedForms names tests submitting it as a %s, whom access.Table does not let %s", form, role, use.action)
			}
			for _, name := range names {
				if !testExists(tests, name) {
					t.Errorf("%s: submittedForms names %q, which does not exist", form, name)
				}
			}
		}
		if len(refusedRoles(use.action)) > 0 && use.action != "" {
			if _, ok := refusedForms[form]; !ok {
				t.Errorf("%s: the roles that may not %s are not shown to be refused it (add the form to refusedForms)", form, use.action)
			}
		}
	}
	for form := range refusedForms {
		if _, ok := submittedForms[form]; !ok {
			t.Errorf("refusedForms names %s, which submittedForms does not", form)
		}
	}
}

// testSources is the text of the package's test files.
func testSources(t *testing.T) string {
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(raw)
	}
	return b.String()
}

// testExists reports whether "TestName" or "TestName/subtest" is declared.
func testExists(src, name string) bool {
	fn, sub, hasSub := strings.Cut(name, "/")
	if !strings.Contains(src, "func "+fn+"(t *testing.T)") {
		return false
	}
	return !hasSub || strings.Contains(src, `t.Run("`+sub+`"`)
}
