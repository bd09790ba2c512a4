// Package buildinfo says which build of Ward is running.
package buildinfo

import "runtime/debug"

// Version is set at link time (-ldflags "-X .../buildinfo.Version=v1.2.3");
// otherwise it comes from the module or VCS information Go records.
var Version = ""

// String returns the version, the commit when known, and the Go version.
func String() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return orDev(Version)
	}
	v := Version
	if v == "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	v = orDev(v)
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			v += " (" + s.Value[:12] + ")"
		}
	}
	return v + " " + info.GoVersion
}

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}
