package main

import (
	"strings"
	"testing"

	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/client"
)

// TestDecodeStrict: a --file body is one JSON object of the request's fields;
// anything else is refused, saying what.
func TestDecodeStrict(t *testing.T) {
	type body struct {
		api.Meta
		Campaign client.NewCampaign `json:"campaign"`
	}
	for _, tc := range []struct{ in, err string }{
		{`{"occurred_at":"2026-02-01T08:00:00Z","party":"IRQ","campaign":{"name":"n","target":3,"receiving":"IRQ"}}`, ""},
		{` {"campaign":{"name":"n"}} ` + "\n", ""},
		{`{"campaign":{"name":"n","traget":3}}`, `unknown field "traget"`},
		{`{"campaing":{}}`, `unknown field "campaing"`},
		{`{"campaign":{}} {"campaign":{}}`, "more than one JSON value"},
		{`{"campaign":{}} x`, "more than one JSON value"},
		{`{"campaign":{"target":"three"}}`, "cannot unmarshal string"},
		{`[]`, "cannot unmarshal array"},
		{``, "EOF"},
	} {
		var b body
		err := decodeStrict([]byte(tc.in), &b)
		switch {
		case tc.err == "" && err != nil:
			t.Errorf("%s: %v", tc.in, err)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("%s: got %v; want %q", tc.in, err, tc.err)
		case err != nil && strings.HasPrefix(err.Error(), "json: "):
			t.Errorf("%s: %v keeps the decoder's prefix", tc.in, err)
		}
	}
}
