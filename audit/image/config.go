package image

import (
	"fmt"
	"sort"
	"strings"

	"github.com/wardauth/ward/audit"
)

// configLayer is the Location.Layer of items taken from the image config.
const configLayer = "config"

// config yields the parts of the image config where build-time secrets
// end up: ENV instructions (one item per variable, so a finding names the
// variable), each history entry's CreatedBy (a RUN line with a token or
// an ARG value baked into it), the labels, and the entrypoint and
// command, which sometimes carry a --token flag.
func (s *scan) config(n named) error {
	cfg, err := n.img.ConfigFile()
	if err != nil {
		return fmt.Errorf("reading image config: %w", err)
	}
	item := func(path, data string) bool {
		return s.emit(&audit.Item{
			Location: audit.Location{Path: path, Layer: configLayer, Image: n.label},
			Data:     []byte(data),
		})
	}
	for _, env := range cfg.Config.Env {
		if !item("config:Env", env) {
			return nil
		}
	}
	for i, h := range cfg.History {
		if h.CreatedBy != "" && !item(fmt.Sprintf("config:history[%d]", i), h.CreatedBy) {
			return nil
		}
	}
	if labels := cfg.Config.Labels; len(labels) > 0 {
		lines := make([]string, 0, len(labels))
		for k, v := range labels {
			lines = append(lines, k+"="+v+"\n")
		}
		sort.Strings(lines) // stable line numbers across runs
		if !item("config:labels", strings.Join(lines, "")) {
			return nil
		}
	}
	if len(cfg.Config.Entrypoint) > 0 && !item("config:Entrypoint", strings.Join(cfg.Config.Entrypoint, " ")) {
		return nil
	}
	if len(cfg.Config.Cmd) > 0 {
		item("config:Cmd", strings.Join(cfg.Config.Cmd, " "))
	}
	return nil
}
