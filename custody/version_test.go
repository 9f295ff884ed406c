package custody

import (
	"errors"
	"testing"
)

// TestSetManifestIfMatch: a manifest is replaced only over the version of the
// movement its If-Match names, as the state has it at the decision; a stale one
// is refused as Stale and decides nothing.
func TestSetManifestIfMatch(t *testing.T) {
	w := newTransferWorld(t, 2)
	w.safeguards(w.persons)
	w.approve()
	w.plan(w.persons)
	m, _ := w.s.Movement(w.movement)
	v1 := RecordVersion(m)
	if !VersionMatches(` "x" , `+v1, v1) || !VersionMatches("*", v1) || VersionMatches(`"x"`, v1) || VersionMatches("", v1) {
		t.Fatal("VersionMatches")
	}
	seats := []Seat{{Person: w.persons[0], Vehicle: "bus-1"}}
	w.must(SetManifest{Meta: w.meta(), Movement: w.movement, Manifest: seats, IfMatch: v1})
	m, _ = w.s.Movement(w.movement)
	if v2 := RecordVersion(m); v2 == v1 {
		t.Fatal("the version did not change with the manifest")
	}
	_, err := w.run(SetManifest{Meta: w.meta(), Movement: w.movement, Manifest: seats, IfMatch: v1})
	var ce *Error
	if !errors.As(err, &ce) || ce.Code != Stale || ce.Field != "if_match" {
		t.Fatalf("a stale If-Match: %v", err)
	}
	w.must(SetManifest{Meta: w.meta(), Movement: w.movement, Manifest: seats, IfMatch: "*"})
	w.must(SetManifest{Meta: w.meta(), Movement: w.movement, Manifest: seats})
}
