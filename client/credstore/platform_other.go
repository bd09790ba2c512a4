//go:build !unix

package credstore

import (
	"errors"
	"io/fs"
	"os"
)

// tryLock is not implemented off Unix yet; Lock reports that plainly rather
// than pretending to exclude other processes.
func tryLock(*os.File) (bool, error) {
	return false, errors.New("the credentials lock is not supported on this operating system yet")
}

func unlockFile(*os.File) {}

// checkOwner has nothing to check where ownership is an ACL.
func checkOwner(string, fs.FileInfo) error { return nil }
