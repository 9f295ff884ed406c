package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/custody"
)

func newInit() *cobra.Command {
	var origin, party, partyName, partyKind, admin, adminName string
	cmd := &cobra.Command{
		Use:   "init [--party CODE --party-name NAME --party-kind KIND] [--admin NAME]",
		Short: "Create a new data directory: database, log signing key and log name, and the first administrator",
		Long: `init creates a new data directory holding the SQLite database (with --db, the
PostgreSQL database is migrated instead, and must hold no ledger yet), the log's Ed25519
signing key (log.key, mode 0600: keep it secret), its public key (log.pub: give it to
monitors) and the log's name (--origin), which heads every signed checkpoint.

With --party, it also registers the operating party in the ledger and creates its
first administrator (--admin, default "admin") with a new random password, printed
once: there is no default password. Without --party, add the first user later with
` + "`handover user add`" + ` once their party is registered.`,
		Example: `  handover init --data /srv/handover --origin handover.example/ne-syria \
      --party SDF --party-name "Syrian Democratic Forces" --party-kind detaining_authority --admin amira`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := dataDir(cmd)
			if party == "" && (partyName != "" || cmd.Flags().Changed("admin")) {
				return fmt.Errorf("--party is required with --party-name and --admin")
			}
			if party != "" && strings.TrimSpace(partyName) == "" {
				return fmt.Errorf("--party-name is required with --party")
			}
			if party != "" {
				// Check the administrator's name and the party before anything is written.
				probe := access.User{ID: uuid.New(), Name: admin, FullName: nonBlank(adminName, "Administrator"), Party: uuid.New(), Roles: []access.Role{access.Administrator}}
				if err := access.ValidateUser(&probe); err != nil {
					return fmt.Errorf("--admin: %w", err)
				}
				probeParty := custody.Party{ID: uuid.New(), Code: strings.ToUpper(party), Name: partyName, Kind: custody.PartyKind(partyKind)}
				if err := probeParty.Validate(); err != nil {
					return fmt.Errorf("--party: %w", err)
				}
			}
			if err := initDataDir(cmd.Context(), dir, origin); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "initialised %s (log %s)\nmonitors verify checkpoints with the public key in %s\n",
				dir, origin, filepath.Join(dir, pubFile))
			if party == "" {
				fmt.Fprintf(out, "no administrator yet: register a party, then run `handover user add NAME --party CODE --role administrator --full-name \"…\" --data %s`\n", dir)
				return nil
			}
			ctx := cmd.Context()
			d, err := openWriter(ctx, dir)
			if err != nil {
				return err
			}
			defer d.Close()
			p := custody.Party{ID: uuid.Must(uuid.NewV7()), Code: strings.ToUpper(party), Name: partyName, Kind: custody.PartyKind(partyKind)}
			if _, err := d.db.Submit(ctx, custody.RegisterParty{Meta: custody.Meta{Actor: "handover-init", OccurredAt: time.Now().UTC()}, Party: p}); err != nil {
				return refused("register the party", err)
			}
			pw := generatePassword()
			u, err := addUser(ctx, d, admin, nonBlank(adminName, "Administrator of "+p.Code), p.Code, []string{string(access.Administrator)}, pw)
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "registered party %s (%s)\ncreated administrator %s of %s\npassword (shown once; change it after logging in): %s\n", p.Code, p.Name, u.Name, p.Code, pw)
			fmt.Fprintf(out, "log in: start `handover serve --data %s`, then POST /api/v1/login {\"name\":%q,\"password\":\"…\"}\n", dir, u.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&origin, "origin", DefaultOrigin, "the log's name, e.g. handover.example/ne-syria")
	cmd.Flags().StringVar(&party, "party", "", "code of the operating party, registered in the ledger (e.g. SDF)")
	cmd.Flags().StringVar(&partyName, "party-name", "", "the operating party's name")
	cmd.Flags().StringVar(&partyKind, "party-kind", string(custody.DetainingAuthority), "detaining_authority, escort_force, receiving_state or monitor")
	cmd.Flags().StringVar(&admin, "admin", "admin", "login name of the first administrator")
	cmd.Flags().StringVar(&adminName, "admin-name", "", "full name of the first administrator")
	return cmd
}

func nonBlank(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
