package custody

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// RecordVersion is a record's version as a strong HTTP entity tag: the first 128 bits
// of the SHA-256 of its JSON form, in hex, quoted. Equal JSON, equal version; a
// record read back from its stored document has the version it was stored with.
func RecordVersion(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `"-"`
	}
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// VersionMatches reports whether an If-Match list (entity tags separated by
// commas, or *) names version, by strong comparison (RFC 9110 §13.1.1).
func VersionMatches(ifMatch, version string) bool {
	for t := range strings.SplitSeq(ifMatch, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == version {
			return true
		}
	}
	return false
}
