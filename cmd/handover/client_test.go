package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/handover-project/handover/custody"
)

// TestServerScripts runs the scripts of testdata/server, which start a real
// `handover serve` in the background on $LISTEN and drive it with the client
// commands ($HANDOVER_SERVER points at it). $DEADSERVER is a URL nothing listens on.
func TestServerScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/server",
		Setup: func(env *testscript.Env) error {
			listen, dead := freeAddr(env.T()), freeAddr(env.T())
			env.Setenv("LISTEN", listen)
			env.Setenv(ServerEnv, "http://"+listen)
			env.Setenv("DEADSERVER", "http://"+dead)
			return nil
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"edit":       cmdEdit,
			"grabenv":    cmdGrabenv,
			"waitserver": cmdWaitServer,
		},
	})
}

// freeAddr returns an address of the loopback interface no one listens on now.
func freeAddr(t interface{ Fatal(...any) }) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// cmdWaitServer waits until the server at $HANDOVER_SERVER answers /healthz:
// waitserver.
func cmdWaitServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: waitserver")
	}
	url := ts.Getenv(ServerEnv) + "/healthz"
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("the server at %s did not come up: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// testServer is a real `handover serve`, run in-process on a free port over a new
// data directory that holds the parties SDF and IRQ and SDF's empty prison RIV.
// It stops when the test ends.
func testServer(t *testing.T) (url string) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	m := custody.Meta{Actor: "test", OccurredAt: time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)}
	sdf, irq := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	for _, c := range []custody.Command{
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: sdf, Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}},
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: irq, Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState}},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "RIV", Name: "Riverside detention facility",
			Kind: custody.Prison, Country: "SYR", Series: "RIV", Capacities: map[custody.Category]int{custody.Detainee: 1850}, ControllingParty: sdf}},
	} {
		if _, err := d.db.Submit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	ctx, stop := context.WithCancel(ctx)
	done := make(chan int, 1)
	var out, errb bytes.Buffer
	go func() { done <- run(ctx, []string{"serve", "--data", dir, "--listen", addr}, &out, &errb) }()
	t.Cleanup(func() {
		stop()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d: %s", code, errb.String())
		}
	})
	url = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(url + "/healthz"); err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up on %s", addr)
		}
	}
}

// checkpointSize asks the server for the size of its latest checkpoint.
func checkpointSize(t *testing.T, server string) uint64 {
	t.Helper()
	resp, err := http.Get(server + "/api/v1/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct {
		Size uint64 `json:"size"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c.Size
}

// TestClientExitCodes: 0 done, 1 refused by the server, 2 bad usage, 3 no server;
// and the words of each.
func TestClientExitCodes(t *testing.T) {
	server := testServer(t)
	dead := "http://" + freeAddr(t)
	create := []string{"campaign", "create", "--server", server, "--name", "Hasakah, second wave", "--target", "40"}
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		output string // a regexp the output (stdout, then stderr) must match
	}{
		{"OK", append(create, "--receiving", "IRQ"), 0,
			`^campaign [0-9a-f-]{36} "Hasakah, second wave": target 40, receiving IRQ\nrecorded 1 campaign.created \(ledger index 3\); checkpoint size 4\n$`},
		{"Refused", append(create, "--receiving", "XYZ"), 1,
			`^handover: no party "XYZ" \(at body.campaign.receiving, from --receiving\)\n$`},
		{"RefusedByTheDomain", append(create, "--receiving", "IRQ", "--priority", "medical", "--priority", "medical"), 1,
			`^handover: "medical" is listed twice \(at body.campaign.priorities\[1\], from --priority\)\n$`},
		{"NotFound", []string{"campaign", "show", "--server", server, uuid.Must(uuid.NewV7()).String()}, 1,
			`^handover: no campaign [0-9a-f-]{36} \(at path.id, from the ID argument\)\n$`},
		{"MissingFlags", []string{"campaign", "create", "--server", server}, 2,
			`^handover: --name, --target, --receiving are required \(see --help\)\n$`},
		{"BadFlag", append(create, "--receiving", "IRQ", "--at", "yesterday"), 2,
			`^handover: --at: "yesterday" is not an RFC 3339 time`},
		{"BadServer", []string{"alerts", "--server", "ftp://x"}, 2,
			`^handover: --server: "ftp://x" is not a server URL`},
		{"NoServer", []string{"alerts", "--server", dead}, 3,
			"^handover: cannot reach the server at " + regexp.QuoteMeta(dead) + ` \(.*connection refused\): is it running\? Start it with ` + "`handover serve --data DIR`"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, c.args...)
			if code != c.code || !regexp.MustCompile(c.output).MatchString(stdout+stderr) {
				t.Errorf("handover %s: exit %d, want %d; output:\n%s%s\nwant it to match %s", strings.Join(c.args, " "), code, c.code, stdout, stderr, c.output)
			}
		})
	}
}

// TestClientIdempotencyKey: a write retried with its key and time records nothing
// more; the key with another request is refused.
func TestClientIdempotencyKey(t *testing.T) {
	server := testServer(t)
	args := []string{"campaign", "create", "--server", server, "--name", "Riverside", "--target", "150", "--receiving", "IRQ",
		"--idempotency-key", "field-laptop-7/campaign-1", "--at", "2026-01-20T09:00:00Z"}
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 || !strings.HasPrefix(stdout, "campaign ") {
		t.Fatalf("first attempt: exit %d\n%s%s", code, stdout, stderr)
	}
	size := checkpointSize(t, server)
	code, stdout, stderr = runCLI(t, args...)
	want := "already recorded by an earlier attempt with idempotency key field-laptop-7/campaign-1: 1 campaign.created (ledger index 3); checkpoint size 4; nothing new was recorded\n"
	if code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("retry: exit %d\n%s%s\nwant it to end with %s", code, stdout, stderr, want)
	}
	if got := checkpointSize(t, server); got != size {
		t.Errorf("the retry grew the ledger from %d to %d", size, got)
	}
	other := append(append([]string(nil), args...), "--priority", "medical cases")
	code, _, stderr = runCLI(t, other...)
	if want := "handover: idempotency key reused with a different request (at header.Idempotency-Key)\n"; code != exitRefused || stderr != want {
		t.Errorf("same key, another request: exit %d, %q; want exit 1, %q", code, stderr, want)
	}
	if got := checkpointSize(t, server); got != size {
		t.Errorf("the refused request grew the ledger from %d to %d", size, got)
	}
}

// lossyLink is a TCP proxy to a server that passes each request on but never
// passes the answer back: a link lost after the request went out. The client's
// connection is closed once the server has answered, or, with hold, kept open
// until the test ends (the client waits until its timeout).
func lossyLink(t *testing.T, server string, hold bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	keep := func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	target := strings.TrimPrefix(server, "http://")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			keep(c)
			go func() {
				s, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				keep(s)
				go io.Copy(s, c)
				buf := make([]byte, 1)
				s.Read(buf) // the server has done the write and begun to answer
				s.Close()
				if !hold {
					c.Close()
				}
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestClientLostAnswer: a write whose answer is lost was recorded; the command
// says so may have happened and prints the key and time to retry with, and the
// retry through a good link records nothing more.
func TestClientLostAnswer(t *testing.T) {
	for _, c := range []struct {
		name string
		hold bool
		says string
	}{
		{"ConnectionDropped", false, "no answer from "},
		{"Timeout", true, "no answer within 500ms (--timeout) from "},
	} {
		t.Run(c.name, func(t *testing.T) {
			server := testServer(t)
			lossy := lossyLink(t, server, c.hold)
			flags := []string{"campaign", "create", "--name", "Plains", "--target", "150", "--receiving", "IRQ"}
			code, stdout, stderr := runCLI(t, append(flags, "--server", lossy, "--timeout", "500ms")...)
			hint := regexp.MustCompile(`the write may or may not have been recorded: to retry it safely, run the same command with --idempotency-key (\S+) --at (\S+)\n$`).FindStringSubmatch(stderr)
			if code != exitNoAnswer || !strings.Contains(stderr, c.says) || hint == nil {
				t.Fatalf("through the lossy link: exit %d, want %d\n%s%s", code, exitNoAnswer, stdout, stderr)
			}
			size := checkpointSize(t, server)
			if size != 4 { // the 2 parties, the facility and the campaign: the server did the write
				t.Fatalf("after the lost answer the ledger holds %d events; want 4", size)
			}
			code, stdout, stderr = runCLI(t, append(flags, "--server", server, "--idempotency-key", hint[1], "--at", hint[2])...)
			if code != 0 || !strings.Contains(stdout, "already recorded by an earlier attempt with idempotency key "+hint[1]) {
				t.Errorf("the retry: exit %d\n%s%s", code, stdout, stderr)
			}
			if got := checkpointSize(t, server); got != size {
				t.Errorf("the retry grew the ledger from %d to %d", size, got)
			}
			_, stdout, _ = runCLI(t, "campaign", "list", "--server", server)
			if n := strings.Count(stdout, "Plains"); n != 1 {
				t.Errorf("campaign list shows %d campaigns named Plains; want 1:\n%s", n, stdout)
			}
		})
	}
}

// TestClientSignedControlChange: control-change sends a control_change document
// signed by an officer of each party, whose keys were registered through the
// server; a document changed after signing is refused.
func TestClientSignedControlChange(t *testing.T) {
	server := testServer(t)
	dir := t.TempDir()
	type officer struct {
		party, name, key string
		id               uuid.UUID
	}
	officers := []*officer{{party: "SDF", name: "Lt. Azad Serdem"}, {party: "IRQ", name: "Maj. Qasim Rawandi"}}
	for _, o := range officers {
		o.key = filepath.Join(dir, strings.ToLower(o.party)+".key")
		if code, _, stderr := runCLI(t, "keygen", "--out", o.key); code != 0 {
			t.Fatal(stderr)
		}
		code, stdout, stderr := runCLI(t, "key", "register", "--server", server, "--party", o.party, "--officer", o.name, "--pub", o.key+".pub")
		m := regexp.MustCompile(`^registered key ([0-9a-f-]{36}) to ` + o.party + ` \(.*\) for officer ` + o.name + "\n").FindStringSubmatch(stdout)
		if code != 0 || m == nil {
			t.Fatalf("key register --server: exit %d\n%s%s", code, stdout, stderr)
		}
		o.id = uuid.MustParse(m[1])
	}
	var parties struct {
		Parties []custody.Party `json:"parties"`
	}
	var riv custody.FacilityState
	for path, v := range map[string]any{"/api/v1/parties": &parties, "/api/v1/facilities/RIV": &riv} {
		resp, err := http.Get(server + path)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(resp.Body).Decode(v)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	partyID := map[string]uuid.UUID{}
	for _, p := range parties.Parties {
		partyID[p.Code] = p.ID
	}
	doc, err := json.MarshalIndent(custody.ControlDocument{Type: custody.ControlDocumentType, V: 1, ID: uuid.Must(uuid.NewV7()), Facility: riv.ID,
		From: custody.Officer{Party: partyID["SDF"], Name: officers[0].name, Key: officers[0].id},
		To:   custody.Officer{Party: partyID["IRQ"], Name: officers[1].name, Key: officers[1].id},
		At:   time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC), Place: "Riverside, main gate", HeadCount: 0}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	docPath := filepath.Join(dir, "control.json")
	write := func(path string, b []byte) {
		t.Helper()
		if err := writeFile(path, b, 0o644, true); err != nil {
			t.Fatal(err)
		}
	}
	write(docPath, doc)
	args := []string{"control-change", "RIV", "--server", server, "--to", "IRQ", "--reason", "handed over under the agreement of 2026-01-30", "--document", docPath}
	for _, o := range officers {
		k, err := readOfficerKey(o.key)
		if err != nil {
			t.Fatal(err)
		}
		sig := filepath.Join(dir, o.party+".sig")
		write(sig, formatSignature(custody.Signature{Key: o.id, Sig: ed25519.Sign(k, doc)}))
		args = append(args, "--sig", sig)
	}

	write(docPath, bytes.Replace(doc, []byte("main gate"), []byte("side gate"), 1))
	code, stdout, stderr := runCLI(t, args...)
	if code != exitRefused || !strings.Contains(stderr, "does not verify over the document's bytes") {
		t.Errorf("a document changed after signing: exit %d\n%s%s", code, stdout, stderr)
	}
	write(docPath, doc)
	code, stdout, stderr = runCLI(t, args...)
	want := "control of Riverside detention facility (RIV) passed from SDF to IRQ, signed by both parties' officers: 0 persons held there\n"
	if code != 0 || !strings.HasPrefix(stdout, want) {
		t.Errorf("the signed control change: exit %d\n%s%s\nwant it to begin %s", code, stdout, stderr, want)
	}
}
