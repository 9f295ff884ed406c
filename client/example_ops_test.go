package client_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// A facility's controlling party is named by its code (or id); the answer is
// the facility as registered, with the write's receipt.
func ExampleClient_RegisterFacility() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	f, rc, err := c.RegisterFacility(context.Background(), api.FacilityIn{Code: "HOS", Name: "Hasakah hospital",
		Kind: custody.Hospital, Country: "SYR", ControllingParty: "SDF"}, at)
	if err != nil {
		panic(err)
	}
	fmt.Println(f.Code, f.Kind, f.Controller == f.ControllingParty, rc.Events[0].Type)
	// Output:
	// HOS hospital true facility.registered
}

// An incident is reported, listed while open, and closed.
func ExampleClient_OpenIncident() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	in, _, err := c.OpenIncident(ctx, client.NewIncident{Type: custody.VehicleFailure, Facility: "HSK",
		Description: "the prison's only bus broke down"}, at)
	if err != nil {
		panic(err)
	}
	open, err := c.Incidents(ctx, client.IncidentQuery{Open: "true"})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(open), open[0].ID == in.ID)
	if _, err := c.ResolveIncident(ctx, in.ID.String(), client.Resolution{Resolution: custody.ClosedR, Note: "a new bus came"}, at); err != nil {
		panic(err)
	}
	after, err := c.Incident(ctx, in.ID.String())
	if err != nil {
		panic(err)
	}
	fmt.Println(after.Open)
	// Output:
	// 1 true
	// false
}

// A hospital admission owes the family a notification; it is listed, then
// recorded as done.
func ExampleClient_CompleteNotification() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	if _, _, err := c.RegisterFacility(ctx, api.FacilityIn{Code: "HOS", Name: "Hasakah hospital", Kind: custody.Hospital,
		Country: "SYR", ControllingParty: "SDF"}, at); err != nil {
		panic(err)
	}
	p, _, err := c.RegisterPerson(ctx, detainee("Hadi Rashid", "هادي رشيد"), "HSK", at)
	if err != nil {
		panic(err)
	}
	// A write the client has no method for goes through Do, with the same
	// idempotency and retries.
	body := fmt.Appendf(nil, `{"hospital":"HOS","reason":"fever","occurred_at":%q}`, at.Format("2006-01-02T15:04:05Z"))
	if _, err := c.Do(ctx, client.Request{Method: http.MethodPost, Path: "/persons/" + p.Record.RegNo + "/hospital-admissions", Body: body}, nil); err != nil {
		panic(err)
	}
	ns, err := c.Notifications(ctx, client.NotificationQuery{Person: p.Record.RegNo, Done: "false"})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(ns), ns[0].Kind, ns[0].Recipient)
	if _, err := c.CompleteNotification(ctx, ns[0].ID.String(), "family reached by telephone", at); err != nil {
		panic(err)
	}
	done, err := c.Notification(ctx, ns[0].ID.String())
	if err != nil {
		panic(err)
	}
	fmt.Println(done.Done != nil, done.Outcome)
	// Output:
	// 1 family_illness family
	// true family reached by telephone
}

// List reads a whole list, a page at a time: here every party, by code.
func ExampleList() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ps, err := client.List[custody.Party](context.Background(), c, "/parties", nil, "parties")
	if err != nil {
		panic(err)
	}
	for _, p := range ps {
		fmt.Println(p.Code, p.Kind)
	}
	// Output:
	// IRQ receiving_state
	// SDF detaining_authority
	// USF escort_force
}

// An administrator makes an account of their party, then changes it only if
// nobody changed it since it was read: a stale version is refused (412).
func ExampleClient_UpdateUser() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	made, err := c.CreateUser(ctx, client.NewUser{Name: "lina.clerk", FullName: "Lina, registry clerk", Roles: []access.Role{access.Registrar}})
	if err != nil {
		panic(err)
	}
	fmt.Println(made.Name, made.Roles, len(made.Password) > 0)
	_, version, err := c.User(ctx, "lina.clerk")
	if err != nil {
		panic(err)
	}
	name := "Lina, senior clerk"
	u, _, err := c.UpdateUser(ctx, "lina.clerk", client.UserChange{FullName: &name}, version)
	if err != nil {
		panic(err)
	}
	fmt.Println(u.FullName)
	_, _, err = c.UpdateUser(ctx, "lina.clerk", client.UserChange{Roles: []access.Role{access.Administrator}}, version)
	if p, ok := client.AsProblem(err); ok {
		fmt.Println(p.Status, p.Code)
	}
	// Output:
	// lina.clerk [registrar] true
	// Lina, senior clerk
	// 412 precondition_failed
}

// A transfer is proposed, each person's safeguards recorded, and the transfer
// read back with what still blocks departure.
func ExampleClient_RecordSafeguard() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	p, _, err := c.RegisterPerson(ctx, detainee("Munir Saleh", "منير صالح"), "HSK", at)
	if err != nil {
		panic(err)
	}
	t, _, err := c.ProposeTransfer(ctx, client.NewTransfer{From: "HSK", To: "IQ1", LegalBasis: "bilateral agreement",
		OrderedBy: "joint committee", Persons: []string{p.Record.RegNo}}, at)
	if err != nil {
		panic(err)
	}
	rc, err := c.RecordSafeguard(ctx, t.ID.String(), []string{p.Record.RegNo},
		custody.Safeguard{Kind: custody.Medical, Met: true, Finding: "fit to travel"}, at)
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Status, rc.Events[0].Type)
	// Output:
	// proposed transfer.safeguard_recorded
}
