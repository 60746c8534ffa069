package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"indicia/modules"
)

// contentFS is a copy of the shipped content.
func contentFS(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	err := fs.WalkDir(modules.Embedded(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(modules.Embedded(), p)
		m[p] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// jsonReport is the shape issue 10 gives `content check --json`.
type jsonReport struct {
	Modules []struct {
		ID        string         `json:"id"`
		Questions int            `json:"questions"`
		Skills    map[string]int `json:"skills"`
		Spot      int            `json:"spot"`
	} `json:"modules"`
	Indicators []struct {
		ID       string `json:"id"`
		Source   string `json:"source"`
		Taught   bool   `json:"taught"`
		TestedBy int    `json:"tested_by"`
	} `json:"indicators"`
}

func TestContentCheckPrintsTheMixAndJSON(t *testing.T) {
	var out, errs bytes.Buffer
	if code := checkContent(contentFS(t), []string{"check"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if !strings.HasPrefix(lines[0], "ok: ") || len(lines) != 6 {
		t.Fatalf("want a summary line and one mix line per module, got:\n%s", out.String())
	}
	for _, l := range lines[1:] {
		if !strings.Contains(l, "recognise") || !strings.Contains(l, "context") || !strings.Contains(l, "spot") {
			t.Errorf("mix line %q", l)
		}
	}

	out.Reset()
	if code := checkContent(contentFS(t), []string{"check", "--json"}, &out, &errs); code != 0 {
		t.Fatalf("--json exit %d: %s", code, errs.String())
	}
	var r jsonReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, out.String())
	}
	if len(r.Modules) != 5 || len(r.Indicators) < 20 {
		t.Fatalf("%d modules, %d indicators", len(r.Modules), len(r.Indicators))
	}
	total := 0
	for _, m := range r.Modules {
		sum := 0
		for _, k := range []string{"recognise", "act", "law", "context"} {
			if _, ok := m.Skills[k]; !ok {
				t.Errorf("%s: no %s count", m.ID, k)
			}
			sum += m.Skills[k]
		}
		if sum != m.Questions || m.Spot < 4 {
			t.Errorf("%s: skills add up to %d of %d questions; %d spot", m.ID, sum, m.Questions, m.Spot)
		}
		total += m.Questions
	}
	if total < 150 {
		t.Errorf("%d questions in all", total)
	}
	for _, ind := range r.Indicators {
		if ind.Source != "report" && ind.Source != "other" || !ind.Taught || ind.TestedBy < 3 {
			t.Errorf("indicator %+v", ind)
		}
	}
}

func TestContentCheckFailsBelowTheTargets(t *testing.T) {
	m := contentFS(t)
	// Every police question becomes a law question: far below 60 % recognise and act.
	src := string(m["police/module.toml"].Data)
	for _, s := range []string{"recognise", "act", "context"} {
		src = strings.ReplaceAll(src, `skill = "`+s+`"`, `skill = "law"`)
	}
	m["police/module.toml"] = &fstest.MapFile{Data: []byte(src)}
	for _, args := range [][]string{{"check"}, {"check", "--json"}} {
		var out, errs bytes.Buffer
		if code := checkContent(m, args, &out, &errs); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		if !strings.Contains(errs.String(), "modules/police/module.toml:1: recognise and act questions are 0 of") {
			t.Errorf("%v: stderr %s", args, errs.String())
		}
		if args[len(args)-1] == "--json" {
			var r jsonReport
			if err := json.Unmarshal(out.Bytes(), &r); err != nil || len(r.Modules) != 5 {
				t.Errorf("--json still prints the make-up on failure: %v\n%s", err, out.String())
			}
		}
	}
}
