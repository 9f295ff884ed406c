package main

import "testing"

// The modelled rows must stay the size the design expects.
func TestSizes(t *testing.T) {
	g := newGen(1)
	for range 100 {
		e := g.next(10000)
		if n := len(e.bytes); n < 420 || n > 480 {
			t.Fatalf("event bytes %d, want ~450", n)
		}
		if n := len(g.record(e.subjectN, e.typ)); n < 560 || n > 640 {
			t.Fatalf("person record %d, want ~600", n)
		}
	}
}
