package api

import "github.com/handover-project/handover/custody"

// etagOf is a strong entity tag of a resource's JSON form (custody.RecordVersion).
func etagOf(v any) string { return custody.RecordVersion(v) }

// matches reports whether an If-Match header value (a list of tags, or *)
// matches tag (RFC 9110 §13.1.1, strong comparison).
func matches(ifMatch, tag string) bool { return custody.VersionMatches(ifMatch, tag) }

func (in manifestInput) pathID() string { return in.ID }
