package witness

import (
	"bytes"
	"encoding/base64"
	"fmt"
)

// FormatRequest returns the body of a C2SP tlog-witness add-checkpoint
// request: the old size line, one base64 line per consistency proof hash,
// an empty line, then the signed checkpoint note.
func FormatRequest(old uint64, proof [][]byte, checkpoint []byte) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "old %d\n", old)
	for _, h := range proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.Write(checkpoint)
	return b.Bytes()
}

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
