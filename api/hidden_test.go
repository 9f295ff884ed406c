package api_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// recordPaths are the path prefixes of per-record routes: a record of one party
// that another may not see. Reference data (parties, facilities, keys,
// campaigns) is everyone's to see and is not among them.
var recordPaths = []string{"/api/v1/persons/{id}", "/api/v1/transfers/{id}", "/api/v1/movements/{id}", "/api/v1/incidents/{id}",
	"/api/v1/notifications/{id}", "/api/v1/events/{index}", "/api/v1/users/{id}", "/api/v1/tokens/{id}"}

// absentRef is a reference of the same form as ref to no record.
func absentRef(ref string) string {
	switch {
	case strings.Count(ref, "-") == 4 && len(ref) == 36:
		return uuid.Must(uuid.NewV7()).String()
	case strings.Trim(ref, "0123456789") == "":
		return "999999"
	case strings.HasPrefix(ref, "HSK-") || strings.HasPrefix(ref, "IQA-"):
		return ref[:4] + "999999"
	}
	return "nobody-by-this-name"
}

// TestHiddenIsMissing: over every per-record route of the authorisation matrix,
// for every user, a record the user may not see gets exactly the answer a
// reference to no record gets (404, the same problem but for the reference), so
// that no answer tells "no such record" from "not yours". A 403 is left only for
// a user whose roles do not grant the action at all (the same for any record), or
// who may see the record but not act on it.
func TestHiddenIsMissing(t *testing.T) {
	f := newMatrixFixture(t)
	c := f.c
	routes := routesOf(t, c)
	cases := f.cases()

	// Who may read each record: the matrix's read cases.
	reads := map[string]allow{}
	for _, tc := range cases {
		if tc.id != "" && (strings.HasPrefix(tc.action, "get-") || tc.action == "person-history") {
			reads[tc.id] = tc.allowed
		}
	}
	var recordCases []matrixCase
	covered := map[string]bool{}
	for _, tc := range cases {
		r, ok := routes[tc.action]
		if !ok || !slices.ContainsFunc(recordPaths, func(p string) bool { return strings.HasPrefix(r.path, p) }) {
			continue
		}
		recordCases = append(recordCases, tc)
		covered[tc.action] = true
	}
	for action, r := range routes {
		if slices.ContainsFunc(recordPaths, func(p string) bool { return strings.HasPrefix(r.path, p) }) && !covered[action] {
			t.Errorf("per-record route %s %s (%s) has no case", r.method, r.path, action)
		}
	}

	type user struct {
		party string
		role  access.Role
	}
	var users []user
	for _, p := range matrixParties {
		for _, r := range access.Roles {
			users = append(users, user{p, r})
		}
	}
	type answer struct {
		status int
		body   []byte
	}
	type pair struct{ present, absent answer }
	results := make([][]pair, len(recordCases))
	for i := range results {
		results[i] = make([]pair, len(users))
	}
	var wg sync.WaitGroup
	var failed sync.Once
	for j, u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			token := f.tokens[userName(u.party, u.role)]
			for i, tc := range recordCases {
				r := routes[tc.action]
				var body any
				if r.method != "GET" {
					body = tc.body
					if body == nil {
						body = map[string]any{}
					}
				}
				for k, ref := range []string{tc.id, absentRef(tc.id)} {
					path := strings.NewReplacer("{id}", ref, "{index}", ref).Replace(r.path) + tc.query
					st, b, err := send(c.url, token, r.method, path, body)
					if err != nil {
						failed.Do(func() { t.Errorf("%s: %v", path, err) })
						return
					}
					a := answer{st, bytes.ReplaceAll(b, []byte(ref), []byte("<ref>"))}
					if k == 0 {
						results[i][j].present = a
					} else {
						results[i][j].absent = a
					}
				}
			}
		}()
	}
	wg.Wait()

	hidden, seenDenied, roleDenied := 0, 0, 0
	for i, tc := range recordCases {
		for j, u := range users {
			got := results[i][j]
			where := fmt.Sprintf("%s %s by %s %s", tc.action, tc.id, u.party, u.role)
			switch got.present.status {
			case 404:
				hidden++
				if got.absent.status != 404 || !bytes.Equal(got.present.body, got.absent.body) {
					t.Errorf("%s: a hidden record gets\n  %d %s\nand no record gets\n  %d %s", where, got.present.status, got.present.body, got.absent.status, got.absent.body)
				}
			case 403:
				switch {
				case got.absent.status == 403:
					roleDenied++ // the roles do not grant the action: the same for any record
				case reads[tc.id] != nil && reads[tc.id](u.party, u.role):
					seenDenied++ // the user sees the record, and may not act on it
				default:
					t.Errorf("%s: 403 for a record the user may not see, %d for no record: an existence oracle", where, got.absent.status)
				}
			}
		}
	}
	t.Logf("%d per-record cases × %d users: %d hidden as missing, %d denied a visible record, %d denied by role", len(recordCases), len(users), hidden, seenDenied, roleDenied)
	if hidden == 0 {
		t.Error("no record was hidden: the test tries nothing")
	}
}
