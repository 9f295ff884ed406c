package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
)

// API tokens (one's own) and the accounts of one's party (administrators).

type createTokenInput struct {
	Body struct {
		Name          string `json:"name" required:"true" doc:"What the token is for, like \"nightly export\""`
		ExpiresInDays int    `json:"expires_in_days,omitempty" doc:"Days until it expires; default 90, at most 365"`
	}
}

// NewToken is a token as made: its secret is shown this once.
type NewToken struct {
	access.Token
	Secret string `json:"token" doc:"The token (hot_…), shown only now: send it as Authorization: Bearer <token>"`
}

type newTokenOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         NewToken
}

func (s *server) createToken(ctx context.Context, in *createTokenInput) (*newTokenOutput, error) {
	u := authzOf(ctx).user
	name := strings.TrimSpace(in.Body.Name)
	if name == "" || len(name) > 100 {
		return nil, invalid("body.name", "is required, at most 100 characters")
	}
	ttl := s.cfg.Limits.TokenTTL
	if d := in.Body.ExpiresInDays; d != 0 {
		ttl = time.Duration(d) * 24 * time.Hour
		if d < 0 || ttl > s.cfg.Limits.MaxTokenTTL {
			return nil, invalid("body.expires_in_days", fmt.Sprintf("must be 1 to %d", int(s.cfg.Limits.MaxTokenTTL/(24*time.Hour))))
		}
	}
	secret, hash, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now().UTC()
	exp := now.Add(ttl)
	t := access.Token{ID: uuid.Must(uuid.NewV7()), User: u.ID, Name: name, Hash: hash, Created: now, Expires: &exp}
	if err := s.acc.CreateToken(ctx, t); err != nil {
		return nil, err
	}
	authzOf(ctx).target = "token/" + t.ID.String()
	return &newTokenOutput{CacheControl: "no-store", Body: NewToken{Token: t, Secret: secret}}, nil
}

type tokensOutput struct {
	Body struct {
		Tokens []access.Token `json:"tokens" doc:"Newest first"`
		Paging
	}
}

func (s *server) listTokens(ctx context.Context, in *ListQuery) (*tokensOutput, error) {
	ids, err := in.uuids("token")
	if err != nil {
		return nil, err
	}
	ts, err := s.acc.Tokens(ctx, authzOf(ctx).user.ID)
	if err != nil {
		return nil, err
	}
	ts = keepIDs(ts, ids, func(t *access.Token) uuid.UUID { return t.ID })
	out := &tokensOutput{}
	// Newest first: a token's id is a UUIDv7, in the order tokens are made.
	if out.Body.Tokens, out.Body.Next, err = page(ts, func(t *access.Token) string { return t.ID.String() }, descending, in.PageQuery); err != nil {
		return nil, err
	}
	if out.Body.Tokens == nil {
		out.Body.Tokens = []access.Token{}
	}
	return out, nil
}

type tokenOutput struct{ Body access.Token }

func (s *server) getToken(ctx context.Context, in *tokenRefInput) (*tokenOutput, error) {
	id, err := parseID("path.id", "token", in.ID)
	if err != nil {
		return nil, err
	}
	ts, err := s.acc.Tokens(ctx, authzOf(ctx).user.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ts, func(t access.Token) bool { return t.ID == id })
	if i < 0 {
		return nil, notFound("path.id", fmt.Sprintf("no token %s", id))
	}
	return &tokenOutput{Body: ts[i]}, nil
}

type tokenRefInput struct {
	ID string `path:"id" doc:"The token's id"`
}

// tokenOf: a token belongs to its user (the self scope permits the owner only).
func (s *server) tokenOf(ctx context.Context, ref string) (resource, error) {
	id, err := parseID("path.id", "token", ref)
	if err != nil {
		return resource{}, err
	}
	ts, err := s.acc.Tokens(ctx, uuid.Nil)
	if err != nil {
		return resource{}, err
	}
	i := slices.IndexFunc(ts, func(t access.Token) bool { return t.ID == id })
	if i < 0 {
		return resource{}, notFound("path.id", fmt.Sprintf("no token %s", id))
	}
	return resource{access.Concerns{User: ts[i].User}, "token/" + id.String(), &hidden{missing: notFound("path.id", fmt.Sprintf("no token %s", id))}}, nil
}

// revokeToken revokes one of the caller's own tokens.
func (s *server) revokeToken(ctx context.Context, in *tokenRefInput) (*struct{}, error) {
	id, err := parseID("path.id", "token", in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.acc.RevokeToken(ctx, id, s.cfg.Now().UTC()); err != nil {
		return nil, err
	}
	return &struct{}{}, nil
}

// userByRef finds a user by id or login name.
func (s *server) userByRef(ctx context.Context, ref string) (*access.User, error) {
	if id, err := uuid.Parse(ref); err == nil && len(ref) == 36 {
		return s.acc.UserByID(ctx, id)
	}
	return s.acc.UserByName(ctx, strings.ToLower(ref))
}

// UserView is an account as the API shows it: never its password hash.
type UserView struct {
	access.User
	Locked bool `json:"locked" doc:"Locked now, after too many failed logins"`
}

func (s *server) userView(u *access.User) UserView {
	return UserView{User: *u, Locked: s.cfg.Now().Before(u.LockedUntil)}
}

type usersOutput struct {
	Body struct {
		Users []UserView `json:"users" doc:"By login name"`
		Paging
	}
}

// listUsersInput: the users of a list are named by id or login name, and paged
// by login name.
type listUsersInput struct {
	ID []string `query:"id,explode" doc:"Only these users (ids or login names): repeat the parameter (id=A&id=B) or separate them with commas (id=A,B); at most 500" example:"ops-admin"`
	PageQuery
}

func (s *server) listUsers(ctx context.Context, in *listUsersInput) (*usersOutput, error) {
	refs, err := IDsQuery{ID: in.ID}.refs()
	if err != nil {
		return nil, err
	}
	us, err := s.acc.Users(ctx, authzOf(ctx).user.Party)
	if err != nil {
		return nil, err
	}
	us = keepRefs(us, lower(refs), func(u *access.User) []string { return []string{u.ID.String(), u.Name} })
	out := &usersOutput{}
	if us, out.Body.Next, err = page(us, func(u *access.User) string { return u.Name }, ascending, in.PageQuery); err != nil {
		return nil, err
	}
	out.Body.Users = make([]UserView, len(us))
	for i := range us {
		out.Body.Users[i] = s.userView(&us[i])
	}
	return out, nil
}

// lower is refs in lower case (login names and UUIDs are).
func lower(refs []string) []string {
	if refs == nil {
		return nil
	}
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = strings.ToLower(r)
	}
	return out
}

type createUserInput struct {
	Body struct {
		Name     string        `json:"name" required:"true" doc:"Login name: 2 to 40 lower-case letters, digits, '.', '_' or '-', starting with a letter"`
		FullName string        `json:"full_name" required:"true"`
		Roles    []access.Role `json:"roles" required:"true"`
		Password string        `json:"password,omitempty" maxLength:"1024" doc:"At least 12 characters; absent: one is made and shown once in the answer"`
	}
}

type newUserOutput struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		UserView
		Password string `json:"password,omitempty" doc:"The password made for the user, shown only now"`
	}
}

// newUserConcerns: an account is made in the administrator's own party.
func (s *server) newUserConcerns(ctx context.Context, _ *createUserInput) (resource, error) {
	p := authzOf(ctx).user.Party
	return resource{access.Concerns{Parties: []uuid.UUID{p}}, "party/" + p.String(), nil}, nil
}

func (s *server) createUser(ctx context.Context, in *createUserInput) (*newUserOutput, error) {
	az := authzOf(ctx)
	b := in.Body
	now := s.cfg.Now().UTC()
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: strings.TrimSpace(b.Name), FullName: strings.TrimSpace(b.FullName),
		Party: az.user.Party, Created: now, PasswordChanged: now}
	roles, err := parseRoles(b.Roles)
	if err != nil {
		return nil, err
	}
	u.Roles = roles
	if err := access.ValidateUser(&u); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return nil, invalid("body."+field, msg)
	}
	pw, made := b.Password, ""
	if pw == "" {
		if pw, err = newPassword(); err != nil {
			return nil, err
		}
		made = pw
	} else if err := access.CheckPasswordStrength(pw); err != nil {
		return nil, invalid("body.password", err.Error())
	}
	s.hashing <- struct{}{}
	u.PasswordHash, err = access.HashPassword(pw, s.cfg.PasswordParams)
	<-s.hashing
	if err != nil {
		return nil, err
	}
	if err := s.acc.CreateUser(ctx, u); errors.Is(err, access.ErrExists) {
		return nil, conflict("body.name", fmt.Sprintf("the name %q is taken", u.Name))
	} else if err != nil {
		return nil, err
	}
	az.target = "user/" + u.ID.String()
	out := &newUserOutput{CacheControl: "no-store"}
	out.Body.UserView, out.Body.Password = s.userView(&u), made
	return out, nil
}

// parseRoles checks a list of roles: known, each once, at least one.
func parseRoles(rs []access.Role) ([]access.Role, error) {
	if len(rs) == 0 {
		return nil, invalid("body.roles", "at least one role is required")
	}
	out := make([]access.Role, 0, len(rs))
	for i, r := range rs {
		role, err := access.ParseRole(string(r))
		if err != nil {
			return nil, invalid(fmt.Sprintf("body.roles[%d]", i), err.Error())
		}
		if slices.Contains(out, role) {
			return nil, invalid(fmt.Sprintf("body.roles[%d]", i), "is listed twice")
		}
		out = append(out, role)
	}
	return out, nil
}

// newPassword makes a random password: 32 characters of base64url.
func newPassword() (string, error) {
	s, _, err := access.NewSecret("")
	if err != nil {
		return "", err
	}
	return s[:32], nil
}

type updateUserInput struct {
	ID      string `path:"id" doc:"The user's id or login name"`
	IfMatch string `header:"If-Match" doc:"The ETag of the user as last read (GET /api/v1/users/{id}, or a previous PATCH): the change is made only if the account is still that version, else 412. Optional; * matches any version" example:"\"5e884898da28047151d0e56f8dc62927\""`
	Body    struct {
		FullName *string       `json:"full_name,omitempty"`
		Roles    []access.Role `json:"roles,omitempty" doc:"The user's roles, replacing the present ones"`
		Disabled *bool         `json:"disabled,omitempty" doc:"true: the user may not sign in, their sessions end and their tokens are refused"`
		Password string        `json:"password,omitempty" maxLength:"1024" doc:"A new password (at least 12 characters); every session of the user ends"`
		Unlock   bool          `json:"unlock,omitempty" doc:"Lift a lock after failed logins"`
	}
}

type userOutput struct {
	ETag string `header:"ETag" doc:"The account's version: send it as If-Match with PATCH"`
	Body UserView
}

// userETag is the version of an account: its stored fields (its password hash
// too, through when it was changed), not whether it is locked now.
func userETag(u *access.User) string { return etagOf(u) }

func (s *server) getUser(ctx context.Context, in *userRefInput) (*userOutput, error) {
	u, err := s.userByRef(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	return &userOutput{ETag: userETag(u), Body: s.userView(u)}, nil
}

type userRefInput struct {
	ID string `path:"id" doc:"The user's id or login name"`
}

// stale is the 412 of a write whose If-Match names another version than tag.
func stale(what, tag string) error {
	p := newProblem(http.StatusPreconditionFailed, PreconditionFailed,
		"header.If-Match: the "+what+" has changed since that version; read it again (its ETag is "+tag+")")
	p.Errors = []*huma.ErrorDetail{{Location: "header.If-Match", Message: "not the " + what + "'s current version"}}
	return p
}

// userOf: an account concerns its party.
func (s *server) userOf(ctx context.Context, ref string) (resource, error) {
	u, err := s.userByRef(ctx, ref)
	if errors.Is(err, access.ErrNotFound) {
		return resource{}, notFound("path.id", fmt.Sprintf("no user %q", clip(ref)))
	}
	if err != nil {
		return resource{}, err
	}
	return resource{access.Concerns{Parties: []uuid.UUID{u.Party}}, "user/" + u.ID.String(), &hidden{missing: notFound("path.id", fmt.Sprintf("no user %q", clip(ref)))}}, nil
}

func (s *server) updateUser(ctx context.Context, in *updateUserInput) (*userOutput, error) {
	az := authzOf(ctx)
	b := in.Body
	u, err := s.userByRef(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	prev := *u
	prev.Roles = slices.Clone(u.Roles)
	if in.IfMatch != "" && !matches(in.IfMatch, userETag(&prev)) {
		return nil, stale("account", userETag(&prev))
	}
	self := u.ID == az.user.ID
	if b.FullName != nil {
		u.FullName = strings.TrimSpace(*b.FullName)
	}
	if b.Roles != nil {
		if u.Roles, err = parseRoles(b.Roles); err != nil {
			return nil, err
		}
		if self && !slices.Contains(u.Roles, access.Administrator) {
			return nil, invalid("body.roles", "you may not take the administrator role from yourself: another administrator of your party must")
		}
	}
	end := false
	if b.Disabled != nil {
		if self && *b.Disabled {
			return nil, invalid("body.disabled", "you may not disable yourself: another administrator of your party must")
		}
		end = end || *b.Disabled && !u.Disabled
		u.Disabled = *b.Disabled
	}
	if b.Unlock {
		u.FailedLogins, u.LockedUntil = 0, time.Time{}
	}
	if err := access.ValidateUser(u); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		return nil, invalid("body."+field, msg)
	}
	now := s.cfg.Now().UTC()
	if b.Password != "" {
		if err := access.CheckPasswordStrength(b.Password); err != nil {
			return nil, invalid("body.password", err.Error())
		}
		s.hashing <- struct{}{}
		u.PasswordHash, err = access.HashPassword(b.Password, s.cfg.PasswordParams)
		<-s.hashing
		if err != nil {
			return nil, err
		}
		u.PasswordChanged, end = now, true
	}
	if in.IfMatch == "" {
		err = s.acc.UpdateUser(ctx, *u)
	} else { // the version checked and the write in one statement
		err = s.acc.UpdateUserIf(ctx, *u, prev)
	}
	if errors.Is(err, access.ErrChanged) {
		cur, rerr := s.userByRef(ctx, u.ID.String())
		if rerr != nil {
			return nil, rerr
		}
		return nil, stale("account", userETag(cur))
	} else if err != nil {
		return nil, err
	}
	if b.Unlock {
		if err := s.recordUnlock(ctx, u); err != nil {
			return nil, err
		}
	}
	if end {
		if err := s.acc.DeleteSessions(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return &userOutput{ETag: userETag(u), Body: s.userView(u)}, nil
}
func (in userRefInput) pathID() string { return in.ID }
