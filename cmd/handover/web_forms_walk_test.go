package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// submittedForms names, for each address a page's form (or the handover
// screen's script) writes to, the browser tests that submit it and the roles
// they submit it as. TestEveryFormIsSubmitted keeps it whole: a new form without
// a test here fails the build's tests.
var submittedForms = map[string]struct {
	roles []string
	tests []string // "TestName" or "TestName/subtest name"
}{
	"/login":    {[]string{"every role"}, []string{"TestWebForms", "TestWebArabic"}},
	"/logout":   {[]string{"monitor"}, []string{"TestWebForms/sign out"}},
	"/language": {[]string{"registrar"}, []string{"TestWebArabic"}},
	"/movements": {[]string{"facility commander"},
		[]string{"TestWebMovementHandover"}},
	"/movements/{}/handover/draft": {[]string{"escort commander", "facility commander"},
		[]string{"TestWebMovementHandover", "TestWebForms/handover survives the field"}},
	"/movements/{}/handover": {[]string{"escort commander", "facility commander"},
		[]string{"TestWebMovementHandover", "TestWebForms/handover survives the field"}},
	"/incidents/{}/resolutions": {[]string{"facility commander", "escort commander"},
		[]string{"TestWebForms/resolve an incident"}},
	"/notifications/{}/completions": {[]string{"registrar", "facility commander"},
		[]string{"TestWebForms/complete a notification"}},
	"/persons": {[]string{"registrar"},
		[]string{"TestWebRegisterDuplicate/register all the same", "TestWebRegisterDuplicate/same person in Arabic"}},
	"/duplicates/links": {[]string{"registrar"},
		[]string{"TestWebDuplicates/same person"}},
	"/duplicates/distinctions": {[]string{"registrar"},
		[]string{"TestWebDuplicates/different persons"}},
	"/campaigns/{}/plan/accept": {[]string{"transfer approver"},
		[]string{"TestWebPlan"}},
	"/transfers/{}/approvals": {[]string{"transfer approver (both sides)"},
		[]string{"TestWebForms/approve a transfer"}},
	"/transfers/{}/safeguards": {[]string{"legal officer"},
		[]string{"TestWebForms/record and override safeguards"}},
	"/transfers/{}/overrides": {[]string{"legal officer"},
		[]string{"TestWebForms/record and override safeguards"}},
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
				st, ok := submittedForms[action]
				if !ok {
					t.Errorf("%s: the form writing to %s is submitted by no browser test (add one and name it in submittedForms)", filepath.Base(f), action)
					continue
				}
				for _, name := range st.tests {
					if !testExists(tests, name) {
						t.Errorf("%s: submittedForms names %q, which does not exist", action, name)
					}
				}
			}
		}
	}
	for action := range submittedForms {
		if !seen[action] {
			t.Errorf("submittedForms names %s, which no template's form writes to", action)
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
