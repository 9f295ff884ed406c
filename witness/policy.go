package witness

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	fwitness "github.com/transparency-dev/formats/witness"
	"golang.org/x/mod/sumdb/note"
)

// Errors of the policy functions wrap one of these, to be told apart with
// errors.Is.
var (
	// ErrPolicy: the policy text is not a valid policy.
	ErrPolicy = errors.New("witness: invalid policy")
	// ErrQuorum: a checkpoint's cosignatures do not meet the policy's quorum.
	ErrQuorum = errors.New("witness: quorum not met")
	// ErrLogSignature: a checkpoint is not signed by the expected log key.
	ErrLogSignature = errors.New("witness: checkpoint not signed by the log")
)

// NoURL stands, in the text handed to the transparency-dev parser, for a
// witness line that names no URL (allowed by the format, for policies used
// only to check cosignatures). The .invalid name never resolves.
const noURL = "https://no-url.invalid/"

// A Policy says which witnesses must cosign a checkpoint before it is
// trusted. Its text is the witness policy format of Sigsum as adopted by
// transparency-dev, one statement a line, '#' starting a comment:
//
//	log     VKEY [URL]                 a log the policy is for (signed-note vkey)
//	witness NAME VKEY [URL]            a witness, its cosignature key, where it listens
//	group   NAME any|all|K NAME...     met when K of the named members are met
//	quorum  NAME|none                  the group or witness that must be met
//
// Names are defined before groups use them, and never twice; keywords
// cannot be names. The quorum line may come anywhere. Witness keys are C2SP signed-note verifier keys of Ed25519
// (type 0x01, taken as its tlog-cosignature/v1 key) or of
// tlog-cosignature/v1 (type 0x04). A witness URL is the prefix under which
// it serves tlog-witness: requests go to URL/add-checkpoint.
//
// The group structure and the quorum are evaluated by
// github.com/transparency-dev/formats/witness; this type adds the names,
// the log lines and the URLs that a log, a monitor and a proof verifier need.
type Policy struct {
	Logs      []PolicyLog
	Witnesses []PolicyWitness
	// Quorum is the name of the component that must be met, or "none".
	Quorum string

	group fwitness.Group
}

// PolicyLog is one log line.
type PolicyLog struct {
	VKey     string
	Verifier note.Verifier
	URL      string // "" if not given
}

// PolicyWitness is one witness line.
type PolicyWitness struct {
	Name     string
	VKey     string
	Verifier note.Verifier // of tlog-cosignature/v1 signatures
	URL      string        // prefix of add-checkpoint; "" if not given
}

// AddCheckpointURL returns the URL to which checkpoints are sent, or "" if
// the policy names no URL for this witness.
func (w PolicyWitness) AddCheckpointURL() string {
	if w.URL == "" {
		return ""
	}
	return strings.TrimSuffix(w.URL, "/") + "/add-checkpoint"
}

// LoadPolicy reads and parses a policy file.
func LoadPolicy(path string) (*Policy, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("witness: reading policy: %w", err)
	}
	p, err := ParsePolicy(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// ParsePolicy parses a policy's text. Errors wrap [ErrPolicy] and name the
// line at fault.
func ParsePolicy(text []byte) (*Policy, error) {
	p := &Policy{}
	names := map[string]bool{}
	var forFormats bytes.Buffer
	quorumLine := 0
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		bad := func(format string, a ...any) error {
			return fmt.Errorf("%w: line %d: %s", ErrPolicy, n, fmt.Sprintf(format, a...))
		}
		switch f[0] {
		case "log":
			if len(f) < 2 || len(f) > 3 {
				return nil, bad("want: log VKEY [URL]")
			}
			v, err := note.NewVerifier(f[1])
			if err != nil {
				return nil, bad("log key %q: %v", f[1], err)
			}
			l := PolicyLog{VKey: f[1], Verifier: v}
			if len(f) == 3 {
				if err := checkURL(f[2]); err != nil {
					return nil, bad("%v", err)
				}
				l.URL = f[2]
			}
			p.Logs = append(p.Logs, l)
			continue // the formats parser ignores log lines
		case "witness":
			if len(f) < 3 || len(f) > 4 {
				return nil, bad("want: witness NAME VKEY [URL]")
			}
			if err := newName(names, f[1]); err != nil {
				return nil, bad("%v", err)
			}
			v, err := fnote.NewVerifierForCosignatureV1(f[2])
			if err != nil {
				return nil, bad("witness key %q: %v", f[2], err)
			}
			w := PolicyWitness{Name: f[1], VKey: f[2], Verifier: v}
			u := noURL
			if len(f) == 4 {
				if err := checkURL(f[3]); err != nil {
					return nil, bad("%v", err)
				}
				w.URL, u = f[3], f[3]
			}
			p.Witnesses = append(p.Witnesses, w)
			fmt.Fprintf(&forFormats, "witness %s %s %s\n", f[1], f[2], u)
			continue
		case "group":
			if len(f) < 4 {
				return nil, bad("want: group NAME any|all|K MEMBER...")
			}
			if err := newName(names, f[1]); err != nil {
				return nil, bad("%v", err)
			}
			if f[2] != "any" && f[2] != "all" {
				k, err := strconv.ParseUint(f[2], 10, 8)
				if err != nil || int(k) > len(f)-3 {
					return nil, bad("threshold %q: want any, all, or a number up to %d", f[2], len(f)-3)
				}
			}
			seen := map[string]bool{}
			for _, m := range f[3:] {
				if !names[m] {
					return nil, bad("group %s: member %q is not defined above", f[1], m)
				}
				if seen[m] {
					return nil, bad("group %s: member %q named twice", f[1], m)
				}
				seen[m] = true
			}
		case "quorum":
			if len(f) != 2 {
				return nil, bad("want: quorum NAME|none")
			}
			if p.Quorum != "" {
				return nil, bad("a second quorum line")
			}
			p.Quorum = f[1]
			quorumLine = n
		default:
			return nil, bad("unknown keyword %q", f[0])
		}
		forFormats.WriteString(strings.Join(f, " ") + "\n")
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	if p.Quorum == "" {
		return nil, fmt.Errorf("%w: no quorum line", ErrPolicy)
	}
	if p.Quorum != "none" && !names[p.Quorum] {
		return nil, fmt.Errorf("%w: line %d: quorum %q is not a witness or group of the policy", ErrPolicy, quorumLine, p.Quorum)
	}
	g, err := fwitness.ParsePolicy(forFormats.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	p.group = g
	return p, nil
}

var keywords = map[string]bool{"log": true, "witness": true, "group": true, "quorum": true, "any": true, "all": true, "none": true}

func newName(names map[string]bool, name string) error {
	switch {
	case keywords[name]:
		return fmt.Errorf("%q is a keyword, not a name", name)
	case names[name]:
		return fmt.Errorf("name %q defined twice", name)
	}
	names[name] = true
	return nil
}

func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want an absolute http or https URL", s)
	}
	return nil
}

// Satisfied reports whether the signed note text carries valid
// cosignatures that meet the quorum. It does not check the log's own
// signature; [Policy.Check] does both.
func (p *Policy) Satisfied(signed []byte) bool { return p.group.Satisfied(signed) }

// A Cosignature is one valid tlog-cosignature/v1 signature of a policy
// witness on a checkpoint.
type Cosignature struct {
	Witness string    // the witness's name in the policy
	Key     string    // the cosigner's key name, as in the signature line
	Time    time.Time // the timestamp the witness signed
	Line    string    // the signature line, "— NAME BASE64\n"
}

// Cosignatures returns the valid cosignatures of the policy's witnesses
// on the signed note text, in policy order. Signatures of unknown keys are
// ignored; a signature of a policy witness's key that does not verify is
// not returned.
func (p *Policy) Cosignatures(signed []byte) []Cosignature {
	var out []Cosignature
	for _, w := range p.Witnesses {
		n, err := note.Open(signed, note.VerifierList(w.Verifier))
		if err != nil || len(n.Sigs) != 1 {
			continue
		}
		t, err := fnote.CoSigV1Timestamp(n.Sigs[0])
		if err != nil {
			continue
		}
		out = append(out, Cosignature{
			Witness: w.Name,
			Key:     n.Sigs[0].Name,
			Time:    t.UTC(),
			Line:    "— " + n.Sigs[0].Name + " " + n.Sigs[0].Base64 + "\n",
		})
	}
	return out
}

// Check verifies that the signed note text is signed by the log verifier
// logV and that its cosignatures meet the quorum. It returns the note body
// (the checkpoint text) and the valid cosignatures. Errors wrap
// [ErrLogSignature] or [ErrQuorum].
func (p *Policy) Check(signed []byte, logV note.Verifier) (body string, cosigs []Cosignature, err error) {
	if logV == nil {
		return "", nil, fmt.Errorf("%w: no log key", ErrLogSignature)
	}
	n, err := note.Open(signed, note.VerifierList(logV))
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrLogSignature, err)
	}
	cosigs = p.Cosignatures(signed)
	if !p.Satisfied(signed) {
		names := make([]string, len(cosigs))
		for i, c := range cosigs {
			names[i] = c.Witness
		}
		return n.Text, cosigs, fmt.Errorf("%w: quorum %s, valid cosignatures from [%s]", ErrQuorum, p.Quorum, strings.Join(names, " "))
	}
	return n.Text, cosigs, nil
}

// LogVerifier returns the verifier of the policy's log line whose key is
// named origin, or nil if the policy names no such log.
func (p *Policy) LogVerifier(origin string) note.Verifier {
	for _, l := range p.Logs {
		if l.Verifier.Name() == origin {
			return l.Verifier
		}
	}
	return nil
}
