package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/handover-project/handover/client"
)

// BenchmarkRegisterPerson is one keyed write through the client against a
// real server on SQLite: the client's share (encoding, headers, key, decoding)
// beside the server's. It prints nothing of its own; see BENCHMARKS.md.
func BenchmarkRegisterPerson(b *testing.B) {
	s, err := tryStartServer()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, _ := client.New(s.URL, client.WithToken(s.Token))
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, _, err := c.RegisterPersonPassing(ctx, detainee(fmt.Sprintf("Bench Person %d", i), "شخص"), "HSK", at, sameNames); err != nil {
			b.Fatal(err)
		}
	}
}

// sameNames passes the likely-duplicate warning: the benchmarks' persons share
// their names.
var sameNames = client.Duplicate{Reason: "benchmark: synthetic persons share their names"}

// BenchmarkPersonsIterate reads 500 persons through the iterator, 100 a page.
func BenchmarkPersonsIterate(b *testing.B) {
	s, err := tryStartServer()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	c, _ := client.New(s.URL, client.WithToken(s.Token))
	ctx := context.Background()
	for i := range 500 {
		if _, _, err := c.RegisterPersonPassing(ctx, detainee(fmt.Sprintf("Bench Person %d", i), "شخص"), "HSK", at, sameNames); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		n := 0
		for _, err := range c.Persons(ctx, client.PersonQuery{PageSize: 100}) {
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != 500 {
			b.Fatalf("%d persons", n)
		}
	}
}
