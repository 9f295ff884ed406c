package ledger_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"net"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/mod/sumdb/note"

	"github.com/handover-project/handover/ledger"
)

// These benchmarks measure what it costs to keep the log key in another
// process (docs/decisions/0013-log-key-apart.md): signing one checkpoint in
// process, and through a real ssh-agent process over its Unix socket.

// agentSigner is a note.Signer whose Ed25519 key is held by an ssh-agent.
type agentSigner struct {
	name   string
	hash   uint32
	client agent.ExtendedAgent
	pub    ssh.PublicKey
}

func (s *agentSigner) Name() string    { return s.name }
func (s *agentSigner) KeyHash() uint32 { return s.hash }
func (s *agentSigner) Sign(msg []byte) ([]byte, error) {
	sig, err := s.client.Sign(s.pub, msg)
	if err != nil {
		return nil, err
	}
	return sig.Blob, nil // ssh-ed25519: the raw Ed25519 signature of msg
}

// startAgent runs ssh-agent in the foreground on a socket in a temporary
// directory, holding a new Ed25519 key, and returns a note signer backed by
// it and the matching verifier. The agent is stopped when the test ends.
func startAgent(tb testing.TB, origin string) (note.Signer, note.Verifier) {
	tb.Helper()
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		tb.Skip("no ssh-agent")
	}
	sock := filepath.Join(tb.TempDir(), "agent.sock")
	cmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	var conn net.Conn
	var err error
	for range 100 {
		if conn, err = net.Dial("unix", sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	client := agent.NewClient(conn)
	if err := client.Add(agent.AddedKey{PrivateKey: priv, Comment: origin}); err != nil {
		tb.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		tb.Fatal(err)
	}
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		tb.Fatal(err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		tb.Fatal(err)
	}
	return &agentSigner{name: origin, hash: v.KeyHash(), client: client, pub: sshPub}, v
}

// TestAgentSignedCheckpoint: a checkpoint signed through ssh-agent is a
// valid checkpoint of the log's key.
func TestAgentSignedCheckpoint(t *testing.T) {
	s, v := startAgent(t, "handover.test/agent")
	text, err := ledger.SignCheckpoint(s, "handover.test/agent", 7, [32]byte{1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.OpenCheckpoint(text, v, "handover.test/agent"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSignCheckpointInProcess(b *testing.B) {
	skey, _, err := ledger.GenerateKey("handover.test/bench")
	if err != nil {
		b.Fatal(err)
	}
	s, err := ledger.NewSigner(skey)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; b.Loop(); i++ {
		if _, err := ledger.SignCheckpoint(s, "handover.test/bench", uint64(i), [32]byte{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignCheckpointSSHAgent(b *testing.B) {
	s, _ := startAgent(b, "handover.test/bench")
	for i := 0; b.Loop(); i++ {
		if _, err := ledger.SignCheckpoint(s, "handover.test/bench", uint64(i), [32]byte{}); err != nil {
			b.Fatal(err)
		}
	}
}
