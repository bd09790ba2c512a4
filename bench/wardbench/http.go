package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// newHTTPClient returns a client with one idle connection per worker (the
// default keeps two, and the benchmark would then time TCP set-up) that
// dials 127.0.0.1 for "localhost". The issuer must say localhost because
// WebAuthn refuses an IP address as relying-party ID; pinning the dial
// keeps every request on IPv4 loopback whatever localhost resolves to.
func newHTTPClient(conns int) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil, // loopback only; never through a proxy
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if host, port, err := net.SplitHostPort(addr); err == nil && host == "localhost" {
				addr = net.JoinHostPort("127.0.0.1", port)
			}
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// endpoints are the ones wardbench uses, read from discovery as any client
// must (the design promises every endpoint is found there).
type endpoints struct {
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	Device        string `json:"device_authorization_endpoint"`
}

func discover(ctx context.Context, hc *http.Client, issuer string) (*endpoints, error) {
	u := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("issuer %q: %w", issuer, err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("reading discovery (is ward serve running at %s?): %w", issuer, err)
	}
	defer resp.Body.Close()
	var e endpoints
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("discovery at %s answered %s", u, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", u, err)
	}
	if e.Token == "" {
		return nil, fmt.Errorf("discovery at %s names no token endpoint", u)
	}
	return &e, nil
}

// answer is what one OAuth endpoint said.
type answer struct {
	status int
	body   []byte
}

// outcome names an answer for counting: "ok" for 200, the RFC 6749 error
// code when the body carries one, else "http NNN".
func (a answer) outcome() string {
	if a.status == http.StatusOK {
		return "ok"
	}
	var e struct {
		Code string `json:"error"`
	}
	if json.Unmarshal(a.body, &e) == nil && e.Code != "" {
		return e.Code
	}
	return "http " + strconv.Itoa(a.status)
}

// postForm posts form to endpoint and reads the whole answer, so the
// connection is reused and the latency covers the response.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, body: body}, err
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }
