package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/handover-project/handover/witness"
)

// demoWitnessName is the key name of the demo's ICRC witness.
const demoWitnessName = "witness.icrc.example/ne-syria"

// startDemoWitness starts the demo's ICRC witness in process on its own
// port, with its own state directory and key (DATA/witness-icrc, made at
// the first run), following the demo log; and writes the policy that
// requires it (DATA/witness-policy.txt), to be given to serve.
func startDemoWitness(d *dataDirectory, listen string, stdout, stderr io.Writer) (*witnessServer, string, error) {
	dir := filepath.Join(d.dir, "witness-icrc")
	st, err := witness.OpenState(dir)
	if errors.Is(err, witness.ErrNoState) {
		if _, serr := os.Stat(filepath.Join(dir, "witness.key")); errors.Is(serr, fs.ErrNotExist) {
			st, err = witness.InitState(dir, demoWitnessName)
		}
	}
	if err != nil {
		return nil, "", err
	}
	if err := st.AddLog(d.origin, d.vkey); err != nil {
		return nil, "", err
	}
	ws, err := startWitness(dir, listen, stderr)
	if err != nil {
		return nil, "", err
	}
	policy := fmt.Sprintf("# The demo log's witness policy: the ICRC's witness must cosign.\nlog %s\nwitness icrc %s http://%s/\nquorum icrc\n",
		d.vkey, ws.w.Signer().VKey(), ws.Addr())
	path := filepath.Join(d.dir, "witness-policy.txt")
	if err := os.WriteFile(path, []byte(policy), 0o644); err != nil {
		ws.Close()
		return nil, "", err
	}
	fmt.Fprintf(stdout, "ICRC witness %s on http://%s/ (state in %s); the log's policy %s requires it\n", demoWitnessName, ws.Addr(), dir, path)
	return ws, path, nil
}
