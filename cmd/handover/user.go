package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/client"
	"github.com/handover-project/handover/custody"
)

func newUser() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Accounts: add, list, change a password, disable, unlock",
		Long: `user manages the accounts of the data directory. Each user belongs to one party and
holds roles: ` + roleList() + `.

These commands write the accounts directly in the data directory's database: whoever
runs them on the server is its operator. Through the API, administrators manage only
their own party's users.`,
	}
	cmd.AddCommand(newUserAdd(), newUserPasswd(), newUserList(), newUserDisable(), newUserUnlock())
	return cmd
}

func roleList() string {
	names := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// readPassword takes a password from the first line of r (--password-stdin), or
// makes one: 20 characters from an alphabet without look-alikes.
func readPassword(fromStdin bool, r io.Reader) (pw string, generated bool, err error) {
	if !fromStdin {
		return generatePassword(), true, nil
	}
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, err
	}
	pw = strings.TrimRight(line, "\r\n")
	if err := access.CheckPasswordStrength(pw); err != nil {
		return "", false, fmt.Errorf("--password-stdin: %w", err)
	}
	return pw, false, nil
}

const passwordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func generatePassword() string {
	b := make([]byte, 20)
	for i := range b {
		b[i] = passwordAlphabet[randIntn(len(passwordAlphabet))]
	}
	return string(b)
}

// randIntn is a uniform random number in [0, n) from the system's generator.
func randIntn(n int) int {
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

// addUser creates an account in the data directory's database.
func addUser(ctx context.Context, d *dataDirectory, name, fullName, partyCode string, roles []string, pw string) (*access.User, error) {
	p, err := partyByCode(ctx, d, partyCode)
	if err != nil {
		return nil, err
	}
	var rs []access.Role
	for _, r := range roles {
		role, err := access.ParseRole(r)
		if err != nil {
			return nil, fmt.Errorf("--role: %w", err)
		}
		rs = append(rs, role)
	}
	if p.Kind == custody.Monitor {
		for _, r := range rs {
			if r != access.MonitorRole && r != access.Auditor {
				return nil, fmt.Errorf("--role: %s is a monitor party: its users are monitors or auditors, not %s", p.Code, r)
			}
		}
	}
	hash, err := access.HashPassword(pw, access.DefaultParams)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	u := access.User{ID: uuid.Must(uuid.NewV7()), Name: strings.ToLower(strings.TrimSpace(name)), FullName: strings.TrimSpace(fullName),
		Party: p.ID, Roles: rs, PasswordHash: hash, Created: now, PasswordChanged: now}
	if err := access.ValidateUser(&u); err != nil {
		return nil, err
	}
	if err := d.db.CreateUser(ctx, u); err != nil {
		if errors.Is(err, access.ErrExists) {
			return nil, fmt.Errorf("a user named %s already exists", u.Name)
		}
		return nil, err
	}
	return &u, nil
}

func newUserAdd() *cobra.Command {
	var party, fullName string
	var roles []string
	var stdin bool
	cmd := &cobra.Command{
		Use:   "add NAME --party CODE --role ROLE [--role ROLE]… --full-name \"…\"",
		Short: "Add a user of a party, with roles; prints a new password unless one is given on stdin",
		Long: `user add makes an account. Without --server it writes the data directory's
database (the operator, on the server's machine), for any party. With --server
(or with $` + ServerEnv + ` set and no --data) it goes through the running server's API as the administrator whose token it sends
(--token-file or $` + TokenEnv + `), who makes accounts of their own party only: --party may
then be left out, and must otherwise name that party.`,
		Example: `  handover user add amira --party SDF --role registrar --full-name "Amira Haddad"
  printf '%s\n' "$PW" | handover user add omar --party IRQ --role transfer_approver --full-name "Omar Salem" --password-stdin
  handover user add lina --role registrar --full-name "Lina Yousef" --server http://127.0.0.1:8080 --token-file admin.token`,
		Args: cobra.ExactArgs(1),
	}
	r := clientFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		remote := cmd.Flags().Changed("server") || os.Getenv(ServerEnv) != "" && !cmd.Flags().Changed("data")
		if !remote && party == "" || len(roles) == 0 || strings.TrimSpace(fullName) == "" {
			return errors.New("--party, --role and --full-name are required (--party may be left out with --server: the administrator's own)")
		}
		if remote {
			return addUserRemote(cmd, r, args[0], fullName, party, roles, stdin)
		}
		pw, generated, err := readPassword(stdin, cmd.InOrStdin())
		if err != nil {
			return err
		}
		ctx := cmd.Context()
		d, err := openDataDir(ctx, dataDir(cmd))
		if err != nil {
			return err
		}
		defer d.Close()
		u, err := addUser(ctx, d, args[0], fullName, party, roles, pw)
		if err != nil {
			return err
		}
		out := cmd.OutOrStdout()
		fmt.Fprintf(out, "added user %s (%s) of %s with roles %v\n", u.Name, u.FullName, strings.ToUpper(party), u.Roles)
		if generated {
			fmt.Fprintf(out, "password (shown once; the user changes it after logging in): %s\n", pw)
		}
		return nil
	}
	cmd.Flags().StringVar(&party, "party", "", "code of the user's party")
	cmd.Flags().StringArrayVar(&roles, "role", nil, "a role ("+roleList()+"); repeat for several")
	cmd.Flags().StringVar(&fullName, "full-name", "", "the user's full name")
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from the first line of standard input instead of generating one")
	return cmd
}

func newUserPasswd() *cobra.Command {
	var stdin bool
	cmd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "Set a user's password (a new one is printed unless given on stdin); their sessions end and a lock is lifted",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, generated, err := readPassword(stdin, cmd.InOrStdin())
			if err != nil {
				return err
			}
			return withUser(cmd, args[0], func(ctx context.Context, d *dataDirectory, u *access.User) error {
				if u.PasswordHash, err = access.HashPassword(pw, access.DefaultParams); err != nil {
					return err
				}
				u.PasswordChanged, u.FailedLogins, u.LockedUntil = time.Now().UTC(), 0, time.Time{}
				if err := d.db.UpdateUser(ctx, *u); err != nil {
					return err
				}
				if err := d.db.DeleteSessions(ctx, u.ID); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "set the password of %s; their sessions have ended\n", u.Name)
				if generated {
					fmt.Fprintf(cmd.OutOrStdout(), "password (shown once): %s\n", pw)
				}
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&stdin, "password-stdin", false, "read the password from the first line of standard input")
	return cmd
}

func newUserDisable() *cobra.Command {
	var enable bool
	cmd := &cobra.Command{
		Use:   "disable NAME",
		Short: "Disable a user (their sessions and tokens stop working); --enable undoes it",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withUser(cmd, args[0], func(ctx context.Context, d *dataDirectory, u *access.User) error {
				u.Disabled = !enable
				if err := d.db.UpdateUser(ctx, *u); err != nil {
					return err
				}
				if !enable {
					if err := d.db.DeleteSessions(ctx, u.ID); err != nil {
						return err
					}
				}
				state := "disabled"
				if enable {
					state = "enabled"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s user %s\n", state, u.Name)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&enable, "enable", false, "enable the user again")
	return cmd
}

func newUserList() *cobra.Command {
	var party string
	cmd := &cobra.Command{
		Use:   "list [--party CODE]",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			d, err := openDataDir(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			ps, err := d.db.Parties(ctx)
			if err != nil {
				return err
			}
			codes := map[uuid.UUID]string{}
			filter := uuid.Nil
			for _, p := range ps {
				codes[p.ID] = p.Code
				if strings.EqualFold(p.Code, party) {
					filter = p.ID
				}
			}
			if party != "" && filter == uuid.Nil {
				return fmt.Errorf("--party: no party with code %s", party)
			}
			us, err := d.db.Users(ctx, filter)
			if err != nil {
				return err
			}
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tPARTY\tROLES\tFULL NAME\tSTATE")
			for _, u := range us {
				state := "active"
				switch {
				case u.Disabled:
					state = "disabled"
				case u.LockedUntil.After(time.Now()):
					state = "locked until " + u.LockedUntil.UTC().Format(time.RFC3339)
				}
				fmt.Fprintf(w, "%s\t%s\t%v\t%s\t%s\n", u.Name, codes[u.Party], u.Roles, u.FullName, state)
			}
			return w.Flush()
		},
	}
	cmd.Flags().StringVar(&party, "party", "", "only users of this party")
	return cmd
}

// withUser opens the data directory, finds the user NAME and runs f on them:
// what user passwd, disable and unlock share.
func withUser(cmd *cobra.Command, name string, f func(context.Context, *dataDirectory, *access.User) error) error {
	ctx := cmd.Context()
	d, err := openDataDir(ctx, dataDir(cmd))
	if err != nil {
		return err
	}
	defer d.Close()
	u, err := userByName(ctx, d, name)
	if err != nil {
		return err
	}
	return f(ctx, d, u)
}

func userByName(ctx context.Context, d *dataDirectory, name string) (*access.User, error) {
	u, err := d.db.UserByName(ctx, strings.ToLower(strings.TrimSpace(name)))
	if errors.Is(err, access.ErrNotFound) {
		return nil, fmt.Errorf("no user named %s (see `handover user list`)", name)
	}
	return u, err
}

// addUserRemote makes an account through the API: of the token's administrator's
// party, with the password given on stdin or one the server makes.
func addUserRemote(cmd *cobra.Command, r *remote, name, fullName, party string, roles []string, stdin bool) error {
	ctx := cmd.Context()
	me, err := r.c.Me(ctx)
	if err != nil {
		return r.explain(http.MethodGet, "/me", err)
	}
	if party != "" && !strings.EqualFold(party, me.PartyCode) {
		return exitError{exitRefused, fmt.Errorf("--party: through the server an administrator adds users of their own party, %s, not %s", me.PartyCode, strings.ToUpper(party))}
	}
	nu := client.NewUser{Name: strings.ToLower(strings.TrimSpace(name)), FullName: strings.TrimSpace(fullName)}
	for _, ro := range roles {
		nu.Roles = append(nu.Roles, access.Role(ro))
	}
	if stdin {
		if nu.Password, _, err = readPassword(true, cmd.InOrStdin()); err != nil {
			return err
		}
	}
	u, err := r.c.CreateUser(ctx, nu)
	if err != nil {
		return r.explain(http.MethodPost, "/users", err)
	}
	if r.json {
		return r.printJSONValue(u)
	}
	r.printf("added user %s (%s) of %s with roles %v\n", u.Name, u.FullName, me.PartyCode, u.Roles)
	if u.Password != "" {
		r.printf("password (shown once; the user changes it after logging in): %s\n", u.Password)
	}
	return nil
}
