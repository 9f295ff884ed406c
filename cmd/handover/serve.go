package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/handover-project/handover/api"
)

type serveFlags struct {
	listen string
}

func (f *serveFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to serve HTTP on (host:port; port 0 picks a free one)")
}

func newServe() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API and the log's tiles over HTTP",
		Long: `serve opens the data directory, loads the ledger and serves:
  /api/v1/…       the JSON API (OpenAPI 3.1 description at /openapi.json)
  /log/…          the ledger as a C2SP tiled transparency log (checkpoint, tiles)
  /healthz        liveness
until interrupted (Ctrl-C or SIGTERM), then finishes in-flight requests and stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := openWriter(cmd.Context(), dataDir(cmd))
			if err != nil {
				return err
			}
			defer d.Close()
			return serve(cmd.Context(), d, f, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	return cmd
}

// server is a running HTTP server over an opened data directory. Tests start it
// on port 0.
type server struct {
	http *http.Server
	ln   net.Listener
	done chan error
}

func startServer(d *dataDirectory, listen string, logw io.Writer) (*server, error) {
	v, err := d.verifier()
	if err != nil {
		return nil, err
	}
	logger := slog.New(slog.NewTextHandler(logw, nil))
	h := api.New(d.db, api.Config{Origin: d.origin, Verifier: v, Logger: logger})
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return nil, fmt.Errorf("--listen: %w", err)
	}
	s := &server{
		http: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		ln:   ln,
		done: make(chan error, 1),
	}
	go func() { s.done <- s.http.Serve(ln) }()
	return s, nil
}

// Addr is the address the server listens on.
func (s *server) Addr() string { return s.ln.Addr().String() }

// Close finishes in-flight requests (for up to 10 s) and stops.
func (s *server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return err
}

// serve runs a server until ctx ends.
func serve(ctx context.Context, d *dataDirectory, f serveFlags, stdout io.Writer) error {
	s, err := startServer(d, f.listen, os.Stderr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "serving %s on http://%s (API at /api/v1/, log at /log/); Ctrl-C stops\n", d.dir, s.Addr())
	select {
	case <-ctx.Done():
	case err := <-s.done:
		return err
	}
	fmt.Fprintln(stdout, "stopping")
	return s.Close()
}
