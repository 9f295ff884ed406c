package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
)

// Movements: the list, a movement's page with its reconciliation, and the
// manifest builder.

type movementsData struct {
	N         *names
	Movements []custody.MovementState
	Status    string
	Statuses  []string
	P         pager
	Transfers []custody.TransferState // approved transfers a movement can be planned on
}

// movementStatuses are the API's movement statuses, for the list's filter.
var movementStatuses = []string{"planned", "departed", "arrived", "reconciled", "cancelled"}

func (s *site) movements(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	q := filtersOf(rq, map[string][]string{"status": movementStatuses, "transfer": nil})
	var out struct {
		Movements []custody.MovementState `json:"movements"`
	}
	if err := rq.api.all(rq.ctx, "/api/v1/movements", q, "movements", &out); err != nil {
		return err
	}
	slices.SortStableFunc(out.Movements, func(a, b custody.MovementState) int { return int(b.Planned) - int(a.Planned) })
	d := movementsData{N: n, Status: q.Get("status"), Statuses: movementStatuses}
	d.Movements, d.P = paginate(rq, "/movements", q, out.Movements)
	if rq.can("plan-movement") {
		var ts struct {
			Transfers []custody.TransferState `json:"transfers"`
		}
		if err := rq.api.all(rq.ctx, "/api/v1/transfers", nil, "transfers", &ts); err != nil {
			return err
		}
		for _, t := range ts.Transfers {
			if t.Status == custody.ApprovedTransfer || t.Status == custody.InProgressTransfer || t.Status == custody.ProposedTransfer {
				d.Transfers = append(d.Transfers, t)
			}
		}
	}
	s.render(rq, http.StatusOK, "movements", rq.loc.T("movements.title"), d)
	return nil
}

type movementData struct {
	N         *names
	M         custody.MovementState
	T         custody.TransferState
	Rows      []reconRow
	Vehicles  []vehicleLoad
	Incidents []custody.IncidentState
	Departed  int
	Arrived   int
	Missing   int
}

// reconRow is one person of a movement: where they stand at each handover.
type reconRow struct {
	Person    uuid.UUID
	RegNo     string
	Name      personName
	Vehicle   string
	Departure string // the outcome at departure, "" before it
	Arrival   string // the outcome at arrival, "" before it
	Status    custody.Status
	Linked    []personRow // the other records of the same person the user may see
}

type vehicleLoad struct {
	V     custody.Vehicle
	Count int
}

func (s *site) movement(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	m, t, err := readMovement(rq, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	d := movementData{N: n, M: m, T: t}
	load := map[string]int{}
	ps, err := rq.persons(manifestIDs(m.Manifest))
	if err != nil {
		return err
	}
	linked, err := rq.linkedRows(slices.Collect(maps.Values(ps)))
	if err != nil {
		return err
	}
	for _, st := range m.Manifest {
		load[st.Vehicle]++
		p := person(ps, st.Person)
		row := reconRow{Person: st.Person, RegNo: p.Record.RegNo, Name: nameOf(&p.Record), Vehicle: st.Vehicle, Status: p.Custody.Status,
			Linked: linked[st.Person]}
		row.Departure = outcomeAt(m.Departure, st.Person)
		row.Arrival = outcomeAt(m.Arrival, st.Person)
		if row.Departure == string(custody.OutcomePresent) {
			d.Departed++
		}
		switch row.Arrival {
		case string(custody.OutcomePresent):
			d.Arrived++
		case "":
		default:
			d.Missing++
		}
		d.Rows = append(d.Rows, row)
	}
	for _, v := range m.Vehicles {
		d.Vehicles = append(d.Vehicles, vehicleLoad{V: v, Count: load[v.ID]})
	}
	for _, id := range m.Incidents {
		var in custody.IncidentState
		if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/incidents/"+id.String(), nil, nil, &in, ""); err != nil {
			return err
		}
		d.Incidents = append(d.Incidents, in)
	}
	s.render(rq, http.StatusOK, "movement", rq.loc.T("movement.title", n.FacilityCode(m.From), n.FacilityCode(m.To)), d)
	return nil
}

// outcomeAt is a person's outcome at a handover: "" when the handover has not
// happened or did not name them.
func outcomeAt(h *custody.HandoverRecord, id uuid.UUID) string {
	if h == nil {
		return ""
	}
	if slices.Contains(h.Present, id) {
		return string(custody.OutcomePresent)
	}
	if o, ok := h.NotPresent[id.String()]; ok {
		return string(o)
	}
	return ""
}

func manifestIDs(seats []custody.Seat) []uuid.UUID {
	ids := make([]uuid.UUID, len(seats))
	for i, st := range seats {
		ids[i] = st.Person
	}
	return ids
}

func readMovement(rq *req, id string) (custody.MovementState, custody.TransferState, error) {
	var m custody.MovementState
	var t custody.TransferState
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/movements/"+url.PathEscape(id), nil, nil, &m, ""); err != nil {
		return m, t, err
	}
	err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/transfers/"+m.Transfer.String(), nil, nil, &t, "")
	return m, t, err
}

// The manifest builder: a transfer's persons who may still be planned, each given
// a vehicle. The API checks separation and capacity; a breach it refuses comes
// back here inline, with the rule to override and a reason to give.

type builderData struct {
	N         *names
	T         custody.TransferState
	Rows      []builderRow
	Form      builderForm
	Problem   *Problem
	Idem      string
	Escorts   []custody.Party
	Rules     []custody.Rule
	MaxSeats  int
	Vehicles3 []int // indices of the vehicle rows of the form
}

type builderRow struct {
	TP      *custody.TransferPerson
	P       custody.PersonState
	Name    personName
	Vehicle string // chosen in the form
	Blocked bool   // safeguards still missing: departure would be refused
}

// builderForm is the form as sent, to show it again after a refusal.
type builderForm struct {
	Escort     string
	Mode       string
	Departure  string
	Conditions string
	Vehicles   []custody.Vehicle
	Overrides  map[custody.Rule]string
}

// vehicleRows is how many vehicle rows the builder offers.
const vehicleRows = 4

func (s *site) newMovement(rq *req) error {
	if !rq.can("plan-movement") {
		return forbidden(rq, "plan-movement")
	}
	form := builderForm{Mode: string(custody.Convoy), Departure: formNow(s.cfg.Now().Add(24 * 60 * 60 * 1e9)),
		Vehicles: []custody.Vehicle{{ID: "BUS-1", Kind: "bus", Seats: 40}, {ID: "BUS-2", Kind: "bus", Seats: 40}}}
	if rq.me.PartyCode != "" {
		form.Escort = rq.me.PartyCode
	}
	return s.builder(rq, rq.r.URL.Query().Get("transfer"), form, nil, http.StatusOK)
}

func (s *site) builder(rq *req, transfer string, form builderForm, problem *Problem, status int) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	if transfer == "" {
		return badForm(rq, "transfer", rq.loc.T("movement.pick_transfer"))
	}
	var t custody.TransferState
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/transfers/"+url.PathEscape(transfer), nil, nil, &t, ""); err != nil {
		return err
	}
	d := builderData{N: n, T: t, Form: form, Problem: problem, Idem: uuid.NewString(), Rules: []custody.Rule{custody.SeparationRule, custody.CapacityRule}}
	for len(d.Form.Vehicles) < vehicleRows {
		d.Form.Vehicles = append(d.Form.Vehicles, custody.Vehicle{})
	}
	for i := range vehicleRows {
		d.Vehicles3 = append(d.Vehicles3, i)
	}
	for _, p := range n.parties {
		if p.Kind == custody.EscortForce || p.Kind == custody.DetainingAuthority || p.Kind == custody.ReceivingState {
			d.Escorts = append(d.Escorts, p)
		}
	}
	slices.SortFunc(d.Escorts, func(a, b custody.Party) int { return strings.Compare(a.Code, b.Code) })
	chosen := rq.r.PostForm
	var waiting []uuid.UUID
	for _, tp := range t.People {
		if tp.Stage == custody.StageWaiting && tp.Movement == uuid.Nil {
			waiting = append(waiting, tp.Person)
		}
	}
	ps, err := rq.persons(waiting)
	if err != nil {
		return err
	}
	for _, tp := range t.People {
		if tp.Stage != custody.StageWaiting || tp.Movement != uuid.Nil {
			continue
		}
		p := person(ps, tp.Person)
		row := builderRow{TP: tp, P: p, Name: nameOf(&p.Record), Blocked: len(tp.Missing) > 0}
		if chosen != nil {
			row.Vehicle = chosen.Get("seat-" + tp.Person.String())
		}
		d.Rows = append(d.Rows, row)
	}
	s.render(rq, status, "movement_new", rq.loc.T("builder.title"), d)
	return nil
}

func (s *site) planMovement(rq *req) error {
	f, at, err := s.writeForm(rq, "plan-movement")
	if err != nil {
		return err
	}
	form := builderForm{Escort: f.Get("escort"), Mode: f.Get("mode"), Departure: f.Get("planned_departure"),
		Conditions: strings.TrimSpace(f.Get("conditions")), Overrides: map[custody.Rule]string{}}
	for i := range vehicleRows {
		id := strings.TrimSpace(f.Get("vehicle-id-" + strconv.Itoa(i)))
		seats, _ := strconv.Atoi(strings.TrimSpace(f.Get("vehicle-seats-" + strconv.Itoa(i))))
		if id == "" {
			continue
		}
		form.Vehicles = append(form.Vehicles, custody.Vehicle{ID: id, Kind: strings.TrimSpace(f.Get("vehicle-kind-" + strconv.Itoa(i))), Seats: seats})
	}
	transfer := f.Get("transfer")
	var manifest []map[string]string
	for k, vs := range f {
		if p, ok := strings.CutPrefix(k, "seat-"); ok && len(vs) > 0 && vs[0] != "" {
			manifest = append(manifest, map[string]string{"person": p, "vehicle": vs[0]})
		}
	}
	slices.SortFunc(manifest, func(a, b map[string]string) int { return strings.Compare(a["person"], b["person"]) })
	var overrides []custody.ManifestOverride
	for _, r := range []custody.Rule{custody.SeparationRule, custody.CapacityRule} {
		if reason := strings.TrimSpace(f.Get("override-" + string(r))); reason != "" {
			form.Overrides[r] = reason
			overrides = append(overrides, custody.ManifestOverride{Rule: r, Reason: reason})
		}
	}
	departure, err := parseFormTime(form.Departure, time.Time{})
	if err != nil {
		return s.builder(rq, transfer, form, &Problem{Status: http.StatusBadRequest, Errors: []ProblemItem{{Location: "planned_departure", Message: rq.loc.T("form.bad_time", form.Departure)}}}, http.StatusBadRequest)
	}
	if len(manifest) == 0 {
		return s.builder(rq, transfer, form, &Problem{Status: http.StatusBadRequest, Detail: rq.loc.T("builder.empty")}, http.StatusBadRequest)
	}
	body := map[string]any{"occurred_at": at, "movement": map[string]any{"transfer": transfer, "escort": form.Escort, "mode": form.Mode,
		"vehicles": form.Vehicles, "planned_departure": departure, "conditions": form.Conditions, "manifest": manifest}}
	if len(overrides) > 0 {
		body["overrides"] = overrides
	}
	var out struct {
		custody.MovementState
	}
	err = rq.api.call(rq.ctx, http.MethodPost, "/api/v1/movements", nil, body, &out, f.Get("idem"))
	if p, ok := err.(*Problem); ok && p.Status != http.StatusUnauthorized && p.Status != http.StatusForbidden && p.Status < 500 {
		return s.builder(rq, transfer, form, p, p.Status)
	}
	if err != nil {
		return err
	}
	return back(rq, "/movements/"+out.ID.String())
}
