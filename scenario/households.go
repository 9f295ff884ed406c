package scenario

import (
	"fmt"

	"github.com/handover-project/handover/custody"
)

// The camp: how many households (a woman with 1–5 children) and unaccompanied
// children al-Hol holds.
const (
	campHouseholds    = 720
	campUnaccompanied = 40
	campAuthority     = "SDF camp administration"
)

var (
	childWeights = []int{20, 25, 25, 18, 12} // 1 to 5 children
	campSources  = []string{"interview with the mother", "ICRC family-tracing record", "humanitarian partner distribution list",
		"camp clinic birth notification", "photocopy of a block register page", "SDF screening record"}
	campNote     = "camp administration records lost; rebuilt from the sources listed"
	husbandFates = []string{"unknown", "reported killed in 2019", "unknown; tracing request open", "reported detained; place unknown"}
)

// households builds al-Hol: women with their children, some of them married to a
// detainee of the prisons, and a few unaccompanied children.
func (b *builder) households() {
	g := b.g
	men := len(b.recs)
	for range campHouseholds {
		nat := g.nation(true)
		husband := fullName{pick(g, maleNames), pick(g, maleNames), pick(g, familyNames)}
		var spouse *record
		if g.chance(0.3) { // married to a detainee in one of the prisons
			if r := b.recs[g.n(men)]; r.p.Category == custody.Detainee {
				spouse, husband = r, r.name
				nat = natOf(r.p.Nationalities[0])
			}
		}
		woman := b.campPerson(fullName{pick(g, femaleNames), pick(g, maleNames), pick(g, familyNames)},
			custody.Female, custody.FamilyMember, g.between(1975, 2003), nat)
		woman.p.Detention.Reasons = "held in al-Hol camp as the family of an alleged ISIL member; no charge"
		if spouse != nil {
			woman.p.NextOfKin = append(woman.p.NextOfKin, custody.Kin{Name: spouse.p.PrimaryName(custody.Latin), Relationship: "husband",
				Location: facilityName(spouse.fac), Notify: true})
			spouse.p.NextOfKin = append(spouse.p.NextOfKin, custody.Kin{Name: woman.p.PrimaryName(custody.Latin), Relationship: "wife",
				Location: "al-Hol camp"})
		} else {
			woman.p.NextOfKin = append(woman.p.NextOfKin, custody.Kin{Name: husband.latin([3]int{}), Relationship: "husband", Location: pick(g, husbandFates)})
		}
		members := []*record{woman}
		n := 1 + g.weighted(childWeights, sum(childWeights))
		olderBoy := woman.birthYear() <= 1994 && g.chance(0.25)
		for i := range n {
			sex, given := custody.Female, pick(g, femaleNames)
			year := g.between(max(2012, woman.birthYear()+16), 2025)
			if g.chance(0.5) || olderBoy && i == 0 {
				sex, given = custody.Male, pick(g, maleNames)
			}
			if olderBoy && i == 0 {
				year = g.between(2009, 2012) // 13–17
			}
			child := b.campPerson(fullName{given, husband.given, husband.family}, sex, custody.Minor, year, nat)
			child.p.FatherName = husband.given.lat[0]
			child.p.MotherMaidenName = woman.name.given.lat[0] + " " + woman.name.family.lat[0]
			child.p.Detention.Reasons = "living with the mother in the camp; not a prisoner (SMR 29(2))"
			child.p.NextOfKin = []custody.Kin{{Name: woman.p.PrimaryName(custody.Latin), Relationship: "mother", Location: "al-Hol camp, same household", Notify: true}}
			rel := "daughter"
			if sex == custody.Male {
				rel = "son"
			}
			woman.p.NextOfKin = append(woman.p.NextOfKin, custody.Kin{Name: child.p.PrimaryName(custody.Latin), Relationship: rel,
				Location: "with her in al-Hol camp", Age: max(0, 2026-year-1)})
			members = append(members, child)
		}
		b.add(true, members...)
	}
	for range campUnaccompanied {
		sex, given := custody.Male, pick(g, maleNames)
		if g.chance(0.4) {
			sex, given = custody.Female, pick(g, femaleNames)
		}
		r := b.campPerson(fullName{given, pick(g, maleNames), pick(g, familyNames)}, sex, custody.UnaccompaniedMinor, g.between(2009, 2017), g.nation(true))
		r.p.Detention.Reasons = "unaccompanied child found in the camp; family tracing open"
		r.p.IdentityEstablishedBy = "statement of the child, confirmed by camp neighbours"
		r.p.NextOfKin = []custody.Kin{{Name: pick(g, femaleNames).lat[0] + " " + r.name.family.lat[0], Relationship: "mother", Location: "unknown; tracing request open"}}
		b.add(false, r)
	}
}

// campPerson builds the common part of a camp record: names, birth, nationality,
// identifiers and, for most, the reconstruction of a record lost with the camp offices.
func (b *builder) campPerson(n fullName, sex custody.Sex, cat custody.Category, year int, nat *nation) *record {
	g := b.g
	extra := 0
	if g.chance(0.3) {
		extra = 1
	}
	lat, other := g.spellings(n, extra)
	p := custody.Person{
		Names: names(n.arabic(), lat, other, nil), Sex: sex, Category: cat,
		Nationalities: []string{nat.code}, FatherName: n.father.lat[0], Demo: true,
		Detention: custody.Detention{OrderingAuthority: campAuthority},
	}
	switch {
	case year >= 2019 && cat == custody.Minor:
		p.BirthPlace = "al-Hol camp, Hasakah, Syria"
		p.Birth = b.birth(year, [4]int{6, 2, 2, 0}, nil)
	case cat == custody.FamilyMember:
		p.BirthPlace = pick(g, nat.places)
		p.Birth = b.birth(year, [4]int{2, 1, 4, 3}, []string{"from her own account; no document", "estimated from appearance by camp staff"})
	default:
		p.BirthPlace = pick(g, nat.places)
		p.Birth = b.birth(year, [4]int{2, 1, 3, 4}, []string{"from the mother's account", "estimated from appearance by camp staff", "from the child's own account"})
	}
	if g.chance(0.4) {
		p.Identifiers = append(p.Identifiers, b.icrcNumber())
	}
	if g.chance(0.85) {
		p.Reconstructed = &custody.Provenance{Sources: []string{pick(g, campSources[:3]), pick(g, campSources[3:])}, Note: campNote}
	}
	return &record{p: p, fac: AlHol, name: n}
}

// birthYear is the year of birth of a record.
func (r *record) birthYear() int {
	var y int
	fmt.Sscanf(r.p.Birth.Date[:4], "%d", &y)
	return y
}

func natOf(code string) *nation {
	for i := range nations {
		if nations[i].code == code {
			return &nations[i]
		}
	}
	return &nations[0]
}

func facilityName(code string) string {
	for _, f := range facilities {
		if f.Code == code {
			return f.Name
		}
	}
	return code
}
