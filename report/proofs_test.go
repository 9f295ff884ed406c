package report

import (
	"strings"
	"testing"
)

// TestManifestProofs: the manifest says where to get the proofs of its
// handovers, in each language.
func TestManifestProofs(t *testing.T) {
	for lang, line := range map[string]string{
		"en": "Proof that each handover of this movement is in the ledger: https://handover.example/api/v1/events/INDEX/proof",
		"ar": "إثبات تسجيل كل تسليم لهذه الحركة في السجل: https://handover.example/api/v1/events/INDEX/proof",
	} {
		m := testManifest(lang, 3)
		m.Proofs = line
		var all strings.Builder
		for _, p := range extract(t, render(t, m)) {
			all.WriteString(p.String())
		}
		squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if !strings.Contains(squash(all.String()), squash("https://handover.example/api/v1/events/INDEX/proof")) {
			t.Errorf("%s: the manifest does not name where the proofs are:\n%s", lang, all.String())
		}
		without := testManifest(lang, 3)
		var plain strings.Builder
		for _, p := range extract(t, render(t, without)) {
			plain.WriteString(p.String())
		}
		if strings.Contains(plain.String(), "/proof") {
			t.Errorf("%s: a manifest without Proofs prints one", lang)
		}
	}
}
