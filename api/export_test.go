package api

import (
	"errors"
	"net/http"
)

// AuthorizeForBenchmark runs what a request to a signed-in route pays for its
// authorisation before its handler: the check of its credentials (authenticate)
// and the policy's grant of the action; with person != "", also the resolution
// of that person's concerns and the decision over them (as get-person does).
func AuthorizeForBenchmark(h *Handler, r *http.Request, action, person string) error {
	s := h.s
	var rq *request
	s.authenticate(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { rq = requestOf(r.Context()) })).ServeHTTP(nil, r)
	if rq.failure != nil {
		return rq.failure
	}
	if rq.who == nil {
		return errors.New(rq.refused)
	}
	az := &authz{who: rq.who, user: rq.who.user, action: action, grant: s.policy.Grant(rq.who.user, action)}
	if !az.grant.Allowed() {
		return errDenied
	}
	if person == "" {
		return nil
	}
	res, err := s.personRead(r.Context(), person)
	if err != nil {
		return err
	}
	ok, err := s.permits(r.Context(), az, res.Concerns)
	if err == nil && !ok {
		err = errDenied
	}
	return err
}
