package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/plan"
)

// The plan page: a campaign's planned movements as a timeline, each deadline
// site's population against its deadline as a chart, why persons are not planned,
// and a form by which the receiving party's transfer approver accepts movements.

type planData struct {
	N        *names
	Campaign custody.CampaignView
	Plan     *plan.Plan
	Query    url.Values // the plan's parameters, carried into the accept form
	PerDay   string
	From     string
	Charts   []siteChart
	Left     []leftGroup
	Show     *plan.Movement // the movement whose persons are listed
	ShowWho  []plan.Assignment
	Figures  []figure
	Idem     string
	Now      string
}

// figure is one line of the plan against its bound.
type figure struct {
	Key              string
	Plan, Bound, Gap int
}

// siteChart is one deadline site's population by day, as bars of an SVG chart.
type siteChart struct {
	O      plan.Outlook
	Bars   []chartBar
	Width  int
	Height int
	Mark   int // x of the deadline line
}

type chartBar struct{ X, Y, W, H, N int }

// leftGroup is the persons not planned for one reason.
type leftGroup struct {
	Text, Unblock string
	N             int
}

func (s *site) planPage(rq *req) error {
	if !rq.can("plan-campaign") {
		return forbidden(rq, "plan-campaign")
	}
	n, err := rq.names()
	if err != nil {
		return err
	}
	id := rq.r.PathValue("id")
	d := planData{N: n, Idem: uuid.NewString(), Now: formNow(s.cfg.Now())}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/campaigns/"+url.PathEscape(id), nil, nil, &d.Campaign, ""); err != nil {
		return err
	}
	d.Query = planQuery(rq.r.URL.Query())
	d.PerDay, d.From = d.Query.Get("movements_per_day"), d.Query.Get("from")
	q := url.Values{}
	for k, v := range d.Query {
		q[k] = v
	}
	q.Set("lang", rq.loc.Lang())
	var out struct {
		Plan *plan.Plan `json:"plan"`
	}
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/campaigns/"+url.PathEscape(id)+"/plan", q, nil, &out, ""); err != nil {
		return err
	}
	d.Plan = out.Plan
	o, b := d.Plan.Objective, d.Plan.Bound
	for _, f := range []figure{{"plan.late", o.Late, b.Late, 0}, {"plan.unplanned", o.Unplanned, b.Unplanned, 0},
		{"plan.priority", o.Priority, b.Priority, 0}, {"plan.movements", o.Movements, b.Movements, 0}, {"plan.days", o.Completion, b.Completion, 0}} {
		f.Gap = f.Plan - f.Bound
		d.Figures = append(d.Figures, f)
	}
	for _, o := range d.Plan.Sites {
		d.Charts = append(d.Charts, chartOf(o))
	}
	left := map[string]*leftGroup{}
	for _, a := range d.Plan.Persons {
		if a.Movement != "" {
			continue
		}
		r := a.Reasons[0]
		g := left[r.Text]
		if g == nil {
			g = &leftGroup{Text: r.Text, Unblock: r.Unblock}
			left[r.Text] = g
		}
		g.N++
	}
	for _, k := range slices.Sorted(maps.Keys(left)) {
		d.Left = append(d.Left, *left[k])
	}
	if key := rq.r.URL.Query().Get("show"); key != "" {
		for i := range d.Plan.Movements {
			if d.Plan.Movements[i].Key == key {
				d.Show = &d.Plan.Movements[i]
			}
		}
		for _, a := range d.Plan.Persons {
			if a.Movement == key {
				d.ShowWho = append(d.ShowWho, a)
			}
		}
	}
	s.render(rq, http.StatusOK, "plan", rq.loc.T("plan.title", d.Campaign.Name), d)
	return nil
}

// planQuery keeps the plan parameters of a request that the API knows.
func planQuery(in url.Values) url.Values {
	q := url.Values{}
	for _, k := range []string{"from", "movements_per_day", "movement_size", "vehicles", "seats", "horizon", "safeguard_days"} {
		if v := in.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// chartOf draws a site's daily population as bars, 8 units a day, 100 high.
func chartOf(o plan.Outlook) siteChart {
	c := siteChart{O: o, Height: 100}
	top := max(1, o.Now)
	for i, n := range o.Daily {
		h := n * 100 / top
		c.Bars = append(c.Bars, chartBar{X: i * 8, Y: 100 - h, W: 6, H: h, N: n})
	}
	c.Width = max(8, len(o.Daily)*8)
	c.Mark = max(0, len(o.Daily)-1) * 8
	return c
}

func (s *site) acceptPlan(rq *req) error {
	_, at, err := s.writeForm(rq, "accept-plan")
	if err != nil {
		return err
	}
	keys := rq.r.PostForm["movement"]
	if len(keys) == 0 {
		return badForm(rq, "movement", rq.loc.T("plan.choose"))
	}
	id := rq.r.PathValue("id")
	body := map[string]any{"occurred_at": at, "movements": keys,
		"legal_basis": rq.r.PostForm.Get("legal_basis"), "ordered_by": rq.r.PostForm.Get("ordered_by")}
	var out struct {
		Movements map[string]uuid.UUID `json:"movements"`
	}
	q := planQuery(rq.r.PostForm)
	if err := rq.api.call(rq.ctx, http.MethodPost, "/api/v1/campaigns/"+url.PathEscape(id)+"/plan/acceptances", q, body, &out, rq.r.PostForm.Get("idem")); err != nil {
		return err
	}
	if len(keys) == 1 {
		return back(rq, "/movements/"+out.Movements[keys[0]].String())
	}
	return back(rq, "/movements?accepted="+strconv.Itoa(len(keys)))
}
