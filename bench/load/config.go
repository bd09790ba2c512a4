package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"os"
	"strings"
	"time"
)

// Config describes one load run.
type Config struct {
	URL    string
	Method string // empty: GET, or POST when Bodies is set
	// Bodies are sent round-robin across all workers: request i carries
	// Bodies[i % len(Bodies)], so a file of N tokens spreads evenly.
	Bodies      [][]byte
	Header      http.Header
	Concurrency int
	// Requests, when positive, bounds the run by count; otherwise Duration
	// bounds it.
	Requests int
	Duration time.Duration
	Timeout  time.Duration
}

// Validate fills defaults and reports settings that cannot work.
func (c *Config) Validate() error {
	if c.Concurrency < 1 {
		return fmt.Errorf("concurrency must be at least 1, got %d", c.Concurrency)
	}
	if c.Requests < 0 {
		return fmt.Errorf("request count must not be negative, got %d", c.Requests)
	}
	if c.Requests == 0 && c.Duration <= 0 {
		return errors.New("set a positive duration or a request count")
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Method == "" {
		c.Method = http.MethodGet
		if len(c.Bodies) > 0 {
			c.Method = http.MethodPost
		}
	}
	if c.Header == nil {
		c.Header = http.Header{}
	}
	// Bodies here are forms (token=...) unless the caller says otherwise;
	// OAuth endpoints reject a POST without this content type.
	if len(c.Bodies) > 0 && c.Header.Get("Content-Type") == "" {
		c.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return nil
}

// ReadBodies reads one request body per line. Blank lines are skipped, and a
// trailing CR is dropped so files written on any system work.
func ReadBodies(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading bodies: %w", err)
	}
	defer f.Close()
	var bodies [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := bytes.TrimRight(sc.Bytes(), "\r")
		if len(line) == 0 {
			continue
		}
		bodies = append(bodies, bytes.Clone(line))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading bodies from %s: %w", path, err)
	}
	if len(bodies) == 0 {
		return nil, fmt.Errorf("%s holds no request body (one a line expected)", path)
	}
	return bodies, nil
}

// ParseHeaders turns "Name: value" strings into a header set.
func ParseHeaders(lines []string) (http.Header, error) {
	h := http.Header{}
	for _, l := range lines {
		name, value, ok := strings.Cut(l, ":")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("header %q is not of the form 'Name: value'", l)
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(name), strings.TrimSpace(value))
	}
	return h, nil
}
