package api

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// Authentication: a browser signs in with POST /api/v1/login and holds a session
// cookie; a machine sends an API token (Authorization: Bearer hot_…). Both
// secrets are kept by the store only as their SHA-256 (access.HashSecret).

const authDoc = "**Signing in.** Every route but `POST /api/v1/login`, `/healthz`, `/openapi.json` and " +
	"the log's tiles under `/log/` needs a signed-in user. A browser signs in with `POST /api/v1/login` " +
	"(`{\"name\", \"password\"}`), which sets the HTTP-only, SameSite=Strict cookie `" + SessionCookie + "`; " +
	"a session ends at logout, after 12 hours, or after 30 minutes unused. A machine sends an API token, " +
	"made with `POST /api/v1/tokens` or `handover token create`: `Authorization: Bearer hot_…`. " +
	"Without credentials, or with ended or revoked ones, the answer is a 401 problem; when no role of the " +
	"user grants the action (the authorisation table, access.Table), a 403 problem; a record the user may not " +
	"see at all gets the 404 problem a record that does not exist gets, and a 403 only when the user may see " +
	"it but not act on it. Failed logins hold back the address they come from (a growing wait per account), " +
	"20 failures from one address get 429; only a guess from many addresses locks an account. " +
	"The acting party and actor of every write are the user's party and login name."

// SessionCookie is the name of the session cookie.
const SessionCookie = "handover_session"

// sessionPrefix starts every session id, as access.TokenPrefix starts tokens.
const sessionPrefix = "hos_"

// Limits of sessions, tokens and logins.
type Limits struct {
	SessionTTL  time.Duration // a session's absolute lifetime
	SessionIdle time.Duration // a session unused this long ends
	TokenTTL    time.Duration // the default lifetime of a new API token
	MaxTokenTTL time.Duration // the longest lifetime of an API token
	// MaxFailedLogins failures of one account from one address within
	// FailedLoginWindow make that address wait before it tries the account again:
	// BackoffBase, doubled at each further failure, at most LockFor. Other
	// addresses are not held back (see loginlimit.go).
	MaxFailedLogins   int
	FailedLoginWindow time.Duration
	BackoffBase       time.Duration
	LockFor           time.Duration // the longest wait, and how long an account-wide lock lasts
	// AccountLockFailures failures of one account within FailedLoginWindow, from
	// at least AccountLockAddresses addresses, lock it for every address (a
	// guess spread over many addresses) for LockFor.
	AccountLockFailures  int
	AccountLockAddresses int
	AddressFailures      int // failed logins from one address within AddressWindow before it gets 429
	AddressWindow        time.Duration
}

// DefaultLimits are the limits of a zero Limits' fields.
var DefaultLimits = Limits{
	SessionTTL: 12 * time.Hour, SessionIdle: 30 * time.Minute,
	TokenTTL: 90 * 24 * time.Hour, MaxTokenTTL: 365 * 24 * time.Hour,
	MaxFailedLogins: 5, FailedLoginWindow: 15 * time.Minute, BackoffBase: 30 * time.Second, LockFor: 15 * time.Minute,
	AccountLockFailures: 50, AccountLockAddresses: 5,
	AddressFailures: 20, AddressWindow: 15 * time.Minute,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	pick := func(v *time.Duration, def time.Duration) {
		if *v <= 0 {
			*v = def
		}
	}
	pick(&l.SessionTTL, d.SessionTTL)
	pick(&l.SessionIdle, d.SessionIdle)
	pick(&l.TokenTTL, d.TokenTTL)
	pick(&l.MaxTokenTTL, d.MaxTokenTTL)
	pick(&l.FailedLoginWindow, d.FailedLoginWindow)
	pick(&l.LockFor, d.LockFor)
	pick(&l.BackoffBase, d.BackoffBase)
	if l.AccountLockFailures <= 0 {
		l.AccountLockFailures = d.AccountLockFailures
	}
	if l.AccountLockAddresses <= 0 {
		l.AccountLockAddresses = d.AccountLockAddresses
	}
	pick(&l.AddressWindow, d.AddressWindow)
	if l.MaxFailedLogins <= 0 {
		l.MaxFailedLogins = d.MaxFailedLogins
	}
	if l.AddressFailures <= 0 {
		l.AddressFailures = d.AddressFailures
	}
	return l
}

// principal is a signed-in user and how they signed in.
type principal struct {
	user    *access.User
	session *access.Session // signed in with the session cookie
	token   *access.Token   // signed in with an API token
}

// request is what the authentication middleware learnt of a request.
type request struct {
	addr      string
	uri       string
	who       *principal    // nil: nobody signed in
	presented bool          // credentials were presented
	refused   string        // why the presented credentials were refused
	failure   error         // the store failed while checking them
	wait      time.Duration // how long the client will wait for its events to be witnessed (Prefer: wait=N)
}

type requestKey struct{}

func requestOf(ctx context.Context) *request {
	if rq, ok := ctx.Value(requestKey{}).(*request); ok {
		return rq
	}
	return &request{}
}

// authenticate finds who sent a request: an API token in the Authorization
// header, else the session cookie. It refuses nothing itself: each route's gate
// decides, so that a stale cookie does not stop a login.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		rq := &request{addr: s.address(r), uri: r.URL.RequestURI(), wait: preferWait(r.Header)}
		if h := r.Header.Get("Authorization"); h != "" {
			rq.presented = true
			rq.who, rq.refused, rq.failure = s.byToken(ctx, h)
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			rq.presented = true
			rq.who, rq.refused, rq.failure = s.bySession(ctx, c.Value)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, requestKey{}, rq)))
	})
}

// address is the client's address: the connection's, or the last X-Forwarded-For
// entry when a trusted proxy sets it.
func (s *server) address(r *http.Request) string {
	if s.cfg.TrustForwardedFor {
		if vs := r.Header.Values("X-Forwarded-For"); len(vs) > 0 {
			parts := strings.Split(vs[len(vs)-1], ",")
			if a := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(a) != nil {
				return a
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// byToken checks an Authorization header.
func (s *server) byToken(ctx context.Context, header string) (*principal, string, error) {
	scheme, tok, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, "the Authorization header must be \"Bearer hot_…\"", nil
	}
	tok = strings.TrimSpace(tok)
	if access.CheckSecretShape(access.TokenPrefix, tok) != nil {
		return nil, "the API token is malformed", nil
	}
	t, err := s.acc.TokenByHash(ctx, access.HashSecret(tok))
	if errors.Is(err, access.ErrNotFound) {
		return nil, "the API token is unknown", nil
	}
	if err != nil {
		return nil, "", err
	}
	now := s.cfg.Now()
	if !t.Active(now) {
		return nil, "the API token was revoked or has expired", nil
	}
	u, refused, err := s.activeUser(ctx, t.User)
	if u == nil {
		return nil, refused, err
	}
	if s.tokens.due(t, now) {
		if err := s.acc.TouchToken(ctx, t.ID, now); err != nil {
			s.log.WarnContext(ctx, "api: token last use not recorded", "token", t.ID, "err", err)
		}
	}
	return &principal{user: u, token: t}, "", nil
}

// bySession checks a session cookie.
func (s *server) bySession(ctx context.Context, id string) (*principal, string, error) {
	const ended = "the session has ended; sign in again"
	if access.CheckSecretShape(sessionPrefix, id) != nil {
		return nil, ended, nil
	}
	hash := access.HashSecret(id)
	sess, err := s.acc.Session(ctx, hash)
	if errors.Is(err, access.ErrNotFound) {
		return nil, ended, nil
	}
	if err != nil {
		return nil, "", err
	}
	now := s.cfg.Now()
	end := func(why string) (*principal, string, error) {
		s.idle.forget(hash)
		if err := s.acc.DeleteSession(ctx, hash); err != nil {
			return nil, "", err
		}
		return nil, why, nil
	}
	if !now.Before(sess.Expires) {
		return end(ended)
	}
	if !s.idle.use(hash, sess.Created, now, s.cfg.Limits.SessionIdle) {
		return end("the session was unused for too long; sign in again")
	}
	u, refused, err := s.activeUser(ctx, sess.User)
	if u == nil {
		return nil, refused, err
	}
	if sess.Created.Before(u.PasswordChanged) {
		return end("the password was changed since this session began; sign in again")
	}
	return &principal{user: u, session: sess}, "", nil
}

// activeUser reads the user a credential belongs to, refusing a disabled one.
func (s *server) activeUser(ctx context.Context, id uuid.UUID) (*access.User, string, error) {
	u, err := s.acc.UserByID(ctx, id)
	if errors.Is(err, access.ErrNotFound) {
		return nil, "the account no longer exists", nil
	}
	if err != nil {
		return nil, "", err
	}
	if u.Disabled {
		return nil, "the account is disabled", nil
	}
	return u, "", nil
}

// idleTracker remembers when each session was last used. It is kept in memory:
// after a restart a session counts as used at the restart.
type idleTracker struct {
	mu    sync.Mutex
	start time.Time
	seen  map[string]time.Time
	uses  int
}

func newIdleTracker(start time.Time) *idleTracker {
	return &idleTracker{start: start, seen: map[string]time.Time{}}
}

// use reports whether a session was used within idle of now, and records the use.
func (t *idleTracker) use(hash []byte, created, now time.Time, idle time.Duration) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	last, ok := t.seen[string(hash)]
	if !ok {
		last = created
		if t.start.After(last) {
			last = t.start
		}
	}
	if now.Sub(last) > idle {
		delete(t.seen, string(hash))
		return false
	}
	t.seen[string(hash)] = now
	if t.uses++; t.uses%1024 == 0 { // forget the sessions gone idle
		for k, v := range t.seen {
			if now.Sub(v) > idle {
				delete(t.seen, k)
			}
		}
	}
	return true
}

func (t *idleTracker) forget(hash []byte) {
	t.mu.Lock()
	delete(t.seen, string(hash))
	t.mu.Unlock()
}

// touches spaces out the recording of tokens' last use: at most once a minute.
type touches struct{ m sync.Map } // token id → time of the last touch

func (t *touches) due(tok *access.Token, now time.Time) bool {
	last := time.Time{}
	if tok.LastUsed != nil {
		last = *tok.LastUsed
	}
	if v, ok := t.m.Load(tok.ID); ok && v.(time.Time).After(last) {
		last = v.(time.Time)
	}
	if now.Sub(last) < time.Minute {
		return false
	}
	t.m.Store(tok.ID, now)
	return true
}

// The account routes of the signed-in user.

// Me is the signed-in user as they see themselves.
type Me struct {
	User      access.User `json:"user"`
	PartyCode string      `json:"party_code,omitempty" doc:"The code of the user's party, once it is registered in the ledger"`
	Via       string      `json:"via" enum:"session,token" doc:"How this request was signed in"`
	Expires   *time.Time  `json:"expires,omitempty" doc:"When the session or token ends"`
	Actions   []string    `json:"actions" doc:"The actions the user's roles grant somewhere (access.Table); each is still checked against the resource"`
}

func (s *server) me(ctx context.Context, p *principal) (Me, error) {
	m := Me{User: *p.user, Actions: []string{}}
	switch {
	case p.session != nil:
		m.Via, m.Expires = "session", &p.session.Expires
	case p.token != nil:
		m.Via, m.Expires = "token", p.token.Expires
	}
	for _, a := range s.policy.Actions() {
		if s.policy.Grant(p.user, a).Allowed() {
			m.Actions = append(m.Actions, a)
		}
	}
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return m, err
	}
	for _, party := range ps {
		if party.ID == p.user.Party {
			m.PartyCode = party.Code
		}
	}
	return m, nil
}

type meOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         Me
}

func (s *server) whoami(ctx context.Context, _ *struct{}) (*meOutput, error) {
	m, err := s.me(ctx, authzOf(ctx).who)
	if err != nil {
		return nil, err
	}
	return &meOutput{CacheControl: "no-store", Body: m}, nil
}

type loginInput struct {
	Body struct {
		Name     string `json:"name" required:"true" maxLength:"100" doc:"The login name"`
		Password string `json:"password" required:"true" maxLength:"1024"`
	}
}

type loginOutput struct {
	SetCookie    string `header:"Set-Cookie"`
	CacheControl string `header:"Cache-Control"`
	Body         Me
}

// loginRefused is the one answer to a failed login, whatever failed, so that it
// does not tell which names exist or which accounts are locked.
const loginRefused = "wrong name or password, or the account is locked or disabled"

func (s *server) login(ctx context.Context, in *loginInput) (*loginOutput, error) {
	rq := requestOf(ctx)
	now := s.cfg.Now()
	name := strings.ToLower(strings.TrimSpace(in.Body.Name))
	if wait := s.addrs.wait(rq.addr, now, s.cfg.Limits); wait > 0 {
		s.record(ctx, access.AuditEntry{Name: clip(name), Action: "login", Target: "user/" + clip(name), Outcome: access.Failed,
			Detail: "too many failed logins from this address"})
		return nil, tooMany(wait)
	}
	s.hashing <- struct{}{}
	u, err := s.acc.UserByName(ctx, name)
	var ok bool
	switch {
	case errors.Is(err, access.ErrNotFound):
		access.CheckNoUser(in.Body.Password)
		u, err = nil, nil
	case err == nil:
		ok, err = access.CheckPassword(in.Body.Password, u.PasswordHash)
		if err != nil {
			s.log.ErrorContext(ctx, "api: stored password hash", "user", u.Name, "err", err)
			ok, err = false, nil
		}
	}
	<-s.hashing
	if err != nil {
		return nil, err
	}
	if u != nil {
		// An address that has failed this account too often waits, whatever
		// the password: the answer is the one of every failure.
		h, err := s.loginHistory(ctx, u, now)
		if err != nil {
			return nil, err
		}
		if until := h.waitUntil(rq.addr, s.cfg.Limits); now.Before(until) {
			s.record(ctx, access.AuditEntry{User: u.ID, Name: u.Name, Party: u.Party, Action: "login", Target: "user/" + u.ID.String(),
				Outcome: access.Denied, Detail: "this address failed too often: it may try this account again at " + until.UTC().Format(time.RFC3339)})
			s.addrs.fail(rq.addr, now, s.cfg.Limits)
			return nil, unauthorized(loginRefused)
		}
	}
	why := ""
	switch {
	case u == nil:
		why = "no such account"
	case !ok:
		why = "wrong password"
	case u.Disabled:
		why = "the account is disabled"
	case now.Before(u.LockedUntil):
		why = "the account is locked until " + u.LockedUntil.UTC().Format(time.RFC3339)
	}
	if why != "" {
		if err := s.loginFailed(ctx, u, name, why, now); err != nil {
			return nil, err
		}
		return nil, unauthorized(loginRefused)
	}

	if u.FailedLogins != 0 || !u.LockedUntil.IsZero() {
		if err := s.changeUser(ctx, u.ID, func(u *access.User) { u.FailedLogins, u.LockedUntil = 0, time.Time{} }); err != nil {
			return nil, err
		}
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
	}
	// A new session at every login: a cookie set before it is never promoted.
	if old := rq.who; old != nil && old.session != nil {
		s.idle.forget(old.session.Hash)
		if err := s.acc.DeleteSession(ctx, old.session.Hash); err != nil {
			return nil, err
		}
	}
	id, hash, err := access.NewSecret(sessionPrefix)
	if err != nil {
		return nil, err
	}
	sess := access.Session{Hash: hash, User: u.ID, Created: now, Expires: now.Add(s.cfg.Limits.SessionTTL), Address: rq.addr}
	if err := s.acc.CreateSession(ctx, sess); err != nil {
		return nil, err
	}
	s.idle.use(hash, now, now, s.cfg.Limits.SessionIdle)
	p := &principal{user: u, session: &sess}
	if err := s.record(ctx, access.AuditEntry{User: u.ID, Name: u.Name, Party: u.Party, Action: "login", Target: "user/" + u.ID.String(), Outcome: access.Allowed}); err != nil {
		return nil, err
	}
	m, err := s.me(ctx, p)
	if err != nil {
		return nil, err
	}
	return &loginOutput{SetCookie: s.cookie(id, false).String(), CacheControl: "no-store", Body: m}, nil
}

// loginFailed records a failed login, counts it against the address, and holds
// back the address, or locks the account, as loginlimit.go says.
func (s *server) loginFailed(ctx context.Context, u *access.User, name, why string, now time.Time) error {
	rq := requestOf(ctx)
	s.addrs.fail(rq.addr, now, s.cfg.Limits)
	e := access.AuditEntry{Name: clip(name), Action: "login", Target: "user/" + clip(name), Outcome: access.Failed, Detail: why}
	if u != nil {
		e.User, e.Party, e.Target = u.ID, u.Party, "user/"+u.ID.String()
	}
	if err := s.record(ctx, e); err != nil {
		return err
	}
	if u == nil || u.Disabled {
		return nil
	}
	return s.limitAfterFailure(ctx, u, now)
}

// changeUser reads a user afresh, changes it and writes it back, so that a
// change does not undo another made since the request read the user.
func (s *server) changeUser(ctx context.Context, id uuid.UUID, change func(*access.User)) error {
	u, err := s.acc.UserByID(ctx, id)
	if err != nil {
		return err
	}
	change(u)
	return s.acc.UpdateUser(ctx, *u)
}

// cookie is the session cookie carrying id, or (clear) the one that removes it.
func (s *server) cookie(id string, clear bool) *http.Cookie {
	c := &http.Cookie{Name: SessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: s.cfg.TLS || s.cfg.SecureCookies}
	if clear {
		c.Value, c.MaxAge = "", -1
	}
	return c
}

func unauthorized(detail string) error {
	return huma.ErrorWithHeaders(newProblem(http.StatusUnauthorized, Unauthenticated, detail),
		http.Header{"WWW-Authenticate": {`Bearer realm="handover"`}})
}

func tooMany(wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	return huma.ErrorWithHeaders(newProblem(http.StatusTooManyRequests, RateLimited,
		fmt.Sprintf("too many failed logins from this address; try again in %d seconds", secs)),
		http.Header{"Retry-After": {strconv.Itoa(secs)}})
}

type clearCookieOutput struct {
	SetCookie string `header:"Set-Cookie"`
}

func (s *server) logout(ctx context.Context, _ *struct{}) (*clearCookieOutput, error) {
	p := authzOf(ctx).who
	if p.session == nil {
		return nil, invalid("header.Authorization", "logout ends a browser session; an API token is revoked with DELETE /api/v1/tokens/{id}")
	}
	s.idle.forget(p.session.Hash)
	if err := s.acc.DeleteSession(ctx, p.session.Hash); err != nil {
		return nil, err
	}
	return &clearCookieOutput{SetCookie: s.cookie("", true).String()}, nil
}

type passwordInput struct {
	Body struct {
		Current string `json:"current" required:"true" maxLength:"1024" doc:"The password now"`
		New     string `json:"new" required:"true" maxLength:"1024" doc:"The new password: at least 12 characters"`
	}
}

func (s *server) changePassword(ctx context.Context, in *passwordInput) (*clearCookieOutput, error) {
	az := authzOf(ctx)
	rq := requestOf(ctx)
	now := s.cfg.Now()
	if wait := s.addrs.wait(rq.addr, now, s.cfg.Limits); wait > 0 {
		return nil, tooMany(wait)
	}
	s.hashing <- struct{}{}
	ok, err := access.CheckPassword(in.Body.Current, az.user.PasswordHash)
	<-s.hashing
	if err != nil {
		return nil, err
	}
	if !ok {
		s.addrs.fail(rq.addr, now, s.cfg.Limits)
		return nil, invalid("body.current", "is not your password")
	}
	if err := access.CheckPasswordStrength(in.Body.New); err != nil {
		return nil, invalid("body.new", err.Error())
	}
	if in.Body.New == in.Body.Current {
		return nil, invalid("body.new", "is your current password")
	}
	if err := s.setPassword(ctx, az.user.ID, in.Body.New, now); err != nil {
		return nil, err
	}
	out := &clearCookieOutput{}
	if az.who.session != nil {
		out.SetCookie = s.cookie("", true).String()
	}
	return out, nil
}

// setPassword hashes and sets a user's password, and ends every session of theirs.
func (s *server) setPassword(ctx context.Context, id uuid.UUID, pw string, now time.Time) error {
	s.hashing <- struct{}{}
	hash, err := access.HashPassword(pw, s.cfg.PasswordParams)
	<-s.hashing
	if err != nil {
		return err
	}
	if err := s.changeUser(ctx, id, func(u *access.User) { u.PasswordHash, u.PasswordChanged = hash, now }); err != nil {
		return err
	}
	return s.acc.DeleteSessions(ctx, id)
}

// addrLimiter counts failed logins per client address, in memory.
type addrLimiter struct {
	mu    sync.Mutex
	fails map[string][]time.Time
}

func newAddrLimiter() *addrLimiter { return &addrLimiter{fails: map[string][]time.Time{}} }

// maxAddresses bounds the addresses remembered; beyond it the oldest go.
const maxAddresses = 100_000

// recent drops the failures of addr older than the window and returns the rest.
func (a *addrLimiter) recent(addr string, now time.Time, lim Limits) []time.Time {
	fs := a.fails[addr]
	i := 0
	for i < len(fs) && now.Sub(fs[i]) >= lim.AddressWindow {
		i++
	}
	fs = fs[i:]
	if len(fs) == 0 {
		delete(a.fails, addr)
	} else {
		a.fails[addr] = fs
	}
	return fs
}

// wait is how long addr must wait before it may try again (0: it may).
func (a *addrLimiter) wait(addr string, now time.Time, lim Limits) time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	fs := a.recent(addr, now, lim)
	if len(fs) < lim.AddressFailures {
		return 0
	}
	return fs[len(fs)-lim.AddressFailures].Add(lim.AddressWindow).Sub(now)
}

func (a *addrLimiter) fail(addr string, now time.Time, lim Limits) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.fails) >= maxAddresses {
		for k := range a.fails { // forget an arbitrary address: rather than grow without bound
			delete(a.fails, k)
			break
		}
	}
	fs := append(a.recent(addr, now, lim), now)
	if len(fs) > lim.AddressFailures {
		fs = fs[len(fs)-lim.AddressFailures:]
	}
	a.fails[addr] = fs
}

// registeredParty reports whether the user's party is in the ledger yet.
func (s *server) registeredParty(ctx context.Context, id uuid.UUID) (bool, error) {
	ps, err := s.store.Parties(ctx)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.ID == id {
			return true, nil
		}
	}
	return false, nil
}
