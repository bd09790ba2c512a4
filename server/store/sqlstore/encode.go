package sqlstore

import (
	"encoding/json"
	"fmt"
	"time"
)

// How values are kept, the same way on both engines:
//
//   - Times are BIGINT microseconds since the Unix epoch, UTC. The zero
//     time.Time is 0, so "not yet" columns need no NULLs and compare plainly
//     (revoked_at = 0). Times read back in UTC, to the microsecond.
//   - Durations are BIGINT microseconds.
//   - String lists are JSON arrays in TEXT: lossless for any string, and
//     readable in psql. An empty list reads back as nil.
//   - Booleans are INTEGER 0 or 1.
//   - Empty byte strings are NULL and read back as nil, so optional unique
//     columns such as auth_requests.code_hash allow many unset rows.

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}

func encodeList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// integer reads a BIGINT column, where NULL counts as 0.
func integer(src any) (int64, error) {
	switch v := src.(type) {
	case nil:
		return 0, nil
	case int64:
		return v, nil
	}
	return 0, fmt.Errorf("want an integer column, got %T", src)
}

// timeCol scans a microsecond column into a time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	us, err := integer(src)
	*c.t = fromMicros(us)
	return err
}

// durationCol scans a microsecond column into a time.Duration.
type durationCol struct{ d *time.Duration }

func (c durationCol) Scan(src any) error {
	us, err := integer(src)
	*c.d = time.Duration(us) * time.Microsecond
	return err
}

// listCol scans a JSON array column into a []string.
type listCol struct{ l *[]string }

func (c listCol) Scan(src any) error {
	var text []byte
	switch v := src.(type) {
	case string:
		text = []byte(v)
	case []byte:
		text = v
	default:
		return fmt.Errorf("want a JSON list column, got %T", src)
	}
	l, ok := plainList(text)
	if !ok {
		if err := json.Unmarshal(text, &l); err != nil {
			return fmt.Errorf("decode string list %q: %w", text, err)
		}
	}
	if len(l) == 0 {
		l = nil
	}
	*c.l = l
	return nil
}

// plainList decodes the common case of a list column without reflection:
// a JSON array of strings with no escapes, as encodeList writes scopes and
// amr values. Anything else reports !ok and goes to encoding/json. It runs
// on every token row read, so it is worth the few lines.
func plainList(text []byte) ([]string, bool) {
	if len(text) < 2 || text[0] != '[' || text[len(text)-1] != ']' {
		return nil, false
	}
	body := text[1 : len(text)-1]
	if len(body) == 0 {
		return nil, true
	}
	var l []string
	for {
		if len(body) < 2 || body[0] != '"' {
			return nil, false
		}
		end := 1
		for end < len(body) && body[end] != '"' {
			if body[end] == '\\' || body[end] < 0x20 {
				return nil, false
			}
			end++
		}
		if end == len(body) {
			return nil, false
		}
		l = append(l, string(body[1:end]))
		body = body[end+1:]
		if len(body) == 0 {
			return l, true
		}
		if body[0] != ',' {
			return nil, false
		}
		body = body[1:]
	}
}
