package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/bulk"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/names"
	"github.com/handover-project/handover/sequencer"
)

// LikelyDuplicate is the code of a registration refused because persons already
// registered are likely the same person (409): the problem lists them, and the
// registration goes ahead when it is sent again with a duplicate_reason, or
// with link_to.
const LikelyDuplicate custody.Code = "likely_duplicate"

// maxDuplicateCandidates is the most likely duplicates a registration is warned of.
const maxDuplicateCandidates = 10

// DuplicateCandidate is a registered person likely to be the one a registration
// names, with the score and its explanation.
type DuplicateCandidate struct {
	NameMatch
	RegNo    string         `json:"reg_no"`
	Name     string         `json:"name"`
	Status   custody.Status `json:"status"`
	Facility uuid.UUID      `json:"facility,omitzero"`
}

// duplicateProblem is a registration refused as a likely duplicate: the problem,
// and the candidates.
type duplicateProblem struct {
	problemDetails
	Candidates []DuplicateCandidate `json:"candidates"`
}

// checkDuplicates warns of the registered persons that the caller may see and
// that the names index finds likely to be cmd's person (names.Threshold, as
// GET /duplicates): without a reason or a link, the registration is refused with
// them; with one, they are recorded in the command. A request whose command an
// earlier attempt with its Idempotency-Key committed is not checked: the
// sequencer answers it with that attempt's receipt.
func (s *server) checkDuplicates(ctx context.Context, cmd *custody.RegisterPerson, reason, linkTo string) error {
	if k, ok := sequencer.KeyOf(ctx); ok && !k.Checked {
		return nil
	}
	if linkTo != "" {
		id, err := s.personAt(ctx, "body.link_to", linkTo)
		if err != nil {
			return err
		}
		seen, err := s.visibleByID(ctx, []uuid.UUID{id})
		if err != nil {
			return err
		}
		if _, ok := seen[id]; !ok {
			return notFound("body.link_to", "no person "+linkTo)
		}
		if err := s.mayAlso(ctx, "link-persons", cmd.Facility); err != nil {
			return err
		}
		cmd.LinkTo = id
		if reason == "" {
			return invalid("body.duplicate_reason", "is required with link_to: why the two records are one person")
		}
	}
	cands, err := s.likelyDuplicates(ctx, &cmd.Person)
	if err != nil {
		return err
	}
	if len(cands) > 0 && reason == "" {
		return duplicateRefusal(cands)
	}
	for _, c := range cands {
		cmd.Duplicates = append(cmd.Duplicates, c.ID)
	}
	if len(cands) > 0 || cmd.LinkTo != uuid.Nil {
		cmd.DuplicateReason = reason
	}
	return nil
}

// likelyDuplicates are the registered persons the caller may see that are likely
// to be p, best first, at most maxDuplicateCandidates.
func (s *server) likelyDuplicates(ctx context.Context, p *custody.Person) ([]DuplicateCandidate, error) {
	n, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	hits := n.idx.Candidates(namesPerson(p), names.Threshold, 4*maxDuplicateCandidates)
	var ids []uuid.UUID
	for _, h := range hits {
		if id, err := uuid.Parse(h.ID); err == nil && id != p.ID {
			ids = append(ids, id)
		}
	}
	seen, err := s.visibleByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []DuplicateCandidate
	for _, h := range hits {
		id, _ := uuid.Parse(h.ID)
		ps, ok := seen[id]
		if !ok || len(out) == maxDuplicateCandidates {
			continue
		}
		out = append(out, DuplicateCandidate{NameMatch: nameMatch(id, h.Explanation), RegNo: ps.Record.RegNo, Name: displayName(&ps.Record),
			Status: ps.Custody.Status, Facility: ps.Custody.Facility})
	}
	return out, nil
}

// duplicateRefusal is the 409 likely_duplicate problem listing the candidates.
func duplicateRefusal(cands []DuplicateCandidate) error {
	regNos := make([]string, len(cands))
	for i, c := range cands {
		regNos[i] = fmt.Sprintf("%s (%.2f)", c.RegNo, c.Score)
	}
	msg := fmt.Sprintf("likely the same person as %d registered: %s; register with duplicate_reason saying why not, or with link_to",
		len(cands), strings.Join(regNos, ", "))
	p := &duplicateProblem{problemDetails: *newProblem(http.StatusConflict, LikelyDuplicate, "body.person: "+msg), Candidates: cands}
	p.Errors = []*huma.ErrorDetail{{Location: "body.person", Message: msg}}
	return p
}

// mayAlso checks that the signed-in user's roles grant action over a record of
// facility fid's controller too (a write that performs a second action).
func (s *server) mayAlso(ctx context.Context, action string, fid uuid.UUID) error {
	az := authzOf(ctx)
	f, err := s.facility(ctx, "body.facility", fid.String())
	if err != nil {
		return err
	}
	g := s.policy.Grant(az.user, action)
	g.Scopes = slices.DeleteFunc(slices.Clone(g.Scopes), func(x access.Scope) bool { return x == access.Mandate })
	also := &authz{who: az.who, user: az.user, action: action, write: true, grant: g, target: az.target}
	ok, err := s.permits(ctx, also, access.Concerns{Parties: []uuid.UUID{f.Controller}, Facilities: []uuid.UUID{fid}})
	if err != nil {
		return err
	}
	if !ok {
		return newProblem(http.StatusForbidden, Forbidden, forbiddenDetail(also))
	}
	return nil
}

// importDuplicates finds, for each row of an import, the registered persons the
// caller may see that are likely to be its person, puts them in the report, and
// returns their ids by row. Like checkDuplicates, it finds none for a request
// whose command an earlier attempt with its key committed.
func (s *server) importDuplicates(ctx context.Context, rows []bulk.Row, rep *bulk.Report) ([][]uuid.UUID, error) {
	if k, ok := sequencer.KeyOf(ctx); ok && !k.Checked {
		return nil, nil
	}
	n, err := s.index(ctx)
	if err != nil {
		return nil, err
	}
	hits := make([][]names.Hit, len(rows))
	var all []uuid.UUID
	for i := range rows {
		hits[i] = n.idx.Candidates(namesPerson(&rows[i].Person), names.Threshold, 4*maxDuplicateCandidates)
		for _, h := range hits[i] {
			if id, err := uuid.Parse(h.ID); err == nil {
				all = append(all, id)
			}
		}
	}
	seen, err := s.visibleByID(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([][]uuid.UUID, len(rows))
	for i, hs := range hits {
		var d bulk.LikelyDuplicate
		for _, h := range hs {
			id, _ := uuid.Parse(h.ID)
			ps, ok := seen[id]
			if !ok || id == rows[i].Person.ID || len(d.Candidates) == maxDuplicateCandidates {
				continue
			}
			d.Candidates = append(d.Candidates, bulk.Candidate{ID: id, RegNo: ps.Record.RegNo, Name: displayName(&ps.Record),
				Score: h.Explanation.Score, English: h.Explanation.Text("en")})
			out[i] = append(out[i], id)
		}
		if len(d.Candidates) > 0 {
			d.Line = rows[i].Line
			rep.Duplicates = append(rep.Duplicates, d)
		}
	}
	return out, nil
}

// duplicatesReportProblem is an import refused for its likely duplicates: 409
// likely_duplicate with the report, one error per row.
func duplicatesReportProblem(rep *bulk.Report) error {
	p := &importProblem{Report: rep, problemDetails: *newProblem(http.StatusConflict, LikelyDuplicate,
		fmt.Sprintf("%d rows are likely persons already registered: nothing was registered; pass them with duplicate_reason, or remove them", len(rep.Duplicates)))}
	for _, d := range rep.Duplicates {
		p.Errors = append(p.Errors, &huma.ErrorDetail{Location: "body.line[" + strconv.Itoa(d.Line) + "]", Message: d.String()})
	}
	return p
}

// displayName is the name a list shows of a record: its Latin primary name, or
// its Arabic one.
func displayName(p *custody.Person) string {
	if n := p.PrimaryName(custody.Latin); n != "" {
		return n
	}
	return p.PrimaryName(custody.Arabic)
}
