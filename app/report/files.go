package report

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// createPrivateOnce writes data to a new file at path, readable by its owner only,
// unless a file is already there. Two programs creating it at once end up with the same
// content: the file is written whole under a temporary name and hard-linked into place,
// which fails when the name exists, so the first writer wins.
func createPrivateOnce(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	// A file system without Unix permissions (FAT on a USB stick) refuses chmod: the
	// file is then as private as its mount makes it.
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" && !noPermissions(err) {
		tmp.Close()
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, fs.ErrExist) {
		if !noHardLinks(err) {
			return err
		}
		// FAT and exFAT have no hard links: create the file exclusively instead, so
		// that of two programs creating it at once one wins; the other reads the
		// winner's file (readPrivateSettled waits for it to be whole).
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return err
		}
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// readPrivate reads at most limit bytes of the file at path, refusing it when other
// users can read it. what names the file in errors; a missing file gives the os error
// unwrapped, so callers can create it.
func readPrivate(path, what string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 && hasPermissions(filepath.Dir(path)) {
		return nil, fmt.Errorf("%s %s: other users can read it (mode %v); make it private with chmod 600", what, path, st.Mode().Perm())
	}
	data, err := io.ReadAll(io.LimitReader(f, limit))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", what, path, err)
	}
	return data, nil
}

// WriteFileAtomic writes path through a temporary file in the same folder, renamed over it
// only when write succeeded.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// noHardLinks tells whether err is a file system that has no hard links (FAT, exFAT:
// "operation not permitted" or "not supported").
func noHardLinks(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) || errors.Is(err, syscall.EOPNOTSUPP) ||
		errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EXDEV)
}

// noPermissions tells whether err is a chmod the file system cannot do.
func noPermissions(err error) bool {
	return errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOTSUP) ||
		errors.Is(err, syscall.EOPNOTSUPP)
}

// hasPermissions tells whether the file system of dir keeps Unix permissions: a file
// made there and set to 0600 reads back as 0600. On FAT (a USB stick) every file shows
// the mount's mode, and a key file cannot be made more private than that.
func hasPermissions(dir string) bool {
	f, err := os.CreateTemp(dir, ".perm-probe-*")
	if err != nil {
		return true // cannot tell: keep the check
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if err := f.Chmod(0o600); err != nil {
		return !noPermissions(err)
	}
	st, err := f.Stat()
	return err != nil || st.Mode().Perm() == 0o600
}
