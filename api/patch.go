package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/handover-project/handover/custody"
)

// A correction is a JSON merge patch (RFC 7396) applied to the person's current
// record: members of the patch replace those of the record, objects merge
// recursively, null removes a member, and arrays are replaced whole. The corrected
// record must keep the person's id.
type correction struct {
	Meta
	Reason string          `json:"reason" required:"true" doc:"Why the record is corrected"`
	Patch  json.RawMessage `json:"patch" required:"true" doc:"A JSON merge patch (RFC 7396) of the record, e.g. {\"nationalities\":[\"IRQ\"]}"`
}

// onPatch locates refusals of a correction: record fields are in the patch.
var onPatch = where{"": "body", "person": "body.patch", "person.id": "path.id"}

func (s *server) correct(ctx context.Context, in *action[correction]) (*receiptOutput, error) {
	cur, err := s.person(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	m, err := s.meta(ctx, in.Body.Meta)
	if err != nil {
		return nil, err
	}
	p, err := patchRecord(&cur.Record, in.Body.Patch)
	if err != nil {
		return nil, err
	}
	return s.submit(ctx, custody.CorrectRecord{Meta: m, Person: p, Reason: in.Body.Reason}, onPatch)
}

// patchRecord applies a merge patch to a record.
func patchRecord(rec *custody.Person, patch []byte) (custody.Person, error) {
	cur, err := json.Marshal(rec)
	if err != nil {
		return custody.Person{}, err
	}
	merged, err := mergePatch(cur, patch)
	if err != nil {
		return custody.Person{}, invalid("body.patch", err.Error())
	}
	var p custody.Person
	dec := json.NewDecoder(bytes.NewReader(merged))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return p, invalid("body.patch."+te.Field, fmt.Sprintf("must be a JSON %s, not %s", te.Type.Kind(), te.Value))
		}
		return p, invalid("body.patch", fmt.Sprintf("does not make a valid record: %v", err))
	}
	if p.ID != rec.ID {
		return p, invalid("body.patch.id", "the id of a person cannot be changed")
	}
	return p, nil
}

// mergePatch applies the JSON merge patch patch to the JSON document target and
// returns the result (RFC 7396). The patch must be a JSON object.
func mergePatch(target, patch []byte) ([]byte, error) {
	p, err := decodeJSON(patch)
	if err != nil {
		return nil, fmt.Errorf("is not JSON: %v", err)
	}
	if _, ok := p.(map[string]any); !ok {
		return nil, errors.New("must be a JSON object")
	}
	t, err := decodeJSON(target)
	if err != nil {
		return nil, fmt.Errorf("target is not JSON: %v", err)
	}
	return json.Marshal(mergeValue(t, p))
}

// mergeValue is RFC 7396's MergePatch(Target, Patch).
func mergeValue(target, patch any) any {
	pm, ok := patch.(map[string]any)
	if !ok {
		return patch
	}
	tm, ok := target.(map[string]any)
	if !ok {
		tm = map[string]any{}
	}
	for k, v := range pm {
		if v == nil {
			delete(tm, k)
		} else {
			tm[k] = mergeValue(tm[k], v)
		}
	}
	return tm
}

// decodeJSON decodes one JSON value, keeping numbers exact.
func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the value")
	}
	return v, nil
}
