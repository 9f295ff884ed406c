package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// Accounts, sessions, API tokens and the audit log (access.Store), in their own
// tables beside the ledger (migration 00003). Writes go through w (in SQLite, the one
// writer connection, so they wait for the ledger batch being written); reads use r.

// Audit log pages: the default and the largest.
const (
	auditDefaultLimit = 100
	auditMaxLimit     = 1000
)

func timeCol(t time.Time) string { return t.UTC().Format(TimeColumn) }

// nullTime stores the zero time as NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return timeCol(t)
}

func nullTimePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeCol(*t)
}

// nullID stores uuid.Nil as NULL.
func nullID(id uuid.UUID) any {
	if id == uuid.Nil {
		return nil
	}
	return id.String()
}

func parseTimeCol(s string) (time.Time, error) {
	t, err := time.Parse(TimeColumn, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: %w", s, err)
	}
	return t, nil
}

func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTimeCol(s.String)
}

func parseNullTimePtr(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	t, err := parseTimeCol(s.String)
	if err != nil {
		return nil, err
	}
	return &t, nil
}

func parseNullID(s sql.NullString) (uuid.UUID, error) {
	if !s.Valid {
		return uuid.Nil, nil
	}
	return uuid.Parse(s.String)
}

func rolesCol(rs []access.Role) string {
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = string(r)
	}
	return strings.Join(names, " ")
}

func parseRolesCol(s string) []access.Role {
	var rs []access.Role
	for _, f := range strings.Fields(s) {
		rs = append(rs, access.Role(f))
	}
	return rs
}

// isUnique reports whether err is a violation of a uniqueness constraint.
// userWriteErr translates the constraint errors of a write to users.
func (db *Store) userWriteErr(what string, u *access.User, err error) error {
	if db.d.IsUnique(err) {
		return db.errorf("%s %q: name or id is taken: %w", what, u.Name, access.ErrExists)
	}
	return db.errorf("%s %q: %w", what, u.Name, err)
}

// CreateUser adds an account. It refuses an invalid user, and a name or id taken
// (access.ErrExists).
func (db *Store) CreateUser(ctx context.Context, u access.User) error {
	if err := access.ValidateUser(&u); err != nil {
		return db.errorf("create user: %w", err)
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO users
		(id, name, full_name, party, roles, password_hash, disabled, created, password_changed, failed_logins, locked_until)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.ID.String(), u.Name, u.FullName, u.Party.String(), rolesCol(u.Roles), u.PasswordHash, u.Disabled,
		timeCol(u.Created), timeCol(u.PasswordChanged), u.FailedLogins, nullTime(u.LockedUntil))
	if err != nil {
		return db.userWriteErr("create user", &u, err)
	}
	return nil
}

// UpdateUser replaces every field of an account but its ID and Created:
// access.ErrNotFound if there is none, access.ErrExists if it takes another's name.
func (db *Store) UpdateUser(ctx context.Context, u access.User) error {
	return db.updateUser(ctx, u, nil)
}

// UpdateUserIf implements access.Store: the update's WHERE clause holds every
// column of prev, so that the check and the write are one statement.
func (db *Store) UpdateUserIf(ctx context.Context, u, prev access.User) error {
	return db.updateUser(ctx, u, &prev)
}

func (db *Store) updateUser(ctx context.Context, u access.User, prev *access.User) error {
	if err := access.ValidateUser(&u); err != nil {
		return db.errorf("update user: %w", err)
	}
	q := `UPDATE users SET
		name = ?, full_name = ?, party = ?, roles = ?, password_hash = ?, disabled = ?,
		password_changed = ?, failed_logins = ?, locked_until = ?
		WHERE id = ?`
	args := []any{u.Name, u.FullName, u.Party.String(), rolesCol(u.Roles), u.PasswordHash, u.Disabled,
		timeCol(u.PasswordChanged), u.FailedLogins, nullTime(u.LockedUntil), u.ID.String()}
	if prev != nil {
		locked := ""
		if !prev.LockedUntil.IsZero() {
			locked = timeCol(prev.LockedUntil)
		}
		q += ` AND name = ? AND full_name = ? AND party = ? AND roles = ? AND password_hash = ? AND disabled = ?
		AND password_changed = ? AND failed_logins = ? AND COALESCE(locked_until, '') = ?`
		args = append(args, prev.Name, prev.FullName, prev.Party.String(), rolesCol(prev.Roles), prev.PasswordHash, prev.Disabled,
			timeCol(prev.PasswordChanged), prev.FailedLogins, locked)
	}
	res, err := db.w.ExecContext(ctx, q, args...)
	if err != nil {
		return db.userWriteErr("update user", &u, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return db.errorf("update user %q: %w", u.Name, err)
	} else if n == 0 {
		if prev != nil {
			if _, err := db.UserByID(ctx, u.ID); err == nil {
				return db.errorf("update user %s: %w", u.ID, access.ErrChanged)
			}
		}
		return db.errorf("update user %s: %w", u.ID, access.ErrNotFound)
	}
	return nil
}

const userCols = "id, name, full_name, party, roles, password_hash, disabled, created, password_changed, failed_logins, locked_until"

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner) (*access.User, error) {
	var (
		u                        access.User
		id, party, roles         string
		created, passwordChanged string
		lockedUntil              sql.NullString
		err                      error
	)
	if err := row.Scan(&id, &u.Name, &u.FullName, &party, &roles, &u.PasswordHash, &u.Disabled,
		&created, &passwordChanged, &u.FailedLogins, &lockedUntil); err != nil {
		return nil, err
	}
	if u.ID, err = uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("id %q: %w", id, err)
	}
	if u.Party, err = uuid.Parse(party); err != nil {
		return nil, fmt.Errorf("party %q: %w", party, err)
	}
	u.Roles = parseRolesCol(roles)
	if u.Created, err = parseTimeCol(created); err != nil {
		return nil, err
	}
	if u.PasswordChanged, err = parseTimeCol(passwordChanged); err != nil {
		return nil, err
	}
	if u.LockedUntil, err = parseNullTime(lockedUntil); err != nil {
		return nil, err
	}
	return &u, nil
}

func (db *Store) user(ctx context.Context, what, where string, arg any) (*access.User, error) {
	u, err := scanUser(db.r.QueryRowContext(ctx, "SELECT "+userCols+" FROM users WHERE "+where+" = ?", arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("user %s: %w", what, access.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("user %s: %w", what, err)
	}
	return u, nil
}

// UserByID returns an account, or access.ErrNotFound.
func (db *Store) UserByID(ctx context.Context, id uuid.UUID) (*access.User, error) {
	return db.user(ctx, id.String(), "id", id.String())
}

// UserByName returns the account of a login name (as stored: lower case), or
// access.ErrNotFound.
func (db *Store) UserByName(ctx context.Context, name string) (*access.User, error) {
	return db.user(ctx, fmt.Sprintf("%q", name), "name", name)
}

// Users lists the accounts of a party (uuid.Nil: of every party), by name.
func (db *Store) Users(ctx context.Context, party uuid.UUID) ([]access.User, error) {
	q, args := "SELECT "+userCols+" FROM users", []any{}
	if party != uuid.Nil {
		q += " WHERE party = ?"
		args = append(args, party.String())
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY name", args...)
	if err != nil {
		return nil, db.errorf("list users: %w", err)
	}
	defer rows.Close()
	var out []access.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, db.errorf("list users: %w", err)
		}
		out = append(out, *u)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("list users: %w", err)
	}
	return out, nil
}

// CreateSession records a login. It also forgets the sessions that have expired.
// access.ErrNotFound if the user does not exist, access.ErrExists if the hash is
// already a session's.
func (db *Store) CreateSession(ctx context.Context, s access.Session) error {
	if len(s.Hash) == 0 {
		return db.errorf("create session: no hash")
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return db.errorf("create session: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "DELETE FROM sessions WHERE expires <= ?", timeCol(time.Now())); err != nil {
		return db.errorf("forget expired sessions: %w", err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO sessions (hash, "+db.d.UserColumn+", created, expires, address) VALUES (?, ?, ?, ?, ?)",
		s.Hash, s.User.String(), timeCol(s.Created), timeCol(s.Expires), s.Address)
	switch {
	case db.d.IsUnique(err):
		return db.errorf("create session: %w", access.ErrExists)
	case db.d.IsForeignKey(err):
		return db.errorf("create session: user %s: %w", s.User, access.ErrNotFound)
	case err != nil:
		return db.errorf("create session: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return db.errorf("create session: %w", err)
	}
	return nil
}

// Session returns the session of a hash, or access.ErrNotFound if there is none or
// it has expired.
func (db *Store) Session(ctx context.Context, hash []byte) (*access.Session, error) {
	var (
		s                      access.Session
		user, created, expires string
	)
	err := db.r.QueryRowContext(ctx, "SELECT "+db.d.UserColumn+", created, expires, address FROM sessions WHERE hash = ? AND expires > ?",
		hash, timeCol(time.Now())).Scan(&user, &created, &expires, &s.Address)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("session: %w", access.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("session: %w", err)
	}
	s.Hash = append([]byte(nil), hash...)
	if s.User, err = uuid.Parse(user); err != nil {
		return nil, db.errorf("session: user %q: %w", user, err)
	}
	if s.Created, err = parseTimeCol(created); err != nil {
		return nil, db.errorf("session: %w", err)
	}
	if s.Expires, err = parseTimeCol(expires); err != nil {
		return nil, db.errorf("session: %w", err)
	}
	return &s, nil
}

// DeleteSession ends a session (logout). Ending one that does not exist is not an
// error.
func (db *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE hash = ?", hash); err != nil {
		return db.errorf("delete session: %w", err)
	}
	return nil
}

// DeleteSessions ends every session of a user.
func (db *Store) DeleteSessions(ctx context.Context, user uuid.UUID) error {
	if _, err := db.w.ExecContext(ctx, "DELETE FROM sessions WHERE "+db.d.UserColumn+" = ?", user.String()); err != nil {
		return db.errorf("delete sessions of %s: %w", user, err)
	}
	return nil
}

// CreateToken records an API token: access.ErrExists if its id or hash is taken,
// access.ErrNotFound if its user does not exist.
func (db *Store) CreateToken(ctx context.Context, t access.Token) error {
	if t.ID == uuid.Nil || len(t.Hash) == 0 {
		return db.errorf("create token: id and hash are required")
	}
	_, err := db.w.ExecContext(ctx, `INSERT INTO tokens (id, `+db.d.UserColumn+`, name, hash, created, expires, revoked, last_used)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID.String(), t.User.String(), t.Name, t.Hash, timeCol(t.Created),
		nullTimePtr(t.Expires), nullTimePtr(t.Revoked), nullTimePtr(t.LastUsed))
	switch {
	case db.d.IsUnique(err):
		return db.errorf("create token %s: %w", t.ID, access.ErrExists)
	case db.d.IsForeignKey(err):
		return db.errorf("create token %s: user %s: %w", t.ID, t.User, access.ErrNotFound)
	case err != nil:
		return db.errorf("create token %s: %w", t.ID, err)
	}
	return nil
}

func (db *Store) tokenCols() string {
	return "id, " + db.d.UserColumn + ", name, hash, created, expires, revoked, last_used"
}

func scanToken(row scanner) (*access.Token, error) {
	var (
		t                          access.Token
		id, user, created          string
		expires, revoked, lastUsed sql.NullString
		err                        error
	)
	if err := row.Scan(&id, &user, &t.Name, &t.Hash, &created, &expires, &revoked, &lastUsed); err != nil {
		return nil, err
	}
	if t.ID, err = uuid.Parse(id); err != nil {
		return nil, fmt.Errorf("id %q: %w", id, err)
	}
	if t.User, err = uuid.Parse(user); err != nil {
		return nil, fmt.Errorf("user %q: %w", user, err)
	}
	if t.Created, err = parseTimeCol(created); err != nil {
		return nil, err
	}
	if t.Expires, err = parseNullTimePtr(expires); err != nil {
		return nil, err
	}
	if t.Revoked, err = parseNullTimePtr(revoked); err != nil {
		return nil, err
	}
	if t.LastUsed, err = parseNullTimePtr(lastUsed); err != nil {
		return nil, err
	}
	return &t, nil
}

// TokenByHash returns the token of a hash — revoked and expired ones too (see
// access.Token.Active) — or access.ErrNotFound.
func (db *Store) TokenByHash(ctx context.Context, hash []byte) (*access.Token, error) {
	t, err := scanToken(db.r.QueryRowContext(ctx, "SELECT "+db.tokenCols()+" FROM tokens WHERE hash = ?", hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, db.errorf("token: %w", access.ErrNotFound)
	}
	if err != nil {
		return nil, db.errorf("token: %w", err)
	}
	return t, nil
}

// Tokens lists a user's tokens (uuid.Nil: everyone's), revoked ones included,
// newest first.
func (db *Store) Tokens(ctx context.Context, user uuid.UUID) ([]access.Token, error) {
	q, args := "SELECT "+db.tokenCols()+" FROM tokens", []any{}
	if user != uuid.Nil {
		q += " WHERE " + db.d.UserColumn + " = ?"
		args = append(args, user.String())
	}
	rows, err := db.r.QueryContext(ctx, q+" ORDER BY created DESC, id", args...)
	if err != nil {
		return nil, db.errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []access.Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, db.errorf("list tokens: %w", err)
		}
		out = append(out, *t)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes a token at a time; a token already revoked keeps its first
// revocation time. access.ErrNotFound if there is no such token.
func (db *Store) RevokeToken(ctx context.Context, id uuid.UUID, at time.Time) error {
	res, err := db.w.ExecContext(ctx, "UPDATE tokens SET revoked = COALESCE(revoked, ?) WHERE id = ?", timeCol(at), id.String())
	if err != nil {
		return db.errorf("revoke token %s: %w", id, err)
	}
	return db.oneRow(res, "revoke token", id)
}

// TouchToken records a token's use at a time; last_used only moves forward.
// access.ErrNotFound if there is no such token.
func (db *Store) TouchToken(ctx context.Context, id uuid.UUID, at time.Time) error {
	t := timeCol(at)
	res, err := db.w.ExecContext(ctx, "UPDATE tokens SET last_used = "+db.d.Greatest+"(coalesce(last_used, ''), ?) WHERE id = ?", t, id.String())
	if err != nil {
		return db.errorf("touch token %s: %w", id, err)
	}
	return db.oneRow(res, "touch token", id)
}

func (db *Store) oneRow(res sql.Result, what string, id uuid.UUID) error {
	n, err := res.RowsAffected()
	if err != nil {
		return db.errorf("%s %s: %w", what, id, err)
	}
	if n == 0 {
		return db.errorf("%s %s: %w", what, id, access.ErrNotFound)
	}
	return nil
}

// Audit appends entries to the audit log in one transaction, giving each its Seq
// (in es, in order). An entry without a time is given the present.
func (db *Store) Audit(ctx context.Context, es []access.AuditEntry) error {
	if len(es) == 0 {
		return nil
	}
	tx, err := db.begin(ctx)
	if err != nil {
		return db.errorf("audit: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO audit (at, `+db.d.UserColumn+`, name, party, action, target, address, outcome, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`)
	if err != nil {
		return db.errorf("audit: %w", err)
	}
	defer stmt.Close()
	seqs := make([]int64, len(es))
	now := time.Now()
	for i := range es {
		e := &es[i]
		at := e.At
		if at.IsZero() {
			at = now
		}
		err := stmt.QueryRowContext(ctx, timeCol(at), nullID(e.User), e.Name, nullID(e.Party), e.Action, e.Target,
			e.Address, string(e.Outcome), e.Detail).Scan(&seqs[i])
		if err != nil {
			return db.errorf("audit %s by %q: %w", e.Action, e.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return db.errorf("audit: %w", err)
	}
	for i := range es {
		es[i].Seq = seqs[i]
		if es[i].At.IsZero() {
			es[i].At = now
		}
	}
	return nil
}

// AuditLog returns the audit entries a filter selects, by seq: Since inclusive,
// Until exclusive, After a seq; Limit 100 by default, at most 1000.
func (db *Store) AuditLog(ctx context.Context, f access.AuditFilter) ([]access.AuditEntry, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if !f.Since.IsZero() {
		add("at >= ?", timeCol(f.Since))
	}
	if !f.Until.IsZero() {
		add("at < ?", timeCol(f.Until))
	}
	if f.User != uuid.Nil {
		add(db.d.UserColumn+" = ?", f.User.String())
	}
	if f.Party != uuid.Nil {
		add("party = ?", f.Party.String())
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Outcome != "" {
		add("outcome = ?", string(f.Outcome))
	}
	if f.After > 0 {
		add("seq > ?", f.After)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = auditDefaultLimit
	}
	limit = min(limit, auditMaxLimit)
	q := "SELECT seq, at, " + db.d.UserColumn + ", name, party, action, target, address, outcome, detail FROM audit"
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []access.AuditEntry
	for rows.Next() {
		var (
			e           access.AuditEntry
			at, outcome string
			user, party sql.NullString
		)
		if err := rows.Scan(&e.Seq, &at, &user, &e.Name, &party, &e.Action, &e.Target, &e.Address, &outcome, &e.Detail); err != nil {
			return nil, db.errorf("audit log: %w", err)
		}
		if e.At, err = parseTimeCol(at); err != nil {
			return nil, db.errorf("audit log, entry %d: %w", e.Seq, err)
		}
		if e.User, err = parseNullID(user); err != nil {
			return nil, db.errorf("audit log, entry %d: user: %w", e.Seq, err)
		}
		if e.Party, err = parseNullID(party); err != nil {
			return nil, db.errorf("audit log, entry %d: party: %w", e.Seq, err)
		}
		e.Outcome = access.Outcome(outcome)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("audit log: %w", err)
	}
	return out, nil
}
