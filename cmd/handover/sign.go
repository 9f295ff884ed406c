package main

import (
	"crypto/ed25519"
	"crypto/sha256"
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
			d, err := custody.ParseHandover(doc)
			if err != nil {
				return fmt.Errorf("%s is not a valid handover document: %w", args[0], err)
			}
			k, err := readOfficerKey(key)
			if err != nil {
				return err
			}
			id := custody.KeyID(k.Public().(ed25519.PublicKey))
			side := sideOf(d, id)
			if side == "" {
				return fmt.Errorf("key %s (%s) is not named in %s: the document names key %s for %s (from) and key %s for %s (to); sign with one of those",
					id, key, args[0], d.From.Key, d.From.Name, d.To.Key, d.To.Name)
			}
			sig := custody.Signature{Key: id, Sig: ed25519.Sign(k, doc)}
			who := d.From.Name
			if side == "to" {
				who = d.To.Name
			}
			info := fmt.Sprintf("signed the %s handover %s of movement %s (%d persons, head count %d; sha256 %x) as the %s officer, %s, with key %s\n",
				d.Stage, d.ID, d.Movement, len(d.Persons), d.HeadCount, sha256.Sum256(doc), side, who, id)
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

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}
