// Command paintwatch measures when a program's window first shows its first screen,
// drawn: it starts the program, finds its window on the X display by name, and reads
// the window's pixels from the X server every few milliseconds until they stop changing.
// The first paint is the first frame that already looks like the settled one (a blinking
// text cursor aside). It then waits, reads the program's peak memory, and stops it.
//
//	paintwatch -name TITLE [-settle 2s] [-timeout 90s] -- PROGRAM ARGS...
//
// It prints one line: window-ms=N paint-ms=N peak-kib=N frames=N.
// The benchmarks in cmd/indicia build it and use it (see startup_bench_test.go).
package main

/*
#cgo LDFLAGS: -lX11
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// findWindow looks for a viewable window whose name contains name, depth first.
static Window findWindow(Display *d, Window w, const char *name) {
	// The name's bytes, whatever their encoding (the ASCII part is found in any).
	XTextProperty prop;
	if (XGetWMName(d, w, &prop) && prop.value) {
		int match = prop.nitems > 0 && memmem(prop.value, prop.nitems, name, strlen(name)) != NULL;
		XFree(prop.value);
		if (match) {
			XWindowAttributes a;
			if (XGetWindowAttributes(d, w, &a) && a.map_state == IsViewable) return w;
		}
	}
	Window root, parent, *children = NULL;
	unsigned int n = 0;
	if (!XQueryTree(d, w, &root, &parent, &children, &n)) return 0;
	Window found = 0;
	for (unsigned int i = 0; i < n && !found; i++) found = findWindow(d, children[i], name);
	if (children) XFree(children);
	return found;
}

// grab copies the window's pixels (32 bits each) into buf, which holds at least
// width*height*4 bytes; it returns 0 when the window cannot be read.
static int grab(Display *d, Window w, int width, int height, unsigned char *buf) {
	XImage *img = XGetImage(d, w, 0, 0, width, height, AllPlanes, ZPixmap);
	if (!img) return 0;
	for (int y = 0; y < height; y++) memcpy(buf + (size_t)y * width * 4, img->data + (size_t)y * img->bytes_per_line, (size_t)width * 4);
	XDestroyImage(img);
	return 1;
}

static int ignoreErrors(Display *d, XErrorEvent *e) { return 0; }
static void quiet(void) { XSetErrorHandler(ignoreErrors); }
*/
import "C"

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"hash/fnv"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

type frame struct {
	at     time.Duration // since the program started, when the frame was read
	pixels []byte
}

func main() {
	name := flag.String("name", "", "a part of the window's title")
	settle := flag.Duration("settle", 2*time.Second, "the window is settled when it has not changed for this long")
	timeout := flag.Duration("timeout", 90*time.Second, "give up after this long")
	flag.Parse()
	if *name == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: paintwatch -name TITLE -- PROGRAM ARGS...")
		os.Exit(2)
	}
	d := C.XOpenDisplay(nil)
	if d == nil {
		fmt.Fprintln(os.Stderr, "paintwatch: cannot open the display")
		os.Exit(1)
	}
	C.quiet()
	cname := C.CString(*name)
	defer C.free(unsafe.Pointer(cname))

	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "paintwatch:", err)
		os.Exit(1)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	fail := func(msg string) {
		fmt.Fprintln(os.Stderr, "paintwatch:", msg)
		cmd.Process.Kill()
		cmd.Wait()
		os.Exit(1)
	}

	var w C.Window
	for w == 0 {
		if time.Since(start) > *timeout {
			fail("no window named " + *name)
		}
		w = C.findWindow(d, C.XDefaultRootWindow(d), cname)
		if w == 0 {
			time.Sleep(2 * time.Millisecond)
		}
	}
	windowAt := time.Since(start)

	// The window is settled once it has not changed for the settle time, a blinking text
	// cursor aside, and shows more than one colour: an empty window is not a screen.
	var frames []frame
	var last uint64
	var buf, ref []byte
	changed := time.Now()
	for time.Since(changed) < *settle {
		if time.Since(start) > *timeout {
			fail("the window never settled")
		}
		var attr C.XWindowAttributes
		if C.XGetWindowAttributes(d, w, &attr) == 0 {
			fail("the window went away")
		}
		width, height := int(attr.width), int(attr.height)
		if len(buf) != width*height*4 {
			buf = make([]byte, width*height*4)
		}
		if C.grab(d, w, C.int(width), C.int(height), (*C.uchar)(unsafe.Pointer(&buf[0]))) == 0 {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		at := time.Since(start)
		h := fnv.New64a()
		h.Write(buf)
		if sum := h.Sum64(); sum != last || len(frames) == 0 {
			last = sum
			frames = append(frames, frame{at: at, pixels: bytes.Clone(buf)})
			if len(ref) != len(buf) || differing(buf, ref) > cursorPixels || uniform(buf) {
				ref = frames[len(frames)-1].pixels
				changed = time.Now()
			}
		}
		if uniform(buf) {
			changed = time.Now()
		}
		time.Sleep(3 * time.Millisecond)
	}

	// The first frame that already looks like the settled one.
	final := ref
	paint := frames[len(frames)-1].at
	for _, f := range frames {
		if len(f.pixels) == len(final) && differing(f.pixels, final) <= cursorPixels {
			paint = f.at
			break
		}
	}
	time.Sleep(2 * time.Second)
	peak := peakKiB(cmd.Process.Pid)
	fmt.Printf("window-ms=%d paint-ms=%d peak-kib=%d frames=%d\n", windowAt.Milliseconds(), paint.Milliseconds(), peak, len(frames))
}

// cursorPixels is how many pixels may differ between two frames of the same screen: a
// text cursor blinking (2 × 40 pixels at the largest text size), with room to spare.
const cursorPixels = 200

// uniform tells whether every pixel of a frame has the same colour.
func uniform(p []byte) bool {
	for i := 4; i+4 <= len(p); i += 4 {
		if p[i] != p[0] || p[i+1] != p[1] || p[i+2] != p[2] {
			return false
		}
	}
	return true
}

// differing counts the pixels that differ between two frames of the same size.
func differing(a, b []byte) int {
	n := 0
	for i := 0; i+4 <= len(a); i += 4 {
		if a[i] != b[i] || a[i+1] != b[i+1] || a[i+2] != b[i+2] {
			n++
		}
	}
	return n
}

// peakKiB reads a process's peak resident set size (VmHWM) from /proc.
func peakKiB(pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return n
		}
	}
	return 0
}
