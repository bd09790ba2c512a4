package audit

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	wardaudit "github.com/wardauth/ward/audit"
)

// progress shows how far a long scan has got, on stderr when it is a
// terminal (in a log it would be noise). Sources are wrapped to count what
// they yield.
type progress struct {
	items, bytes atomic.Int64
	w            io.Writer
	stop         chan struct{}
	done         chan struct{}
}

// startProgress starts the display if w is a terminal; nil otherwise.
func startProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return nil
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return nil
	}
	p := &progress{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go p.run()
	return p
}

func (p *progress) run() {
	defer close(p.done)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	start := time.Now()
	for {
		select {
		case <-p.stop:
			fmt.Fprint(p.w, "\r\033[K")
			return
		case <-t.C:
			if time.Since(start) > time.Second { // quick scans show nothing
				fmt.Fprintf(p.w, "\r\033[KScanning: %d files, %.1f MB", p.items.Load(), float64(p.bytes.Load())/1e6)
			}
		}
	}
}

// wrap counts what src yields.
func (p *progress) wrap(src wardaudit.Source) wardaudit.Source {
	if p == nil {
		return src
	}
	return counting{src, p}
}

func (p *progress) end() {
	if p != nil {
		close(p.stop)
		<-p.done
	}
}

type counting struct {
	wardaudit.Source
	p *progress
}

func (c counting) Items(ctx context.Context, yield func(*wardaudit.Item) bool) error {
	return c.Source.Items(ctx, func(it *wardaudit.Item) bool {
		c.p.items.Add(1)
		c.p.bytes.Add(int64(len(it.Data)))
		return yield(it)
	})
}
