package client_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// officerKey is an invented officer's Ed25519 key, the same for a name every
// run.
func officerKey(name string) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("client example officer/" + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// A person goes from a facility of SDF to one of IRQ: the transfer proposed and
// let through its safeguards, approved by both sides, a convoy planned by the
// escort force USF, both officers' keys registered; then the departure
// document, signed by the SDF officer who hands over and the USF officer who
// takes custody, is submitted by the escort. Sent again with the same
// idempotency key, as after a lost answer, it records nothing twice.
func ExampleClient_SubmitHandover() {
	srv := startServer()
	defer srv.Close()
	ctx := context.Background()
	sdfc, _ := client.New(srv.URL, client.WithToken(srv.Token))
	irqc, _ := client.New(srv.URL, client.WithToken(srv.IRQToken))
	usfc, _ := client.New(srv.URL, client.WithToken(srv.USFToken))
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}

	p, _, err := sdfc.RegisterPerson(ctx, detainee("Hamid Yousef", "حامد يوسف"), "HSK", at)
	must(err)
	reg := p.Record.RegNo
	t, _, err := sdfc.ProposeTransfer(ctx, client.NewTransfer{From: "HSK", To: "IQ1", LegalBasis: "bilateral agreement",
		OrderedBy: "joint committee", Persons: []string{reg}}, at)
	must(err)
	tid := t.ID.String()
	for _, kind := range t.People[0].Required {
		_, err := sdfc.OverrideSafeguard(ctx, tid, reg, kind, "recorded on paper at the gate; filed later", at)
		must(err)
	}
	_, err = sdfc.ApproveTransfer(ctx, tid, "SDF", at)
	must(err)
	_, err = irqc.ApproveTransfer(ctx, tid, "IRQ", at)
	must(err)
	m, _, err := usfc.PlanMovement(ctx, client.NewMovement{Transfer: t.ID, Escort: "USF", Mode: custody.Convoy,
		Vehicles:         []custody.Vehicle{{ID: "BUS-1", Kind: "bus", Seats: 20}},
		PlannedDeparture: at.Add(24 * time.Hour), Conditions: "water and food on board",
		Manifest: []client.Seat{{Person: reg, Vehicle: "BUS-1"}}}, nil, at)
	must(err)

	sdfKey, usfKey := officerKey("Officer Dilan Sample"), officerKey("Lieutenant Aram Sample")
	from, _, err := sdfc.RegisterKey(ctx, client.NewKey{Party: "SDF", Officer: "Officer Dilan Sample",
		PublicKey: sdfKey.Public().(ed25519.PublicKey)}, at)
	must(err)
	to, _, err := usfc.RegisterKey(ctx, client.NewKey{Party: "USF", Officer: "Lieutenant Aram Sample",
		PublicKey: usfKey.Public().(ed25519.PublicKey)}, at)
	must(err)

	doc := custody.HandoverDocument{Type: custody.HandoverDocumentType, V: 1, ID: uuid.NewSHA1(m.ID, []byte("departure")),
		Movement: m.ID, Stage: custody.Departure,
		From: custody.Officer{Party: from.Party, Name: from.Officer, Key: from.ID},
		To:   custody.Officer{Party: to.Party, Name: to.Officer, Key: to.ID},
		At:   at.Add(24*time.Hour + 10*time.Minute), Place: "gate of HSK", HeadCount: 1,
		Persons: []custody.HandoverPerson{{Person: p.Record.ID, RegNo: reg, Outcome: custody.OutcomePresent}}}
	b, err := custody.EncodeHandover(&doc) // the exact bytes both officers sign
	must(err)
	sigs := []custody.Signature{{Key: from.ID, Sig: ed25519.Sign(sdfKey, b)}, {Key: to.ID, Sig: ed25519.Sign(usfKey, b)}}

	kctx := client.WithIdempotencyKey(ctx, "departure/"+m.ID.String())
	moved, rc, err := usfc.SubmitHandover(kctx, b, sigs)
	must(err)
	fmt.Println(moved.Status, len(rc.Events), rc.Events[0].Type, rc.Events[1].Type, rc.Replayed)
	_, again, err := usfc.SubmitHandover(kctx, b, sigs)
	must(err)
	fmt.Println(again.Replayed, again.Events[0].Index == rc.Events[0].Index)
	// Output:
	// departed 2 movement.handed_over person.departed false
	// true true
}

// An import's Key is made from the request and its file: the same import
// sent again with it — by a retry, or another run of the same job — is
// answered with the first one's outcome and registers nobody twice.
func ExampleImportRequest_Key() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	const file = "#person +name,#person +name +i_ar,#person +sex,#date +birth,#country +nationality,#person +category,#description +detention,#org +authority\n" +
		"Salim Nouri,سليم نوري,m,1983,IRQ,detainee,alleged,SDF\n"
	req := client.ImportRequest{Facility: "HSK", Format: "csv", File: []byte(file)}
	ctx := client.WithIdempotencyKey(context.Background(), req.Key())
	first, err := c.Import(ctx, req)
	if err != nil {
		panic(err)
	}
	second, err := c.Import(ctx, req)
	if err != nil {
		panic(err)
	}
	fmt.Println(first.Persons[0].RegNo, first.Receipt.Replayed)
	fmt.Println(second.Persons[0].RegNo, second.Receipt.Replayed)
	// Output:
	// HSK-000001 false
	// HSK-000001 true
}
