package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/handover-project/handover/access"
	"github.com/handover-project/handover/api"
	"github.com/handover-project/handover/web"
)

type serveFlags struct {
	listen            string
	tlsCert, tlsKey   string
	secureCookies     bool
	trustForwardedFor bool
	witnessPolicy     string
	witnessSilent     time.Duration
	publicURL         string
	witnessInterval   time.Duration
}

func (f *serveFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.listen, "listen", "127.0.0.1:8080", "address to serve on (host:port; port 0 picks a free one)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; with --tls-key)")
	fl.StringVar(&f.tlsKey, "tls-key", "", "the certificate's private key (PEM)")
	fl.BoolVar(&f.secureCookies, "secure-cookies", false, "mark the session cookie Secure and send Strict-Transport-Security although a TLS proxy in front, not this server, speaks HTTPS")
	fl.BoolVar(&f.trustForwardedFor, "trust-forwarded-for", false, "take the client's address (audit log, login limits) from X-Forwarded-For: only behind one trusted proxy")
	fl.StringVar(&f.witnessPolicy, "witness-policy", "", "send each new checkpoint to the witnesses of this policy file (Sigsum/transparency-dev format) and serve at /log/checkpoint the newest one that meets its quorum")
	fl.DurationVar(&f.witnessInterval, "witness-interval", 200*time.Millisecond, "least time between two requests to one witness; the checkpoints committed meanwhile are coalesced into the next")
	fl.DurationVar(&f.witnessSilent, "witness-silent-after", 10*time.Minute, "raise a dashboard alert when a witness has not cosigned the newest checkpoint for this long")
	fl.StringVar(&f.publicURL, "public-url", "", "the address people reach the server at (http[s]://host[:port][/prefix]): links and QR codes printed on manifests start with it, never with a request's Host header (default: http[s]://<the --listen address>)")
}

// check refuses half a TLS configuration and a malformed public URL.
func (f *serveFlags) check() error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	if f.publicURL != "" {
		if _, err := web.ParsePublicURL(f.publicURL); err != nil {
			return fmt.Errorf("--public-url: %w", err)
		}
	}
	return nil
}

// public is the server's public URL: --public-url, or the scheme and the address
// it listens on. An address that binds every interface (0.0.0.0, ::) names no
// host anyone can reach: --public-url is then required.
func (f *serveFlags) public(addr net.Addr) (string, error) {
	if f.publicURL != "" {
		u, err := web.ParsePublicURL(f.publicURL)
		if err != nil {
			return "", fmt.Errorf("--public-url: %w", err)
		}
		return u, nil
	}
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		return "", fmt.Errorf("--public-url is required: --listen %s binds every address, and links printed on manifests need the one people reach the server at", f.listen)
	}
	scheme := "http"
	if f.tls() {
		scheme = "https"
	}
	return scheme + "://" + tcp.String(), nil
}

func (f *serveFlags) tls() bool { return f.tlsCert != "" }

func newServe() *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API and the log's tiles over HTTP",
		Long: `serve opens the data directory, loads the ledger and serves:
  /api/v1/…       the JSON API (OpenAPI 3.1 description at /openapi.json)
  /log/…          the ledger as a C2SP tiled transparency log (checkpoint, tiles)
  /healthz        liveness
until interrupted (Ctrl-C or SIGTERM), then finishes in-flight requests and stops.
Every API route but /api/v1/login needs a signed-in user (a session cookie, or an
API token: Authorization: Bearer hot_…). With --tls-cert and --tls-key it serves
HTTPS only, with Secure cookies and Strict-Transport-Security.`,
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
	api  *api.Handler
	wit  *witnessing // nil without --witness-policy
	ln   net.Listener
	tls  bool
	// public is the address links are made with (--public-url).
	public string
	done   chan error
}

func startServer(d *dataDirectory, f serveFlags, logw io.Writer) (*server, error) {
	v, err := d.verifier()
	if err != nil {
		return nil, err
	}
	accounts, ok := any(d.db).(access.Store)
	if !ok {
		return nil, errors.New("this build's store keeps no accounts")
	}
	var certs []tls.Certificate
	if f.tls() {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		certs = append(certs, cert)
	}
	logger := slog.New(slog.NewTextHandler(logw, nil))
	cfg := api.Config{Origin: d.origin, Verifier: v, VerifierKey: d.vkey, Logger: logger, Accounts: accounts,
		TLS: f.tls(), SecureCookies: f.secureCookies, TrustForwardedFor: f.trustForwardedFor}
	var wit *witnessing
	if f.witnessPolicy != "" {
		if wit, err = startWitnessing(d, f.witnessPolicy, f.witnessSilent, f.witnessInterval, v, logw, logger); err != nil {
			return nil, err
		}
		cfg.LogCheckpoint, cfg.Witnesses = wit.checkpointHandler(logger), wit
	}
	h, err := api.New(d.db, cfg)
	if err != nil {
		wit.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		h.Close()
		wit.Close()
		return nil, fmt.Errorf("--listen: %w", err)
	}
	public, err := f.public(ln.Addr())
	if err != nil {
		ln.Close()
		h.Close()
		wit.Close()
		return nil, err
	}
	site, err := web.New(web.Config{API: h, Logger: logger, Origin: d.origin, Verifier: v, VerifierKey: d.vkey, Secure: f.tls() || f.secureCookies,
		PublicURL: public})
	if err != nil {
		ln.Close()
		h.Close()
		wit.Close()
		return nil, err
	}
	s := &server{
		http: &http.Server{
			Handler:           site,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       30 * time.Second,
			WriteTimeout:      60 * time.Second,
			IdleTimeout:       2 * time.Minute,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
		api:    h,
		wit:    wit,
		ln:     ln,
		public: public,
		tls:    f.tls(),
		done:   make(chan error, 1),
	}
	h.WarmNames(func(w api.NamesWarmed) {
		if w.Err != nil {
			logger.Warn("names index not warmed; it is built at the first search", "err", w.Err)
			return
		}
		logger.Info("names index warmed", "persons", w.Persons, "took", w.Index.Round(time.Millisecond))
	})
	if s.tls {
		s.http.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: certs}
		go func() { s.done <- s.http.ServeTLS(ln, "", "") }()
	} else {
		go func() { s.done <- s.http.Serve(ln) }()
	}
	return s, nil
}

// Addr is the address the server listens on.
func (s *server) Addr() string { return s.ln.Addr().String() }

// Close finishes in-flight requests (for up to 10 s), writes the audit entries
// still queued, and stops.
func (s *server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	s.wit.Close()
	return errors.Join(err, s.api.Close())
}

// serve runs a server until ctx ends.
func serve(ctx context.Context, d *dataDirectory, f serveFlags, stdout io.Writer) error {
	if err := f.check(); err != nil {
		return err
	}
	s, err := startServer(d, f, os.Stderr)
	if err != nil {
		return err
	}
	scheme := "http"
	if s.tls {
		scheme = "https"
	}
	fmt.Fprintf(stdout, "serving %s on %s://%s (pages at /, API at /api/v1/, log at /log/); links printed on paper start %s; Ctrl-C stops\n", d.dir, scheme, s.Addr(), s.public)
	if users, err := any(d.db).(access.Store).Users(ctx, uuid.Nil); err == nil && len(users) == 0 {
		fmt.Fprintf(stdout, "no account exists yet: create the first administrator with\n"+
			"  handover user add NAME --party CODE --role administrator --full-name \"…\" --data %s\n"+
			"then sign in with POST /api/v1/login {\"name\": NAME, \"password\": …}, or make an API token with\n"+
			"  handover token create --user NAME --name PURPOSE --data %s\n", d.dir, d.dir)
	}
	select {
	case <-ctx.Done():
	case err := <-s.done:
		return err
	}
	fmt.Fprintln(stdout, "stopping")
	return s.Close()
}
