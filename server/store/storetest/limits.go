package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func testCounters(t *testing.T, s store.Store) {
	ctx := t.Context()
	w1, w2 := at(0), at(time.Minute)
	incr := func(key string, window time.Time, want int64) {
		t.Helper()
		n, err := s.Counters().Incr(ctx, key, window, window.Add(time.Minute))
		check(t, err)
		if n != want {
			t.Fatalf("Incr(%s, %v) = %d, want %d", key, window.Sub(base), n, want)
		}
	}
	incr("login:192.0.2.1", w1, 1)
	incr("login:192.0.2.1", w1, 2)
	incr("login:192.0.2.1", w2, 1)
	incr("login:192.0.2.2", w1, 1)
	incr("login:192.0.2.1", w1, 3)

	n, err := s.Counters().DeleteExpired(ctx, w1.Add(time.Minute))
	check(t, err)
	if n != 2 {
		t.Errorf("DeleteExpired removed %d counters, want the 2 of the first window", n)
	}
	incr("login:192.0.2.1", w1, 1) // a deleted window starts over
	incr("login:192.0.2.1", w2, 2)
}

func testCounterRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	counts := make([]int64, racers)
	errs := race(func(i int) error {
		var err error
		counts[i], err = s.Counters().Incr(ctx, "k", at(0), at(time.Minute))
		return err
	})
	for _, err := range errs {
		check(t, err)
	}
	slices.Sort(counts)
	for i, n := range counts {
		if n != int64(i+1) {
			t.Fatalf("the racers saw counts %v, want 1 to %d once each", counts, racers)
		}
	}
}

func testKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	old := &store.Key{ID: "k1", Algorithm: "ES256", Private: []byte("pkcs8-1"), CreatedAt: at(0)}
	cur := &store.Key{ID: "k2", Algorithm: "ES256", Private: []byte("pkcs8-2"), CreatedAt: at(time.Hour)}
	check(t, s.Keys().Add(ctx, old))
	check(t, s.Keys().Add(ctx, cur))
	wantErr(t, s.Keys().Add(ctx, old), store.ErrConflict)

	got, err := s.Keys().Published(ctx, at(time.Hour))
	check(t, err)
	wantEqual(t, got, []*store.Key{cur, old})

	check(t, s.Keys().Retire(ctx, old.ID, at(time.Hour), at(25*time.Hour)))
	old.RetiredAt, old.ExpiresAt = at(time.Hour), at(25*time.Hour)
	got, err = s.Keys().Published(ctx, old.ExpiresAt.Add(-time.Microsecond))
	check(t, err)
	wantEqual(t, got, []*store.Key{cur, old})
	got, err = s.Keys().Published(ctx, old.ExpiresAt)
	check(t, err)
	wantEqual(t, got, []*store.Key{cur})

	wantErr(t, s.Keys().Retire(ctx, "nothing", at(0), at(0)), store.ErrNotFound)
}

// testTimePrecision checks that times keep their microseconds, come back
// in UTC whatever zone they went in with, and that the zero time stays zero.
func testTimePrecision(t *testing.T, s store.Store) {
	ctx := t.Context()
	zone := time.FixedZone("UTC+5:30", 5*3600+30*60)
	in := time.Date(2031, 3, 4, 5, 6, 7, 123456789, zone)
	check(t, s.Ceremonies().Put(ctx, &store.Ceremony{ID: "c", Kind: "login", ExpiresAt: in}))
	got, err := s.Ceremonies().Take(ctx, "c", in.Add(-time.Second))
	check(t, err)
	if want := in.Truncate(time.Microsecond); !got.ExpiresAt.Equal(want) || got.ExpiresAt.Location() != time.UTC {
		t.Errorf("time went in as %v and came back as %v, want %v in UTC", in, got.ExpiresAt, want)
	}
	if got.Data != nil {
		t.Errorf("empty data came back as %#v, want nil", got.Data)
	}

	k := &store.Key{ID: "k", Algorithm: "EdDSA", Private: []byte("x")}
	check(t, s.Keys().Add(ctx, k))
	keys, err := s.Keys().Published(ctx, in)
	check(t, err)
	wantEqual(t, keys, []*store.Key{k})
}
