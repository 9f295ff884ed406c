package api

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/handover-project/handover/access"
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
