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
// directory, behind a real listener: three parties (SDF, IRQ, and the escort
// force USF), the SDF facility HSK and the IRQ facility IQ1, and an SDF
// officer holding every role a party acts with, whose API token is Token;
// IRQToken is an IRQ transfer approver's, USFToken a USF administrator and
// escort commander's.
type testServer struct {
	URL, Token         string
	IRQToken, USFToken string
	close              func()
}

func (s *testServer) Close() { s.close() }

var (
	sdf = uuid.MustParse("0190f5a0-0000-7000-8000-000000000001")
	irq = uuid.MustParse("0190f5a0-0000-7000-8000-000000000002")
	usf = uuid.MustParse("0190f5a0-0000-7000-8000-000000000003")
)

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
	for _, c := range []custody.Command{
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: sdf, Code: "SDF", Name: "Syrian Democratic Forces", Kind: custody.DetainingAuthority}},
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: irq, Code: "IRQ", Name: "Iraq, Ministry of Justice", Kind: custody.ReceivingState}},
		custody.RegisterParty{Meta: m, Party: custody.Party{ID: usf, Code: "USF", Name: "Escort force of the test", Kind: custody.EscortForce}},
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
	var tokens [3]string
	for i, u := range []struct {
		party uuid.UUID
		login string
		roles []access.Role
	}{
		{sdf, "sdf-officer", []access.Role{access.Administrator, access.Registrar, access.FacilityCommander, access.EscortCommander, access.LegalOfficer, access.TransferApprover}},
		{irq, "irq-approver", []access.Role{access.TransferApprover}},
		{usf, "usf-escort", []access.Role{access.Administrator, access.EscortCommander}},
	} {
		if tokens[i], err = officer(ctx, db, u.party, u.login, u.roles); err != nil {
			db.Close()
			return fail(err)
		}
	}
	h, err := api.New(db, api.Config{Origin: origin, Verifier: verifier, Accounts: db,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		db.Close()
		return fail(err)
	}
	srv := httptest.NewServer(h)
	return &testServer{URL: srv.URL, Token: tokens[0], IRQToken: tokens[1], USFToken: tokens[2], close: func() {
		srv.Close()
		h.Close()
		db.Close()
		os.RemoveAll(dir)
	}}, nil
}

// officer makes the account of a party's officer with roles, and returns an
// API token of theirs.
func officer(ctx context.Context, db *sqlite.DB, party uuid.UUID, login string, roles []access.Role) (string, error) {
	hash, err := access.HashPassword("correct horse battery", access.Params{Memory: 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16})
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: login, FullName: "Officer " + login, Party: party,
		Roles: roles, PasswordHash: hash, Created: now, PasswordChanged: now}
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
