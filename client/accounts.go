package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
)

// The accounts of one's party (an administrator's): their writes carry
// secrets (a generated password), so the server keeps no answer to replay and
// they take no Idempotency-Key of the caller's choosing.

// NewUser is an account to make in one's own party. An empty Password makes
// the server generate one, shown once in the answer.
type NewUser struct {
	Name     string        `json:"name"`
	FullName string        `json:"full_name"`
	Roles    []access.Role `json:"roles"`
	Password string        `json:"password,omitempty"`
}

// CreatedUser is an account as made, with the password the server generated
// (empty when one was given).
type CreatedUser struct {
	api.UserView
	Password string `json:"password,omitempty"`
}

// CreateUser makes an account of the signed-in administrator's party.
func (c *Client) CreateUser(ctx context.Context, u NewUser) (*CreatedUser, error) {
	var out CreatedUser
	if _, err := c.send(ctx, http.MethodPost, "/users", u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Users lists the accounts of one's party, by login name.
func (c *Client) Users(ctx context.Context) ([]api.UserView, error) {
	return List[api.UserView](ctx, c, "/users", nil, "users")
}

// User reads an account (by id or login name) and its version, the ETag to give
// UpdateUser.
func (c *Client) User(ctx context.Context, ref string) (*api.UserView, string, error) {
	var u api.UserView
	resp, err := c.get(ctx, "/users/"+url.PathEscape(ref), nil, &u)
	if err != nil {
		return nil, "", err
	}
	return &u, resp.Header.Get("ETag"), nil
}

// UserChange is a change of an account; nil or zero fields are left as they are.
type UserChange struct {
	FullName *string       `json:"full_name,omitempty"`
	Roles    []access.Role `json:"roles,omitempty"`
	Disabled *bool         `json:"disabled,omitempty"`
	Password string        `json:"password,omitempty"`
	Unlock   bool          `json:"unlock,omitempty"`
}

// UpdateUser changes an account. With ifMatch (an ETag from User, or "*") the
// change is made only if the account is still that version: a *Problem with
// status 412 otherwise. It answers the account and its new version.
func (c *Client) UpdateUser(ctx context.Context, ref string, ch UserChange, ifMatch string) (*api.UserView, string, error) {
	b, err := json.Marshal(ch)
	if err != nil {
		return nil, "", fmt.Errorf("client: encode the change of user %s: %w", ref, err)
	}
	var u api.UserView
	resp, err := c.Do(ctx, Request{Method: http.MethodPatch, Path: "/users/" + url.PathEscape(ref), Body: b, IfMatch: ifMatch}, &u)
	if err != nil {
		return nil, "", err
	}
	return &u, resp.Header.Get("ETag"), nil
}
