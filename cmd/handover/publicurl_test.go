package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/handover-project/handover/custody"
	"github.com/handover-project/handover/report/reporttest"
)

// TestPublicURLFlag: --public-url is checked before anything starts, and the
// default is the address the server listens on, unless that binds every address.
func TestPublicURLFlag(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"https://handover.example", "https://handover.example"},
		{"https://handover.example/ne-syria/", "https://handover.example/ne-syria"},
		{"http://10.0.0.5:8080", "http://10.0.0.5:8080"},
	} {
		f := serveFlags{listen: "127.0.0.1:0", publicURL: tc.url}
		if err := f.check(); err != nil {
			t.Errorf("%s: %v", tc.url, err)
		}
		if got, err := f.public(nil); err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.url, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ url, says string }{
		{"ftp://handover.example", "scheme must be http or https"},
		{"handover.example", "scheme must be http or https"},
		{"https://", "names no host"},
		{"https://admin:secret@handover.example", "user information"},
		{"https://handover.example/?next=evil", "query or fragment"},
		{"https://handover.example/#top", "query or fragment"},
		{"https://handover.example/%zz", "is not a URL"},
	} {
		err := (&serveFlags{publicURL: tc.url}).check()
		if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.HasPrefix(err.Error(), "--public-url: ") {
			t.Errorf("%s: %v, want an error saying %q", tc.url, err, tc.says)
		}
	}
	f := serveFlags{listen: "127.0.0.1:8443", tlsCert: "c", tlsKey: "k"}
	if got, err := f.public(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8443}); err != nil || got != "https://127.0.0.1:8443" {
		t.Errorf("default with TLS: %q, %v", got, err)
	}
	f = serveFlags{listen: "0.0.0.0:8080"}
	if _, err := f.public(&net.TCPAddr{IP: net.IPv4zero, Port: 8080}); err == nil || !strings.Contains(err.Error(), "--public-url is required") {
		t.Errorf("every address, no --public-url: %v", err)
	}
}

// TestManifestLinksIgnoreHost: the QR codes of a manifest printed through a
// request with a forged Host header (and X-Forwarded-Host) point at the server's
// public URL — given, or by default its listening address — never at the
// forged host.
func TestManifestLinksIgnoreHost(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	if err := initDataDir(ctx, dir, DefaultOrigin); err != nil {
		t.Fatal(err)
	}
	d, err := openWriter(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if err := loadDemo(ctx, d, 1, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	pw, err := readDemoPasswords(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, public := range []string{"https://handover.example/ne-syria", ""} {
		s, err := startServer(d, serveFlags{listen: "127.0.0.1:0", publicURL: public}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		base := "http://" + s.Addr()
		want := public
		if want == "" {
			want = base
		}
		jar, _ := cookiejar.New(nil)
		u := &apiUser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
		u.do("POST", "/api/v1/login", map[string]string{"name": "icrc-monitor", "password": pw["icrc-monitor"]}, nil)
		var ms struct {
			Movements []custody.MovementState `json:"movements"`
		}
		u.do("GET", "/api/v1/movements", nil, &ms)
		if len(ms.Movements) == 0 {
			t.Fatal("the demo has no movement")
		}
		m := ms.Movements[0]
		req, _ := http.NewRequest("GET", base+"/movements/"+m.ID.String()+"/manifest.pdf", nil)
		req.Host = "evil.example"
		for _, c := range jar.Cookies(req.URL) { // the client would look them up by the forged host
			req.AddCookie(c)
		}
		req.Header.Set("X-Forwarded-Host", "evil.example")
		req.Header.Set("X-Forwarded-Proto", "https")
		res, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		pdf, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("manifest with a forged Host: %d %s", res.StatusCode, pdf)
		}
		if !strings.HasPrefix(string(pdf), "%PDF-") {
			t.Fatalf("manifest with a forged Host: %d %.300s", res.StatusCode, pdf)
		}
		codes, err := reporttest.QRCodes(pdf)
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != len(m.Manifest) {
			t.Errorf("%d QR codes for %d persons", len(codes), len(m.Manifest))
		}
		for _, c := range codes {
			if !strings.HasPrefix(c, want+"/persons/") || strings.Contains(c, "evil") {
				t.Errorf("public URL %q: a QR code reads %q", public, c)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
