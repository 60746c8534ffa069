//go:build !linux

package app

// background is a no-op where the priority of a thread is not lowered this way.
func background() {}
