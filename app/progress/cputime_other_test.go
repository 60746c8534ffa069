//go:build !unix

package progress

import "time"

// cpuTime is not measured here: the benchmarks' CPU figures read zero.
func cpuTime() time.Duration { return 0 }
