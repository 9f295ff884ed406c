package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

// detainee is a valid record of an invented person.
func detainee(latin, arabic string) custody.Person {
	return custody.Person{
		Names: []custody.Name{
			{Text: arabic, Script: custody.Arabic, Kind: custody.PrimaryName},
			{Text: latin, Script: custody.Latin, Kind: custody.PrimaryName},
		},
		Sex: custody.Male, Birth: custody.BirthDate{Date: "1990", Precision: custody.Year},
		Nationalities: []string{"IRQ"}, Category: custody.Detainee,
		Detention: custody.Detention{Reasons: "alleged membership of an armed group", OrderingAuthority: "SDF internal security"},
	}
}

var at = time.Date(2026, 2, 1, 9, 30, 0, 0, time.UTC)

// A write sent twice with the same idempotency key — as after a lost answer —
// is recorded once: the second answer is the first one, marked replayed.
func ExampleClient_RegisterPerson() {
	srv := startServer() // a running `handover serve`
	defer srv.Close()

	c, err := client.New(srv.URL, client.WithToken(srv.Token))
	if err != nil {
		panic(err)
	}
	ctx := client.WithIdempotencyKey(context.Background(), "registry-desk/omar-said")
	p, rc, err := c.RegisterPerson(ctx, detainee("Omar Said", "عمر سعيد"), "HSK", at)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Record.RegNo, p.Custody.Status, rc.Events[0].Type, rc.Replayed)

	again, rc2, err := c.RegisterPerson(ctx, detainee("Omar Said", "عمر سعيد"), "HSK", at)
	if err != nil {
		panic(err)
	}
	fmt.Println(again.Record.RegNo, rc2.Replayed, rc2.Events[0].Index == rc.Events[0].Index)
	// Output:
	// HSK-000001 held person.registered false
	// HSK-000001 true true
}

// A person whom a registered record likely is is not registered at once: the
// refusal's body lists the candidates. The registrar then registers all the same
// with a reason (recorded in the event), or links the new record to the old one.
func ExampleClient_RegisterPersonPassing() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	if _, _, err := c.RegisterPerson(ctx, detainee("Omar Said", "عمر سعيد"), "HSK", at); err != nil {
		panic(err)
	}
	_, _, err := c.RegisterPerson(ctx, detainee("Omar Saeed", "عمر سعيد"), "HSK", at)
	pr, _ := client.AsProblem(err)
	var body struct {
		Candidates []struct {
			RegNo string  `json:"reg_no"`
			Score float64 `json:"score"`
		} `json:"candidates"`
	}
	json.Unmarshal(pr.Body, &body)
	fmt.Println(pr.Status, pr.Code, body.Candidates[0].RegNo, body.Candidates[0].Score >= 0.8)

	p, rc, err := c.RegisterPersonPassing(ctx, detainee("Omar Saeed", "عمر سعيد"), "HSK", at,
		client.Duplicate{Reason: "the same man, registered again at the gate", LinkTo: "HSK-000001"})
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Record.RegNo, rc.Events[0].Type, rc.Events[1].Type)
	// Output:
	// 409 likely_duplicate HSK-000001 true
	// HSK-000002 person.registered person.linked
}

// A refusal is a *client.Problem: its status, refusal code and the location of
// the fault in the request.
func ExampleProblem() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))

	p := detainee("Khalid Jasim", "خالد جاسم")
	p.Nationalities = []string{"IRAQ"}
	_, _, err := c.RegisterPerson(context.Background(), p, "HSK", at)
	if pr, ok := client.AsProblem(err); ok {
		fmt.Println(pr.Status, pr.Code, pr.Field())
	}

	_, err = c.Person(context.Background(), "HSK-999999")
	if pr, ok := client.AsProblem(err); ok {
		fmt.Println(pr.Status, pr.Code)
	}
	// Output:
	// 422 invalid body.person.nationalities[0]
	// 404 not_found
}

// Persons pages through the list as it is ranged over.
func ExampleClient_Persons() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	for _, n := range [][2]string{{"Bilal Hamid", "بلال حميد"}, {"Karim Aziz", "كريم عزيز"}, {"Samir Naji", "سمير ناجي"}} {
		if _, _, err := c.RegisterPerson(ctx, detainee(n[0], n[1]), "HSK", at); err != nil {
			panic(err)
		}
	}
	for p, err := range c.Persons(ctx, client.PersonQuery{Facility: "HSK", PageSize: 2}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(p.Record.RegNo)
	}
	// Output:
	// HSK-000001
	// HSK-000002
	// HSK-000003
}

// Import registers a whole file, all or none; a refused file's report names
// every bad row and column.
func ExampleClient_Import() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	const tags = "#person +name,#person +name +i_ar,#person +sex,#date +birth,#country +nationality,#person +category,#description +detention,#org +authority\n"
	bad := tags + "Nabil Saeed,نبيل سعيد,m,1985,IRAQ,detainee,alleged,SDF\n"
	_, err := c.Import(ctx, client.ImportRequest{Facility: "HSK", Format: "csv", File: []byte(bad)})
	for _, p := range client.ImportReport(err).Problems {
		fmt.Println(p.Line, p.Column, p.Field)
	}

	good := tags + "Nabil Saeed,نبيل سعيد,m,1985,IRQ,detainee,alleged,SDF\nFaris Adel,فارس عادل,m,1979,SYR,detainee,alleged,SDF\n"
	res, err := c.Import(ctx, client.ImportRequest{Facility: "HSK", Format: "csv", File: []byte(good)})
	if err != nil {
		panic(err)
	}
	for _, p := range res.Persons {
		fmt.Println(p.Line, p.RegNo)
	}
	// Output:
	// 2 5 nationalities
	// 2 HSK-000001
	// 3 HSK-000002
}

// ExportPersons downloads what one may see; Import reads its CSV back.
func ExampleClient_ExportPersons() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	if _, _, err := c.RegisterPerson(ctx, detainee("Tariq Mansour", "طارق منصور"), "HSK", at); err != nil {
		panic(err)
	}
	b, err := c.ExportPersons(ctx, client.ExportQuery{Format: "jsonl", Facility: "HSK"})
	if err != nil {
		panic(err)
	}
	fmt.Println(bytes.Count(b, []byte("\n")), strings.Contains(string(b), "Tariq Mansour"))
	// Output:
	// 1 true
}

// Feed follows the ledger: each event comes with its index, the cursor to
// resume after.
func ExampleClient_Feed() {
	srv := startServer()
	defer srv.Close()
	c, _ := client.New(srv.URL, client.WithToken(srv.Token))
	ctx := context.Background()
	if _, _, err := c.RegisterPerson(ctx, detainee("Yasin Fadel", "ياسين فاضل"), "HSK", at); err != nil {
		panic(err)
	}
	var last int64 = -1
	for e, err := range c.Feed(ctx, client.FeedOptions{After: -1, PageSize: 2}) {
		if err != nil {
			panic(err)
		}
		last = int64(e.Index)
	}
	fmt.Println("caught up after index", last)
	// Output:
	// caught up after index 5
}
