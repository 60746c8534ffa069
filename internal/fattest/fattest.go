// Package fattest mounts a real FAT file system for tests: an image made by mkfs.vfat,
// mounted with Debian's fusefat (the kernel here has no vfat module). It is what a
// USB stick gives a portable copy of Indicia: no hard links, no permissions, no
// shared memory for SQLite's WAL.
package fattest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Mount makes a FAT image of sizeMB megabytes and mounts it, returning the mount point;
// it is unmounted when the test ends. The test is skipped, saying why, only where
// /dev/fuse is absent; anything else missing (the tools, root) fails it, so CI, which
// runs as root with /dev/fuse, always runs it.
func Mount(t testing.TB, sizeMB int) string {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Skipf("SKIPPED: no /dev/fuse on this machine, so no FAT file system can be mounted through FUSE (%v)", err)
	}
	for _, tool := range []string{"mkfs.vfat", "fusefat", "fusermount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: apt-get install fusefat dosfstools (make test-deps installs them): %v", tool, err)
		}
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "stick.img")
	mnt := filepath.Join(dir, "stick")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, int64(sizeMB)<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.vfat", "-s", "16", "-n", "STICK", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.vfat: %v %s", err, out)
	}
	if out, err := exec.Command("fusefat", "-o", "rw+", img, mnt).CombinedOutput(); err != nil {
		t.Fatalf("fusefat: %v %s", err, out)
	}
	t.Cleanup(func() {
		for i := 0; i < 50; i++ {
			if exec.Command("fusermount", "-u", mnt).Run() == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		exec.Command("umount", "-l", mnt).Run()
	})
	// The mount is there once the mount table says so.
	for i := 0; i < 100; i++ {
		if data, err := os.ReadFile("/proc/mounts"); err == nil && strings.Contains(string(data), mnt+" fuse") {
			return mnt
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not appear in /proc/mounts", mnt)
	return ""
}
