package verify

import (
	"strings"
	"testing"
)

func TestCheckNumbers(t *testing.T) {
	cp := func(pairs ...uint64) []checkpoint {
		var out []checkpoint
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, checkpoint{seq: pairs[i], size: pairs[i+1]})
		}
		return out
	}
	for _, tc := range []struct {
		name string
		cps  []checkpoint
		want string // "" when the numbers hold
	}{
		{"None", nil, ""},
		{"Dense", cp(1, 3, 2, 10, 3, 11), ""},
		{"FirstMissing", cp(2, 10, 3, 11), "checkpoint 1 is missing: the first stored one is checkpoint 2 (size 10)"},
		{"MiddleMissing", cp(1, 3, 2, 10, 5, 20), "checkpoint 3 is missing: after checkpoint 2 (size 10) the next stored one is checkpoint 5 (size 20)"},
		{"Duplicate", cp(1, 3, 2, 10, 2, 11), "checkpoint 2 (size 11) is out of order: in order of size it is the checkpoint numbered 3"},
		{"Swapped", cp(2, 3, 1, 10), "checkpoint 1 is missing: the first stored one is checkpoint 2 (size 3)"},
		{"FromZero", cp(0, 3, 1, 10), "checkpoint 0 (size 3) is out of order: in order of size it is the checkpoint numbered 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkNumbers(tc.cps)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("got %v, want none", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Errorf("got %v, want %q…", err, tc.want)
			}
		})
	}
}
