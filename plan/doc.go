// Package plan works out a transfer campaign's next movements: who moves when, from
// which site, to which receiving institution, in which vehicle.
//
// It is pure: Make takes an Input (who is held where, each person's category, sex,
// age group, household, priority group and safeguard readiness; the sites with their
// deadlines; the receiving institutions with their free places) and a Request (the
// first day, the convoys available each day, the largest movement) and returns a Plan.
// It reads no clock, does no I/O, and gives the same Plan for the same arguments.
//
// Every plan keeps the rules the ledger enforces when a manifest is set (custody's
// checkManifest and separation): no vehicle carries more persons than its seats; men
// and women ride apart unless of one household; children ride only with adults of
// their own household; a household travels whole, in one vehicle; a receiving
// institution never gets more persons of a category than it has free places for,
// counting those already on their way; a person who lacks a safeguard is left out
// until the date their clearance is expected, or altogether when nobody expects it.
//
// Within those rules it optimises, in this order (Objective): persons left at a site
// past its deadline, persons left unplanned, the departure day of persons in priority
// groups (first group first), the number of movements, the day of the last movement.
// Bound gives lower bounds on the same figures, so the gap can be printed beside the
// plan. Replan recomputes a plan after a change, keeping movements already planned
// wherever the rules allow, and Diff says what changed.
package plan
