package main

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

func newSign() *cobra.Command {
	var (
		key, out string
		force    bool
	)
	cmd := &cobra.Command{
		Use:   "sign FILE --key KEY [--out SIG]",
		Short: "Sign a handover document's exact bytes with an officer's key, offline",
		Long: `sign signs the exact bytes of the handover document in FILE with the officer's
private key KEY (made by ` + "`handover keygen`" + `). It needs no server and no data
directory: an officer signs in the field.

It first reads the document as the ledger will, and refuses one that is not a valid
handover document, or that does not name KEY as the key of one of its two officers
(document.from.key or document.to.key). The signature covers every byte of FILE:
change one and it no longer verifies.

The signature is written as JSON, {"key": key id, "sig": base64 Ed25519 signature},
to SIG (refusing to replace it unless --force) or, without --out, to standard output.
Submit the document with both officers' signatures with ` + "`handover handover submit`" + `.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if key == "" {
				return fmt.Errorf("--key KEY is required: the officer's private key file")
			}
			doc, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			d, err := parseSignable(doc)
			if err != nil {
				return fmt.Errorf("%s is not a valid %s: %w", args[0], documentKind(doc), err)
			}
			k, err := readOfficerKey(key)
			if err != nil {
				return err
			}
			id := custody.KeyID(k.Public().(ed25519.PublicKey))
			side := sideOf(d.from, d.to, id)
			if side == "" {
				return fmt.Errorf("key %s (%s) is not named in %s: the document names key %s for %s (from) and key %s for %s (to); sign with one of those",
					id, key, args[0], d.from.Key, d.from.Name, d.to.Key, d.to.Name)
			}
			sig := custody.Signature{Key: id, Sig: ed25519.Sign(k, doc)}
			who := d.from.Name
			if side == "to" {
				who = d.to.Name
			}
			info := fmt.Sprintf("signed %s (%s; sha256 %x) as the %s officer, %s, with key %s\n", d.what, d.counts, sha256.Sum256(doc), side, who, id)
			if out == "" {
				fmt.Fprint(cmd.ErrOrStderr(), info)
				_, err := cmd.OutOrStdout().Write(formatSignature(sig))
				return err
			}
			if !force && fileExists(out) {
				return fmt.Errorf("%s already exists: choose another --out, or replace it with --force", out)
			}
			if err := writeFile(out, formatSignature(sig), 0o644, force); err != nil {
				return err
			}
			fmt.Fprint(cmd.OutOrStdout(), info)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote the signature to %s\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the officer's private key file")
	cmd.Flags().StringVar(&out, "out", "", "file to write the signature to (default: standard output)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing signature file")
	return cmd
}

// signable is what sign needs of a document: its two officers and a description.
type signable struct {
	from, to     custody.Officer
	what, counts string
}

// documentKind names the kind of document b says it is, for messages.
func documentKind(b []byte) string {
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(b, &head) == nil && head.Type == custody.ControlDocumentType {
		return "control-change document"
	}
	return "handover document"
}

// parseSignable reads a handover or a control-change document, as the ledger will.
func parseSignable(b []byte) (*signable, error) {
	if documentKind(b) == "control-change document" { // the strict parsers report what is wrong

		d, err := custody.ParseControlDocument(b)
		if err != nil {
			return nil, err
		}
		return &signable{from: d.From, to: d.To, what: fmt.Sprintf("the control change %s of facility %s", d.ID, d.Facility),
			counts: fmt.Sprintf("head count %d", d.HeadCount)}, nil
	}
	d, err := custody.ParseHandover(b)
	if err != nil {
		return nil, err
	}
	return &signable{from: d.From, to: d.To, what: fmt.Sprintf("the %s handover %s of movement %s", d.Stage, d.ID, d.Movement),
		counts: fmt.Sprintf("%d persons, head count %d", len(d.Persons), d.HeadCount)}, nil
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
