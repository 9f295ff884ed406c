package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/witness"
)

func newWitnessServe() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve --state DIR [--listen ADDR]",
		Short: "Answer C2SP tlog-witness add-checkpoint requests",
		Long: `serve answers POST /add-checkpoint (C2SP tlog-witness) for the logs the witness
follows, until interrupted. Every refusal of a shrink, a fork or an inconsistent
checkpoint is kept under DIR/evidence and printed on standard error as a line
starting "ALERT witness:". The evidence is served read-only, for monitors and the
public: GET /evidence lists the files (oldest first, one name a line), GET
/evidence/NAME is one of them: both signed checkpoints that contradict each other,
which anyone holding the log's key can check.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := startWitness(witnessDir(cmd), listen, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "witness %s serving on http://%s/ (add-checkpoint, evidence); Ctrl-C stops\npublic key: %s\n",
				ws.w.Signer().Name(), ws.Addr(), ws.w.Signer().VKey())
			select {
			case <-cmd.Context().Done():
			case err := <-ws.done:
				return err
			}
			return ws.Close()
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:7380", "address to serve on (host:port; port 0 picks a free one)")
	return cmd
}

// witnessServer is a running witness; the demo and the tests start it in
// process on port 0.
type witnessServer struct {
	w    *witness.Server
	http *http.Server
	ln   net.Listener
	done chan error
	once sync.Once
	err  error
}

// startWitness serves the witness of the state directory dir on listen;
// alerts and logs go to errw.
func startWitness(dir, listen string, errw io.Writer) (*witnessServer, error) {
	st, err := witness.OpenState(dir)
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(errw, nil))
	w, err := witness.NewServer(st, witness.ServerConfig{Alerts: errw, Logger: logger})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	ws := &witnessServer{w: w, ln: ln, done: make(chan error, 1), http: &http.Server{
		Handler:           w.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}}
	go func() { ws.done <- ws.http.Serve(ln) }()
	return ws, nil
}

// Addr is the address the witness listens on.
func (ws *witnessServer) Addr() string { return ws.ln.Addr().String() }

// Close finishes in-flight requests and stops; closing again does nothing.
func (ws *witnessServer) Close() error {
	ws.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ws.err = ws.http.Shutdown(ctx)
		if serr := <-ws.done; !errors.Is(serr, http.ErrServerClosed) {
			ws.err = errors.Join(ws.err, serr)
		}
	})
	return ws.err
}
