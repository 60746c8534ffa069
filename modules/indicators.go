package modules

import (
	"io/fs"
	"slices"
	"strings"

	"indicia/quiz"
)

// Indicator is one warning sign of the catalogue (indicators.toml): a sign the report
// documents, or, when General is set, a sign from another public source, shown to
// learners as general guidance.
type Indicator struct {
	ID   string
	Cite quiz.Citation
	// General names the public source of a sign that is not in the report.
	General     string
	Professions []Role // the roles that meet this sign at work
	texts       map[string]*IndicatorText
}

// IndicatorText is an indicator in one language.
type IndicatorText struct {
	Title       string
	Description string
	Action      string // what to do, whom to alert, what not to do
	// Workplace says, for each profession that meets the sign, how it shows there.
	Workplace map[Role]string
}

// In returns the indicator's text in lang, falling back to French.
func (ind *Indicator) In(lang string) *IndicatorText {
	if t, ok := ind.texts[lang]; ok {
		return t
	}
	return ind.texts["fr"]
}

// FromReport reports whether the sign is documented in the report.
func (ind *Indicator) FromReport() bool { return ind.General == "" }

// What the catalogue must hold (issue "Train the eye").
const (
	MinIndicators            = 20
	MinReportIndicators      = 15
	MaxCitationLines         = 80 // a longer range cannot be checked by a reader
	MinQuestionsPerIndicator = 3
)

type indicatorTextFile struct {
	Title       string            `toml:"title"`
	Description string            `toml:"description"`
	Action      string            `toml:"action"`
	Workplace   map[string]string `toml:"workplace"`
}

type indicatorFile struct {
	ID          string             `toml:"id"`
	Cite        *citeFile          `toml:"cite"`
	General     string             `toml:"general"`
	Professions []string           `toml:"professions"`
	FR          *indicatorTextFile `toml:"fr"`
	NL          *indicatorTextFile `toml:"nl"`
	EN          *indicatorTextFile `toml:"en"`
	DE          *indicatorTextFile `toml:"de"`
}

type catalogueFile struct {
	Indicators []indicatorFile `toml:"indicators"`
}

// loadIndicators reads the indicator catalogue: every sign cited to the report (or named
// as general guidance with its source), written in every language, with how it shows in
// the workplace of each profession that meets it. The report's own signs come first.
func loadIndicators(fsys fs.FS, name string) ([]*Indicator, Errors) {
	var cf catalogueFile
	src, errs := decode(fsys, name, &cf)
	if src == nil {
		return nil, errs
	}
	lines := src.headers("[[indicators]]")
	seen := map[string]bool{}
	var out []*Indicator
	generalSeen := false
	reportCount := 0
	for i, f := range cf.Indicators {
		line, next := at(lines, i), at(lines, i+1)
		if !validID(f.ID) || seen[f.ID] {
			errs = append(errs, src.errorf(line, "indicator id %q is not a unique lowercase slug", f.ID))
		}
		seen[f.ID] = true
		ind := &Indicator{ID: f.ID, General: strings.TrimSpace(f.General), texts: map[string]*IndicatorText{}}
		cite, e := checkCite(src, src.keyIn(line, next, "cite"), f.Cite, f.General, "indicator "+f.ID)
		if e != nil {
			errs = append(errs, *e)
		}
		ind.Cite = cite
		switch {
		case ind.General != "" && f.Cite != nil:
			errs = append(errs, src.errorf(src.keyIn(line, next, "general"),
				"indicator %s has both a citation and a general source: a sign is either the report's or general guidance", f.ID))
		case ind.General != "":
			generalSeen = true
		default:
			reportCount++
			if generalSeen {
				errs = append(errs, src.errorf(line, "indicator %s is from the report but comes after general guidance: the report's signs come first", f.ID))
			}
		}
		if len(f.Professions) == 0 {
			errs = append(errs, src.errorf(line, "indicator %s names no profession that meets it", f.ID))
		}
		for _, p := range f.Professions {
			if !ValidRole(Role(p)) || slices.Contains(ind.Professions, Role(p)) {
				errs = append(errs, src.errorf(src.keyIn(line, next, "professions"), "indicator %s: profession %q is unknown or listed twice", f.ID, p))
				continue
			}
			ind.Professions = append(ind.Professions, Role(p))
		}
		for _, lang := range Languages {
			tf := map[string]*indicatorTextFile{"fr": f.FR, "nl": f.NL, "en": f.EN, "de": f.DE}[lang]
			tline := src.keyIn(line, next, "title")
			if h := src.headerIn(line, next, "[indicators."+lang+"]"); h > 0 {
				tline = h
			}
			if tf == nil {
				errs = append(errs, src.errorf(line, "indicator %s has no text in %s", f.ID, lang))
				continue
			}
			for _, fld := range []struct{ key, val string }{{"title", tf.Title}, {"description", tf.Description}, {"action", tf.Action}} {
				if strings.TrimSpace(fld.val) == "" {
					errs = append(errs, src.errorf(tline, "indicator %s lacks its %s in %s", f.ID, fld.key, lang))
				}
			}
			t := &IndicatorText{Title: tf.Title, Description: tf.Description, Action: tf.Action, Workplace: map[Role]string{}}
			for _, p := range ind.Professions {
				if strings.TrimSpace(tf.Workplace[string(p)]) == "" {
					errs = append(errs, src.errorf(tline, "indicator %s lacks how it shows in the %s workplace, in %s", f.ID, p, lang))
				}
				t.Workplace[p] = tf.Workplace[string(p)]
			}
			for p := range tf.Workplace {
				if !slices.Contains(ind.Professions, Role(p)) {
					errs = append(errs, src.errorf(tline, "indicator %s: workplace %q in %s is not one of its professions", f.ID, p, lang))
				}
			}
			ind.texts[lang] = t
		}
		out = append(out, ind)
	}
	if len(out) < MinIndicators {
		errs = append(errs, src.errorf(1, "the catalogue lists %d indicators, fewer than %d", len(out), MinIndicators))
	}
	if reportCount < MinReportIndicators {
		errs = append(errs, src.errorf(1, "%d indicators are cited to the report, fewer than %d", reportCount, MinReportIndicators))
	}
	return out, errs
}

// Indicators is the catalogue of warning signs, the report's first.
func (c *Catalog) Indicators() []*Indicator { return c.indicators }

// Indicator returns the catalogue's indicator with the given id.
func (c *Catalog) Indicator(id string) (*Indicator, bool) {
	for _, ind := range c.indicators {
		if ind.ID == id {
			return ind, true
		}
	}
	return nil, false
}
