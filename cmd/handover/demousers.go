package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

// demoUsersFile keeps the demo accounts' passwords, mode 0600, so that every start
// of the demo can print them. Only the demo does this: real passwords are shown once.
const demoUsersFile = "demo-users.txt"

// demoAccount is one demo user and the password it was given.
type demoAccount struct {
	user     access.User
	party    string
	password string
}

// demoAccounts plans one user per role per party (monitors and auditors only, for a
// monitor party): login names like "sdf-registrar". The officers who sign the demo's
// handovers are the facility commanders of SDF and IRQ and the escort commander of
// USF; their keys are registered to these accounts.
func demoAccounts(w *scenario.World) []demoAccount {
	var out []demoAccount
	now := time.Now().UTC()
	for _, p := range w.Parties {
		roles := []access.Role{access.Administrator, access.Registrar, access.FacilityCommander, access.EscortCommander,
			access.LegalOfficer, access.TransferApprover, access.Auditor}
		if p.Kind == custody.Monitor {
			roles = []access.Role{access.MonitorRole, access.Auditor}
		}
		for _, r := range roles {
			name := strings.ToLower(p.Code) + "-" + strings.ReplaceAll(string(r), "_", "-")
			out = append(out, demoAccount{party: p.Code, password: generatePassword(), user: access.User{
				ID: uuid.Must(uuid.NewV7()), Name: name, FullName: fmt.Sprintf("Demo %s of %s", strings.ReplaceAll(string(r), "_", " "), p.Code),
				Party: p.ID, Roles: []access.Role{r}, Created: now, PasswordChanged: now}})
		}
	}
	return out
}

// signingAccount is the account of the officer who signs for a party in the demo.
func signingAccount(accounts []demoAccount, party string) uuid.UUID {
	role := access.FacilityCommander
	if party == scenario.USF {
		role = access.EscortCommander
	}
	for _, a := range accounts {
		if a.party == party && a.user.Has(role) {
			return a.user.ID
		}
	}
	return uuid.Nil
}

// demoHashParams is the cost of the demo accounts' password hashes: a tenth of a
// real login's. The demo prints these passwords and keeps them in a file, so a slow
// hash would protect nothing and would add seconds to every demo start.
var demoHashParams = access.Params{Memory: 16 * 1024, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

// createDemoAccounts hashes the passwords and stores the accounts, then writes the
// password file.
func createDemoAccounts(ctx context.Context, d *dataDirectory, accounts []demoAccount) error {
	errs := make([]error, len(accounts))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i := range accounts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			a := &accounts[i]
			h, err := access.HashPassword(a.password, demoHashParams)
			if err == nil {
				a.user.PasswordHash = h
				err = d.db.CreateUser(ctx, a.user)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("demo user %s: %w", accounts[i].user.Name, err)
		}
	}
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "LOGIN\tPARTY\tROLE\tPASSWORD")
	for _, a := range accounts {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", a.user.Name, a.party, a.user.Roles[0], a.password)
	}
	w.Flush()
	return writeNew(filepath.Join(d.dir, demoUsersFile), b.String(), 0o600)
}

// printDemoAccounts prints the demo's accounts and passwords, if this data
// directory has them.
func printDemoAccounts(dir string, out io.Writer) {
	b, err := os.ReadFile(filepath.Join(dir, demoUsersFile))
	if err != nil {
		return
	}
	fmt.Fprintf(out, "demo accounts (synthetic; passwords kept in %s, mode 0600):\n%s", filepath.Join(dir, demoUsersFile), b)
	fmt.Fprintf(out, "an API token of each account, for the client commands (--token-file), in %s\n", demoTokenPath(dir, "LOGIN"))
}
