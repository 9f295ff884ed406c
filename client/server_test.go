package client_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/ledger"
	"github.com/handover-project/handover/sequencer"
	"github.com/handover-project/handover/sqlite"
)

// testServer is a real handover API over a SQLite ledger in a temporary
// directory, behind a real listener: two parties (SDF, IRQ), the SDF facility
// HSK and the IRQ facility IQ1, and an SDF officer holding every role a party
// acts with, whose API token is token.
type testServer struct {
	URL, Token string
	close      func()
}

func (s *testServer) Close() { s.close() }

var sdf = uuid.MustParse("0190f5a0-0000-7000-8000-000000000001")

// startServer starts a test server; examples call it as a reader would start
// `handover serve`. It panics on failure: examples have no *testing.T.
func startServer() *testServer {
	s, err := tryStartServer()
	if err != nil {
		panic(err)
	}
	return s
}

func tryStartServer() (*testServer, error) {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "handover-client-")
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*testServer, error) {
		os.RemoveAll(dir)
		return nil, err
	}
	const origin = "example.org/handover/client-test"
	skey, vkey, err := ledger.GenerateKey(origin)
	if err != nil {
		return fail(err)
	}
	signer, err := ledger.NewSigner(skey)
	if err != nil {
		return fail(err)
	}
	verifier, err := ledger.NewVerifier(vkey)
	if err != nil {
		return fail(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, sqlite.FileName))
	if err != nil {
		return fail(err)
	}
	if err := db.Start(ctx, sequencer.Config{Origin: origin, Signer: signer}); err != nil {
		db.Close()
		return fail(err)
	}
	m := custody.Meta{Actor: "setup", OccurredAt: time.Date(2026, 1, 10, 8, 0, 0, 0, time.UTC)}
	irq := uuid.Must(uuid.NewV7())
	for _, c := range []custody.Command{
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: sdf, Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}},
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: irq, Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState}},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "IQ1", Name: "Correctional institution one",
			Kind: custody.CorrectionalInstitution, Country: "IRQ", Series: "IQA", Capacities: map[custody.Category]int{custody.Detainee: 3000}, ControllingParty: irq}},
		custody.RegisterFacility{Meta: m, Facility: custody.Facility{ID: uuid.Must(uuid.NewV7()), Code: "HSK", Name: "Hasakah detention facility",
			Kind: custody.Prison, Country: "SYR", Series: "HSK", Capacities: map[custody.Category]int{custody.Detainee: 4000}, ControllingParty: sdf}},
	} {
		if _, err := db.Submit(ctx, c); err != nil {
			db.Close()
			return fail(err)
		}
	}
	token, err := officer(ctx, db)
	if err != nil {
		db.Close()
		return fail(err)
	}
	h, err := api.New(db, api.Config{Origin: origin, Verifier: verifier, Accounts: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		return fail(err)
	}
	srv := httptest.NewServer(h)
	return &testServer{URL: srv.URL, Token: token, close: func() {
		srv.Close()
		h.Close()
		db.Close()
		os.RemoveAll(dir)
	}}, nil
}

// officer makes the SDF officer's account and returns an API token of theirs.
func officer(ctx context.Context, db *sqlite.DB) (string, error) {
	hash, err := access.HashPassword("correct horse battery", access.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: "sdf-officer", FullName: "Officer Rima Test", Party: sdf,
		Roles:        []access.Role{access.Administrator, access.Registrar, access.FacilityCommander, access.EscortCommander, access.LegalOfficer, access.TransferApprover},
		PasswordHash: hash, Created: now, PasswordChanged: now}
	if err := db.CreateUser(ctx, u); err != nil {
		return "", fmt.Errorf("create user: %w", err)
	}
	tok, th, err := access.NewSecret(access.TokenPrefix)
	if err != nil {
		return "", err
	}
	if err := db.CreateToken(ctx, access.Token{ID: uuid.Must(uuid.NewV7()), User: u.ID, Name: "client tests", Hash: th, Created: now}); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return tok, nil
}
