package modules

import (
	"errors"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"indicia/quiz"
)

func TestShippedContentIsValid(t *testing.T) {
	if _, err := Check(Embedded()); err != nil {
		t.Fatalf("shipped content is invalid:\n%v", err)
	}
	cat, err := LoadEmbedded()
	if err != nil {
		t.Fatal(err)
	}
	st := cat.Stats()
	t.Log(st.Summary())
	core, ok := cat.Module("core")
	if !ok {
		t.Fatal("no core module")
	}
	for _, m := range cat.Modules {
		for _, lang := range Languages {
			if len(m.In(lang).Bank) != len(m.In("fr").Bank) || m.texts[lang] == nil {
				t.Errorf("module %s lacks language %s", m.ID, lang)
			}
		}
	}
	kinds := map[quiz.Kind]int{}
	for _, q := range core.In("fr").Bank {
		kinds[q.Kind]++
	}
	for _, k := range quiz.Kinds {
		if kinds[k] == 0 {
			t.Errorf("the core module uses no %s question", k)
		}
	}
	if len(cat.Glossary("de")) == 0 || len(cat.Glossary("de")) != len(cat.Glossary("fr")) {
		t.Error("the glossary is not complete in German")
	}
}

// TestReportLineCount keeps ReportLines in step with the report that citations point
// into, when the shared folder is beside the repository.
func TestReportLineCount(t *testing.T) {
	data, err := os.ReadFile("../../shared/source/ecpat-belgique-2015.txt")
	if err != nil {
		t.Skip("report not beside the repository:", err)
	}
	// The file ends with a line holding one space; the last line of text is what counts.
	n := strings.Count(strings.TrimRight(string(data), " \n"), "\n") + 1
	if n != ReportLines {
		t.Errorf("the report has %d lines, ReportLines says %d", n, ReportLines)
	}
}

// testFS is the shipped content with every language file replaced by the French one,
// so these tests exercise the loader even while translations are being written.
func testFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(Embedded(), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	fillLanguages(m)
	return m
}

// fillLanguages gives every module the French text in each language it lacks.
func fillLanguages(m fstest.MapFS) {
	for p, f := range m {
		if dir, ok := strings.CutSuffix(p, "/fr.toml"); ok {
			for _, l := range []string{"nl", "en", "de"} {
				if _, ok := m[dir+"/"+l+".toml"]; !ok {
					m[dir+"/"+l+".toml"] = f
				}
			}
		}
	}
}

func edit(t *testing.T, m fstest.MapFS, name string, f func(string) string) {
	t.Helper()
	before := string(m[name].Data)
	after := f(before)
	if after == before {
		t.Fatalf("the edit of %s changed nothing", name)
	}
	m[name] = &fstest.MapFile{Data: []byte(after)}
}

// replaceLine replaces the first line matching re.
func replaceLine(re, with string) func(string) string {
	r := regexp.MustCompile(re)
	return func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if r.MatchString(l) {
				lines[i] = r.ReplaceAllString(l, with)
				break
			}
		}
		return strings.Join(lines, "\n")
	}
}

func lineOf(t *testing.T, m fstest.MapFS, name, re string) int {
	t.Helper()
	r := regexp.MustCompile(re)
	for i, l := range strings.Split(string(m[name].Data), "\n") {
		if r.MatchString(l) {
			return i + 1
		}
	}
	t.Fatalf("%s has no line matching %s", name, re)
	return 0
}

func firstQuestionOfKind(t *testing.T, m fstest.MapFS, kind quiz.Kind) string {
	t.Helper()
	cat, err := Load(m)
	if err != nil {
		t.Fatalf("the test content does not load: %v", err)
	}
	core, _ := cat.Module("core")
	for _, q := range core.In("fr").Bank {
		if q.Kind == kind {
			return q.ID
		}
	}
	t.Fatalf("no %s question", kind)
	return ""
}

func TestLoaderReportsFileAndLine(t *testing.T) {
	base := testFS(t)
	if _, err := Load(base); err != nil {
		t.Fatalf("the unedited test content fails: %v", err)
	}
	single := firstQuestionOfKind(t, base, quiz.Single)
	scenario := firstQuestionOfKind(t, base, quiz.Scenario)

	tests := []struct {
		name string
		// change edits a copy of the content and returns the file and the line the
		// error must point at (0: any line) and a part of the message.
		change func(m fstest.MapFS) (file string, line int, msg string)
	}{
		{"missing language", func(m fstest.MapFS) (string, int, string) {
			delete(m, "core/de.toml")
			return "core/module.toml", 1, "language de is missing"
		}},
		{"missing prompt in one language", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/nl.toml", replaceLine(`^prompt(\s*=)`, `promptx$1`))
			return "core/nl.toml", 0, "prompt is missing"
		}},
		{"extra question in a language", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/en.toml", func(s string) string { return s + "\n[questions.not-in-structure]\nprompt = \"x\"\n" })
			return "core/en.toml", strings.Count(string(m["core/en.toml"].Data), "\n") - 1, `question "not-in-structure" is not in module.toml`
		}},
		{"answer key not an option", func(m fstest.MapFS) (string, int, string) {
			id := regexp.QuoteMeta(single)
			line := lineOf(t, m, "core/module.toml", `^\s*id\s*=\s*"`+id+`"`)
			lines := strings.Split(string(m["core/module.toml"].Data), "\n")
			for i := line; i < len(lines); i++ {
				if regexp.MustCompile(`^\s*answer\s*=`).MatchString(lines[i]) {
					lines[i] = `answer = ["zz"]`
					m["core/module.toml"] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
					return "core/module.toml", i + 1, `answer "zz" is not one of the options`
				}
			}
			t.Fatal("no answer line")
			return "", 0, ""
		}},
		{"citation outside the report", func(m fstest.MapFS) (string, int, string) {
			line := lineOf(t, m, "core/module.toml", `lines\s*=\s*\[`)
			edit(t, m, "core/module.toml", replaceLine(`lines\s*=\s*\[\s*\d+\s*,\s*\d+\s*\]`, "lines = [3500, 3600]"))
			return "core/module.toml", line, "citation lines [3500 3600]"
		}},
		{"scenario dead end", func(m fstest.MapFS) (string, int, string) {
			start := lineOf(t, m, "core/module.toml", `^\s*id\s*=\s*"`+regexp.QuoteMeta(scenario)+`"`)
			lines := strings.Split(string(m["core/module.toml"].Data), "\n")
			for i := start; i < len(lines); i++ {
				if regexp.MustCompile(`^\s*next\s*=\s*"[^"]+"`).MatchString(lines[i]) {
					lines[i] = `next = "nowhere"`
					m["core/module.toml"] = &fstest.MapFile{Data: []byte(strings.Join(lines, "\n"))}
					return "core/module.toml", 0, `leads to "nowhere", which is not a step (dead end)`
				}
			}
			t.Fatal("no next line")
			return "", 0, ""
		}},
		{"bank smaller than the quiz", func(m fstest.MapFS) (string, int, string) {
			line := lineOf(t, m, "core/module.toml", `^quiz_size\s*=`)
			edit(t, m, "core/module.toml", replaceLine(`^quiz_size\s*=.*`, "quiz_size = 500"))
			return "core/module.toml", line, "it must hold more than quiz_size (500)"
		}},
		{"duplicate question id", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/module.toml", func(s string) string {
				return strings.Replace(s, `id = "`+firstQuestionOfKind(t, base, quiz.TrueFalse)+`"`, `id = "`+single+`"`, 1)
			})
			return "core/module.toml", 0, "appears twice"
		}},
		{"unknown key", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/module.toml", func(s string) string { return "colour = \"blue\"\n" + s })
			return "core/module.toml", 1, `unknown key "colour"`
		}},
		{"TOML syntax error", func(m fstest.MapFS) (string, int, string) {
			line := lineOf(t, m, "core/fr.toml", `^prompt\s*=`)
			edit(t, m, "core/fr.toml", replaceLine(`^prompt\s*=.*`, `prompt = "unterminated`))
			return "core/fr.toml", line, ""
		}},
		{"wrong option without why", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/de.toml", func(s string) string {
				return regexp.MustCompile(`,\s*why\s*=\s*"(?:[^"\\]|\\.)*"`).ReplaceAllLiteralString(s, "")
			})
			return "core/de.toml", 0, "needs why"
		}},
		{"too few lessons", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/module.toml", func(s string) string {
				// Keep the first two lessons: cut from the third lesson to the questions.
				third := strings.Index(s, "[[lessons]]")
				for range 2 {
					third += strings.Index(s[third+1:], "[[lessons]]") + 1
				}
				return s[:third] + s[strings.Index(s, "[[questions]]"):]
			})
			return "core/module.toml", 1, "lessons, has 2"
		}},
		{"a question type unused", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "core/module.toml", func(s string) string { return strings.ReplaceAll(s, `type = "matching"`, `type = "single"`) })
			return "core/module.toml", 1, "no matching question"
		}},
		{"quiz too short", func(m fstest.MapFS) (string, int, string) {
			line := lineOf(t, m, "core/module.toml", `^quiz_size\s*=`)
			edit(t, m, "core/module.toml", replaceLine(`^quiz_size\s*=.*`, "quiz_size = 5"))
			return "core/module.toml", line, "quiz_size 5 must be from 12 to 15"
		}},
		{"glossary term missing a language", func(m fstest.MapFS) (string, int, string) {
			edit(t, m, "glossary.toml", func(s string) string { return strings.Replace(s, "[terms.de]", "[terms.xx]", 1) })
			return "glossary.toml", 0, "lacks its term or definition in de"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fstest.MapFS{}
			for k, v := range base {
				m[k] = &fstest.MapFile{Data: v.Data}
			}
			file, line, msg := tt.change(m)
			_, err := Load(m)
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			for _, e := range errs {
				if e.File == file && (line == 0 || e.Line == line) && strings.Contains(e.Msg, msg) {
					return
				}
			}
			t.Errorf("no error %s:%d: ...%s...; got:\n%v", file, line, msg, err)
		})
	}
}

func TestUnbalancedAnswerPositionsAreRefused(t *testing.T) {
	m := testFS(t)
	// Move every single-choice answer to the first position by renaming option ids:
	// simplest is to rewrite each single question's answer to its first option.
	src := string(m["core/module.toml"].Data)
	re := regexp.MustCompile(`(?s)type = "single"(.*?)options = \["([^"]+)"(.*?)answer = \["[^"]+"\]`)
	src = re.ReplaceAllString(src, `type = "single"${1}options = ["${2}"${3}answer = ["${2}"]`)
	m["core/module.toml"] = &fstest.MapFile{Data: []byte(src)}
	_, err := Load(m)
	if err == nil || !strings.Contains(err.Error(), "unbalanced answer positions") {
		t.Fatalf("got %v", err)
	}
}

// FuzzLoad feeds arbitrary structure files to the loader: it must never panic, and
// whatever it accepts must draw a valid quiz.
func FuzzLoad(f *testing.F) {
	base := fstest.MapFS{}
	fs.WalkDir(Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := fs.ReadFile(Embedded(), p)
			base[p] = &fstest.MapFile{Data: data}
		}
		return nil
	})
	fillLanguages(base)
	f.Add(string(base["core/module.toml"].Data))
	f.Add("id = \"core\"\n[[questions]]\nid = \"q\"\ntype = \"scenario\"\nstart = \"a\"\n[[questions.steps]]\nid = \"a\"\n")
	f.Add("[[lessons]]\n[[lessons.sections]]\ncite = { lines = [0] }\n")
	f.Fuzz(func(t *testing.T, structure string) {
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		m["core/module.toml"] = &fstest.MapFile{Data: []byte(structure)}
		cat, err := Load(m)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is not Errors: %v", err)
			}
			for _, e := range errs {
				if e.Line < 1 {
					t.Fatalf("error without a line: %v", e)
				}
			}
			return
		}
		for _, mod := range cat.Modules {
			for _, q := range mod.In("fr").Bank {
				if ps := q.Check(); len(ps) > 0 {
					t.Fatalf("accepted a broken question: %v", ps)
				}
			}
		}
	})
}

// BenchmarkLoadContent loads and validates every module in every language, as the app
// does at start. Target: under 100 ms.
func BenchmarkLoadContent(b *testing.B) {
	for b.Loop() {
		if _, err := LoadEmbedded(); err != nil {
			b.Fatal(err)
		}
	}
}
