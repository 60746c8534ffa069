package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"indicia/app/progress"
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

// commandFailer is a command's way out on an error: it writes "<name>: <msg>" on one line
// of stderr and gives the exit status 1.
func commandFailer(stderr io.Writer, name string) func(msg string) int {
	return func(msg string) int {
		fmt.Fprintln(stderr, name+": "+oneLine(msg))
		return 1
	}
}

// parseFlags parses a command's flags. With -h or --help it prints the usage and the flags
// on stdout and is done (status 0); a flag it does not know fails with the usage.
func parseFlags(flags *flag.FlagSet, args []string, usage string, stdout io.Writer, fail func(string) int) (code int, done bool) {
	err := flags.Parse(args)
	switch {
	case err == nil:
		return 0, false
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintln(stdout, usage)
		flags.SetOutput(stdout)
		flags.PrintDefaults()
		return 0, true
	}
	return fail(err.Error() + " — " + usage), true
}

// oneLine keeps a message on one line, with single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// localizerFor is the localizer of lang, or of French and false when lang is not a
// supported language (a command's --lang).
func localizerFor(b *locales.Bundle, lang string) (*locales.Localizer, bool) {
	if !slices.Contains(locales.Languages, lang) {
		return b.For("fr"), false
	}
	return b.For(lang), true
}

// environmentLocalizer is the localizer of the user's language as the environment
// (LC_ALL, LC_MESSAGES, LANG) gives it, French when none is supported.
func environmentLocalizer(b *locales.Bundle) *locales.Localizer {
	return b.For(locales.Match(os.Getenv("LC_ALL"), os.Getenv("LC_MESSAGES"), os.Getenv("LANG")))
}

// openMessage says in the user's language why the database could not be opened: the
// message the app shows, and for a reason it has no message for, the error itself.
func openMessage(loc *locales.Localizer, err error) string {
	key := progress.OpenErrorKey(err)
	if key == "Open.Generic" {
		return loc.T(key) + " (" + err.Error() + ")"
	}
	return loc.T(key)
}

// progressLine shows a long command's progress on stderr. On a terminal it is one line,
// written again in place as the work goes on and cleared at the end; anywhere else (a
// file, a pipe, a log) nothing is written, and the command's final summary says what
// was done.
type progressLine struct {
	w     io.Writer
	tty   bool
	shown int // the width of the line on the terminal, 0 when none is shown
}

// newProgressLine shows progress on w when w is a terminal.
func newProgressLine(w io.Writer) *progressLine {
	f, ok := w.(*os.File)
	return &progressLine{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

// show writes text in place of the line shown before.
func (p *progressLine) show(text string) {
	if !p.tty {
		return
	}
	n := utf8.RuneCountInString(text)
	fmt.Fprint(p.w, "\r"+text+strings.Repeat(" ", max(p.shown-n, 0)))
	p.shown = max(n, p.shown) // the spaces written over a longer line count too
}

// clear removes the line, before the summary or an error is written.
func (p *progressLine) clear() {
	if p.tty && p.shown > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.shown)+"\r")
		p.shown = 0
	}
}
