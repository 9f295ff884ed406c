// Command sqlite-driver-bench measures a pure-Go SQLite driver on the
// handover store's workload: durable group commit through one writer
// connection, a full ordered scan of the events table (the verify pattern),
// and point reads of the persons projection from a read pool while the
// writer runs. The driver is chosen at build time (-tags ncruces|modernc),
// so each driver runs in its own process and VmHWM is its own.
//
// Each run prints one JSON line; -summarize reads those lines and prints
// median and range per measurement. See run.sh.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const schema = `
CREATE TABLE IF NOT EXISTS events(
  idx INTEGER PRIMARY KEY,
  id BLOB NOT NULL UNIQUE,
  type TEXT NOT NULL,
  subject BLOB,
  occurred_at TEXT,
  bytes BLOB NOT NULL,
  leaf_hash BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS events_subject ON events(subject);
CREATE TABLE IF NOT EXISTS persons(
  id BLOB PRIMARY KEY,
  reg_no TEXT UNIQUE,
  facility BLOB,
  status TEXT,
  nationality TEXT,
  record BLOB);
CREATE TABLE IF NOT EXISTS checkpoints(size INTEGER, note BLOB);
`

const (
	insertEvent  = `INSERT INTO events(idx, id, type, subject, occurred_at, bytes, leaf_hash) VALUES(?,?,?,?,?,?,?)`
	upsertPerson = `INSERT INTO persons(id, reg_no, facility, status, nationality, record) VALUES(?,?,?,?,?,?)
ON CONFLICT(id) DO UPDATE SET facility=excluded.facility, status=excluded.status,
  nationality=excluded.nationality, record=excluded.record`
	insertCheckpoint = `INSERT INTO checkpoints(size, note) VALUES(?,?)`
	selectPerson     = `SELECT record FROM persons WHERE id=?`
	scanEvents       = `SELECT idx, id, bytes, leaf_hash FROM events ORDER BY idx`
)

type result struct {
	Driver  string  `json:"driver"`
	Mode    string  `json:"mode"`
	Sync    string  `json:"sync,omitempty"`
	Batch   int     `json:"batch,omitempty"`
	Events  int64   `json:"events,omitempty"`
	EvPerS  float64 `json:"events_per_s,omitempty"`
	Rows    int64   `json:"rows,omitempty"`
	SeedS   float64 `json:"seed_s,omitempty"`
	ScanS   float64 `json:"scan_s,omitempty"`
	RowsPS  float64 `json:"rows_per_s,omitempty"`
	Reads   int64   `json:"reads,omitempty"`
	ReadsPS float64 `json:"reads_per_s,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	// process CPU (user+sys) per event committed, per row seeded/scanned, or
	// per read: less sensitive to a noisy disk than wall-clock rates
	CPUus     float64 `json:"cpu_us_per_op,omitempty"`
	SeedCPUus float64 `json:"seed_cpu_us_per_row,omitempty"`
	ReadP50us float64 `json:"read_p50_us,omitempty"`
	ReadP99us float64 `json:"read_p99_us,omitempty"`
	ReadMaxus float64 `json:"read_max_us,omitempty"`
	VmHWMKB   int64   `json:"vmhwm_kb"`
}

var (
	mode      = flag.String("mode", "commit", "commit | scan | reads | gen")
	dir       = flag.String("dir", "/tmp", "parent of the per-run temp directory (real files)")
	syncMode  = flag.String("sync", "FULL", "PRAGMA synchronous for the writer: FULL or NORMAL")
	batch     = flag.Int("batch", 64, "events per transaction (commit, reads)")
	dur       = flag.Duration("dur", 4*time.Second, "measured duration (commit, reads)")
	rowsN     = flag.Int("rows", 1_000_000, "events to seed and scan (scan, gen)")
	personsN  = flag.Int("persons", 10_000, "distinct persons")
	readers   = flag.Int("readers", 4, "read pool connections and goroutines (reads)")
	withWrite = flag.Bool("writer", true, "run the writer during reads")
	summarize = flag.Bool("summarize", false, "read JSON lines on stdin, print medians")
)

func main() {
	flag.Parse()
	if *summarize {
		summary()
		return
	}
	var r result
	switch *mode {
	case "gen":
		r = runGen()
	case "commit":
		r = runCommit()
	case "scan":
		r = runScan()
	case "reads":
		r = runReads()
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
	r.Driver, r.Mode = driverName, *mode
	r.VmHWMKB = vmHWM()
	b, _ := json.Marshal(r)
	fmt.Println(string(b))
}

// ---- workload data -------------------------------------------------------

var eventTypes = []string{"registered", "admitted", "handed_over", "departed", "arrived", "corrected"}
var nationalities = []string{"IRQ", "SYR", "TUR", "FRA", "DEU", "RUS", "TUN", "MAR"}

type gen struct {
	rng  *rand.Rand
	idx  int64
	buf  []byte
	rbuf []byte
}

func newGen(seed uint64) *gen {
	return &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

func personID(n int) []byte {
	id := make([]byte, 16)
	binary.BigEndian.PutUint64(id[0:], 0x0190_0000_0000_7000) // UUIDv7-ish prefix
	binary.BigEndian.PutUint64(id[8:], uint64(n)|0x8000_0000_0000_0000)
	return id
}

type event struct {
	idx        int64
	id         []byte
	typ        string
	subject    []byte
	subjectN   int
	occurredAt string
	bytes      []byte
	leaf       []byte
}

// next returns an event whose bytes are a ~450-byte JSON object and whose
// leaf hash is RFC 6962 leaf hash of id ‖ SHA-256("handover/event/v1\n" ‖ bytes).
func (g *gen) next(nPersons int) event {
	g.idx++
	id := make([]byte, 16)
	binary.BigEndian.PutUint64(id[0:], uint64(time.Now().UnixMilli())<<16|0x7000|uint64(g.rng.IntN(0xfff)))
	binary.BigEndian.PutUint64(id[8:], g.rng.Uint64())
	pn := g.rng.IntN(nPersons)
	subj := personID(pn)
	typ := eventTypes[g.rng.IntN(len(eventTypes))]
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.idx) * time.Second).Format(time.RFC3339)
	var nonce [16]byte
	binary.LittleEndian.PutUint64(nonce[:], g.rng.Uint64())
	binary.LittleEndian.PutUint64(nonce[8:], g.rng.Uint64())
	b := make([]byte, 0, 480)
	b = fmt.Appendf(b, `{"v":1,"id":"%x","type":%q,"occurred_at":%q,"recorded_at":%q,"actor":"%x","party":"party-sdf","subject":"%x","data":{"facility":"fac-hasakah-ghwayran","reg_no":"HSK-%06d","reason":"transfer batch 3, manifest M-0042","officer":"officer-0%03d","note":"head count matched; wristband checked"},"nonce":"%x"}`,
		id, typ, at, at, nonce[:8], subj, pn, g.rng.IntN(1000), nonce)
	h := sha256.New()
	h.Write([]byte("handover/event/v1\n"))
	h.Write(b)
	inner := h.Sum(nil)
	h.Reset()
	h.Write([]byte{0})
	h.Write(id)
	h.Write(inner)
	return event{idx: g.idx, id: id, typ: typ, subject: subj, subjectN: pn, occurredAt: at, bytes: b, leaf: h.Sum(nil)}
}

// record returns a ~600-byte JSON person record.
func (g *gen) record(pn int, status string) []byte {
	b := make([]byte, 0, 640)
	return fmt.Appendf(b, `{"id":"%x","reg_no":"HSK-%06d","names":{"ar":"محمد عبد الله الأحمد","latin":["Mohammed Abdullah al-Ahmad","Muhammad Abdallah Al Ahmed"],"aliases":["Abu Abdullah"]},"dob":{"value":"1991","precision":"year"},"sex":"M","nationalities":["%s"],"identifiers":[{"kind":"icrc","value":"SY-%08d"},{"kind":"isn","value":"ISN-%07d"}],"custody":{"status":%q,"facility":"fac-hasakah-ghwayran","custodian":"party-sdf","since":"2025-03-01T10:00:00Z"},"household":null,"medical":{"fit_to_travel":true,"checked_at":"2025-03-01T08:30:00Z"},"version":%d}`,
		personID(pn), pn, nationalities[pn%len(nationalities)], pn, pn, status, g.rng.IntN(1000))
}

// ---- modes ---------------------------------------------------------------

func tempDB() (string, func()) {
	d, err := os.MkdirTemp(*dir, "sqlbench-"+driverName+"-")
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(d, "handover.db"), func() { os.RemoveAll(d) }
}

func openWriter(path string) *sql.DB {
	db, err := sql.Open(sqlDriver, writerDSN(path, *syncMode))
	if err != nil {
		log.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	if _, err := db.Exec(schema); err != nil {
		log.Fatal(err)
	}
	var jm, sy string
	if err := db.QueryRow(`PRAGMA journal_mode`).Scan(&jm); err != nil {
		log.Fatal(err)
	}
	if err := db.QueryRow(`PRAGMA synchronous`).Scan(&sy); err != nil {
		log.Fatal(err)
	}
	want := map[string]string{"FULL": "2", "NORMAL": "1"}[strings.ToUpper(*syncMode)]
	if strings.ToLower(jm) != "wal" || sy != want {
		log.Fatalf("pragmas not applied: journal_mode=%s synchronous=%s", jm, sy)
	}
	return db
}

type writer struct {
	db             *sql.DB
	ins, ups, ckpt *sql.Stmt
	g              *gen
	size           int64
}

func newWriter(db *sql.DB, seed uint64) *writer {
	w := &writer{db: db, g: newGen(seed)}
	var err error
	if w.ins, err = db.Prepare(insertEvent); err != nil {
		log.Fatal(err)
	}
	if w.ups, err = db.Prepare(upsertPerson); err != nil {
		log.Fatal(err)
	}
	if w.ckpt, err = db.Prepare(insertCheckpoint); err != nil {
		log.Fatal(err)
	}
	return w
}

// commitBatch is one group commit: n events, one persons upsert per event,
// one checkpoint row, in one durable transaction.
func (w *writer) commitBatch(n int, withPersons bool) {
	tx, err := w.db.Begin()
	if err != nil {
		log.Fatal(err)
	}
	ins, ups, ckpt := tx.Stmt(w.ins), tx.Stmt(w.ups), tx.Stmt(w.ckpt)
	for range n {
		e := w.g.next(*personsN)
		if _, err := ins.Exec(e.idx, e.id, e.typ, e.subject, e.occurredAt, e.bytes, e.leaf); err != nil {
			log.Fatal(err)
		}
		if withPersons {
			if _, err := ups.Exec(e.subject, fmt.Sprintf("HSK-%06d", e.subjectN), personID(e.subjectN%40), e.typ,
				nationalities[e.subjectN%len(nationalities)], w.g.record(e.subjectN, e.typ)); err != nil {
				log.Fatal(err)
			}
		}
	}
	w.size += int64(n)
	note := fmt.Appendf(nil, "handover.example/ne-syria\n%d\n%x\n\n— handover.example/ne-syria %x\n", w.size, w.g.rng.Uint64(), w.g.rng.Uint64())
	if withPersons {
		if _, err := ckpt.Exec(w.size, note); err != nil {
			log.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
}

func runCommit() result {
	path, cleanup := tempDB()
	defer cleanup()
	db := openWriter(path)
	defer db.Close()
	w := newWriter(db, 1)
	for range 8 { // warm-up: prepare on the conn, grow the file a little
		w.commitBatch(*batch, true)
	}
	start := w.size
	c0 := cpuTime()
	t0 := time.Now()
	for time.Since(t0) < *dur {
		w.commitBatch(*batch, true)
	}
	el := time.Since(t0).Seconds()
	n := w.size - start
	return result{Sync: strings.ToUpper(*syncMode), Batch: *batch, Events: n, EvPerS: float64(n) / el, Seconds: el,
		CPUus: (cpuTime() - c0).Seconds() * 1e6 / float64(n)}
}

func runGen() result {
	g := newGen(2)
	t0 := time.Now()
	var sink int
	for range *rowsN {
		e := g.next(*personsN)
		sink += len(e.bytes)
	}
	el := time.Since(t0).Seconds()
	return result{Rows: int64(*rowsN), SeedS: el, Events: int64(sink / *rowsN)}
}

func runScan() result {
	path, cleanup := tempDB()
	defer cleanup()
	db := openWriter(path)
	w := newWriter(db, 3)
	c0 := cpuTime()
	t0 := time.Now()
	const seedBatch = 10_000
	for left := *rowsN; left > 0; left -= seedBatch {
		w.commitBatch(min(seedBatch, left), false)
	}
	seed := time.Since(t0).Seconds()
	seedCPU := (cpuTime() - c0).Seconds() * 1e6 / float64(*rowsN)
	db.Close()

	rdb, err := sql.Open(sqlDriver, readerDSN(path))
	if err != nil {
		log.Fatal(err)
	}
	defer rdb.Close()
	rdb.SetMaxOpenConns(1)
	c0 = cpuTime()
	t0 = time.Now()
	rows, err := rdb.Query(scanEvents)
	if err != nil {
		log.Fatal(err)
	}
	var (
		n, last     int64
		idx         int64
		id, b, leaf sql.RawBytes
		total       int
	)
	for rows.Next() {
		if err := rows.Scan(&idx, &id, &b, &leaf); err != nil {
			log.Fatal(err)
		}
		if idx != last+1 || len(id) != 16 || len(leaf) != 32 {
			log.Fatalf("bad row %d after %d", idx, last)
		}
		last = idx
		total += len(b)
		n++
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	rows.Close()
	scan := time.Since(t0).Seconds()
	scanCPU := (cpuTime() - c0).Seconds() * 1e6 / float64(n)
	if n != int64(*rowsN) {
		log.Fatalf("scanned %d rows, want %d", n, *rowsN)
	}
	return result{Sync: strings.ToUpper(*syncMode), Rows: n, SeedS: seed, ScanS: scan, RowsPS: float64(n) / scan, Events: int64(total) / n,
		SeedCPUus: seedCPU, CPUus: scanCPU}
}

func runReads() result {
	path, cleanup := tempDB()
	defer cleanup()
	db := openWriter(path)
	defer db.Close()
	// seed the projection: every person present
	g := newGen(4)
	tx, err := db.Begin()
	if err != nil {
		log.Fatal(err)
	}
	for pn := range *personsN {
		if _, err := tx.Exec(upsertPerson, personID(pn), fmt.Sprintf("HSK-%06d", pn), personID(pn%40), "held",
			nationalities[pn%len(nationalities)], g.record(pn, "held")); err != nil {
			log.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		log.Fatal(err)
	}
	w := newWriter(db, 5)

	rdb, err := sql.Open(sqlDriver, readerDSN(path))
	if err != nil {
		log.Fatal(err)
	}
	defer rdb.Close()
	rdb.SetMaxOpenConns(*readers)
	rdb.SetMaxIdleConns(*readers)
	sel, err := rdb.Prepare(selectPerson)
	if err != nil {
		log.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), *dur)
	defer cancel()
	var reads atomic.Int64
	var latMu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	var evs int64
	if *withWrite {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				w.commitBatch(*batch, true)
			}
			evs = w.size
		}()
	}
	t0 := time.Now()
	for i := range *readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			var rec []byte
			var n int64
			var my []time.Duration
			for ctx.Err() == nil {
				s := time.Now()
				if err := sel.QueryRow(personID(rng.IntN(*personsN))).Scan(&rec); err != nil {
					log.Fatal(err)
				}
				if len(rec) < 500 {
					log.Fatalf("short record %d", len(rec))
				}
				my = append(my, time.Since(s))
				n++
			}
			reads.Add(n)
			latMu.Lock()
			lat = append(lat, my...)
			latMu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(t0).Seconds()
	slices.Sort(lat)
	us := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) }
	r := result{Sync: strings.ToUpper(*syncMode), Reads: reads.Load(), ReadsPS: float64(reads.Load()) / el, Seconds: el,
		ReadP50us: us(0.5), ReadP99us: us(0.99), ReadMaxus: us(1)}
	if *withWrite {
		r.Batch, r.Events, r.EvPerS = *batch, evs, float64(evs)/el
	}
	return r
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		log.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func vmHWM() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// ---- summary -------------------------------------------------------------

func summary() {
	type key struct {
		mode, sync, driver string
		batch              int
		writer             bool
	}
	groups := map[key][]result{}
	var keys []key
	s := bufio.NewScanner(os.Stdin)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var r result
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			log.Fatal(err)
		}
		k := key{r.Mode, r.Sync, r.Driver, r.Batch, r.Mode == "reads" && r.Batch > 0}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
	}
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.mode != b.mode {
			return a.mode < b.mode
		}
		if a.sync != b.sync {
			return a.sync < b.sync
		}
		if a.batch != b.batch {
			return a.batch < b.batch
		}
		return a.driver < b.driver
	})
	med := func(rs []result, f func(result) float64) string {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		m := v[len(v)/2]
		if len(v)%2 == 0 {
			m = (v[len(v)/2-1] + v[len(v)/2]) / 2
		}
		return fmt.Sprintf("%s (%s–%s, n=%d)", num(m), num(v[0]), num(v[len(v)-1]), len(v))
	}
	for _, k := range keys {
		rs := groups[k]
		hwm := med(rs, func(r result) float64 { return float64(r.VmHWMKB) / 1024 })
		switch k.mode {
		case "commit":
			fmt.Printf("commit sync=%-6s B=%-3d %-7s events/s %s  CPU µs/event %s  VmHWM MiB %s\n", k.sync, k.batch, k.driver,
				med(rs, func(r result) float64 { return r.EvPerS }), med(rs, func(r result) float64 { return r.CPUus }), hwm)
		case "scan":
			fmt.Printf("scan   %-7s seed s %s  seed CPU µs/row %s  scan s %s  rows/s %s  scan CPU µs/row %s  VmHWM MiB %s\n", k.driver,
				med(rs, func(r result) float64 { return r.SeedS }), med(rs, func(r result) float64 { return r.SeedCPUus }),
				med(rs, func(r result) float64 { return r.ScanS }), med(rs, func(r result) float64 { return r.RowsPS }),
				med(rs, func(r result) float64 { return r.CPUus }), hwm)
		case "reads":
			w := "no writer"
			if k.writer {
				w = fmt.Sprintf("writer B=%d %s events/s %s", k.batch, k.sync, med(rs, func(r result) float64 { return r.EvPerS }))
			}
			fmt.Printf("reads  %-7s reads/s %s  p99 µs %s  max µs %s  [%s]  VmHWM MiB %s\n", k.driver,
				med(rs, func(r result) float64 { return r.ReadsPS }), med(rs, func(r result) float64 { return r.ReadP99us }),
				med(rs, func(r result) float64 { return r.ReadMaxus }), w, hwm)
		case "gen":
			fmt.Printf("gen    %d events generated+hashed without a DB: s %s\n", rs[0].Rows, med(rs, func(r result) float64 { return r.SeedS }))
		}
	}
}

func num(f float64) string {
	switch {
	case f >= 100:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 10:
		return strconv.FormatFloat(f, 'f', 1, 64)
	default:
		return strconv.FormatFloat(f, 'f', 2, 64)
	}
}
