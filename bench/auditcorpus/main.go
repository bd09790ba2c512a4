// Command auditcorpus writes a synthetic source tree with planted
// credentials for benchmarking `ward audit` against other secret scanners,
// and scores the scanners' reports against what it planted.
//
//	auditcorpus -out DIR -seed N [-files 2000] [-mb 50]
//	    writes the corpus under DIR and the truth to DIR/../truth.json
//	auditcorpus -score -truth T -root DIR -ward W.json -gitleaks G.json [-tsv F]
//	    prints recall and precision per tool and per kind of secret
//	auditcorpus -tally -ward W.json -gitleaks G.json [-tsv F]
//	    prints the findings per rule of each tool (for a tree with no truth)
//
// Everything but Ward's own secrets is derived from the seed; Ward API
// keys and refresh tokens come from secret.New (crypto/rand), so they
// differ between runs, and truth.json records them.
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	var (
		out      = flag.String("out", "", "directory to write the corpus into (generate mode)")
		seed     = flag.Uint64("seed", 1, "seed for everything but Ward's own secrets")
		files    = flag.Int("files", 2000, "number of filler source files")
		mb       = flag.Int("mb", 50, "approximate total size of the filler, in MB")
		score    = flag.Bool("score", false, "score reports against a truth file")
		tally    = flag.Bool("tally", false, "count the findings of reports per rule")
		truth    = flag.String("truth", "", "truth.json written by the generator (score mode)")
		root     = flag.String("root", "", "the corpus directory that was scanned (score mode)")
		wardRep  = flag.String("ward", "", "`ward audit --format json` report")
		glRep    = flag.String("gitleaks", "", "gitleaks JSON report")
		tsvOut   = flag.String("tsv", "", "also write one line per tool: tool, findings, recall, precision")
		listRule = flag.String("list", "ward-api-key,ward-refresh-token,ward-auth-json", "tally mode: Ward rules whose findings are listed one by one")
	)
	flag.Parse()
	var err error
	switch {
	case *score:
		err = runScore(*truth, *root, *wardRep, *glRep, *tsvOut)
	case *tally:
		err = runTally(*wardRep, *glRep, *tsvOut, *listRule)
	case *out != "":
		err = generate(*out, *seed, *files, int64(*mb)<<20)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "auditcorpus:", err)
		os.Exit(1)
	}
}
