package main

import (
	"fmt"
	"os"
	"path/filepath"

	"indicia/app"
	"indicia/locales"
)

// tempOutput is an output being written: a temporary file beside its final name, given
// that name only once it is whole, so a command that fails never leaves a half-written
// file (every command that writes a file uses it).
type tempOutput struct {
	f    *os.File
	done bool
}

// newTempOutput creates a hidden temporary file in the folder of path.
func newTempOutput(path string) (*tempOutput, error) {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, err
	}
	return &tempOutput{f: f}, nil
}

// commit makes the written file whole on disk and gives it its final name.
func (t *tempOutput) commit(path string) error {
	if err := t.f.Sync(); err != nil {
		return err
	}
	if err := t.f.Close(); err != nil {
		return err
	}
	if err := os.Rename(t.f.Name(), path); err != nil {
		return err
	}
	t.done = true
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		d.Sync() // the new name too survives a power cut
		d.Close()
	}
	return nil
}

// discard removes the temporary file unless it was committed.
func (t *tempOutput) discard() {
	if !t.done {
		t.f.Close()
		os.Remove(t.f.Name())
	}
}

// openMessage says in the user's language why the database could not be opened: the
// message the app shows, and for a reason it has no message for, the error itself.
func openMessage(loc *locales.Localizer, err error) string {
	key := app.OpenErrorKey(err)
	if key == "Open.Generic" {
		return loc.T(key) + " (" + err.Error() + ")"
	}
	return loc.T(key)
}
