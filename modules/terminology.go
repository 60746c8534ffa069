package modules

import (
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Forbidden is a wording that must not appear in one language's texts (terminology.toml).
type Forbidden struct {
	Lang    string
	Pattern *regexp.Regexp
	Use     string // what to write instead
}

type forbiddenFile struct {
	Lang    string `toml:"lang"`
	Pattern string `toml:"pattern"`
	Use     string `toml:"use"`
	Note    string `toml:"note"`
}

type termEntryFile struct {
	ID   string `toml:"id"`
	FR   string `toml:"fr"`
	NL   string `toml:"nl"`
	EN   string `toml:"en"`
	DE   string `toml:"de"`
	Note string `toml:"note"`
}

type terminologyFile struct {
	Terms     []termEntryFile `toml:"terms"`
	Forbidden []forbiddenFile `toml:"forbidden"`
}

// loadForbidden reads the forbidden wordings of terminology.toml.
func loadForbidden(fsys fs.FS, name string) ([]Forbidden, Errors) {
	var tf terminologyFile
	src, errs := decode(fsys, name, &tf)
	if src == nil {
		return nil, errs
	}
	lines := src.headers("[[forbidden]]")
	var out []Forbidden
	for i, f := range tf.Forbidden {
		line := at(lines, i)
		if !slices.Contains(Languages, f.Lang) {
			errs = append(errs, src.errorf(line, "forbidden wording for unknown language %q", f.Lang))
			continue
		}
		re, err := regexp.Compile(f.Pattern)
		if err != nil || f.Pattern == "" {
			errs = append(errs, src.errorf(line, "forbidden wording %q is not a regular expression: %v", f.Pattern, err))
			continue
		}
		if strings.TrimSpace(f.Use) == "" {
			errs = append(errs, src.errorf(line, "forbidden wording %q does not say what to use instead", f.Pattern))
		}
		out = append(out, Forbidden{Lang: f.Lang, Pattern: re, Use: f.Use})
	}
	return out, errs
}

// checkAllWording checks every text file of the content against the wordings that
// terminology.toml forbids.
func checkAllWording(fsys fs.FS) Errors {
	forbidden, errs := loadForbidden(fsys, "terminology.toml")
	for _, name := range []string{"glossary.toml", indicatorsFile} {
		errs = append(errs, checkWording(fsys, name, "", forbidden)...)
	}
	dirs, _ := fs.Glob(fsys, "*/module.toml")
	for _, p := range dirs {
		for _, lang := range Languages {
			errs = append(errs, checkWording(fsys, path.Dir(p)+"/"+lang+".toml", lang, forbidden)...)
		}
	}
	return errs
}

// checkWording reports every line of a content file that uses a forbidden wording of its
// language. lang is the file's language, or "" for a file that holds every language in
// tables named after them ([terms.fr], [indicators.nl.workplace]): each line is then
// checked in the language of the table it is in. Comments are not learner text.
func checkWording(fsys fs.FS, name, lang string, forbidden []Forbidden) Errors {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil // reported by the loader of that file
	}
	src := newSource(name, data)
	var errs Errors
	current := lang
	for i, l := range src.lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "#") {
			continue
		}
		if lang == "" && strings.HasPrefix(t, "[") {
			current = tableLanguage(t)
		}
		if current == "" {
			continue
		}
		for _, f := range forbidden {
			if f.Lang == current {
				if m := f.Pattern.FindString(l); m != "" {
					m = strings.TrimFunc(m, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
					errs = append(errs, src.errorf(i+1, "forbidden wording in %s: %q; write %s", current, m, f.Use))
				}
			}
		}
	}
	return errs
}

// tableLanguage is the language a table header names as one of its parts, e.g. "fr" for
// "[indicators.fr.workplace]", or "" for a header that names none.
func tableLanguage(header string) string {
	for _, part := range strings.Split(strings.Trim(header, "[] "), ".") {
		if slices.Contains(Languages, part) {
			return part
		}
	}
	return ""
}
