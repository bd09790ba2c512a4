//go:build tools

// Package tools pins Ory Hydra v2.3.0 as a build-only dependency of the Ward
// benchmark harness. Hydra is the peer that Ward's token endpoints are measured
// against side by side; keeping it in its own module keeps Hydra's large
// dependency graph out of Ward's go.mod. Build it with:
//
//	go build -tags sqlite -o ../out/hydra github.com/ory/hydra/v2
package tools

import _ "github.com/ory/hydra/v2"
