package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
)

// etagOf is a strong entity tag of a resource's JSON form: the first 128 bits
// of its SHA-256, quoted. Equal JSON, equal tag.
func etagOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return `"-"`
	}
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// matches reports whether an If-Match header value (a list of tags, or *)
// matches tag (RFC 9110 §13.1.1, strong comparison).
func matches(ifMatch, tag string) bool {
	for _, t := range strings.Split(ifMatch, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || t == tag {
			return true
		}
	}
	return false
}

func (in manifestInput) pathID() string { return in.ID }
