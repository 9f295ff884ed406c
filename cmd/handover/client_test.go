package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
// commands ($HANDOVER_SERVER points at it), as users made with `account`.
// $DEADSERVER is a URL nothing listens on.
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
			"account":    cmdAccount,
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

// cmdAccount adds to the data directory DIR a user NAME of PARTY with ROLEs, and
// sets VAR to a new API token of theirs: account DIR VAR NAME PARTY ROLE...
func cmdAccount(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 5 {
		ts.Fatalf("usage: account DIR VAR NAME PARTY ROLE...")
	}
	dir, v, name, party := args[0], args[1], args[2], args[3]
	add := []string{"user", "add", name, "--party", party, "--full-name", "Test " + name, "--data", dir}
	for _, role := range args[4:] {
		add = append(add, "--role", role)
	}
	ts.Check(ts.Exec("handover", add...))
	ts.Check(ts.Exec("handover", "token", "create", "--user", name, "--name", "field script", "--data", dir))
	m := regexp.MustCompile(`token \(shown once; keep it secret\): (\S+)`).FindStringSubmatch(ts.ReadFile("stdout"))
	if m == nil {
		ts.Fatalf("token create printed no token")
	}
	ts.Setenv(v, m[1])
}

// testServer is a real `handover serve`, run in-process on a free port over a new
// data directory that holds the parties SDF and IRQ, SDF's empty prison RIV, and
// an account with an API token for each user of testUsers.
type testServer struct {
	url    string
	dir    string            // its data directory
	tokens map[string]string // user name → file holding their API token
}

// addUser adds an account (name, party, role) with an API token to the server's
// data directory.
func (s *testServer) addUser(t *testing.T, u [3]string) {
	t.Helper()
	if code, _, stderr := runCLI(t, "user", "add", u[0], "--party", u[1], "--role", u[2], "--full-name", "Test "+u[0], "--data", s.dir); code != 0 {
		t.Fatalf("user add %s: %s", u[0], stderr)
	}
	code, stdout, stderr := runCLI(t, "token", "create", "--user", u[0], "--name", "client tests", "--data", s.dir)
	m := regexp.MustCompile(`token \(shown once; keep it secret\): (\S+)`).FindStringSubmatch(stdout)
	if code != 0 || m == nil {
		t.Fatalf("token create --user %s: exit %d\n%s%s", u[0], code, stdout, stderr)
	}
	s.tokens[u[0]] = filepath.Join(t.TempDir(), u[0]+".token")
	if err := writeFile(s.tokens[u[0]], []byte(m[1]+"\n"), 0o600, false); err != nil {
		t.Fatal(err)
	}
}

// testUsers are the accounts of a testServer: name, party, role.
var testUsers = [][3]string{
	{"irqplanner", "IRQ", "transfer_approver"},
	{"sdfadmin", "SDF", "administrator"},
	{"irqadmin", "IRQ", "administrator"},
}

// startTestServer starts a testServer; it stops when the test ends. seed, if
// given, makes more commands to submit before the server starts, given the id of
// the facility RIV.
func startTestServer(t *testing.T, seed ...func(riv uuid.UUID) []custody.Command) *testServer {
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
	sdf, irq, riv := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	cmds := []custody.Command{
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: sdf, Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}},
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: irq, Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState}},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: riv, Code: "RIV", Name: "Riverside detention facility",
			Kind: custody.Prison, Country: "SYR", Series: "RIV", Capacities: map[custody.Category]int{custody.Detainee: 1850}, ControllingParty: sdf}},
	}
	for _, f := range seed {
		cmds = append(cmds, f(riv)...)
	}
	for _, c := range cmds {
		if _, err := d.db.Submit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	s := &testServer{tokens: map[string]string{}}
	s.dir = dir
	for _, u := range testUsers {
		s.addUser(t, u)
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
	s.url = "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get(s.url + "/healthz"); err == nil {
			resp.Body.Close()
			return s
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

// as returns the flags of a client command acting as user.
func (s *testServer) as(user string) []string {
	return []string{"--server", s.url, "--token-file", s.tokens[user]}
}

// get reads path of the API as user into v.
func (s *testServer) get(t *testing.T, user, path string, v any) {
	t.Helper()
	token, err := os.ReadFile(s.tokens[user])
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, s.url+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// checkpointSize asks the server for the size of its latest checkpoint.
func (s *testServer) checkpointSize(t *testing.T) uint64 {
	t.Helper()
	var c struct {
		Size uint64 `json:"size"`
	}
	s.get(t, "irqadmin", "/api/v1/checkpoint", &c)
	return c.Size
}

// TestClientExitCodes: 0 done, 1 refused by the server, 2 bad usage, 3 no server;
// and the words of each.
func TestClientExitCodes(t *testing.T) {
	s := startTestServer(t)
	dead := "http://" + freeAddr(t)
	create := slices.Concat(s.as("irqplanner"), []string{"campaign", "create", "--name", "Hasakah, second wave", "--target", "40"})
	for _, c := range []struct {
		name   string
		args   []string
		code   int
		output string // a regexp the output (stdout, then stderr) must match
	}{
		{"OK", slices.Concat(create, []string{"--receiving", "IRQ"}), 0,
			`^campaign [0-9a-f-]{36} "Hasakah, second wave": target 40, receiving IRQ\nrecorded 1 campaign.created \(ledger index 3\); checkpoint size 4\n$`},
		{"Refused", slices.Concat(create, []string{"--receiving", "XYZ"}), 1,
			`^handover: no party "XYZ" \(at body.campaign.receiving, from --receiving\)\n$`},
		{"RefusedByTheDomain", slices.Concat(create, []string{"--receiving", "IRQ", "--priority", "medical", "--priority", "medical"}), 1,
			`^handover: "medical" is listed twice \(at body.campaign.priorities\[1\], from --priority\)\n$`},
		{"NotFound", append(s.as("irqplanner"), "campaign", "show", uuid.Must(uuid.NewV7()).String()), 1,
			`^handover: no campaign [0-9a-f-]{36} \(at path.id, from the ID argument\)\n$`},
		{"MissingFlags", append(s.as("irqplanner"), "campaign", "create"), 2,
			`^handover: --name, --target, --receiving are required \(see --help\)\n$`},
		{"BadFlag", slices.Concat(create, []string{"--receiving", "IRQ", "--at", "yesterday"}), 2,
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
	s := startTestServer(t)
	args := append(s.as("irqplanner"), "campaign", "create", "--name", "Riverside", "--target", "150", "--receiving", "IRQ",
		"--idempotency-key", "field-laptop-7/campaign-1", "--at", "2026-01-20T09:00:00Z")
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 || !strings.HasPrefix(stdout, "campaign ") {
		t.Fatalf("first attempt: exit %d\n%s%s", code, stdout, stderr)
	}
	size := s.checkpointSize(t)
	code, stdout, stderr = runCLI(t, args...)
	want := "already recorded by an earlier attempt with idempotency key field-laptop-7/campaign-1: 1 campaign.created (ledger index 3); checkpoint size 4; nothing new was recorded\n"
	if code != 0 || !strings.HasSuffix(stdout, want) {
		t.Errorf("retry: exit %d\n%s%s\nwant it to end with %s", code, stdout, stderr, want)
	}
	if got := s.checkpointSize(t); got != size {
		t.Errorf("the retry grew the ledger from %d to %d", size, got)
	}
	other := slices.Concat(args, []string{"--priority", "medical cases"})
	code, _, stderr = runCLI(t, other...)
	if want := "handover: idempotency key reused with a different request (at header.Idempotency-Key)\n"; code != exitRefused || stderr != want {
		t.Errorf("same key, another request: exit %d, %q; want exit 1, %q", code, stderr, want)
	}
	if got := s.checkpointSize(t); got != size {
		t.Errorf("the refused request grew the ledger from %d to %d", size, got)
	}
}

// lossyLink is a TCP proxy to a server that passes each request on but never
// passes the answer back: a link lost after the request went out. The client's
// connection is closed once the server has answered, or, with hold, kept open
// until the test ends (the client waits until its timeout).
func lossyLink(t *testing.T, server string, hold bool) string {
	t.Helper()
	ln, keep := proxyListener(t)
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
			s := startTestServer(t)
			lossy := lossyLink(t, s.url, c.hold)
			flags := []string{"campaign", "create", "--name", "Plains", "--target", "150", "--receiving", "IRQ", "--token-file", s.tokens["irqplanner"]}
			code, stdout, stderr := runCLI(t, slices.Concat(flags, []string{"--server", lossy, "--timeout", "500ms", "--retries", "0"})...)
			hint := regexp.MustCompile(`the write may or may not have been recorded: to retry it safely, run the same command with --idempotency-key (\S+) --at (\S+)\n$`).FindStringSubmatch(stderr)
			if code != exitNoAnswer || !strings.Contains(stderr, c.says) || hint == nil {
				t.Fatalf("through the lossy link: exit %d, want %d\n%s%s", code, exitNoAnswer, stdout, stderr)
			}
			size := s.checkpointSize(t)
			if size != 4 { // the 2 parties, the facility and the campaign: the server did the write
				t.Fatalf("after the lost answer the ledger holds %d events; want 4", size)
			}
			code, stdout, stderr = runCLI(t, slices.Concat(flags, []string{"--server", s.url, "--idempotency-key", hint[1], "--at", hint[2]})...)
			if code != 0 || !strings.Contains(stdout, "already recorded by an earlier attempt with idempotency key "+hint[1]) {
				t.Errorf("the retry: exit %d\n%s%s", code, stdout, stderr)
			}
			if got := s.checkpointSize(t); got != size {
				t.Errorf("the retry grew the ledger from %d to %d", size, got)
			}
			_, stdout, _ = runCLI(t, append(s.as("irqplanner"), "campaign", "list")...)
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
	s := startTestServer(t)
	dir := t.TempDir()
	type officer struct {
		party, name, admin, key string
		id                      uuid.UUID
	}
	officers := []*officer{{party: "SDF", name: "Lt. Azad Serdem", admin: "sdfadmin"}, {party: "IRQ", name: "Maj. Qasim Rawandi", admin: "irqadmin"}}
	for _, o := range officers {
		o.key = filepath.Join(dir, strings.ToLower(o.party)+".key")
		if code, _, stderr := runCLI(t, "keygen", "--out", o.key); code != 0 {
			t.Fatal(stderr)
		}
		code, stdout, stderr := runCLI(t, append(s.as(o.admin), "key", "register", "--party", o.party, "--officer", o.name, "--pub", o.key+".pub")...)
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
	s.get(t, "sdfadmin", "/api/v1/parties", &parties)
	s.get(t, "sdfadmin", "/api/v1/facilities/RIV", &riv)
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
	args := append(s.as("sdfadmin"), "control-change", "RIV", "--to", "IRQ", "--reason", "handed over under the agreement of 2026-01-30", "--document", docPath)
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

// proxyListener listens on a loopback port for a test proxy; keep records a
// connection so that it is closed, with the listener, when the test ends.
func proxyListener(t *testing.T) (net.Listener, func(net.Conn)) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln, func(c net.Conn) {
		mu.Lock()
		conns = append(conns, c)
		mu.Unlock()
	}
}
