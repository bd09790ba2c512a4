package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

// Writes that share a group commit stay independent: a failing one rolls
// back alone, and a caller that gives up does not sink the others.
func TestGroupCommitIsolation(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "ward.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	var wg sync.WaitGroup
	errs := make([]error, 60)
	for i := range errs {
		wg.Go(func() {
			c := &store.Client{ID: fmt.Sprintf("c%d", i), Name: "n", CreatedAt: time.Now()}
			k := &store.Key{ID: "dup", Algorithm: "ES256", Private: []byte{1}, CreatedAt: time.Now()}
			switch i % 3 {
			case 0:
				errs[i] = db.Clients().Put(ctx, c)
			case 1:
				errs[i] = db.Keys().Add(ctx, k) // all but one conflict
			case 2:
				errs[i] = db.Clients().Put(cancelled, c)
			}
		})
	}
	wg.Wait()

	keysAdded := 0
	for i, err := range errs {
		switch i % 3 {
		case 0:
			if err != nil {
				t.Errorf("client %d: %v", i, err)
			}
		case 1:
			if err == nil {
				keysAdded++
			} else if !errors.Is(err, store.ErrConflict) {
				t.Errorf("duplicate key %d: %v, want ErrConflict", i, err)
			}
		}
	}
	if keysAdded != 1 {
		t.Errorf("%d writes of the same key succeeded, want 1", keysAdded)
	}
	clients, err := db.Clients().List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, c := range clients {
		stored[c.ID] = true
	}
	for i := 0; i < len(errs); i += 3 {
		if !stored[fmt.Sprintf("c%d", i)] {
			t.Errorf("client c%d was lost in a batch with failing writes", i)
		}
	}
	for i := 2; i < len(errs); i += 3 {
		if stored[fmt.Sprintf("c%d", i)] != (errs[i] == nil) {
			t.Errorf("client c%d: stored=%v but its write returned %v", i, stored[fmt.Sprintf("c%d", i)], errs[i])
		}
	}
}
