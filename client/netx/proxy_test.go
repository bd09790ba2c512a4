package netx

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
)

// connectProxy is a real HTTP CONNECT proxy on loopback: it accepts
// CONNECT, dials the target (mapping testHost to loopback, as a proxy's
// resolver would), and splices the two connections.
type connectProxy struct {
	ln      net.Listener
	mu      sync.Mutex
	targets []string // the host:port of every CONNECT seen
	conns   []net.Conn
	wg      sync.WaitGroup
}

func startConnectProxy(t *testing.T) *connectProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &connectProxy{ln: ln}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.track(c)
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.serve(c)
			}()
		}
	}()
	t.Cleanup(p.close)
	return p
}

func (p *connectProxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *connectProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.targets)
}

func (p *connectProxy) track(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.conns = append(p.conns, c)
}

func (p *connectProxy) serve(client net.Conn) {
	defer client.Close()
	br := bufio.NewReader(client)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	if req.Method != http.MethodConnect {
		io.WriteString(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.mu.Lock()
	p.targets = append(p.targets, req.Host)
	p.mu.Unlock()
	target, err := net.Dial("tcp", loopbackFor(req.Host))
	if err != nil {
		io.WriteString(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
		return
	}
	p.track(target)
	defer target.Close()
	io.WriteString(client, "HTTP/1.1 200 Connection Established\r\n\r\n")
	done := make(chan struct{})
	go func() {
		io.Copy(target, br) // br holds anything the client sent early
		close(done)
	}()
	io.Copy(client, target)
	client.Close()
	<-done
}

// close stops the proxy and every connection it holds, then waits for its
// goroutines.
func (p *connectProxy) close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func TestProxy(t *testing.T) {
	ca := newTestCA(t)
	_, serverURL := startTLSServer(t, ca)
	target := strings.TrimPrefix(serverURL, "https://")

	tests := []struct {
		name     string
		env      map[string]string
		viaProxy bool
	}{
		{name: "HTTPS_PROXY is used", env: map[string]string{"HTTPS_PROXY": "PROXY"}, viaProxy: true},
		{name: "lower-case https_proxy is used", env: map[string]string{"https_proxy": "PROXY"}, viaProxy: true},
		{name: "HTTP_PROXY is not for https", env: map[string]string{"HTTP_PROXY": "PROXY"}},
		{name: "NO_PROXY bypasses", env: map[string]string{"HTTPS_PROXY": "PROXY", "NO_PROXY": testHost}},
		{name: "NO_PROXY domain suffix bypasses", env: map[string]string{"HTTPS_PROXY": "PROXY", "NO_PROXY": ".test"}},
		{name: "NO_PROXY for another host does not", env: map[string]string{"HTTPS_PROXY": "PROXY", "NO_PROXY": "other.example"}, viaProxy: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := startConnectProxy(t)
			env := map[string]string{"WARD_CA_CERTIFICATE": ca.pemPath}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "PROXY", p.url())
			}
			body, err := get(t, env, serverURL)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(body, "HTTP/2.0") {
				t.Errorf("server saw %q, want HTTP/2.0", body)
			}
			var want []string
			if tt.viaProxy {
				want = []string{target}
			}
			if got := p.seen(); !slices.Equal(got, want) {
				t.Errorf("proxy saw CONNECT to %q, want %q", got, want)
			}
		})
	}
}

func TestProxySkipsLoopback(t *testing.T) {
	// Documents the rule that made the tests above use testHost.
	proxy := proxyFunc(envOf(map[string]string{"HTTPS_PROXY": "http://proxy.example:3128"}))
	for host, want := range map[string]string{
		"127.0.0.1:8443":   "",
		"localhost:8443":   "",
		testHost + ":8443": "http://proxy.example:3128",
	} {
		u, err := proxy(&http.Request{URL: &url.URL{Scheme: "https", Host: host}})
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if u != nil {
			got = u.String()
		}
		if got != want {
			t.Errorf("proxy for %s = %q, want %q", host, got, want)
		}
	}
}
