package api

import (
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/proof"
)

// TestOpDocsNameRoutes fails when opDocs describes an operation the document does
// not have (a route renamed or removed), and checks the proof file's example
// parses as one.
func TestOpDocsNameRoutes(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, item := range doc.Paths {
		for _, op := range item {
			ids[op.OperationID] = true
		}
	}
	for id := range opDocs {
		if !ids[id] && !access.DefaultPolicy.Known(id) {
			t.Logf("opDocs describes %q, a route registered once the authorisation table names it", id)
			continue
		}
		if !ids[id] {
			t.Errorf("opDocs describes %q, which the document has no operation of", id)
		}
	}
	if _, err := proof.Parse([]byte(proofFileExample)); err != nil {
		t.Errorf("the proof file's example does not parse: %v", err)
	}
}

// TestDocumentExamplesSigned checks that the example signatures of the signed
// documents verify over the example documents' bytes, with the example officers'
// keys.
func TestDocumentExamplesSigned(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "openapi.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Examples []json.RawMessage `json:"examples"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{"HandoverBody", "ControlChangeInputBody"} {
		props := doc.Components.Schemas[body].Properties
		if len(props["document"].Examples) != 1 || len(props["signatures"].Examples) != 1 {
			t.Fatalf("%s: no example document and signatures", body)
		}
		var signed []byte
		var sigs []custody.Signature
		if err := json.Unmarshal(props["document"].Examples[0], &signed); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(props["signatures"].Examples[0], &sigs); err != nil {
			t.Fatal(err)
		}
		for i, side := range []string{"from", "to"} {
			if sigs[i].Key != exampleKeyID(side) || !ed25519.Verify(exampleKey(side).Public().(ed25519.PublicKey), signed, sigs[i].Sig) {
				t.Errorf("%s: the %s officer's example signature does not verify", body, side)
			}
		}
	}
}
