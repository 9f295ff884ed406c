package main

import (
	"io"
	"net"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// flakyLink is a TCP proxy to a server that loses the answers of the first lose
// connections (the request reaches the server, the answer never comes back) and
// passes the later ones both ways.
func flakyLink(t *testing.T, server string, lose int32) string {
	t.Helper()
	ln, keep := proxyListener(t)
	var n atomic.Int32
	target := strings.TrimPrefix(server, "http://")
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			keep(c)
			lost := n.Add(1) <= lose
			go func() {
				s, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				keep(s)
				go io.Copy(s, c)
				if !lost {
					io.Copy(c, s)
					c.Close()
					return
				}
				buf := make([]byte, 1)
				s.Read(buf) // the server has done the write and begun to answer
				s.Close()
				c.Close()
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// TestClientRetries: a write whose answers are lost twice is sent again by the
// command itself, with the same key; it says so on stderr, the third attempt
// gets the first answer, and the campaign is recorded once.
func TestClientRetries(t *testing.T) {
	s := startTestServer(t)
	flaky := flakyLink(t, s.url, 2)
	code, stdout, stderr := runCLI(t, "campaign", "create", "--name", "Uplands", "--target", "90", "--receiving", "IRQ",
		"--token-file", s.tokens["irqplanner"], "--server", flaky, "--idempotency-key", "laptop-3/uplands")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	retries := regexp.MustCompile(`(?m)^  retrying with the same idempotency key laptop-3/uplands in \S+ \(retry (\d) of 4\)$`).FindAllStringSubmatch(stderr, -1)
	if len(retries) != 2 || retries[0][1] != "1" || retries[1][1] != "2" || !strings.Contains(stderr, "POST /campaigns: no answer from ") {
		t.Errorf("stderr does not tell the two retries:\n%s", stderr)
	}
	if !strings.Contains(stdout, "already recorded by an earlier attempt with idempotency key laptop-3/uplands: 1 campaign.created (ledger index 3)") {
		t.Errorf("stdout does not give the first answer:\n%s", stdout)
	}
	if got := s.checkpointSize(t); got != 4 {
		t.Errorf("the ledger holds %d events; want 4 (one campaign)", got)
	}
}
