package netx

import (
	"net/http"
	"net/url"

	"golang.org/x/net/http/httpproxy"
)

// proxyFunc chooses a proxy as http.ProxyFromEnvironment does (the same
// code: x/net's httpproxy), but from getenv rather than the process
// environment, which ProxyFromEnvironment also reads only once per process.
// As there, the upper-case name wins over the lower-case one, and requests
// to localhost and loopback addresses never use a proxy.
func proxyFunc(getenv func(string) string) func(*http.Request) (*url.URL, error) {
	either := func(upper, lower string) string {
		if v := getenv(upper); v != "" {
			return v
		}
		return getenv(lower)
	}
	cfg := httpproxy.Config{
		HTTPProxy:  either("HTTP_PROXY", "http_proxy"),
		HTTPSProxy: either("HTTPS_PROXY", "https_proxy"),
		NoProxy:    either("NO_PROXY", "no_proxy"),
		// Under CGI, HTTP_PROXY may be set by a client's Proxy header
		// ("httpoxy"), so it is ignored there, as in net/http.
		CGI: getenv("REQUEST_METHOD") != "",
	}
	proxy := cfg.ProxyFunc()
	return func(req *http.Request) (*url.URL, error) {
		return proxy(req.URL)
	}
}
