package access

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
)

// User is an account: one person, of one party, holding roles.
type User struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"` // login name: lower case, unique
	FullName string    `json:"full_name"`
	Party    uuid.UUID `json:"party"`
	Roles    []Role    `json:"roles"`
	// PasswordHash is the PHC argon2id hash; never serialised to clients.
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled,omitempty"`
	Created      time.Time `json:"created"`
	// PasswordChanged is when the password was last set; sessions begun before it
	// are no longer valid.
	PasswordChanged time.Time `json:"password_changed"`
	// FailedLogins counts consecutive failed logins; LockedUntil is set when they
	// pass the limit (see Limiter).
	FailedLogins int       `json:"failed_logins,omitempty"`
	LockedUntil  time.Time `json:"locked_until,omitzero"`
}

// Has reports whether the user holds a role.
func (u *User) Has(r Role) bool { return slices.Contains(u.Roles, r) }

var namePattern = regexp.MustCompile(`^[a-z][a-z0-9._-]{1,39}$`)

// hiddenInName reports a rune a name may not hold: a control character, or a
// format character (Unicode Cf: directional controls, zero-width spaces…) other
// than the joiners Arabic-script spelling uses.
func hiddenInName(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != 0x200c && r != 0x200d
}

// ValidateUser checks a user's own fields.
func ValidateUser(u *User) error {
	switch {
	case u.ID == uuid.Nil:
		return errors.New("id: is required")
	case !namePattern.MatchString(u.Name):
		return errors.New("name: must be 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	case len(u.FullName) == 0 || len(u.FullName) > 200:
		return errors.New("full_name: is required, at most 200 characters")
	case !utf8.ValidString(u.FullName):
		return errors.New("full_name: is not valid UTF-8")
	case strings.ContainsFunc(u.FullName, hiddenInName):
		return errors.New("full_name: contains a control or invisible format character (a name holds only what it shows)")
	case u.Party == uuid.Nil:
		return errors.New("party: is required")
	case len(u.Roles) == 0:
		return errors.New("roles: at least one role is required")
	}
	for _, r := range u.Roles {
		if _, err := ParseRole(string(r)); err != nil {
			return errors.New("roles: " + err.Error())
		}
	}
	return nil
}

// Session is a browser login. Its id is a secret held in an HTTP-only cookie; the
// store keeps its hash.
type Session struct {
	Hash    []byte    `json:"-"`
	User    uuid.UUID `json:"user"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Address string    `json:"address"` // where it was opened from
}

// Token is an API token for a machine. The store keeps its hash.
type Token struct {
	ID       uuid.UUID  `json:"id"`
	User     uuid.UUID  `json:"user"`
	Name     string     `json:"name"` // what it is for
	Hash     []byte     `json:"-"`
	Created  time.Time  `json:"created"`
	Expires  *time.Time `json:"expires,omitempty"`
	Revoked  *time.Time `json:"revoked,omitempty"`
	LastUsed *time.Time `json:"last_used,omitempty"`
}

// Active reports whether a token may be used at time now.
func (t *Token) Active(now time.Time) bool {
	return t.Revoked == nil && (t.Expires == nil || now.Before(*t.Expires))
}

// Outcome of an audited act.
type Outcome string

const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied" // authenticated, not authorised
	Failed  Outcome = "failed" // e.g. a wrong password
)

// AuditEntry is one line of the audit log: who did what, to what, when, from where.
type AuditEntry struct {
	Seq     int64     `json:"seq"` // given by the store, increasing
	At      time.Time `json:"at"`
	User    uuid.UUID `json:"user,omitzero"`
	Name    string    `json:"name"` // the user's login name, or the name tried
	Party   uuid.UUID `json:"party,omitzero"`
	Action  string    `json:"action"` // e.g. "get-person", "login", "export"
	Target  string    `json:"target,omitempty"`
	Address string    `json:"address"`
	Outcome Outcome   `json:"outcome"`
	Detail  string    `json:"detail,omitempty"`
}

// AuditFilter selects audit entries. Zero fields do not filter.
type AuditFilter struct {
	Since, Until time.Time
	User         uuid.UUID
	Party        uuid.UUID
	Action       string
	Outcome      Outcome
	After        int64 // entries with Seq > After
	Limit        int   // default 100, at most 1000
}

// ErrNotFound is returned by a Store for a missing user, session or token; ErrExists
// for a login name already taken.
var (
	ErrNotFound = errors.New("access: not found")
	ErrExists   = errors.New("access: already exists")
	// ErrChanged is returned by UpdateUserIf when the user is no longer as read.
	ErrChanged = errors.New("access: changed since it was read")
)

// Store keeps accounts, sessions, tokens and the audit log, outside the ledger.
type Store interface {
	CreateUser(ctx context.Context, u User) error // ErrExists if the name or id is taken
	UpdateUser(ctx context.Context, u User) error // replaces every field but ID and Created; ErrNotFound
	// UpdateUserIf is UpdateUser done only if the stored user is still prev, in
	// one statement: ErrChanged if another write came between the read and it.
	UpdateUserIf(ctx context.Context, u, prev User) error
	UserByID(ctx context.Context, id uuid.UUID) (*User, error)
	UserByName(ctx context.Context, name string) (*User, error)
	Users(ctx context.Context, party uuid.UUID) ([]User, error) // uuid.Nil: every party; by name

	CreateSession(ctx context.Context, s Session) error
	// Session returns ErrNotFound also for an expired session, judged by the
	// store's clock (the real time), and CreateSession clears expired ones.
	Session(ctx context.Context, hash []byte) (*Session, error)
	DeleteSession(ctx context.Context, hash []byte) error
	DeleteSessions(ctx context.Context, user uuid.UUID) error // every session of a user (password change, disable)

	CreateToken(ctx context.Context, t Token) error
	TokenByHash(ctx context.Context, hash []byte) (*Token, error)      // revoked and expired too: the caller checks Active
	Tokens(ctx context.Context, user uuid.UUID) ([]Token, error)       // uuid.Nil: all; newest first
	RevokeToken(ctx context.Context, id uuid.UUID, at time.Time) error // keeps the first revocation's time
	TouchToken(ctx context.Context, id uuid.UUID, at time.Time) error  // last used

	Audit(ctx context.Context, e []AuditEntry) error // appends, giving each a Seq
	AuditLog(ctx context.Context, f AuditFilter) ([]AuditEntry, error)
}
