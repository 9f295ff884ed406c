package web

import (
	"bytes"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/report"
)

// manifestPDF prints a movement's manifest: header, one row per person with both
// scripts and a QR code of the person's record page, and signature blocks.
func (s *site) manifestPDF(rq *req) error {
	n, err := rq.names()
	if err != nil {
		return err
	}
	m, t, err := readMovement(rq, rq.r.PathValue("id"))
	if err != nil {
		return err
	}
	l := rq.loc
	doc := report.Manifest{Lang: l.Lang(), Title: l.T("pdf.title"), Labels: pdfLabels(l),
		Movement: m.ID.String(), From: n.PartyName(t.Sending), To: n.PartyName(t.Receiving),
		Origin: n.Facility(m.From), Destination: n.Facility(m.To), Escort: n.PartyName(m.Escort),
		Departs: l.DateTime(m.PlannedDeparture), PrintedAt: s.cfg.Now()}
	if t.Campaign != uuid.Nil {
		var c custody.CampaignView
		if err := rq.api.call(rq.ctx, http.MethodGet, "/api/v1/campaigns/"+t.Campaign.String(), nil, nil, &c, ""); err == nil {
			doc.Campaign = c.Name
		}
	}
	for _, v := range m.Vehicles {
		doc.Vehicles = append(doc.Vehicles, vehicleText(l, v))
	}
	base := s.cfg.PublicURL // never the request's Host: its sender chooses it
	seatNo := map[string]int{}
	ps, err := rq.persons(manifestIDs(m.Manifest))
	if err != nil {
		return err
	}
	linked, err := rq.linkedRows(slices.Collect(maps.Values(ps)))
	if err != nil {
		return err
	}
	for _, st := range m.Manifest {
		p := person(ps, st.Person)
		seatNo[st.Vehicle]++
		regNo := p.Record.RegNo
		if ls := linked[st.Person]; len(ls) > 0 { // one person under several records: the officers see them all
			also := make([]string, len(ls))
			for i, x := range ls {
				also[i] = x.P.Record.RegNo
			}
			regNo = l.T("pdf.also", regNo, strings.Join(also, ", "))
		}
		doc.Rows = append(doc.Rows, report.ManifestRow{RegNo: regNo, NameArabic: p.Record.PrimaryName(custody.Arabic),
			NameLatin: p.Record.PrimaryName(custody.Latin), Nationality: strings.Join(p.Record.Nationalities, ", "),
			Category: l.T("category." + string(p.Record.Category)), Vehicle: st.Vehicle, Seat: strconv.Itoa(seatNo[st.Vehicle]),
			RecordURL: base + "/persons/" + p.Record.ID.String()})
	}
	doc.Signatures = []report.SignatureBlock{{Role: l.T("pdf.sending_officer")}, {Role: l.T("pdf.escort_officer")}, {Role: l.T("pdf.receiving_officer")}}
	doc.Proofs = l.T("pdf.proofs", base)
	var buf bytes.Buffer
	if err := report.WriteManifest(&buf, doc); err != nil {
		return err
	}
	h := rq.w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `inline; filename="manifest-`+m.ID.String()+`.pdf"`)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = rq.w.Write(buf.Bytes())
	return err
}

// pdfLabels are the manifest's fixed strings in the page's language.
func pdfLabels(l *Loc) report.Labels {
	return report.Labels{
		Movement: l.T("pdf.movement"), Campaign: l.T("pdf.campaign"), From: l.T("transfer.sending"), To: l.T("transfer.receiving"),
		Origin: l.T("pdf.origin"), Destination: l.T("pdf.destination"), Escort: l.T("movement.escort"), Departs: l.T("movement.departure"),
		Vehicles: l.T("movement.vehicles"), Persons: l.T("transfer.persons"), No: l.T("pdf.no"), RegNo: l.T("person.regno"),
		NameArabic: l.T("pdf.name_arabic"), NameLatin: l.T("pdf.name_latin"), Nationality: l.T("pdf.nationality"),
		Category: l.T("person.category"), Vehicle: l.T("movement.vehicle"), Seat: l.T("pdf.seat"), Photo: l.T("pdf.photo"),
		Record: l.T("pdf.record"), Signatures: l.T("pdf.signatures"), Name: l.T("pdf.name"), Signature: l.T("pdf.signature"),
		Time: l.T("pdf.time"), Printed: l.T("pdf.printed"), Page: l.T("pdf.page"),
	}
}

// vehicleText is a vehicle as the manifest prints it: "BUS-1 · bus · 40 seats".
// No brackets: between a Latin id and Arabic words they print mirrored.
func vehicleText(l *Loc, v custody.Vehicle) string {
	return l.T("pdf.vehicle", v.ID, v.Kind, l.T("pdf.seats", v.Seats))
}
