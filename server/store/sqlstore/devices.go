package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wardauth/ward/server/store"
)

type devices struct{ db *DB }

const deviceColumns = `code_hash, user_code, client_id, scopes, state, created_at, expires_at, poll_interval,
	last_poll, request_ip, account_id, session_id, amr, auth_time`

func scanDevice(s scanner) (*store.Device, error) {
	var d store.Device
	err := s.Scan(&d.CodeHash, &d.UserCode, &d.ClientID, listCol{&d.Scopes}, &d.State, timeCol{&d.CreatedAt},
		timeCol{&d.ExpiresAt}, durationCol{&d.Interval}, timeCol{&d.LastPoll}, &d.RequestIP,
		&d.AccountID, &d.SessionID, listCol{&d.AMR}, timeCol{&d.AuthTime})
	return &d, err
}

const deviceExists = "SELECT 1 FROM devices WHERE code_hash = ?"

// Create takes d.CreatedAt as the present: an authorization with the same
// user code that expired by then is deleted to make room.
func (s devices) Create(ctx context.Context, d *store.Device) error {
	err := s.db.tx(ctx, func(h handle) error {
		if _, err := h.exec(ctx, "DELETE FROM devices WHERE user_code = ? AND expires_at <= ?", d.UserCode, micros(d.CreatedAt)); err != nil {
			return err
		}
		_, err := h.exec(ctx, "INSERT INTO devices ("+deviceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			nullBytes(d.CodeHash), d.UserCode, d.ClientID, encodeList(d.Scopes), d.State, micros(d.CreatedAt),
			micros(d.ExpiresAt), d.Interval.Microseconds(), micros(d.LastPoll), d.RequestIP,
			d.AccountID, d.SessionID, encodeList(d.AMR), micros(d.AuthTime))
		return err
	})
	if err != nil {
		return fmt.Errorf("create device authorization: %w", err)
	}
	return nil
}

func (s devices) byCodeHash(ctx context.Context, hash []byte) (*store.Device, error) {
	return one(ctx, s.db.r(), scanDevice, "SELECT "+deviceColumns+" FROM devices WHERE code_hash = ?", hash)
}

func (s devices) ByCodeHash(ctx context.Context, hash []byte) (*store.Device, error) {
	d, err := s.byCodeHash(ctx, hash)
	if err != nil {
		return nil, fmt.Errorf("get device authorization: %w", err)
	}
	return d, nil
}

func (s devices) ByUserCode(ctx context.Context, userCode string, now time.Time) (*store.Device, error) {
	d, err := one(ctx, s.db.r(), scanDevice, "SELECT "+deviceColumns+
		" FROM devices WHERE user_code = ? AND expires_at > ?", userCode, micros(now))
	if err != nil {
		return nil, fmt.Errorf("get device authorization by user code: %w", err)
	}
	return d, nil
}

// Poll records a poll in one conditional write when it keeps to the
// interval, which is every poll of a well-behaved client: one statement,
// not a read and a write, because thousands of devices poll every few
// seconds. Only when that write changes nothing (the code is unknown, or
// the poll came too soon) does it read the record and decide.
func (s devices) Poll(ctx context.Context, hash []byte, now time.Time, slowDown time.Duration) (*store.Device, bool, error) {
	d, err := one(ctx, s.db.w(), scanDevice, `UPDATE devices SET last_poll = ?
		WHERE code_hash = ? AND (last_poll = 0 OR last_poll + poll_interval <= ?)
		RETURNING `+deviceColumns, micros(now), hash, micros(now))
	if err == nil {
		return d, false, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, false, fmt.Errorf("poll device authorization: %w", err)
	}
	return s.slowDown(ctx, hash, now, slowDown)
}

// slowDown handles a poll the fast path did not take: it reads the record
// and writes its decision with a compare-and-set on the poll state it
// read. If another poll got in between, it decides again on what that
// poll left.
func (s devices) slowDown(ctx context.Context, hash []byte, now time.Time, slowDown time.Duration) (*store.Device, bool, error) {
	for {
		d, err := s.byCodeHash(ctx, hash)
		if err != nil {
			return nil, false, fmt.Errorf("poll device authorization: %w", err)
		}
		next := *d
		tooFast := !d.LastPoll.IsZero() && now.Sub(d.LastPoll) < d.Interval
		if tooFast {
			next.Interval = (d.Interval + slowDown).Truncate(time.Microsecond)
		} else {
			next.LastPoll = fromMicros(micros(now))
		}
		err = s.db.w().swap(ctx, `UPDATE devices SET last_poll = ?, poll_interval = ?
			WHERE code_hash = ? AND last_poll = ? AND poll_interval = ?`,
			[]any{micros(next.LastPoll), next.Interval.Microseconds(), hash, micros(d.LastPoll), d.Interval.Microseconds()},
			deviceExists, hash)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("poll device authorization: %w", err)
		}
		return &next, tooFast, nil
	}
}

// Decide records who decided whether approved or not.
func (s devices) Decide(ctx context.Context, userCode string, approved bool, accountID, sessionID string, amr []string, authTime time.Time) error {
	state := store.DeviceDenied
	if approved {
		state = store.DeviceApproved
	}
	err := s.db.w().swap(ctx, `UPDATE devices SET state = ?, account_id = ?, session_id = ?, amr = ?, auth_time = ?
		WHERE user_code = ? AND state = ?`,
		[]any{state, accountID, sessionID, encodeList(amr), micros(authTime), userCode, store.DevicePending},
		"SELECT 1 FROM devices WHERE user_code = ?", userCode)
	if err != nil {
		return fmt.Errorf("decide device authorization: %w", err)
	}
	return nil
}

func (s devices) Consume(ctx context.Context, hash []byte) error {
	err := s.db.w().swap(ctx, "UPDATE devices SET state = ? WHERE code_hash = ? AND state = ?",
		[]any{store.DeviceConsumed, hash, store.DeviceApproved}, deviceExists, hash)
	if err != nil {
		return fmt.Errorf("consume device authorization: %w", err)
	}
	return nil
}

func (s devices) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.db.w().exec(ctx, "DELETE FROM devices WHERE expires_at <= ?", micros(now))
	if err != nil {
		return 0, fmt.Errorf("delete expired device authorizations: %w", err)
	}
	return n, nil
}
