package plan

import (
	"cmp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Source is what the ledger's projections say that a plan needs: the campaign, the
// facilities with their populations and risks, the persons held (or in hospital),
// and the transfers and movements. Stores and a custody.State can both give it.
type Source struct {
	Campaign   custody.Campaign
	Facilities []custody.FacilityState
	Persons    []custody.PersonState
	Transfers  []*custody.TransferState
	Movements  []*custody.MovementState
}

// SourceOf reads a Source for a campaign from a State.
func SourceOf(s *custody.State, campaign uuid.UUID) (Source, bool) {
	cp, ok := s.Campaign(campaign)
	if !ok {
		return Source{}, false
	}
	src := Source{Campaign: cp.Campaign}
	for _, f := range s.Facilities() {
		src.Facilities = append(src.Facilities, *f)
	}
	for _, p := range s.Persons() {
		if p.Custody.Status.AtFacility() {
			src.Persons = append(src.Persons, *p)
		}
	}
	for _, t := range s.Transfers() {
		src.Transfers = append(src.Transfers, t)
	}
	for _, m := range s.Movements() {
		src.Movements = append(src.Movements, m)
	}
	return src, true
}

// InputOf turns a Source into the planner's Input. The receivers are the
// institutions the campaign's receiving party controls (not hospitals or transit
// points), with their free places: capacity, less those held, less those on a
// planned or departed movement to them. The sites are the prisons and camps of other
// parties, with their risks as deadlines. Each person held at a site is planned
// unless on a planned or departed movement, or in hospital; a person waiting on an
// open transfer lacks the safeguards it still misses, and rides only its
// movements; a person on no transfer is ready lead after from (the time the
// safeguards take). A person's priority group is their transfer's, or else the
// group named by the grounds of their detention.
func InputOf(src Source, from time.Time, lead time.Duration) *Input {
	cp := src.Campaign
	in := &Input{Campaign: cp.ID, Priorities: cp.Priorities}
	group := func(name string) int { return slices.Index(cp.Priorities, name) }
	sites := map[uuid.UUID]bool{}
	inbound := map[uuid.UUID]map[custody.Category]int{}
	persons := map[uuid.UUID]*custody.PersonState{}
	for i := range src.Persons {
		persons[src.Persons[i].Record.ID] = &src.Persons[i]
	}
	moving := map[uuid.UUID]string{}
	for _, m := range src.Movements {
		if m.Status != custody.PlannedMovement && m.Status != custody.DepartedMovement {
			continue
		}
		if inbound[m.To] == nil {
			inbound[m.To] = map[custody.Category]int{}
		}
		ids := make([]uuid.UUID, 0, len(m.Manifest))
		if m.Status == custody.DepartedMovement && m.Departure != nil {
			ids = m.Departure.Present
		} else {
			for _, st := range m.Manifest {
				ids = append(ids, st.Person)
			}
		}
		for _, id := range ids {
			moving[id] = m.ID.String()
			if p, ok := persons[id]; ok {
				inbound[m.To][p.Record.Category]++
			} else {
				inbound[m.To][custody.Detainee]++ // in transit: not listed among those held
			}
		}
	}
	for _, f := range src.Facilities {
		switch {
		case f.Controller == cp.Receiving && f.Kind != custody.Hospital && f.Kind != custody.TransitPoint:
			r := Receiver{ID: f.ID, Code: f.Code, Free: map[custody.Category]int{}}
			for c, n := range f.Capacities {
				r.Free[c] = max(0, n-f.Population[c]-inbound[f.ID][c])
			}
			in.Receivers = append(in.Receivers, r)
		case f.Controller != cp.Receiving && (f.Kind == custody.Prison || f.Kind == custody.Camp):
			s := Site{ID: f.ID, Code: f.Code}
			if f.Risk != nil {
				s.Deadline, s.Risk = f.Risk.By, Risk(f.Risk.Kind)
			}
			in.Sites = append(in.Sites, s)
			sites[f.ID] = true
		}
	}
	slices.SortFunc(in.Sites, func(a, b Site) int { return cmp.Compare(a.Code, b.Code) })
	slices.SortFunc(in.Receivers, func(a, b Receiver) int { return cmp.Compare(a.Code, b.Code) })
	waiting := map[uuid.UUID]*custody.TransferPerson{}
	transferOf := map[uuid.UUID]*custody.TransferState{}
	for _, t := range src.Transfers {
		if t.Status == custody.CancelledTransfer || t.Status == custody.CompletedTransfer {
			continue
		}
		for _, tp := range t.People {
			if tp.Stage == custody.StageWaiting {
				waiting[tp.Person], transferOf[tp.Person] = tp, t
			}
		}
	}
	for _, ps := range src.Persons {
		site := ps.Custody.Facility
		if ps.Custody.Status == custody.Hospitalised {
			site = ps.Custody.Return
		}
		if !sites[site] {
			continue
		}
		r := &ps.Record
		p := Person{ID: r.ID, RegNo: r.RegNo, Site: site, Category: r.Category, Sex: r.Sex, Household: r.Household, Priority: group(r.Detention.Reasons)}
		if t, ok := transferOf[r.ID]; ok {
			p.Transfer, p.To = t.ID, t.To
			if t.Priority != "" {
				p.Priority = group(t.Priority)
			}
			p.Blocked = slices.Clone(waiting[r.ID].Missing)
		} else if lead > 0 {
			p.ReadyFrom = from.Add(lead)
		}
		switch {
		case moving[r.ID] != "":
			p.Unavailable, p.UnavailableArg = OnMovement, moving[r.ID]
		case ps.Custody.Status == custody.Hospitalised:
			p.Unavailable = InHospital
		}
		in.Persons = append(in.Persons, p)
	}
	slices.SortFunc(in.Persons, func(a, b Person) int { return cmp.Compare(a.RegNo, b.RegNo) })
	return in
}
