//go:build unix

package credstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// tryLock takes an exclusive flock without blocking; false means another
// holder has it. A blocking flock could not honour the timeout.
func tryLock(fh *os.File) (bool, error) {
	for {
		err := syscall.Flock(int(fh.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, syscall.EINTR):
			continue
		case errors.Is(err, syscall.EWOULDBLOCK):
			return false, nil
		default:
			return false, err
		}
	}
}

func unlockFile(fh *os.File) { syscall.Flock(int(fh.Fd()), syscall.LOCK_UN) }

// checkOwner refuses a credentials file or home owned by another user: its
// owner could read or swap the credentials whatever the mode says.
func checkOwner(path string, fi fs.FileInfo) error {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if uid := os.Geteuid(); int(st.Uid) != uid {
		return fmt.Errorf("%s belongs to user id %d, not to you (user id %d), so Ward will not keep credentials there; set WARD_HOME to a directory of your own", path, st.Uid, uid)
	}
	return nil
}
