package scenario

import (
	"fmt"
	"slices"

	"github.com/handover-project/handover/custody"
)

// AttacksOnIraqiCivilians is the detention reason of the detainees Iraq prioritised
// for the first movement.
const AttacksOnIraqiCivilians = "alleged participation in attacks on civilians in Iraq"

// How many men each Syrian prison holds, how many boys among them, and how many
// detainees are registered a second time at another prison.
var (
	prisons    = []string{Hasakah, Riverside, Plains}
	prisonMen  = []int{4000, 1700, 1300}
	prisonBoys = []int{20, 10, 6}
	duplicates = 70
)

var (
	reasons = []string{
		"alleged membership of ISIL", "alleged ISIL fighter, captured in the last ISIL-held area",
		"alleged logistical support to ISIL", "alleged ISIL membership; surrendered in 2019",
		"alleged role in ISIL internal security", AttacksOnIraqiCivilians,
	}
	reasonWeights  = []int{30, 25, 12, 12, 9, 12}
	authorities    = []string{"SDF internal security (Asayish)", "SDF military command", "SDF internal security (Asayish)"}
	arrestPlaces   = []string{"Baghuz, Deir ez-Zor", "Hajin, Deir ez-Zor", "al-Shafa, Deir ez-Zor", "Susah, Deir ez-Zor", "Raqqa", "Tabqa, Raqqa", "Manbij, Aleppo", "al-Shaddadi, Hasakah", "Deir ez-Zor city"}
	arrestingUnits = []string{"SDF unit at the Baghuz screening point", "SDF internal security patrol", "SDF screening team", "coalition-supported SDF unit"}
	adultAssess    = []string{"estimated from appearance by the admitting officer", "from the person's own account; no document", "from a co-detainee's account; no document"}
	injuries       = []string{"healed gunshot wound, left thigh", "amputation below the right knee", "shrapnel scars, back and arms", "fractured left wrist, untreated", "bruising to both wrists"}
	complaints     = []string{"reports beatings during interrogation after arrest", "reports being held in stress positions during screening", "reports denial of medical care for a wound", "reports threats against his family during questioning"}
	propertyItems  = []string{"wristwatch", "mobile telephone, no SIM card", "cash, Syrian pounds", "prayer beads", "photographs of family", "eyeglasses", "belt", "ring, white metal"}
	marks          = []string{"scar above the right eyebrow", "tattoo removed, left forearm", "missing upper front tooth", "burn scar, right hand", "birthmark on the neck"}
	identityBy     = []string{"statement of the person, confirmed by two co-detainees", "biometric enrolment at capture", "ICRC tracing records", "recognised by a relative during an ICRC visit"}
	prisonSources  = []string{"SDF paper register (partial, water-damaged)", "ICRC visit list", "biometric enrolment record", "interview with the person", "SDF screening record"}
	kinRelations   = []string{"mother", "father", "wife", "brother", "sister", "uncle"}
)

// detainees builds the men (and the few boys) of the three Syrian prisons, then the
// duplicate registrations.
func (b *builder) detainees() {
	var pool []int // adult detainees that may be registered twice
	for i, code := range prisons {
		for range prisonMen[i] {
			ix := b.add(false, b.detainee(code, false))
			pool = append(pool, ix[0])
		}
		for range prisonBoys[i] {
			b.add(false, b.detainee(code, true))
		}
	}
	for range duplicates {
		j := b.g.n(len(pool))
		orig := pool[j]
		pool = slices.Delete(pool, j, j+1)
		ix := b.add(false, b.duplicate(b.recs[orig]))
		b.dups = append(b.dups, [2]int{orig, ix[0]})
	}
}

// detainee builds one man held at prison, or a boy of 15–17 when boy is set.
func (b *builder) detainee(prison string, boy bool) *record {
	g := b.g
	nat := g.nation(false)
	n := fullName{pick(g, maleNames), pick(g, maleNames), pick(g, familyNames)}
	extra := 0
	if g.chance(0.4) {
		extra = g.between(1, 2)
	}
	lat, other := g.spellings(n, extra)
	var kunya *part
	if g.chance(0.2) {
		k := pick(g, maleNames)
		kunya = &k
	}
	p := custody.Person{
		Names: names(n.arabic(), lat, other, kunya), Sex: custody.Male,
		Nationalities: []string{nat.code}, Category: custody.Detainee,
		FatherName: n.father.lat[0], Demo: true,
		Detention: custody.Detention{
			Reasons:           reasons[g.weighted(reasonWeights, sum(reasonWeights))],
			OrderingAuthority: pick(g, authorities),
		},
	}
	if boy {
		p.Category = custody.Minor
		p.Birth = b.birth(g.between(2008, 2010), [4]int{3, 1, 0, 6}, []string{"estimated 16 from appearance; no document", "from the boy's own account; no document"})
		if d := p.Birth.Date; d < "2008-03" || d >= "2010-10" { // keep him 15–17 through the demo
			p.Birth.Date = "2009" + p.Birth.Date[4:]
		}
		p.Detention.Reasons = "transferred from al-Hol camp on reaching adolescence; alleged association with ISIL"
	} else {
		p.Birth = b.birth(g.between(1966, 2005), [4]int{40, 15, 25, 20}, adultAssess)
		if g.chance(0.01) {
			p.Flags = []custody.Flag{custody.AgeDisputed}
			p.Birth = custody.BirthDate{Date: fmt.Sprint(g.between(2006, 2007)), Precision: custody.Estimated,
				AgeAssessment: "says he was 17 at admission; assessed as an adult from appearance; no document"}
		}
	}
	b.detainment(&p, n, nat)
	return &record{p: p, fac: prison, name: n}
}

// detainment fills the optional parts of a detainee's record, each for a share of
// the men: arrest, identifiers, family, property, injuries, reconstruction.
func (b *builder) detainment(p *custody.Person, n fullName, nat *nation) {
	g := b.g
	if g.chance(0.8) {
		p.BirthPlace = pick(g, nat.places)
	}
	if g.chance(0.85) {
		p.Detention.ArrestDate = fmt.Sprintf("%04d-%02d-%02d", g.between(2017, 2019), 1+g.n(12), 1+g.n(28))
		if p.Detention.ArrestDate > "2019-03-23" {
			p.Detention.ArrestDate = fmt.Sprintf("2019-%02d-%02d", 1+g.n(3), 1+g.n(20))
		}
		p.Detention.ArrestPlace = pick(g, arrestPlaces)
		p.Detention.OrderReference = fmt.Sprintf("SDF-%s-%05d", p.Detention.ArrestDate[:4], g.n(100000))
		if g.chance(0.3) {
			p.Detention.ArrestingOfficials = pick(g, arrestingUnits)
		}
	}
	if g.chance(0.6) {
		p.Identifiers = append(p.Identifiers, b.icrcNumber())
	}
	if g.chance(0.25) {
		p.Identifiers = append(p.Identifiers, b.isnNumber())
	}
	if g.chance(0.2) {
		p.Identifiers = append(p.Identifiers, b.document(nat.code))
	}
	if len(p.Identifiers) == 0 && g.chance(0.5) {
		p.IdentityEstablishedBy = pick(g, identityBy)
	}
	if g.chance(0.5) {
		p.MotherMaidenName = pick(g, femaleNames).lat[0] + " " + pick(g, familyNames).lat[0]
	}
	if g.chance(0.6) {
		p.LastResidence = pick(g, nat.places)
	}
	if g.chance(0.1) {
		p.DistinguishingMarks = pick(g, marks)
	}
	if g.chance(0.03) {
		p.Injuries = pick(g, injuries)
	}
	if g.chance(0.03) {
		p.Complaints = pick(g, complaints)
	}
	if g.chance(0.35) {
		for range g.between(1, 3) {
			p.Property = append(p.Property, custody.Item{Description: pick(g, propertyItems), Quantity: 1})
		}
	}
	if g.chance(0.8) {
		for i := range g.between(1, 2) {
			rel := pick(g, kinRelations)
			p.NextOfKin = append(p.NextOfKin, custody.Kin{Name: kinName(g, rel, n), Relationship: rel,
				Contact: pick(g, nat.places), Notify: i == 0})
		}
	}
	if g.chance(0.02) {
		p.Reconstructed = &custody.Provenance{Sources: []string{pick(g, prisonSources[:3]), pick(g, prisonSources[3:])},
			Note: "original admission record lost when the prison changed hands"}
	}
}

// duplicate is a second registration of the man in r at another prison: another
// Latin spelling, a less (or more) precise birth date, the same father's name, and
// none of the identifiers, which would have matched.
func (b *builder) duplicate(r *record) *record {
	g := b.g
	d := *r
	p := &d.p
	p.Names = names(r.name.arabic(), g.respell(r.name), nil, nil)
	p.Identifiers, p.IdentityEstablishedBy = nil, "statement of the person"
	p.Flags = slices.Clone(p.Flags)
	p.Property, p.NextOfKin = slices.Clone(p.Property), slices.Clone(p.NextOfKin)
	p.Reconstructed = nil
	year := p.Birth.Date[:4]
	switch p.Birth.Precision {
	case custody.Day:
		p.Birth = custody.BirthDate{Date: p.Birth.Date[:7], Precision: custody.Month}
	case custody.Month:
		p.Birth = custody.BirthDate{Date: year, Precision: custody.Year}
	case custody.Year:
		p.Birth = custody.BirthDate{Date: year, Precision: custody.Estimated, AgeAssessment: pick(g, adultAssess)}
	default:
		p.Birth = custody.BirthDate{Date: year, Precision: custody.Year}
	}
	for {
		if d.fac = pick(g, prisons); d.fac != r.fac {
			return &d
		}
	}
}

// kinName is the Latin name of a relative of the man named n: his father, brothers,
// sisters and uncles carry his family name; his mother and wife their own.
func kinName(g *gen, rel string, n fullName) string {
	family := n.family.lat[0]
	switch rel {
	case "father":
		return n.father.lat[0] + " " + family
	case "brother":
		return pick(g, maleNames).lat[0] + " " + n.father.lat[0] + " " + family
	case "sister":
		return pick(g, femaleNames).lat[0] + " " + n.father.lat[0] + " " + family
	case "mother", "wife":
		return pick(g, femaleNames).lat[0] + " " + pick(g, familyNames).lat[0]
	}
	return pick(g, maleNames).lat[0] + " " + family
}
