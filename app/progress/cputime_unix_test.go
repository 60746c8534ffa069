//go:build unix

package progress

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used, in every thread (SQLite's included).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
