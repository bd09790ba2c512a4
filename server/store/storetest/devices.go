package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

func newDevice(n int, userCode string) *store.Device {
	return &store.Device{
		CodeHash:  []byte(fmt.Sprintf("device-hash-%d", n)),
		UserCode:  userCode,
		ClientID:  "ward-cli",
		Scopes:    []string{"openid", "offline_access"},
		State:     store.DevicePending,
		CreatedAt: at(0),
		ExpiresAt: at(10 * time.Minute),
		Interval:  5 * time.Second,
		RequestIP: "198.51.100.7",
	}
}

func getDevice(t *testing.T, s store.Store, hash []byte) *store.Device {
	t.Helper()
	d, err := s.Devices().ByCodeHash(t.Context(), hash)
	check(t, err)
	return d
}

func testDevices(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDevice(1, "BCDFGHJK")
	check(t, s.Devices().Create(ctx, d))
	wantEqual(t, getDevice(t, s, d.CodeHash), d)
	got, err := s.Devices().ByUserCode(ctx, d.UserCode, at(0))
	check(t, err)
	wantEqual(t, got, d)

	_, err = s.Devices().ByUserCode(ctx, d.UserCode, d.ExpiresAt)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Devices().ByUserCode(ctx, "NOTACODE", at(0))
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Devices().ByCodeHash(ctx, []byte("nothing"))
	wantErr(t, err, store.ErrNotFound)

	later := newDevice(2, "LMNPQRST")
	later.ExpiresAt = at(time.Hour)
	check(t, s.Devices().Create(ctx, later))
	n, err := s.Devices().DeleteExpired(ctx, d.ExpiresAt)
	check(t, err)
	if n != 1 {
		t.Errorf("DeleteExpired removed %d, want 1", n)
	}
	_, err = s.Devices().ByCodeHash(ctx, d.CodeHash)
	wantErr(t, err, store.ErrNotFound)
	getDevice(t, s, later.CodeHash)
}

func testDeviceUserCodes(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDevice(1, "BCDFGHJK")
	check(t, s.Devices().Create(ctx, d))
	dup := newDevice(2, d.UserCode)
	dup.CreatedAt = d.ExpiresAt.Add(-time.Microsecond)
	wantErr(t, s.Devices().Create(ctx, dup), store.ErrConflict)
	wantErr(t, s.Devices().Create(ctx, newDevice(1, "ZZZZZZZZ")), store.ErrConflict)

	// Once the first has expired, its user code is free again.
	dup.CreatedAt, dup.ExpiresAt = d.ExpiresAt, d.ExpiresAt.Add(10*time.Minute)
	check(t, s.Devices().Create(ctx, dup))
	got, err := s.Devices().ByUserCode(ctx, d.UserCode, dup.CreatedAt)
	check(t, err)
	wantEqual(t, got, dup)
}

func testPoll(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDevice(1, "BCDFGHJK")
	check(t, s.Devices().Create(ctx, d))

	poll := func(now time.Time, wantTooFast bool, wantLast time.Time, wantInterval time.Duration) {
		t.Helper()
		got, tooFast, err := s.Devices().Poll(ctx, d.CodeHash, now, 5*time.Second)
		check(t, err)
		if tooFast != wantTooFast || !got.LastPoll.Equal(wantLast) || got.Interval != wantInterval {
			t.Fatalf("poll at %v: tooFast %v, last poll %v, interval %v; want %v, %v, %v",
				now.Sub(base), tooFast, got.LastPoll.Sub(base), got.Interval, wantTooFast, wantLast.Sub(base), wantInterval)
		}
		wantEqual(t, getDevice(t, s, d.CodeHash), got)
	}
	poll(at(time.Second), false, at(time.Second), 5*time.Second)
	poll(at(5*time.Second), true, at(time.Second), 10*time.Second) // 4s later: too soon
	poll(at(10*time.Second), true, at(time.Second), 15*time.Second)
	poll(at(16*time.Second), false, at(16*time.Second), 15*time.Second) // exactly the interval

	_, _, err := s.Devices().Poll(ctx, []byte("nothing"), at(0), time.Second)
	wantErr(t, err, store.ErrNotFound)
}

// testPollRace polls at one instant from many clients: one poll counts,
// every other is too fast and slows the device down.
func testPollRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDevice(1, "BCDFGHJK")
	check(t, s.Devices().Create(ctx, d))
	errs := race(func(int) error {
		_, tooFast, err := s.Devices().Poll(ctx, d.CodeHash, at(time.Second), time.Second)
		if err == nil && tooFast {
			err = store.ErrConflict
		}
		return err
	})
	wantOneWinner(t, errs, store.ErrConflict)
	got := getDevice(t, s, d.CodeHash)
	if want := d.Interval + (racers-1)*time.Second; got.Interval != want || !got.LastPoll.Equal(at(time.Second)) {
		t.Errorf("after the race: interval %v, last poll %v; want %v, %v", got.Interval, got.LastPoll, want, at(time.Second))
	}
}

func testDeviceStates(t *testing.T, s store.Store) {
	ctx := t.Context()
	yes, no := newDevice(1, "BCDFGHJK"), newDevice(2, "LMNPQRST")
	check(t, s.Devices().Create(ctx, yes))
	check(t, s.Devices().Create(ctx, no))

	wantErr(t, s.Devices().Consume(ctx, yes.CodeHash), store.ErrConflict) // pending
	check(t, s.Devices().Decide(ctx, yes.UserCode, true, "acct-1", "sid-1", []string{"passkey"}, at(time.Minute)))
	wantErr(t, s.Devices().Decide(ctx, yes.UserCode, false, "acct-2", "sid-2", nil, at(time.Minute)), store.ErrConflict)
	yes.State, yes.AccountID, yes.SessionID, yes.AMR, yes.AuthTime = store.DeviceApproved, "acct-1", "sid-1", []string{"passkey"}, at(time.Minute)
	wantEqual(t, getDevice(t, s, yes.CodeHash), yes)

	check(t, s.Devices().Consume(ctx, yes.CodeHash))
	wantErr(t, s.Devices().Consume(ctx, yes.CodeHash), store.ErrConflict)
	yes.State = store.DeviceConsumed
	wantEqual(t, getDevice(t, s, yes.CodeHash), yes)

	check(t, s.Devices().Decide(ctx, no.UserCode, false, "", "", nil, time.Time{}))
	wantErr(t, s.Devices().Consume(ctx, no.CodeHash), store.ErrConflict)
	wantErr(t, s.Devices().Decide(ctx, no.UserCode, true, "acct-1", "sid-1", nil, at(0)), store.ErrConflict)
	if got := getDevice(t, s, no.CodeHash); got.State != store.DeviceDenied {
		t.Errorf("denied device is %s", got.State)
	}

	wantErr(t, s.Devices().Decide(ctx, "NOTACODE", true, "a", "s", nil, at(0)), store.ErrNotFound)
	wantErr(t, s.Devices().Consume(ctx, []byte("nothing")), store.ErrNotFound)
}

func testConsumeRace(t *testing.T, s store.Store) {
	ctx := t.Context()
	d := newDevice(1, "BCDFGHJK")
	check(t, s.Devices().Create(ctx, d))
	errs := race(func(i int) error {
		return s.Devices().Decide(ctx, d.UserCode, true, fmt.Sprintf("acct-%d", i), "sid", nil, at(0))
	})
	wantOneWinner(t, errs, store.ErrConflict)
	errs = race(func(int) error { return s.Devices().Consume(ctx, d.CodeHash) })
	wantOneWinner(t, errs, store.ErrConflict)
}
