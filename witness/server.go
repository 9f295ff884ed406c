package witness

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/transparency-dev/formats/log"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
	"golang.org/x/mod/sumdb/note"
)

// MaxRequestBytes bounds an add-checkpoint request body: an old size line,
// at most 63 proof lines and a checkpoint with its signatures.
const MaxRequestBytes = 64 << 10

// maxProofLines is the most consistency proof lines a client may send.
const maxProofLines = 63

// ServerConfig sets up a [Server].
type ServerConfig struct {
	Now    func() time.Time // default time.Now
	Alerts io.Writer        // where refusals are announced; default none
	Logger *slog.Logger     // default slog.Default()
}

// A Server is a witness: it answers C2SP tlog-witness add-checkpoint
// requests for the logs of its [State], and cosigns checkpoints per C2SP
// tlog-cosignature (Ed25519, cosignature/v1). It is safe for concurrent
// use; requests for one log are handled one at a time, so that checking
// the old size and recording the new checkpoint are atomic.
type Server struct {
	state  *State
	signer *Signer
	cfg    ServerConfig

	mu   sync.Mutex
	logs map[string]*followed
}

// followed is a log and the latest checkpoint the witness cosigned for it.
type followed struct {
	mu     sync.Mutex
	log    *Log
	loaded bool
	size   uint64
	root   []byte
	text   []byte // the signed note, as received

	refused []byte // the checkpoint of the last evidence kept
}

// NewServer returns the witness of the state directory.
func NewServer(st *State, cfg ServerConfig) (*Server, error) {
	s, err := st.Signer()
	if err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Alerts == nil {
		cfg.Alerts = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &Server{state: st, signer: s, cfg: cfg, logs: map[string]*followed{}}
	if err := w.rescan(); err != nil {
		return nil, err
	}
	return w, nil
}

// Signer returns the witness's key.
func (s *Server) Signer() *Signer { return s.signer }

// rescan reads the followed logs again (after `witness add-log`).
func (s *Server) rescan() error {
	logs, err := s.state.Logs()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range logs {
		if f, ok := s.logs[l.Origin]; ok {
			f.mu.Lock()
			f.log = l
			f.mu.Unlock()
			continue
		}
		s.logs[l.Origin] = &followed{log: l}
	}
	return nil
}

func (s *Server) lookup(origin string) *followed {
	s.mu.Lock()
	f := s.logs[origin]
	s.mu.Unlock()
	if f == nil {
		if err := s.rescan(); err != nil {
			s.cfg.Logger.Error("witness: reading logs", "err", err)
			return nil
		}
		s.mu.Lock()
		f = s.logs[origin]
		s.mu.Unlock()
	}
	return f
}

// Handler serves POST /add-checkpoint, and the evidence of refused
// checkpoints read-only: GET /evidence lists the files, oldest first, one
// name a line; GET /evidence/NAME is one file, as kept.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /evidence", func(w http.ResponseWriter, r *http.Request) {
		names, err := s.state.EvidenceNames()
		if err != nil {
			s.cfg.Logger.Error("witness: listing evidence", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		var b bytes.Buffer
		for _, n := range names {
			b.WriteString(n + "\n")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
		w.Write(b.Bytes())
	})
	mux.HandleFunc("GET /evidence/{name}", func(w http.ResponseWriter, r *http.Request) {
		b, err := s.state.EvidenceFile(r.PathValue("name"))
		if errors.Is(err, fs.ErrNotExist) {
			http.Error(w, "no such evidence", http.StatusNotFound)
			return
		}
		if err != nil {
			s.cfg.Logger.Error("witness: reading evidence", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable") // kept once, never changed
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
	mux.HandleFunc("POST /add-checkpoint", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
		if err != nil {
			http.Error(w, "request body too large or unreadable", http.StatusBadRequest)
			return
		}
		a := s.AddCheckpoint(body)
		if a.Status == http.StatusConflict {
			w.Header().Set("Content-Type", "text/x.tlog.size")
		} else {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(a.Body)))
		w.WriteHeader(a.Status)
		w.Write(a.Body)
	})
	return mux
}

// An Answer is the HTTP status and body of an add-checkpoint request.
type Answer struct {
	Status int
	Body   []byte
}

func refuse(status int, format string, a ...any) Answer {
	return Answer{Status: status, Body: fmt.Appendf(nil, format+"\n", a...)}
}

func conflict(size uint64) Answer {
	return Answer{Status: http.StatusConflict, Body: fmt.Appendf(nil, "%d\n", size)}
}

// AddCheckpoint handles one add-checkpoint request body, per C2SP
// tlog-witness: 400 for a malformed request or an old size beyond the
// checkpoint's, 404 for an unknown origin, 403 if no signature verifies
// with the log's keys, 409 (body: the latest cosigned size) if the old size
// is not the latest cosigned one or if the same size has another root, 422
// if the consistency proof does not verify, and otherwise 200 with the
// cosignature line, after the checkpoint is durably recorded.
func (s *Server) AddCheckpoint(body []byte) Answer {
	old, hashes, text, err := parseRequest(body)
	if err != nil {
		return refuse(http.StatusBadRequest, "%v", err)
	}
	origin, _, _ := strings.Cut(string(text), "\n")
	f := s.lookup(origin)
	if f == nil {
		return refuse(http.StatusNotFound, "unknown log %q", origin)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := note.Open(text, note.VerifierList(f.log.verifiers...))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		var invalid *note.InvalidSignatureError
		if errors.As(err, &unverified) || errors.As(err, &invalid) {
			return refuse(http.StatusForbidden, "no valid signature of the log %q", origin)
		}
		return refuse(http.StatusBadRequest, "checkpoint: %v", err)
	}
	var c log.Checkpoint
	if _, err := c.Unmarshal([]byte(n.Text)); err != nil || c.Origin != origin || len(c.Hash) != rfc6962.DefaultHasher.Size() {
		return refuse(http.StatusBadRequest, "malformed checkpoint body")
	}
	if err := s.load(f); err != nil {
		s.cfg.Logger.Error("witness: reading state", "origin", origin, "err", err)
		return refuse(http.StatusInternalServerError, "internal error")
	}
	// A signed checkpoint that contradicts what was cosigned is evidence,
	// whatever the request's old size says.
	switch {
	case f.text != nil && c.Size < f.size:
		s.evidence(f, "shrink", fmt.Sprintf("the log signed size %d after the witness cosigned size %d (an older checkpoint replayed, or a truncated log: a monitor's consistency check of the two tells which)", c.Size, f.size), body)
	case f.text != nil && c.Size == f.size && !bytes.Equal(c.Hash, f.root):
		s.evidence(f, "fork", fmt.Sprintf("the log signed two roots for size %d", c.Size), body)
		return conflict(f.size)
	}
	if old > c.Size {
		return refuse(http.StatusBadRequest, "old size %d is beyond the checkpoint size %d", old, c.Size)
	}
	if old != f.size {
		return conflict(f.size)
	}
	switch {
	case old == 0 || old == c.Size:
		if len(hashes) != 0 {
			return refuse(http.StatusUnprocessableEntity, "the consistency proof from size %d to %d must be empty", old, c.Size)
		}
	default:
		if err := proof.VerifyConsistency(rfc6962.DefaultHasher, old, c.Size, hashes, f.root, c.Hash); err != nil {
			s.evidence(f, "inconsistent", fmt.Sprintf("the consistency proof from the cosigned size %d to %d does not verify", old, c.Size), body)
			return refuse(http.StatusUnprocessableEntity, "consistency proof from %d to %d does not verify", old, c.Size)
		}
	}
	if c.Size > f.size || f.text == nil {
		if err := s.state.setLatest(origin, text); err != nil {
			s.cfg.Logger.Error("witness: recording checkpoint", "origin", origin, "err", err)
			return refuse(http.StatusInternalServerError, "internal error")
		}
		f.size, f.root, f.text = c.Size, c.Hash, text
	}
	line, err := s.signer.Cosign([]byte(n.Text), s.cfg.Now())
	if err != nil {
		return refuse(http.StatusBadRequest, "%v", err)
	}
	return Answer{Status: http.StatusOK, Body: []byte(line)}
}

// load reads the latest cosigned checkpoint of f once. It was verified when
// it was cosigned; it is opened again with the log's keys, so that a state
// file changed on disk is refused rather than trusted.
func (s *Server) load(f *followed) error {
	if f.loaded {
		return nil
	}
	text, err := s.state.Latest(f.log.Origin)
	if err != nil {
		return err
	}
	if text != nil {
		n, err := note.Open(text, note.VerifierList(f.log.verifiers...))
		if err != nil {
			return fmt.Errorf("stored checkpoint of %q: %w", f.log.Origin, err)
		}
		var c log.Checkpoint
		if _, err := c.Unmarshal([]byte(n.Text)); err != nil {
			return fmt.Errorf("stored checkpoint of %q: %w", f.log.Origin, err)
		}
		f.size, f.root, f.text = c.Size, c.Hash, text
	}
	f.loaded = true
	return nil
}

// evidence keeps a refused request beside the checkpoint it contradicts,
// and announces it.
func (s *Server) evidence(f *followed, why, what string, request []byte) {
	_, refused, _ := bytes.Cut(request, []byte("\n\n"))
	if bytes.Equal(refused, f.refused) {
		return // a retry of the request last refused: kept already
	}
	f.refused = refused
	at := s.cfg.Now()
	var b bytes.Buffer
	fmt.Fprintf(&b, "handover witness evidence: %s\norigin: %s\nat: %s\nwitness: %s\n%s.\n", why, f.log.Origin, at.UTC().Format(time.RFC3339), s.signer.VKey(), what)
	fmt.Fprintf(&b, "\n--- the checkpoint the witness had cosigned (signed by the log):\n%s", f.text)
	fmt.Fprintf(&b, "\n--- the refused add-checkpoint request (its checkpoint signed by the log):\n%s", request)
	path, err := s.state.keepEvidence(f.log.Origin, why, at, b.Bytes())
	if err != nil {
		s.cfg.Logger.Error("witness: keeping evidence", "origin", f.log.Origin, "err", err)
	}
	fmt.Fprintf(s.cfg.Alerts, "ALERT witness: log %s: %s: %s; evidence kept in %s\n", f.log.Origin, why, what, path)
	s.cfg.Logger.Warn("witness: refused checkpoint", "origin", f.log.Origin, "why", why, "evidence", path)
}

// parseRequest splits an add-checkpoint body into its old size, its proof
// hashes and its checkpoint note.
func parseRequest(body []byte) (old uint64, hashes [][]byte, text []byte, err error) {
	line, rest, ok := bytes.Cut(body, []byte("\n"))
	if !ok {
		return 0, nil, nil, errors.New("want an old size line")
	}
	num, ok := bytes.CutPrefix(line, []byte("old "))
	if !ok {
		return 0, nil, nil, errors.New(`the first line must be "old SIZE"`)
	}
	old, err = strconv.ParseUint(string(num), 10, 64)
	if err != nil || strconv.FormatUint(old, 10) != string(num) {
		return 0, nil, nil, fmt.Errorf("old size %q is not a decimal without leading zeroes", num)
	}
	for {
		line, rest, ok = bytes.Cut(rest, []byte("\n"))
		if !ok {
			return 0, nil, nil, errors.New("want an empty line before the checkpoint")
		}
		if len(line) == 0 {
			break
		}
		if len(hashes) == maxProofLines {
			return 0, nil, nil, fmt.Errorf("more than %d consistency proof lines", maxProofLines)
		}
		h, err := base64.StdEncoding.Strict().DecodeString(string(line))
		if err != nil || len(h) != rfc6962.DefaultHasher.Size() {
			return 0, nil, nil, fmt.Errorf("proof line %d is not a base64 hash", len(hashes)+1)
		}
		hashes = append(hashes, h)
	}
	if len(rest) == 0 {
		return 0, nil, nil, errors.New("no checkpoint")
	}
	return old, hashes, rest, nil
}
