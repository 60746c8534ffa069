package modules

import (
	"io/fs"
	"strings"
)

type termText struct {
	Term       string `toml:"term"`
	Expansion  string `toml:"expansion"`
	Definition string `toml:"definition"`
}

type termFile struct {
	ID   string    `toml:"id"`
	Cite *citeFile `toml:"cite"`
	FR   *termText `toml:"fr"`
	NL   *termText `toml:"nl"`
	EN   *termText `toml:"en"`
	DE   *termText `toml:"de"`
}

type glossaryFile struct {
	Terms []termFile `toml:"terms"`
}

// loadGlossary reads the glossary: every term cited and written in every language.
func loadGlossary(fsys fs.FS, name string) (map[string][]Term, Errors) {
	var gf glossaryFile
	src, errs := decode(fsys, name, &gf)
	if src == nil {
		return nil, errs
	}
	if len(gf.Terms) == 0 {
		errs = append(errs, src.errorf(1, "the glossary has no terms"))
	}
	out := map[string][]Term{}
	lines := src.headers("[[terms]]")
	seen := map[string]bool{}
	for i, tf := range gf.Terms {
		line := at(lines, i)
		if !validID(tf.ID) || seen[tf.ID] {
			errs = append(errs, src.errorf(line, "term id %q is not a unique lowercase slug", tf.ID))
		}
		seen[tf.ID] = true
		cite, e := checkCite(src, src.keyIn(line, at(lines, i+1), "cite"), tf.Cite, "", "term "+tf.ID)
		if e != nil {
			errs = append(errs, *e)
		}
		for _, lang := range Languages {
			tt := map[string]*termText{"fr": tf.FR, "nl": tf.NL, "en": tf.EN, "de": tf.DE}[lang]
			if tt == nil || strings.TrimSpace(tt.Term) == "" || strings.TrimSpace(tt.Definition) == "" {
				errs = append(errs, src.errorf(line, "term %q lacks its term or definition in %s", tf.ID, lang))
				continue
			}
			out[lang] = append(out[lang], Term{ID: tf.ID, Term: tt.Term, Expansion: tt.Expansion, Definition: tt.Definition, Cite: cite})
		}
	}
	return out, errs
}
