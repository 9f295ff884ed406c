package web

import (
	"net/http"
	"time"

	"github.com/handover-project/handover/api"
)

// witnessRow is one witness as the ledger page shows it.
type witnessRow struct {
	api.WitnessInfo
	Ago string // how long ago it last cosigned, in the reader's language; "" if never
}

// witnessView is the log's witnessing as the pages show it.
type witnessView struct {
	Quorum    string
	Witnessed *api.WitnessedCheckpoint
	Rows      []witnessRow
	Alerts    []string // a silent witness, a refusal: for the dashboard
}

// witnessing reads /api/v1/witnesses and words it for the reader. With no
// witness policy it returns an empty view.
func (s *site) witnessing(rq *req) (witnessView, error) {
	var r api.WitnessReport
	if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/witnesses", nil, nil, &r, ""); err != nil {
		return witnessView{}, err
	}
	v := witnessView{Quorum: r.Quorum, Witnessed: r.Witnessed}
	now := s.cfg.Now()
	for _, w := range r.Witnesses {
		row := witnessRow{WitnessInfo: w}
		if w.CosignedAt != nil {
			row.Ago = ago(rq.loc, now.Sub(*w.CosignedAt))
		}
		v.Rows = append(v.Rows, row)
		switch {
		case w.Refused != "":
			v.Alerts = append(v.Alerts, rq.loc.T("witness.alert_refused", w.Name))
		case w.Silent && row.Ago != "":
			v.Alerts = append(v.Alerts, rq.loc.T("witness.alert_silent", w.Name, rq.loc.N(int(w.Size)), row.Ago))
		case w.Silent:
			v.Alerts = append(v.Alerts, rq.loc.T("witness.alert_never", w.Name))
		}
	}
	return v, nil
}

// ago words a duration for "how long ago": seconds under two minutes,
// then minutes under two hours, then hours.
func ago(l *Loc, d time.Duration) string {
	switch {
	case d < 2*time.Minute:
		return l.T("witness.ago_seconds", l.N(int(max(d, 0)/time.Second)))
	case d < 2*time.Hour:
		return l.T("witness.ago_minutes", l.N(int(d/time.Minute)))
	default:
		return l.T("witness.ago_hours", l.N(int(d/time.Hour)))
	}
}
