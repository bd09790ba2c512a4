package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/wardauth/ward/audit"
	"github.com/wardauth/ward/audit/detect"
	"github.com/wardauth/ward/audit/tree"
)

// The benchmarks below exist to profile `ward audit` (which has no
// profiling flag):
//
//	go test -run '^$' -bench ScanGOROOT -cpuprofile cpu.pprof ./bench/auditcorpus
//	go tool pprof -top -cum cpu.pprof

func goSrc(b *testing.B) string {
	src := filepath.Join(runtime.GOROOT(), "src")
	if _, err := os.Stat(src); err != nil {
		b.Skipf("no Go source tree: %v", err)
	}
	return src
}

// BenchmarkScanGOROOT is `ward audit --no-ignore` on GOROOT/src, minus the
// report: walk, read, archives and every detector.
func BenchmarkScanGOROOT(b *testing.B) {
	src := goSrc(b)
	sc := &audit.Scanner{Detectors: detect.All()}
	for b.Loop() {
		st, err := sc.Scan(context.Background(), tree.Dir{Root: src, NoIgnore: true}, func(audit.Finding) {})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(st.Bytes)
	}
}

// BenchmarkDetectors runs each detector alone over GOROOT/src held in
// memory, to split the detection cost from reading.
func BenchmarkDetectors(b *testing.B) {
	src := goSrc(b)
	var items []*audit.Item
	var size int64
	err := tree.Dir{Root: src, NoIgnore: true}.Items(context.Background(), func(it *audit.Item) bool {
		if it.Skip == "" {
			items = append(items, it)
			size += int64(len(it.Data))
		}
		return true
	})
	if err != nil {
		b.Fatal(err)
	}
	for i, d := range detect.All() {
		b.Run(fmt.Sprintf("%d-%T", i, d), func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				for _, it := range items {
					d.Detect(it)
				}
			}
		})
	}
}
