package scenario

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/handover-project/handover/custody"
)

// record is a person being built, with the facility code they will be registered at
// and the name parts their names were spelled from.
type record struct {
	p    custody.Person
	fac  string
	name fullName
}

// unit is a group registered one after another: a single person or a household.
type unit struct {
	members   []int // indices into builder.recs
	household bool
}

// builder accumulates the people of the world before they get times and ids.
type builder struct {
	g     *gen
	recs  []*record
	units []unit
	dups  [][2]int
	// serials of the external identifiers given out, so each is unique.
	icrc, isn, natID, passport int
}

func newBuilder(g *gen) *builder {
	return &builder{g: g, icrc: 1000 + g.n(500), isn: 100 + g.n(100), natID: 100000 + g.n(90000), passport: 1000000 + g.n(100000)}
}

// add appends records as one unit and returns their indices.
func (b *builder) add(household bool, rs ...*record) []int {
	u := unit{household: household}
	for _, r := range rs {
		u.members = append(u.members, len(b.recs))
		b.recs = append(b.recs, r)
	}
	b.units = append(b.units, u)
	return u.members
}

// icrcNumber returns a fresh ICRC number, e.g. ICRC-SY-012345.
func (b *builder) icrcNumber() custody.Identifier {
	b.icrc += 1 + b.g.n(3)
	return custody.Identifier{Kind: custody.ICRCNumber, Value: fmt.Sprintf("ICRC-SY-%06d", b.icrc), Issuer: "ICRC"}
}

// isnNumber returns a fresh internment serial number, e.g. US9SY-001234DP.
func (b *builder) isnNumber() custody.Identifier {
	b.isn += 1 + b.g.n(2)
	return custody.Identifier{Kind: custody.InternmentSerial, Value: fmt.Sprintf("US9SY-%06dDP", b.isn), Issuer: "USF"}
}

// document returns a fresh national identity number or passport number issued by
// the person's country.
func (b *builder) document(country string) custody.Identifier {
	if country == "IRQ" || country == "SYR" {
		b.natID += 1 + b.g.n(40)
		return custody.Identifier{Kind: custody.NationalID, Value: fmt.Sprintf("%s%09d", country[:2], b.natID), Issuer: country}
	}
	b.passport += 1 + b.g.n(900)
	return custody.Identifier{Kind: custody.Passport, Value: fmt.Sprintf("P%08d", b.passport), Issuer: country}
}

// birth returns a birth date in year with a precision drawn from weights
// (day, month, year, estimated) and an age assessment when estimated.
func (b *builder) birth(year int, weights [4]int, assessments []string) custody.BirthDate {
	g := b.g
	month, day := 1+g.n(12), 1+g.n(28)
	switch g.weighted(weights[:], weights[0]+weights[1]+weights[2]+weights[3]) {
	case 0:
		return custody.BirthDate{Date: fmt.Sprintf("%04d-%02d-%02d", year, month, day), Precision: custody.Day}
	case 1:
		return custody.BirthDate{Date: fmt.Sprintf("%04d-%02d", year, month), Precision: custody.Month}
	case 2:
		return custody.BirthDate{Date: fmt.Sprintf("%04d", year), Precision: custody.Year}
	}
	return custody.BirthDate{Date: fmt.Sprintf("%04d", year), Precision: custody.Estimated, AgeAssessment: pick(g, assessments)}
}

// clock hands out registration times: a few minutes apart, in office hours
// (08:00–17:00 UTC), never going back.
type clock struct {
	g *gen
	t time.Time
}

func (c *clock) next(minSec, maxSec int) time.Time {
	c.t = c.t.Add(time.Duration(c.g.between(minSec, maxSec)) * time.Second)
	if c.t.Hour() >= 17 {
		d := c.t.Truncate(24 * time.Hour).Add(24*time.Hour + 8*time.Hour)
		c.t = d.Add(time.Duration(c.g.n(600)) * time.Second)
	}
	return c.t
}

// place shuffles the units, gives every person a registration time from t0 on and an
// id, and fills w.Persons and w.Duplicates.
func (b *builder) place(w *World, t0 time.Time) {
	g := b.g
	shuffle(g, b.units)
	c := &clock{g: g, t: t0}
	pos := make([]int, len(b.recs))
	for _, u := range b.units {
		var household uuid.UUID
		for i, m := range u.members {
			r := b.recs[m]
			var at time.Time
			if i == 0 {
				at = c.next(60, 150)
			} else {
				at = c.next(20, 60)
			}
			r.p.ID = g.idAt(at)
			if u.household {
				if i == 0 {
					household = g.idAt(at)
				}
				r.p.Household = household
			}
			pos[m] = len(w.Persons)
			w.Persons = append(w.Persons, Placement{Person: r.p, Facility: w.Facility(r.fac).ID, At: at})
		}
	}
	for _, d := range b.dups {
		a, z := d[0], d[1]
		if pos[a] > pos[z] {
			a, z = z, a
		}
		w.Duplicates = append(w.Duplicates, [2]uuid.UUID{b.recs[a].p.ID, b.recs[z].p.ID})
	}
}
