package witness

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fnote "github.com/transparency-dev/formats/note"
	"golang.org/x/mod/sumdb/note"
)

var update = flag.Bool("update", false, "rewrite golden files")

var fixedTime = time.Unix(1796270400, 0)

// Fixed test keys (synthetic; derived from fixed seeds).
const (
	testLogSKey   = "PRIVATE+KEY+handover.example/test+f71ff945+AXTGLxTUPzTynx8WjMDovymyQAjkg2UnmvSLQAyEA2vr"
	testLogVKey   = "handover.example/test+f71ff945+AV3M6vN1y0I4QWuQKIbttv3aZ2i5Tna1wij2DVm7DR9k"
	testICRCSKey  = "PRIVATE+KEY+witness.icrc.example+9d0765f4+BL6t/r1N0LK2qHtONgu/LTxyKg0v3/vqFlRXcVG7kchn"
	testICRCVKey  = "witness.icrc.example+9d0765f4+BLtjhP1A4L5tuPEuMFeU9cF6eDOXYIo58gud3cLtE/i6"
	testUNSKey    = "PRIVATE+KEY+witness.un.example+ebc4a4d4+BGeERXGFj0k8EgTGoZQBJMXJrcfsm21KMFhC50BdkA9x"
	testThirdSKey = "PRIVATE+KEY+witness.third.example+edddaa36+BOcKEtPkBkDVuG76OgUpZxCLrzULahJoRtywqiu+LJNS"
)

func mustSigner(tb testing.TB, skey string) *Signer {
	tb.Helper()
	s, err := NewSigner(skey)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func mustRead(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// golden compares got with the golden file, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want := mustRead(t, path)
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// dumpPolicy is the golden form of a parsed policy, or of its error.
func dumpPolicy(p *Policy, err error) []byte {
	var b bytes.Buffer
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
		return b.Bytes()
	}
	for _, l := range p.Logs {
		fmt.Fprintf(&b, "log %s %08x url=%q\n", l.Verifier.Name(), l.Verifier.KeyHash(), l.URL)
	}
	for _, w := range p.Witnesses {
		fmt.Fprintf(&b, "witness %s key=%s+%08x add-checkpoint=%q\n", w.Name, w.Verifier.Name(), w.Verifier.KeyHash(), w.AddCheckpointURL())
	}
	fmt.Fprintf(&b, "quorum %s\n", p.Quorum)
	return b.Bytes()
}

func TestParsePolicyGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/policy/*.policy")
	if len(files) == 0 {
		t.Fatal("no policy files")
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".policy")
		t.Run(name, func(t *testing.T) {
			p, err := ParsePolicy(mustRead(t, f))
			if strings.HasPrefix(name, "err-") {
				if !errors.Is(err, ErrPolicy) {
					t.Fatalf("err = %v, want ErrPolicy", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(f, ".policy")+".golden", dumpPolicy(p, err))
		})
	}
}

// cosigned returns the test log's checkpoint note of the given size,
// cosigned by each signer at time t.
func cosigned(tb testing.TB, size uint64, t time.Time, by ...*Signer) []byte {
	tb.Helper()
	ls, err := note.NewSigner(testLogSKey)
	if err != nil {
		tb.Fatal(err)
	}
	body := fmt.Sprintf("handover.example/test\n%d\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", size)
	text, err := note.Sign(&note.Note{Text: body}, ls)
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range by {
		line, err := s.Cosign([]byte(body), t)
		if err != nil {
			tb.Fatal(err)
		}
		text = append(text, line...)
	}
	return text
}

func TestCosignatureGolden(t *testing.T) {
	icrc, un := mustSigner(t, testICRCSKey), mustSigner(t, testUNSKey)
	text := cosigned(t, 7, time.Unix(1796270400, 0), icrc, un)
	golden(t, "testdata/cosigned-checkpoint.txt", text)

	// An independent verifier (transparency-dev/formats) accepts both.
	for _, s := range []*Signer{icrc, un} {
		v, err := fnote.NewVerifierForCosignatureV1(s.VKey())
		if err != nil {
			t.Fatal(err)
		}
		n, err := note.Open(text, note.VerifierList(v))
		if err != nil || len(n.Sigs) != 1 {
			t.Fatalf("formats verifier refused %s: %v", s.Name(), err)
		}
		ts, err := fnote.CoSigV1Timestamp(n.Sigs[0])
		if err != nil || ts.Unix() != 1796270400 {
			t.Fatalf("timestamp %v, %v", ts, err)
		}
	}
}

// The formats signer and ours agree on the key ID and produce cosignatures
// each other's verifiers accept.
func TestSignerMatchesFormats(t *testing.T) {
	ours := mustSigner(t, testThirdSKey)
	theirs, err := fnote.NewSignerForCosignatureV1(testThirdSKey)
	if err != nil {
		t.Fatal(err)
	}
	if ours.KeyHash() != theirs.KeyHash() || ours.Name() != theirs.Name() {
		t.Fatalf("key id %08x vs formats %08x", ours.KeyHash(), theirs.KeyHash())
	}
	ls, _ := note.NewSigner(testLogSKey)
	text, err := note.Sign(&note.Note{Text: "handover.example/test\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"}, ls, theirs)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePolicy([]byte("witness third " + ours.VKey() + "\nquorum third\n"))
	if err != nil {
		t.Fatal(err)
	}
	lv, _ := note.NewVerifier(testLogVKey)
	if _, cs, err := p.Check(text, lv); err != nil || len(cs) != 1 {
		t.Fatalf("check of a formats cosignature: %v (%d)", err, len(cs))
	}
}

func TestPolicyCheck(t *testing.T) {
	p, err := LoadPolicy("testdata/policy/two-of-three.policy")
	if err != nil {
		t.Fatal(err)
	}
	lv, _ := note.NewVerifier(testLogVKey)
	icrc, un, third := mustSigner(t, testICRCSKey), mustSigner(t, testUNSKey), mustSigner(t, testThirdSKey)
	at := time.Unix(1796270400, 0)
	other, _, _ := GenerateKey("witness.icrc.example") // same name, other key
	impostor := mustSigner(t, other)
	for _, tc := range []struct {
		name string
		by   []*Signer
		want error
	}{
		{"OK", []*Signer{icrc, un}, nil},
		{"OKAll", []*Signer{icrc, un, third}, nil},
		{"ErrQuorumOne", []*Signer{third}, ErrQuorum},
		{"ErrQuorumNone", nil, ErrQuorum},
		{"ErrQuorumImpostor", []*Signer{impostor, un}, ErrQuorum},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := cosigned(t, 9, at, tc.by...)
			body, cs, err := p.Check(text, lv)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(body, "handover.example/test\n9\n") {
				t.Fatalf("body %q", body)
			}
			for _, c := range cs {
				if !c.Time.Equal(at) {
					t.Errorf("%s time %v", c.Witness, c.Time)
				}
			}
		})
	}
	t.Run("ErrLogSignature", func(t *testing.T) {
		text := cosigned(t, 9, at, icrc, un)
		_, vk, _ := note.GenerateKey(nil, "handover.example/test")
		wrong, err := note.NewVerifier(vk)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := p.Check(text, wrong); !errors.Is(err, ErrLogSignature) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("Tampered", func(t *testing.T) {
		text := cosigned(t, 9, at, icrc, un)
		i := bytes.LastIndex(text, []byte("— witness.un.example "))
		text[i+30] ^= 1
		if p.Satisfied(text) {
			t.Fatal("a changed cosignature still meets the quorum")
		}
	})
}

func TestNewSignerRefuses(t *testing.T) {
	for _, k := range []string{"", "PRIVATE+KEY+x", testICRCVKey, strings.Replace(testICRCSKey, "9d0765f4", "9d0765f5", 1)} {
		if _, err := NewSigner(k); !errors.Is(err, ErrKey) {
			t.Errorf("NewSigner(%q) = %v", k, err)
		}
	}
}
