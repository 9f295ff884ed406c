package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/scenario"
)

func newHandoverDraft() *cobra.Command {
	var (
		movement, stage, fromKey, toKey, place, at, out string
		absent                                          []string
		force                                           bool
	)
	cmd := &cobra.Command{
		Use:   "draft --movement ID --stage departure|arrival --from-key A.pub --to-key B.pub",
		Short: "Draft a movement's handover document from the local data directory, ready to sign",
		Long: `draft writes the handover document of a movement for both officers to sign: a row
for every person the handover must account for — the manifest at departure, those
still in transit on the movement at arrival — each present unless named by --absent
(a registration number or a person id; repeat it). The officers are the owners of
the registered public keys --from-key (who gives custody) and --to-key (who takes
it): at departure the sending party's officer and the escort's, at arrival the
escort's and the receiving facility's.

The document is indented JSON with one line per person, written to --out (refusing
to replace a file unless --force) or to standard output. It reads the data
directory only; nothing is recorded until ` + "`handover handover submit`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			mid, err := uuid.Parse(movement)
			if err != nil {
				return fmt.Errorf("--movement: %q is not a movement id: %v", movement, err)
			}
			st := custody.Stage(stage)
			if st != custody.Departure && st != custody.Arrival {
				return fmt.Errorf("--stage: %q is not departure or arrival", stage)
			}
			when := time.Now().UTC().Truncate(time.Second)
			if at != "" {
				if when, err = time.Parse(time.RFC3339, at); err != nil {
					return fmt.Errorf("--at: %v", err)
				}
			}
			if !force && out != "" && fileExists(out) {
				return fmt.Errorf("%s already exists: choose another --out, or replace it with --force", out)
			}
			ctx := cmd.Context()
			d, err := openDataDir(ctx, dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			doc, err := draftHandover(ctx, d, mid, st, fromKey, toKey, place, when, absent)
			if err != nil {
				return err
			}
			b, err := scenario.EncodeHandover(doc)
			if err != nil {
				return err
			}
			info := fmt.Sprintf("drafted the %s handover %s of movement %s: %d persons, head count %d; from %s (key %s) to %s (key %s)\n",
				st, doc.ID, mid, len(doc.Persons), doc.HeadCount, doc.From.Name, doc.From.Key, doc.To.Name, doc.To.Key)
			if out == "" {
				fmt.Fprint(cmd.ErrOrStderr(), info)
				_, err := cmd.OutOrStdout().Write(b)
				return err
			}
			if err := writeFile(out, b, 0o644, force); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), info)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote it to %s; each officer signs it with `handover sign %s --key KEY --out SIG`\n", out, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&movement, "movement", "", "the movement's id")
	cmd.Flags().StringVar(&stage, "stage", "", "departure or arrival")
	cmd.Flags().StringVar(&fromKey, "from-key", "", "public key file of the officer who gives custody")
	cmd.Flags().StringVar(&toKey, "to-key", "", "public key file of the officer who takes custody")
	cmd.Flags().StringVar(&place, "place", "", "where the handover happens (default: the facility's name)")
	cmd.Flags().StringVar(&at, "at", "", "when, RFC 3339 (default: now)")
	cmd.Flags().StringArrayVar(&absent, "absent", nil, "a person not present (registration number or id); repeat for each")
	cmd.Flags().StringVar(&out, "out", "", "file to write the document to (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing file")
	return cmd
}

// readDoc reads one operational record of the store into v.
func readDoc(ctx context.Context, d *dataDirectory, kind custody.DocKind, id uuid.UUID, v any) error {
	raw, err := d.db.Doc(ctx, kind, id)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// draftHandover builds the handover document of movement mid at stage.
func draftHandover(ctx context.Context, d *dataDirectory, mid uuid.UUID, st custody.Stage, fromKey, toKey, place string, at time.Time, absent []string) (*custody.HandoverDocument, error) {
	var m custody.MovementState
	if err := readDoc(ctx, d, custody.MovementDoc, mid, &m); err != nil {
		return nil, fmt.Errorf("--movement: %w", err)
	}
	var t custody.TransferState
	if err := readDoc(ctx, d, custody.TransferDoc, m.Transfer, &t); err != nil {
		return nil, err
	}
	facs, err := d.db.Facilities(ctx)
	if err != nil {
		return nil, err
	}
	fac := map[uuid.UUID]custody.FacilityState{}
	for _, f := range facs {
		fac[f.ID] = f
	}
	parties, err := d.db.Parties(ctx)
	if err != nil {
		return nil, err
	}
	code := map[uuid.UUID]string{}
	for _, p := range parties {
		code[p.ID] = p.Code
	}
	var persons []uuid.UUID
	var giver, taker uuid.UUID
	switch st {
	case custody.Departure:
		if m.Status != custody.PlannedMovement {
			return nil, fmt.Errorf("movement %s is %s: its departure handover is done", mid, m.Status)
		}
		for _, s := range m.Manifest {
			persons = append(persons, s.Person)
		}
		giver, taker = t.Sending, m.Escort
		if place == "" {
			place = fac[m.From].Name + ", vehicle gate"
		}
	case custody.Arrival:
		if m.Status != custody.DepartedMovement {
			return nil, fmt.Errorf("movement %s is %s: an arrival handover needs a departed movement", mid, m.Status)
		}
		giver, taker = m.Escort, fac[m.To].Controller
		if place == "" {
			place = fac[m.To].Name + ", reception"
		}
	}
	regNos := map[uuid.UUID]string{}
	candidates := persons
	if st == custody.Arrival {
		candidates = m.Departure.Present
	}
	for _, id := range candidates {
		p, err := d.db.Person(ctx, id)
		if err != nil {
			return nil, err
		}
		regNos[id] = p.Record.RegNo
		// At arrival, those who left transit on the road (an escape, a death) are
		// accounted for by their own events.
		if st == custody.Arrival && p.Custody.Status == custody.InTransit && p.Custody.Movement == mid {
			persons = append(persons, id)
		}
	}
	var sides [2]custody.Officer
	for i, k := range []struct {
		flag, path string
		party      uuid.UUID
		role       string
	}{{"--from-key", fromKey, giver, "given"}, {"--to-key", toKey, taker, "taken"}} {
		if k.path == "" {
			return nil, fmt.Errorf("%s is required: the public key file of the officer by whom custody is %s", k.flag, k.role)
		}
		pub, err := readOfficerPub(k.flag, k.path)
		if err != nil {
			return nil, err
		}
		var ok custody.OfficerKey
		if err := readDoc(ctx, d, custody.KeyDoc, custody.KeyID(pub), &ok); err != nil {
			return nil, fmt.Errorf("%s: key %s is not registered: register it with `handover key register` first", k.flag, custody.KeyID(pub))
		}
		if ok.Revoked {
			return nil, fmt.Errorf("%s: key %s (%s) was revoked at event %d: %s", k.flag, ok.ID, ok.Officer, ok.RevokedAt, ok.RevokeReason)
		}
		if ok.Party != k.party {
			return nil, fmt.Errorf("%s: key %s is registered to %s (officer %s), but custody at the %s of movement %s is %s by %s",
				k.flag, ok.ID, code[ok.Party], ok.Officer, st, mid, k.role, code[k.party])
		}
		sides[i] = custody.Officer{Party: ok.Party, Name: ok.Officer, Key: ok.ID}
	}
	var gone []uuid.UUID
	for _, a := range absent {
		id := uuid.Nil
		for _, p := range persons {
			if a == regNos[p] || a == p.String() {
				id = p
			}
		}
		if id == uuid.Nil {
			return nil, fmt.Errorf("--absent: %s is not among the %d persons of the movement's %s handover", a, len(persons), st)
		}
		gone = append(gone, id)
	}
	doc := scenario.HandoverDocument(uuid.Must(uuid.NewV7()), mid, st, sides[0], sides[1], at, place, persons,
		func(id uuid.UUID) string { return regNos[id] }, gone)
	if len(persons) == 0 {
		return nil, fmt.Errorf("movement %s has nobody left to hand over at %s", mid, st)
	}
	return doc, nil
}
