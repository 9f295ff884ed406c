package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

// runChildEnv makes the test binary run the command line with the arguments it
// holds (separated by US, 0x1f) and exit: the replica tests' `handover serve` processes.
const runChildEnv = "HANDOVER_TEST_RUN"

// runChild runs the command line as `handover` would, stopping on SIGTERM.
func runChild(args string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, strings.Split(args, "\x1f"), os.Stdout, os.Stderr)
}

// replica is a `handover serve` child process on a shared PostgreSQL database.
type replica struct {
	name   string
	url    string
	cmd    *exec.Cmd
	stderr *syncBuffer
}

// replicaDeployment is a data directory on a fresh PostgreSQL database, with the
// parties SDF and IRQ, SDF's prison RIV, and the prison CC holding ccPersons
// persons, whose control the tests pass back and forth; and API tokens.
type replicaDeployment struct {
	dir, db  string
	tokens   map[string]string // user → API token
	sdf, irq custody.Party
}

const ccPersons = 20

func newReplicaDeployment(t *testing.T) *replicaDeployment {
	t.Helper()
	return newDeployment(t, freshPostgres(t))
}

// newDeployment is newReplicaDeployment on the database db: a PostgreSQL URL, or
// "" for the data directory's SQLite file (then one server only).
func newDeployment(t *testing.T, db string) *replicaDeployment {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	ctx := withDB(context.Background(), db)
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	m := custody.Meta{Actor: "test", OccurredAt: time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)}
	sdfParty := custody.Party{ID: uuid.Must(uuid.NewV7()), Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}
	irqParty := custody.Party{ID: uuid.Must(uuid.NewV7()), Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState}
	sdf, cc := sdfParty.ID, uuid.Must(uuid.NewV7())
	cmds := []custody.Command{
		custody.RegisterParty{Meta: m, Party: sdfParty},
		custody.RegisterParty{Meta: m, Party: irqParty},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "RIV", Name: "Riverside detention facility",
			Kind: custody.Prison, Country: "SYR", Series: "RIV", Capacities: map[custody.Category]int{custody.Detainee: 100000}, ControllingParty: sdf}},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: cc, Code: "CC", Name: "Contested prison",
			Kind: custody.Prison, Country: "SYR", Series: "CCP", Capacities: map[custody.Category]int{custody.Detainee: 1000}, ControllingParty: sdf}},
	}
	for i := range ccPersons {
		cmds = append(cmds, custody.RegisterPerson{Meta: m, Person: benchPerson(i), Facility: cc})
	}
	for _, c := range cmds {
		if _, err := d.db.Submit(context.Background(), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	dep := &replicaDeployment{dir: dir, db: db, tokens: map[string]string{}, sdf: sdfParty, irq: irqParty}
	for _, u := range [][3]string{{"sdfregistrar", "SDF", "registrar"}, {"sdfadmin", "SDF", "administrator"}, {"irqadmin", "IRQ", "administrator"}} {
		dep.addUser(t, u[0], u[1], u[2])
	}
	return dep
}

// addUser adds a user of a party with a role, and an API token for them.
func (dep *replicaDeployment) addUser(t *testing.T, name, party, role string) {
	t.Helper()
	mustHandover(t, append([]string{"user", "add", name, "--party", party, "--role", role, "--full-name", "Test " + name, "--data", dep.dir}, dep.dbFlags()...)...)
	out := mustHandover(t, append([]string{"token", "create", "--user", name, "--name", "replica tests", "--data", dep.dir}, dep.dbFlags()...)...)
	m := regexp.MustCompile(`token \(shown once; keep it secret\): (\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("token create printed no token:\n%s", out)
	}
	dep.tokens[name] = m[1]
}

// dbFlags are the command-line flags that name the deployment's database.
func (dep *replicaDeployment) dbFlags() []string {
	if dep.db == "" {
		return nil
	}
	return []string{"--db", dep.db}
}

// start runs `handover serve` on the deployment in a child process on a free
// port; its PostgreSQL sessions carry application_name=name. It is killed when
// the test ends, if it still runs.
func (dep *replicaDeployment) start(t *testing.T, name string) *replica {
	t.Helper()
	u, err := url.Parse(dep.db)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", name)
	u.RawQuery = q.Encode()
	args := []string{"serve", "--data", dep.dir, "--db", u.String(), "--listen", "127.0.0.1:0"}
	if dep.db == "" {
		args = []string{"serve", "--data", dep.dir, "--listen", "127.0.0.1:0"}
	}
	r := &replica{name: name, stderr: &syncBuffer{}}
	r.cmd, r.url = startChild(t, "replica "+name, ` on (http://\S+) `, r.stderr, args...)
	return r
}

// startChild runs the command line args in a child process (the test binary)
// and returns it with the first address matching addrRE that it prints on
// standard output; its standard error goes to stderr. It is killed when the
// test ends, if it still runs.
func startChild(t *testing.T, what, addrRE string, stderr *syncBuffer, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runChildEnv+"="+strings.Join(args, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		re := regexp.MustCompile(addrRE)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("%s exited before serving: %s", what, stderr)
		}
		return cmd, a
	case <-time.After(60 * time.Second):
		t.Fatalf("%s did not start: %s", what, stderr)
	}
	return nil, ""
}

// stop ends a replica with SIGTERM and waits for it.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	r.cmd.Process.Signal(syscall.SIGTERM)
	if err := r.cmd.Wait(); err != nil {
		t.Errorf("replica %s: %v\n%s", r.name, err, r.stderr)
	}
}

// ack is an acknowledged event: its index and id, from a receipt.
type ack struct {
	replica string
	index   uint64
	id      uuid.UUID
}

// post sends a write to a replica as user and returns the receipt's events. err
// is set when no answer came (a killed replica); a refusal fails the test.
func (dep *replicaDeployment) post(t *testing.T, r *replica, user, path string, body any) ([]ack, int, error) {
	a, status, _, err := dep.postKey(t, r, user, path, "", body)
	return a, status, err
}

// postKey is post with an Idempotency-Key (if key is not empty); it also returns
// whether the answer was a replay.
func (dep *replicaDeployment) postKey(t *testing.T, r *replica, user, path, key string, body any) ([]ack, int, bool, error) {
	b, err := json.Marshal(body)
	if err != nil {
		t.Error(err)
		return nil, 0, false, err
	}
	req, err := http.NewRequest(http.MethodPost, r.url+"/api/v1"+path, bytes.NewReader(b))
	if err != nil {
		t.Error(err)
		return nil, 0, false, err
	}
	req.Header.Set("Authorization", "Bearer "+dep.tokens[user])
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, 0, false, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, 0, false, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, resp.StatusCode, false, fmt.Errorf("POST %s on %s: %s: %s", path, r.name, resp.Status, raw)
	}
	var out struct {
		Events  []ackEvent `json:"events"` // control changes: a receipt
		Receipt struct {
			Events []ackEvent `json:"events"`
		} `json:"receipt"` // registrations: the person and a receipt
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Errorf("POST %s: %v: %s", path, err, raw)
		return nil, resp.StatusCode, false, err
	}
	var acks []ack
	for _, e := range append(out.Events, out.Receipt.Events...) {
		acks = append(acks, ack{replica: r.name, index: e.Index, id: e.ID})
	}
	if len(acks) == 0 {
		t.Errorf("POST %s: a receipt without events: %s", path, raw)
	}
	return acks, resp.StatusCode, resp.Header.Get("Idempotent-Replayed") == "true", nil
}

type ackEvent struct {
	Index uint64    `json:"index"`
	ID    uuid.UUID `json:"id"`
}

// registerer registers persons into RIV through r until stop is closed or n are
// registered, and returns the acknowledged events. With mayDie, a failed request
// ends it quietly (the replica was killed).
func (dep *replicaDeployment) registerer(t *testing.T, r *replica, first, n int, stop <-chan struct{}, mayDie bool) []ack {
	var acks []ack
	for i := first; i < first+n; i++ {
		select {
		case <-stop:
			return acks
		default:
		}
		p := benchPerson(ccPersons + i)
		p.RegNo = "" // the series' next: decided against the whole ledger
		a, status, err := dep.post(t, r, "sdfregistrar", "/persons", map[string]any{
			"occurred_at": time.Now().UTC().Format(time.RFC3339), "person": p, "facility": "RIV",
			"duplicate_reason": "replica test: synthetic persons share their names"})
		if err != nil {
			if !mayDie || status != 0 {
				t.Errorf("replica %s: %v", r.name, err)
			}
			return acks
		}
		acks = append(acks, a...)
	}
	return acks
}

// controlChanges passes CC between SDF and IRQ n times, alternating the replicas:
// each change (one event for the facility and one for each person held there) is
// decided by a replica against the change the other one just recorded.
func (dep *replicaDeployment) controlChanges(t *testing.T, rs []*replica, n int) []ack {
	var acks []ack
	for i := range n {
		user, to := "sdfadmin", "IRQ"
		if i%2 == 1 {
			user, to = "irqadmin", "SDF"
		}
		a, _, err := dep.post(t, rs[i%len(rs)], user, "/facilities/CC/control-changes", map[string]any{
			"occurred_at": time.Now().UTC().Format(time.RFC3339), "to": to, "unilateral": true, "reason": fmt.Sprintf("change %d", i)})
		if err != nil {
			t.Errorf("control change %d on %s: %v", i, rs[i%len(rs)].name, err)
			return acks
		}
		if len(a) != ccPersons+1 {
			t.Errorf("control change %d: %d events, want %d (the facility and each person)", i, len(a), ccPersons+1)
		}
		acks = append(acks, a...)
	}
	return acks
}

// replicaMove is a movement the handover world planned, ready to depart: its
// persons, and those who are absent at its arrival.
type replicaMove struct {
	movement uuid.UUID
	persons  []uuid.UUID
	absent   []uuid.UUID
}

// handoverWorld is what movement handovers need: the escort force's, SDF's and
// IRQ's officers with their keys, and the movements.
type handoverWorld struct {
	sdf, usf, irq *scenario.Officer
	at            time.Time // the departures; the arrivals an hour later
	moves         []replicaMove
}

// movePersons is how many persons each of the handover world's movements carries.
const movePersons = 12

// addHandoverWorld adds to the deployment, before its replicas start, moves
// movements ready to depart: the escort force USF, the prison DEP of SDF holding
// their persons, IRQ's institution IQ1, a campaign, one officer's key for each of
// SDF, USF and IRQ, and for each movement a transfer of movePersons persons with
// every safeguard and both approvals, and the movement planned; and the user
// usfescort (escort_commander of USF), who submits both handovers of each. The
// last movement's arrival lists one person absent (a discrepancy incident).
func (dep *replicaDeployment) addHandoverWorld(t *testing.T, moves int) *handoverWorld {
	t.Helper()
	ctx := withDB(context.Background(), dep.db)
	d, err := openWriter(ctx, dep.dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if d != nil {
			d.Close()
		}
	}()
	base := time.Now().UTC().Add(-6 * time.Hour).Truncate(time.Second)
	meta := func(party uuid.UUID, after time.Duration) custody.Meta {
		return custody.Meta{Actor: "test", Party: party, OccurredAt: base.Add(after)}
	}
	var cmds []custody.Command
	party := func(code, name string, kind custody.PartyKind) custody.Party {
		p := custody.Party{ID: uuid.Must(uuid.NewV7()), Code: code, Name: name, Kind: kind}
		cmds = append(cmds, custody.RegisterParty{Meta: meta(uuid.Nil, 0), Party: p})
		return p
	}
	sdf, irq := dep.sdf, dep.irq
	usf := party("USF", "Escort force", custody.EscortForce)
	from := custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "DEP", Name: "Departure prison", Kind: custody.Prison, Country: "SYR",
		Series: "DEP", Capacities: map[custody.Category]int{custody.Detainee: 1000}, ControllingParty: sdf.ID}
	to := custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "IQ1", Name: "Correctional institution one", Kind: custody.CorrectionalInstitution,
		Country: "IRQ", Series: "IQA", Capacities: map[custody.Category]int{custody.Detainee: 1000}, ControllingParty: irq.ID}
	cmds = append(cmds, custody.RegisterFacility{Meta: meta(uuid.Nil, 0), Facility: from}, custody.RegisterFacility{Meta: meta(uuid.Nil, 0), Facility: to})
	w := &handoverWorld{at: base.Add(4 * time.Hour)}
	for _, o := range []struct {
		p    custody.Party
		name string
		to   **scenario.Officer
	}{{sdf, "Officer Rojhat", &w.sdf}, {usf, "Officer Dale", &w.usf}, {irq, "Officer Karim", &w.irq}} {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		*o.to = &scenario.Officer{Party: o.p, Name: o.name, Key: k}
		cmds = append(cmds, custody.RegisterKey{Meta: meta(o.p.ID, time.Minute), Party: o.p.ID, Officer: o.name, PublicKey: (*o.to).Public()})
	}
	campaign := custody.Campaign{ID: uuid.Must(uuid.NewV7()), Name: "replica handovers", Target: 1000, Receiving: irq.ID}
	cmds = append(cmds, custody.CreateCampaign{Meta: meta(uuid.Nil, time.Minute), Campaign: campaign})
	dest := &custody.FacilityState{Facility: to}
	for i := range moves {
		var persons []uuid.UUID
		need := map[custody.SafeguardKind][]uuid.UUID{}
		for j := range movePersons {
			p := benchPerson(100000 + i*movePersons + j)
			cmds = append(cmds, custody.RegisterPerson{Meta: meta(uuid.Nil, 2*time.Minute), Person: p, Facility: from.ID})
			persons = append(persons, p.ID)
			for _, k := range custody.RequiredSafeguards(&p, dest) {
				need[k] = append(need[k], p.ID)
			}
		}
		tr := custody.Transfer{ID: uuid.Must(uuid.NewV7()), Campaign: campaign.ID, From: from.ID, To: to.ID,
			LegalBasis: "bilateral agreement", OrderedBy: "joint committee", Persons: persons}
		cmds = append(cmds, custody.ProposeTransfer{Meta: meta(uuid.Nil, time.Hour), Transfer: tr})
		for _, k := range custody.SafeguardKinds {
			if len(need[k]) == 0 {
				continue
			}
			g := custody.Safeguard{Kind: k, Met: true, Finding: "recorded by the replica test", Evidence: "file " + string(k), Assessor: "legal officer"}
			switch k {
			case custody.RiskAssessment:
				g.Risk = &custody.Risk{Torture: custody.NoRealRisk, Persecution: custody.NoRealRisk, DeathPenalty: custody.NoRealRisk, Monitoring: "monthly visits"}
			case custody.ICRCNotified:
				g.Interview = custody.InterviewHeld
			}
			cmds = append(cmds, custody.RecordSafeguard{Meta: meta(uuid.Nil, 2*time.Hour), Transfer: tr.ID, Persons: need[k], Safeguard: g})
		}
		cmds = append(cmds, custody.ApproveTransfer{Meta: meta(sdf.ID, 3*time.Hour), Transfer: tr.ID},
			custody.ApproveTransfer{Meta: meta(irq.ID, 3*time.Hour), Transfer: tr.ID})
		vs, seats := scenario.Convoy(persons)
		m := replicaMove{movement: uuid.Must(uuid.NewV7()), persons: persons}
		if i == moves-1 {
			m.absent = persons[:1]
		}
		cmds = append(cmds, custody.PlanMovement{Meta: meta(uuid.Nil, 3*time.Hour+time.Minute), Movement: custody.Movement{ID: m.movement, Transfer: tr.ID,
			Escort: usf.ID, Mode: custody.Convoy, Vehicles: vs, PlannedDeparture: w.at, Manifest: seats}})
		w.moves = append(w.moves, m)
	}
	for _, c := range cmds {
		if _, err := d.db.Submit(ctx, c); err != nil {
			t.Fatalf("%T: %v", c, err)
		}
	}
	err = d.Close()
	d = nil
	if err != nil {
		t.Fatal(err)
	}
	dep.addUser(t, "usfescort", "USF", "escort_commander")
	return w
}

// handover drafts a movement's departure (SDF's officer to the escort's) or
// arrival (the escort's officer to IRQ's) and signs its exact bytes with both
// officers' keys: the body of POST /api/v1/handovers.
func (w *handoverWorld) handover(t *testing.T, m replicaMove, stage custody.Stage) map[string]any {
	from, to, at, absent := w.sdf, w.usf, w.at, []uuid.UUID(nil)
	if stage == custody.Arrival {
		from, to, at, absent = w.usf, w.irq, w.at.Add(time.Hour), m.absent
	}
	doc := scenario.HandoverDocument(uuid.Must(uuid.NewV7()), m.movement, stage, from.Side(), to.Side(), at, "replica test gate", m.persons, nil, absent)
	b, err := scenario.EncodeHandover(doc)
	if err != nil {
		t.Error(err)
	}
	return map[string]any{"document": b, "signatures": []custody.Signature{from.Sign(b), to.Sign(b)}}
}

// handovers hands every movement over twice, the movements concurrently: its
// departure through one replica and, once that is acknowledged, its arrival through
// the other, which decides it against the departure the first one recorded. It
// returns the acknowledged events.
func (dep *replicaDeployment) handovers(t *testing.T, rs []*replica, w *handoverWorld) []ack {
	var mu sync.Mutex
	var acks []ack
	var wg sync.WaitGroup
	for i, m := range w.moves {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for leg, stage := range []custody.Stage{custody.Departure, custody.Arrival} {
				r := rs[(i+leg)%len(rs)]
				a, _, err := dep.post(t, r, "usfescort", "/handovers", w.handover(t, m, stage))
				if err != nil {
					t.Errorf("movement %d: %s handover on %s: %v", i, stage, r.name, err)
					return
				}
				// Each person's departure or arrival, and the movement's.
				if len(a) < movePersons+1 {
					t.Errorf("movement %d: %s handover: %d events, want at least %d", i, stage, len(a), movePersons+1)
				}
				mu.Lock()
				acks = append(acks, a...)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return acks
}

// checkLedger checks the stored ledger after the replicas stopped: verify passes,
// the indexes run from 0 without a gap, and every acknowledged event is stored at
// its index with its id.
func (dep *replicaDeployment) checkLedger(t *testing.T, acks []ack) {
	t.Helper()
	if out := mustHandover(t, "verify", "--data", dep.dir, "--db", dep.db); !strings.HasPrefix(out, "ok: ") {
		t.Errorf("verify: %s", out)
	}
	db, err := sql.Open("pgx", dep.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var count, lo, hi int64
	if err := db.QueryRowContext(ctx, "SELECT count(*), min(idx), max(idx) FROM events").Scan(&count, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	if lo != 0 || hi != count-1 {
		t.Errorf("%d events with indexes %d…%d: an index is skipped", count, lo, hi)
	}
	var dupIDs int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) - count(DISTINCT id) FROM events").Scan(&dupIDs); err != nil || dupIDs != 0 {
		t.Errorf("%d events share an id (%v)", dupIDs, err)
	}
	var size int64
	if err := db.QueryRowContext(ctx, "SELECT max(size) FROM checkpoints").Scan(&size); err != nil || size != count {
		t.Errorf("latest checkpoint size %d, want the %d events (%v)", size, count, err)
	}
	seen := map[uint64]string{}
	for _, a := range acks {
		if other, dup := seen[a.index]; dup {
			t.Errorf("index %d acknowledged twice (by %s and %s)", a.index, other, a.replica)
		}
		seen[a.index] = a.replica
		var id []byte
		if err := db.QueryRowContext(ctx, "SELECT id FROM events WHERE idx = $1", int64(a.index)).Scan(&id); err != nil {
			t.Errorf("acknowledged event %d (by %s) is not stored: %v", a.index, a.replica, err)
			continue
		}
		if !bytes.Equal(id, a.id[:]) {
			t.Errorf("event %d is %x, acknowledged by %s as %s", a.index, id, a.replica, a.id)
		}
	}
}

// eventCount is the number of events stored.
func (dep *replicaDeployment) eventCount(t *testing.T) int {
	t.Helper()
	db, err := sql.Open("pgx", dep.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// interleaved reports whether the acknowledgements of the replicas alternate in
// the ledger (rather than one replica writing everything before the other).
func interleaved(acks []ack) int {
	byIndex := map[uint64]string{}
	for _, a := range acks {
		byIndex[a.index] = a.replica
	}
	switches, last := 0, ""
	for i := uint64(0); i < uint64(len(byIndex))*4; i++ {
		if r, ok := byIndex[i]; ok {
			if last != "" && r != last {
				switches++
			}
			last = r
		}
	}
	return switches
}

// TestReplicas: two `handover serve` processes on one PostgreSQL database, each
// taking concurrent registrations through the API while control changes of a
// prison (multi-event commands) alternate between them, and signed movement
// handovers go through both: each movement's departure through one replica, its
// arrival through the other; one arrival finds a person absent and opens an
// incident. Afterwards verify passes (one tree, every checkpoint signed with the
// log key and consistent with the others), no index is duplicated or skipped,
// every acknowledged event is stored, the registration numbers the replicas
// assigned are all different, and every movement is reconciled.
func TestReplicas(t *testing.T) {
	dep := newReplicaDeployment(t)
	const moves = 6
	hw := dep.addHandoverWorld(t, moves)
	setup := dep.eventCount(t)
	rs := []*replica{dep.start(t, "replica-a"), dep.start(t, "replica-b")}
	const writers, each = 6, 40
	var mu sync.Mutex
	var acks, regAcks, handoverAcks []ack
	var wg sync.WaitGroup
	for w := range 2 * writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := dep.registerer(t, rs[w%2], w*each, each, nil, false)
			mu.Lock()
			acks = append(acks, a...)
			regAcks = append(regAcks, a...)
			mu.Unlock()
		}()
	}
	wg.Add(2)
	go func() {
		defer wg.Done()
		a := dep.controlChanges(t, rs, 10)
		mu.Lock()
		acks = append(acks, a...)
		mu.Unlock()
	}()
	go func() {
		defer wg.Done()
		a := dep.handovers(t, rs, hw)
		mu.Lock()
		acks = append(acks, a...)
		handoverAcks = append(handoverAcks, a...)
		mu.Unlock()
	}()
	wg.Wait()
	for _, r := range rs {
		r.stop(t)
	}
	if want := 2*writers*each + 10*(ccPersons+1) + len(handoverAcks); len(acks) != want || len(handoverAcks) < 2*moves*(movePersons+1) {
		t.Errorf("%d acknowledged events, %d of them of handovers; want %d, at least %d of handovers", len(acks), len(handoverAcks), want, 2*moves*(movePersons+1))
	}
	// The handovers were recorded amid the registrations, not before or after them.
	lo, hi, amid := ^uint64(0), uint64(0), 0
	for _, a := range regAcks {
		lo, hi = min(lo, a.index), max(hi, a.index)
	}
	for _, a := range handoverAcks {
		if lo < a.index && a.index < hi {
			amid++
		}
	}
	if amid == 0 {
		t.Errorf("no handover event lies among the registrations (%d…%d); want them concurrent", lo, hi)
	}
	// Every event the replicas stored was acknowledged to a client.
	if n := dep.eventCount(t); n != setup+len(acks) {
		t.Errorf("%d events stored after the %d of the set-up; %d acknowledged", n-setup, setup, len(acks))
	}
	t.Logf("%d events acknowledged, %d of them from the %d handovers (%d amid the registrations)", len(acks), len(handoverAcks), 2*moves, amid)
	if n := interleaved(acks); n < 10 {
		t.Errorf("the replicas' events alternate %d times in the ledger; want them to take turns", n)
	}
	dep.checkLedger(t, acks)

	db, err := sql.Open("pgx", dep.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var persons, regNos int
	if err := db.QueryRow("SELECT count(*), count(DISTINCT reg_no) FROM persons").Scan(&persons, &regNos); err != nil || persons != ccPersons+2*writers*each+moves*movePersons || regNos != persons {
		t.Errorf("%d persons, %d registration numbers (%v); want %d of each", persons, regNos, err, ccPersons+2*writers*each+moves*movePersons)
	}
	var reconciled, incidents int
	if err := db.QueryRow(`SELECT count(*) FILTER (WHERE kind = 'movement' AND convert_from(doc, 'UTF8')::jsonb->>'status' = $1),
		count(*) FILTER (WHERE kind = 'incident') FROM docs`, string(custody.ReconciledMovement)).Scan(&reconciled, &incidents); err != nil || reconciled != moves || incidents != 1 {
		t.Errorf("%d movements reconciled, %d incidents (%v); want %d and 1 (the person absent at arrival)", reconciled, incidents, err, moves)
	}
}

// TestReplicaKilled: of two replicas taking writes, one is killed (SIGKILL) in the
// middle of its writes. PostgreSQL ends its sessions, so its turn of the ledger
// lock is released; the other replica goes on accepting writes; and no event
// either of them acknowledged is lost.
func TestReplicaKilled(t *testing.T) {
	dep := newReplicaDeployment(t)
	a, b := dep.start(t, "replica-a"), dep.start(t, "replica-b")
	const writers = 6
	var mu sync.Mutex
	var acks []ack
	stopA, stopB := make(chan struct{}), make(chan struct{})
	var wgA, wgB sync.WaitGroup
	for w := range writers {
		wgA.Add(1)
		go func() {
			defer wgA.Done()
			got := dep.registerer(t, a, w*1000, 1000, stopA, true)
			mu.Lock()
			acks = append(acks, got...)
			mu.Unlock()
		}()
		wgB.Add(1)
		go func() {
			defer wgB.Done()
			got := dep.registerer(t, b, (writers+w)*1000, 1000, stopB, false)
			mu.Lock()
			acks = append(acks, got...)
			mu.Unlock()
		}()
	}
	countFrom := func(name string) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, x := range acks {
			if x.replica == name {
				n++
			}
		}
		return n
	}
	// acks only lands when a writer returns: count through the ledger instead.
	pg, err := sql.Open("pgx", dep.db)
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	waitEvents := func(n int64) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var got int64
			if err := pg.QueryRow("SELECT count(*) FROM events").Scan(&got); err == nil && got >= n {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d events after a minute", n)
			}
		}
	}
	waitEvents(400)
	if err := a.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.cmd.Wait()
	close(stopA)
	wgA.Wait()
	killedAt := countFrom("replica-a")
	if killedAt == 0 {
		t.Fatalf("replica-a acknowledged nothing before it was killed")
	}

	// PostgreSQL ends the killed replica's sessions, and with them its lock.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var sessions, locks int
		if err := pg.QueryRow(`SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory'))
			FROM pg_stat_activity a WHERE a.application_name = 'replica-a'`).Scan(&sessions, &locks); err != nil {
			t.Fatal(err)
		}
		if sessions == 0 && locks == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30 s after the kill, replica-a still has %d sessions, %d holding the ledger lock", sessions, locks)
		}
	}

	// The other replica goes on writing.
	var before int64
	if err := pg.QueryRow("SELECT count(*) FROM events").Scan(&before); err != nil {
		t.Fatal(err)
	}
	waitEvents(before + 200)
	var lockHolders int
	if err := pg.QueryRow(`SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name <> 'replica-b'`).Scan(&lockHolders); err != nil || lockHolders != 0 {
		t.Errorf("%d sessions but replica-b's hold an advisory lock (%v)", lockHolders, err)
	}
	close(stopB)
	wgB.Wait()
	b.stop(t)
	if n := countFrom("replica-b"); n < 200 {
		t.Errorf("replica-b acknowledged %d events in all, want it to keep writing after the kill", n)
	}
	t.Logf("replica-a acknowledged %d events before the kill, replica-b %d in all", killedAt, countFrom("replica-b"))
	dep.checkLedger(t, acks)
}

// TestReplicaIdempotency: the same request with one Idempotency-Key, sent at once to
// two replicas, is recorded once; the other replica answers with the stored
// response.
func TestReplicaIdempotency(t *testing.T) {
	dep := newReplicaDeployment(t)
	rs := []*replica{dep.start(t, "replica-a"), dep.start(t, "replica-b")}
	for i := range 20 {
		key := uuid.Must(uuid.NewV7()).String()
		p := benchPerson(5000 + i)
		body := map[string]any{"occurred_at": "2026-01-10T09:00:00Z", "person": p, "facility": "RIV",
			"duplicate_reason": "replica test: synthetic persons share their names"}
		type answer struct {
			acks     []ack
			replayed bool
			err      error
		}
		answers := make(chan answer, 2)
		for _, r := range rs {
			go func() {
				a, _, replayed, err := dep.postKey(t, r, "sdfregistrar", "/persons", key, body)
				answers <- answer{a, replayed, err}
			}()
		}
		x, y := <-answers, <-answers
		if x.err != nil || y.err != nil {
			t.Fatalf("key %d: %v; %v", i, x.err, y.err)
		}
		if x.replayed == y.replayed {
			t.Errorf("key %d: replayed %v and %v, want one answer recorded and the other replayed", i, x.replayed, y.replayed)
		}
		if len(x.acks) != 1 || len(y.acks) != 1 || x.acks[0].index != y.acks[0].index || x.acks[0].id != y.acks[0].id {
			t.Errorf("key %d: receipts %+v and %+v, want the same one", i, x.acks, y.acks)
		}
	}
	for _, r := range rs {
		r.stop(t)
	}
	db, err := sql.Open("pgx", dep.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var persons int
	if err := db.QueryRow("SELECT count(*) FROM persons").Scan(&persons); err != nil || persons != ccPersons+20 {
		t.Errorf("%d persons (%v), want %d: each key recorded once", persons, err, ccPersons+20)
	}
}
