package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/custody"
)

func newKeygen() *cobra.Command {
	var (
		out   string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "keygen --out FILE",
		Short: "Make an officer's Ed25519 signing key (FILE, mode 0600) and its public key (FILE.pub)",
		Long: `keygen makes a new Ed25519 key for an officer who signs handovers. It writes the
private key to FILE with mode 0600 (keep it secret: whoever holds it signs in the
officer's name) and the public key to FILE.pub, and prints the key's id and the
public key to register with ` + "`handover key register`" + `.

FILE holds one line, "handover-officer-key v1 <base64 of the 32-byte seed>";
FILE.pub holds "handover-officer-pub v1 <base64 of the 32-byte public key>". The key
id is a name-based UUID of the public key (custody.KeyID): anyone can derive it.

keygen refuses to replace an existing FILE or FILE.pub unless --force is given.
It needs no data directory.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return errors.New("--out FILE is required: where to write the private key")
			}
			pub, priv, err := ed25519.GenerateKey(rand.Reader)
			if err != nil {
				return err
			}
			if err := writeOfficerKey(out, priv, force); err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote the private key to %s (mode 0600: keep it secret)\n", out)
			fmt.Fprintf(w, "wrote the public key to %s.pub\n", out)
			fmt.Fprintf(w, "key id:     %s\n", custody.KeyID(pub))
			fmt.Fprintf(w, "public key: %s\n", b64.EncodeToString(pub))
			fmt.Fprintf(w, "register it: handover key register --party CODE --officer NAME --pub %s.pub\n", out)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "file to write the private key to (the public key goes to FILE.pub)")
	cmd.Flags().BoolVar(&force, "force", false, "replace an existing key file")
	return cmd
}
