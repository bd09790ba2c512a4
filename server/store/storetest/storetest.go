// Package storetest is the contract every store.Store implementation
// keeps: one suite, run against each engine, so SQLite and PostgreSQL
// cannot drift apart. Times are explicit (no sleeping), and the rules that
// need atomicity are raced with many goroutines at once.
package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wardauth/ward/server/store"
)

// Run runs the contract against the stores open returns, one fresh store
// per subtest.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"AccountRoundTrip", testAccountRoundTrip},
		{"AccountConflicts", testAccountConflicts},
		{"AccountUpdate", testAccountUpdate},
		{"Credentials", testCredentials},
		{"DeleteCredentialRace", testDeleteCredentialRace},
		{"Sessions", testSessions},
		{"SessionExpiry", testSessionExpiry},
		{"Ceremonies", testCeremonies},
		{"CeremonyTakeRace", testCeremonyTakeRace},
		{"Clients", testClients},
		{"AuthRequests", testAuthRequests},
		{"UseCodeRace", testUseCodeRace},
		{"RefreshTokenRoundTrip", testRefreshTokenRoundTrip},
		{"Rotate", testRotate},
		{"RotateRace", testRotateRace},
		{"Regrant", testRegrant},
		{"RegrantRace", testRegrantRace},
		{"RevokeFamily", testRevokeFamily},
		{"RevokeSession", testRevokeSession},
		{"Devices", testDevices},
		{"DeviceUserCodes", testDeviceUserCodes},
		{"Poll", testPoll},
		{"PollRace", testPollRace},
		{"DeviceStates", testDeviceStates},
		{"ConsumeRace", testConsumeRace},
		{"Counters", testCounters},
		{"CounterRace", testCounterRace},
		{"Keys", testKeys},
		{"TimePrecision", testTimePrecision},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// base is the suite's "now": every time is base plus an offset, and carries
// microseconds so that truncation would show.
var base = time.Date(2031, 3, 4, 5, 6, 7, 123456000, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

// racers is how many goroutines race for something only one may win.
const racers = 20

// race runs fn racers times at once and returns what each returned.
func race(fn func(i int) error) []error {
	errs := make([]error, racers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// wantOneWinner checks that exactly one error is nil and the rest are
// ErrConflict (or loser, where losing looks different).
func wantOneWinner(t *testing.T, errs []error, loser error) {
	t.Helper()
	wins := 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, loser):
			t.Errorf("a racer failed with %v, want nil or %v", err, loser)
		}
	}
	if wins != 1 {
		t.Errorf("%d of %d racers won, want exactly 1", wins, len(errs))
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

func wantEqual(t *testing.T, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %s\nwant %s", dump(got), dump(want))
	}
}

// dump prints a record with its pointers followed, for failure messages.
func dump(v any) string {
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && !rv.IsNil() {
		return fmt.Sprintf("&%+v", rv.Elem().Interface())
	}
	if rv.Kind() == reflect.Slice {
		s := "["
		for i := range rv.Len() {
			s += dump(rv.Index(i).Interface()) + " "
		}
		return s + "]"
	}
	return fmt.Sprintf("%+v", v)
}

func second[T any](_ T, err error) error { return err }

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
