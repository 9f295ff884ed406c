package names

import (
	"os"
	"testing"
)

// TestEval prints precision, recall and F1 at Threshold for the cross-script and
// Latin–Latin pairs (go test ./names -run TestEval -v), and fails under the goal:
// precision and recall of 0.95 on cross-script pairs.
func TestEval(t *testing.T) {
	pairs, err := EvalSet()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Evaluate(pairs, Threshold) {
		t.Log(m)
		if testing.Verbose() || os.Getenv("NAMES_EVAL_SHOW") != "" {
			for _, s := range m.Misses {
				t.Log("  miss:", s)
			}
			for _, s := range m.FalseAlarms {
				t.Log("  false alarm:", s)
			}
		}
		if m.Set == "cross" && (m.Precision < 0.95 || m.Recall < 0.95) {
			t.Errorf("cross-script: precision %.3f recall %.3f; the goal is 0.95 each", m.Precision, m.Recall)
		}
	}
}
