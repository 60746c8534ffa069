//go:build libsqlite3

package powercut

/*
#cgo CFLAGS: -DUSE_LIBSQLITE3
#cgo linux LDFLAGS: -lsqlite3
#include <stdlib.h>
#include "powercut.h"
*/
import "C"

import (
	"fmt"
	"path/filepath"
	"unsafe"
)

// Why a VFS and not a file system: the question is whether SQLite syncs every answer
// before the store acknowledges it, and a VFS sees exactly the writes and syncs SQLite
// asks the operating system for, in the test's own process, with no mount, no root and
// no /dev/fuse. A FUSE layer that drops unsynced writes (lazyfs is not packaged in
// Debian; one written with bazil.org/fuse, which the proxy serves, would be a file
// system of our own to get right) would see the same calls one level down, at the
// price of a mount per test and a second process to keep in step with the cut. A child
// process killed with SIGKILL cannot show it at all: the kernel's page cache keeps
// the unsynced writes.

// Stats counts what the VFS saw since Start.
type Stats struct {
	Ops   int64 // writes, truncations, syncs and deletions of watched files (since CutAt)
	Syncs int64 // syncs among them (since CutAt)
	Lost  int64 // writes and truncations the cut undid
	Files int64 // files the cut put back as they were at their last sync
	Cut   bool  // the cut has happened
}

// Start makes the power-cut VFS SQLite's default, for every connection opened from
// now on in this process, and watches the files under dir. SQLite's list of VFSs is
// one per process: only one Start may be in force, and it needs Stop.
func Start(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	cdir := C.CString(filepath.Clean(abs) + string(filepath.Separator))
	defer C.free(unsafe.Pointer(cdir))
	if rc := C.pc_start(cdir); rc != 0 {
		return fmt.Errorf("powercut: cannot register the VFS (SQLite result %d)", int(rc))
	}
	return nil
}

// Stop makes the VFS that was the default before Start the default again and forgets
// the watched files. Connections still open through the power-cut VFS keep working,
// passed straight through.
func Stop() { C.pc_stop() }

// CutAt arms the cut: the nth write, truncation, sync or deletion of a watched file
// from now does not happen, nor anything after it. The disk is left holding what was
// synced. Stats.Ops and Stats.Syncs count from here.
func CutAt(n int64) { C.pc_cut_at(C.longlong(n)) }

// Cut cuts the power now.
func Cut() { C.pc_cut() }

// Current tells what the VFS saw since Start.
func Current() Stats {
	s := C.pc_get_stats()
	return Stats{Ops: int64(s.ops), Syncs: int64(s.syncs), Lost: int64(s.lost), Files: int64(s.files), Cut: s.cut != 0}
}
