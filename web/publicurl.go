package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ParsePublicURL checks the address a server is reached at and returns it in the
// form links are built from: an absolute http or https URL with a host, without
// user information, query or fragment, and without a trailing slash (a path is
// kept, for a server behind a proxy under a prefix).
func ParsePublicURL(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", errors.New("is required: the address people reach the server at, e.g. https://handover.example")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "", fmt.Errorf("%q is not a URL: %w", s, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return "", fmt.Errorf("%q: the scheme must be http or https", s)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q names no host", s)
	case u.User != nil:
		return "", fmt.Errorf("%q carries user information: links printed on paper must not", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", fmt.Errorf("%q has a query or fragment: give the server's address only", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String(), nil
}
