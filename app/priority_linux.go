package app

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// background lowers the priority of the calling goroutine's thread, which it keeps: the
// goroutine must not return to other work afterwards. When it ends, its thread ends with
// it (a goroutine that ends while locked to its thread takes the thread with it), and so
// does the lowered priority. Checking the store's file at start-up runs this way, so that
// on a busy machine it does not slow the window down.
func background() {
	runtime.LockOSThread()
	unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 10)
}
