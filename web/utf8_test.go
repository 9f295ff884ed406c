package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestFormsRefuseBadUTF8: a form or query value that is not UTF-8 is refused with
// a 422 page naming the field, before anything reaches the API.
func TestFormsRefuseBadUTF8(t *testing.T) {
	h, err := New(Config{PublicURL: "https://handover.example",
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("the API was reached: %s %s", r.Method, r.URL) }),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ method, target, body, field string }{
		{"POST", "/login", "name=sdf-registrar&password=%FF%FE", "password"},
		{"POST", "/transfers/x/safeguards", "kind=medical&finding=fit%C3", "finding"},
		{"GET", "/persons?q=%D8", "", "q"},
	} {
		r := httptest.NewRequest(tc.method, tc.target, strings.NewReader(tc.body))
		if tc.body != "" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "The field "+tc.field+" is not valid UTF-8") {
			t.Errorf("%s %s: %d %.400s", tc.method, tc.target, w.Code, w.Body.String())
		}
	}
}

func TestPublicURLRequired(t *testing.T) {
	for _, u := range []string{"", "evil.example", "javascript:alert(1)"} {
		if _, err := New(Config{API: http.NotFoundHandler(), PublicURL: u}); err == nil || !strings.Contains(err.Error(), "PublicURL") {
			t.Errorf("%q: %v", u, err)
		}
	}
}
