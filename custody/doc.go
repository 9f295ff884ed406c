// Package custody is the domain core of handover: who is held, by whom, where, and
// how that may change.
//
// It holds the entities (Party, Facility, Person and the custody state of a person),
// the commands a user may give, the events those commands produce, and the pure
// functions that decide, for a given State, which events a command produces or why
// it is refused. It imports no SQL, no HTTP and reads no clock: time comes in with the
// command, and identifiers, nonces and recording times are given to events by the
// sequencer that seals them (see Seal).
//
// The ledger is the source of truth. A State is a projection of the ledger: applying
// the same events in the same order always gives the same State, and every decision
// is made against a State, so a replay reaches the same conclusions. The invariants
// of docs/design.md that concern custody live here (see CheckInvariants):
//
//  1. every registered person has exactly one custody state at every point of the
//     ledger: held by one party at one facility, in hospital, escaped, or ended
//     (released, repatriated, deceased) by the event that ended it;
//  4. a facility's population equals its admissions minus its departures.
package custody
