package custody

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// The canonical form of a handover document is the one byte sequence officers read
// and sign for it: what EncodeHandover writes, and what `handover handover draft`
// and the web interface produce. It is encoding/json's output of the document's
// fields in their declared order, indented by two spaces, with the persons array
// written one compact person object per line, and a final newline:
//
//	{
//	  "type": "handover",
//	  "v": 1,
//	  …
//	  "head_count": 2,
//	  "persons": [
//	    {"person":"…","reg_no":"HSK-000001","outcome":"present"},
//	    {"person":"…","reg_no":"HSK-000002","outcome":"present"}
//	  ]
//	}
//
// A new handover is accepted only in this form (ParseSignedHandover): a document
// with a key given twice, a field the format does not have, or any other spelling
// of the same values (spacing, key order, escapes, number or time forms) is refused,
// so that what a reader of the signed bytes sees is exactly what the ledger records.
// Documents already in the ledger are read by ParseHandover, which does not insist.

// EncodeHandover returns a handover document's canonical bytes.
func EncodeHandover(d *HandoverDocument) ([]byte, error) {
	head := *d
	head.Persons = nil
	b, err := json.MarshalIndent(head, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode handover: %w", err)
	}
	const tail = `"persons": null`
	cut := bytes.LastIndex(b, []byte(tail))
	if cut < 0 {
		return nil, errors.New("encode handover: no persons field")
	}
	var out bytes.Buffer
	out.Write(b[:cut])
	out.WriteString(`"persons": [`)
	for i, p := range d.Persons {
		row, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode handover: %w", err)
		}
		if i > 0 {
			out.WriteByte(',')
		}
		out.WriteString("\n    ")
		out.Write(row)
	}
	if len(d.Persons) > 0 {
		out.WriteString("\n  ")
	}
	out.WriteString("]\n}\n")
	return out.Bytes(), nil
}

// ParseSignedHandover parses a handover document submitted for recording: as
// ParseHandover, and it must also be valid UTF-8, have no duplicate key and be in
// canonical form.
func ParseSignedHandover(b []byte) (*HandoverDocument, error) {
	if err := validUTF8("document", string(b)); err != nil {
		return nil, err
	}
	if err := checkNoDuplicateKeys(b); err != nil {
		return nil, err
	}
	d, err := ParseHandover(b)
	if err != nil {
		return nil, err
	}
	want, err := EncodeHandover(d)
	if err != nil {
		return nil, Errorf(Invalid, "document", "cannot be encoded: %v", err)
	}
	if !bytes.Equal(want, b) {
		i := 0
		for i < len(b) && i < len(want) && b[i] == want[i] {
			i++
		}
		line := bytes.Count(b[:i], []byte("\n")) + 1
		return nil, Errorf(Invalid, "document", "is not in canonical form (the bytes `handover handover draft` writes for it): it differs at byte %d, line %d", i, line)
	}
	return d, nil
}

// checkNoDuplicateKeys refuses a JSON text in which an object gives a key twice
// (encoding/json would silently keep the last). It names the key and its path.
func checkNoDuplicateKeys(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dupWalk(dec, "document"); err != nil && !errors.Is(err, io.EOF) {
		var ce *Error
		if errors.As(err, &ce) {
			return ce
		}
		return Errorf(Invalid, "document", "is not JSON: %v", err)
	}
	return nil
}

// dupWalk reads one JSON value from dec, checking every object in it for
// duplicate keys; path names the value.
func dupWalk(dec *json.Decoder, path string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch t {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			k, _ := kt.(string)
			if seen[k] {
				return Errorf(Invalid, path+"."+k, "is given twice: a signed document names each field once")
			}
			seen[k] = true
			if err := dupWalk(dec, path+"."+k); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := dupWalk(dec, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}
