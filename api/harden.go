package api

import (
	"net/http"
	"strings"

	"github.com/handover-project/handover/access"
)

// Security headers on every response. The API serves JSON and the log's tiles;
// nothing it serves runs script, so the policy allows none inline.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"

func (s *server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if s.cfg.TLS || s.cfg.SecureCookies { // clients reach us over HTTPS
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store") // records of persons stay out of shared caches
		}
		next.ServeHTTP(w, r)
	})
}

// crossOrigin refuses a browser's state-changing request sent from another
// origin (http.CrossOriginProtection: Sec-Fetch-Site, else Origin against Host).
// Requests without those headers — command-line clients — pass; SameSite=Strict
// keeps the session cookie off cross-site requests besides.
func (s *server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := requestOf(r.Context())
		s.record(r.Context(), access.AuditEntry{Action: r.Method + " " + r.URL.Path, Target: rq.uri, Outcome: access.Denied, Detail: "cross-origin request"})
		writeProblem(w, http.StatusForbidden, "cross-origin request refused: state-changing requests must come from this server's own pages")
	}))
	return cop.Handler(next)
}
