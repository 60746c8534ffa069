package modules

import (
	"fmt"
	"regexp"
	"strings"
)

// Error is one problem in a content file, reported as file:line: message.
type Error struct {
	File string
	Line int
	Msg  string
}

func (e Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// Errors is every problem found while loading the content.
type Errors []Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// source is a content file's text, used to find the line that an error points at.
// The TOML decoder does not report where each key was, so the loader finds it by looking
// for table headers and "key =" lines in the text.
type source struct {
	name  string
	lines []string
}

func newSource(name string, data []byte) *source {
	return &source{name: name, lines: strings.Split(string(data), "\n")}
}

func (s *source) errorf(line int, format string, args ...any) Error {
	if line < 1 {
		line = 1
	}
	return Error{File: s.name, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// headers returns the 1-based lines whose trimmed text is exactly header, e.g.
// "[[questions]]".
func (s *source) headers(header string) []int {
	var out []int
	for i, l := range s.lines {
		if strings.TrimSpace(l) == header {
			out = append(out, i+1)
		}
	}
	return out
}

var keyLine = regexp.MustCompile(`^\s*("?)([A-Za-z0-9_-]+)("?)\s*=`)

// keyIn returns the line of "key =" at or after from and before to (0 means the end of
// the file), or from when there is none.
func (s *source) keyIn(from, to int, key string) int {
	if to <= 0 || to > len(s.lines) {
		to = len(s.lines) + 1
	}
	for i := max(from, 1); i < to; i++ {
		if m := keyLine.FindStringSubmatch(s.lines[i-1]); m != nil && m[2] == key {
			return i
		}
	}
	return from
}

// valueIn returns the line of `key = "value"` between from and to, or from.
func (s *source) valueIn(from, to int, key, value string) int {
	if to <= 0 || to > len(s.lines) {
		to = len(s.lines) + 1
	}
	re := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(key) + `\s*=\s*"` + regexp.QuoteMeta(value) + `"`)
	for i := max(from, 1); i < to; i++ {
		if re.MatchString(s.lines[i-1]) {
			return i
		}
	}
	return from
}

// table returns the first line of the table whose header starts with prefix (for
// example "[questions.core-q1" matches "[questions.core-q1]" and
// "[questions.core-q1.options]"), or 0.
func (s *source) table(prefix string) int {
	for i, l := range s.lines {
		t := strings.TrimSpace(l)
		if t == prefix+"]" || strings.HasPrefix(t, prefix+".") {
			return i + 1
		}
	}
	return 0
}

// tableEnd returns the line of the first header after from that does not belong to the
// table prefix, or 0 for the end of the file.
func (s *source) tableEnd(from int, prefix string) int {
	for i := from; i < len(s.lines); i++ {
		t := strings.TrimSpace(s.lines[i])
		if strings.HasPrefix(t, "[") && !(t == prefix+"]" || strings.HasPrefix(t, prefix+".")) {
			return i + 1
		}
	}
	return 0
}

// keyInTable returns the line of key inside table prefix (sub-tables included), the
// table's first line when the key is absent, or 1 when the table is absent.
func (s *source) keyInTable(prefix, key string) int {
	start := s.table(prefix)
	if start == 0 {
		return 1
	}
	return s.keyIn(start, s.tableEnd(start, prefix), key)
}

// headerIn returns the line of header (exactly, after trimming) between from and to (0:
// the end of the file), or 0.
func (s *source) headerIn(from, to int, header string) int {
	if to <= 0 || to > len(s.lines) {
		to = len(s.lines) + 1
	}
	for i := max(from, 1); i < to; i++ {
		if strings.TrimSpace(s.lines[i-1]) == header {
			return i
		}
	}
	return 0
}
