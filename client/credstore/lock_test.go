package credstore

import (
	"context"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func readCounter(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(dir + "/counter")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLockGoroutines(t *testing.T) {
	dir := privateDir(t)
	const workers, each = 20, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range each {
				if err := incrementLocked(dir); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := readCounter(t, dir); got != workers*each {
		t.Fatalf("counter = %d, want %d: the lock let increments overlap", got, workers*each)
	}
}

func TestLockProcesses(t *testing.T) {
	dir := privateDir(t)
	const procs, each = 8, 40
	var wg sync.WaitGroup
	for range procs {
		cmd := helper(t, "lock-count", dir, "WARD_CREDSTORE_TEST_N="+strconv.Itoa(each))
		wg.Go(func() {
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("child: %v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	if got := readCounter(t, dir); got != procs*each {
		t.Fatalf("counter = %d, want %d: the lock let increments from different processes overlap", got, procs*each)
	}
	if fi, err := os.Stat(dir + "/" + LockFileName); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file: %v, mode %v; want 0600", err, fi.Mode())
	}
}

func TestLockTimeout(t *testing.T) {
	dir := privateDir(t)
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	_, err = LockContext(ctx, dir)
	if err == nil {
		t.Fatal("a second Lock succeeded while the first was held")
	}
	mustContain(t, err.Error(), dir+"/"+LockFileName, "another ward process")
	unlock()
	unlock2, err := Lock(dir)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock2()
}
