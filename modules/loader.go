package modules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/pelletier/go-toml/v2"

	"indicia/quiz"
)

// The structure file of a module (module.toml).
type citeFile struct {
	Section string `toml:"section"`
	Lines   []int  `toml:"lines"`
}

type sectionFile struct {
	ID      string    `toml:"id"`
	Cite    *citeFile `toml:"cite"`
	General string    `toml:"general"`
	// Indicators are the catalogue's signs the section teaches.
	Indicators []string `toml:"indicators"`
}

type lessonFile struct {
	ID       string        `toml:"id"`
	Sections []sectionFile `toml:"sections"`
}

type choiceFile struct {
	ID   string `toml:"id"`
	Good bool   `toml:"good"`
	Next string `toml:"next"`
}

type stepFile struct {
	ID      string       `toml:"id"`
	Choices []choiceFile `toml:"choices"`
}

type questionFile struct {
	ID         string            `toml:"id"`
	Type       string            `toml:"type"`
	Skill      string            `toml:"skill"`
	Topic      string            `toml:"topic"`
	Indicators []string          `toml:"indicators"`
	Workplace  bool              `toml:"workplace"`
	Signs      map[string]string `toml:"signs"`
	Cite       *citeFile         `toml:"cite"`
	General    string            `toml:"general"`
	Options    []string          `toml:"options"`
	Targets    []string          `toml:"targets"`
	Answer     []string          `toml:"answer"`
	Pairs      map[string]string `toml:"pairs"`
	Start      string            `toml:"start"`
	Steps      []stepFile        `toml:"steps"`
}

type moduleFile struct {
	ID         string         `toml:"id"`
	Order      int            `toml:"order"`
	Audience   string         `toml:"audience"`
	Version    string         `toml:"version"`
	Source     string         `toml:"source"`
	SourceDate string         `toml:"source_date"`
	PassMark   int            `toml:"pass_mark"`
	QuizSize   int            `toml:"quiz_size"`
	Lessons    []lessonFile   `toml:"lessons"`
	Questions  []questionFile `toml:"questions"`
}

// A language file of a module (fr.toml, ...).
type optionText struct {
	Text     string `toml:"text"`
	Why      string `toml:"why"`
	Feedback string `toml:"feedback"`
}

type stepText struct {
	Text    string                `toml:"text"`
	Choices map[string]optionText `toml:"choices"`
}

type questionText struct {
	Prompt      string                `toml:"prompt"`
	Intro       string                `toml:"intro"`
	Situation   string                `toml:"situation"`
	Explanation string                `toml:"explanation"`
	WhyTrue     string                `toml:"why_true"`
	WhyFalse    string                `toml:"why_false"`
	Options     map[string]optionText `toml:"options"`
	Targets     map[string]optionText `toml:"targets"`
	Steps       map[string]stepText   `toml:"steps"`
}

type sectionText struct {
	Title string `toml:"title"`
	Body  string `toml:"body"`
}

type lessonText struct {
	Title    string                 `toml:"title"`
	Sections map[string]sectionText `toml:"sections"`
}

type languageFile struct {
	Module struct {
		Title   string `toml:"title"`
		Summary string `toml:"summary"`
	} `toml:"module"`
	Lessons   map[string]lessonText   `toml:"lessons"`
	Questions map[string]questionText `toml:"questions"`
}

// What every module must hold.
const (
	MinLessons, MaxLessons   = 3, 6
	MinQuizSize, MaxQuizSize = 12, 15
	MinBank                  = 30
	MinScenarios             = 2
)

// Load reads and validates every module, the indicator catalogue and the glossary from
// fsys (the layout of README.md): everything the app needs to show the content and grade
// it. It returns Errors listing every problem found, each as file:line: message.
func Load(fsys fs.FS) (*Catalog, error) {
	cat, err := load(fsys)
	if err != nil {
		return nil, err
	}
	return cat, nil
}

// Check is Load with the editorial rules of the whole content besides (what the banks
// train, every indicator taught and tested, see targets.go; the wordings terminology.toml
// forbids), as `indicia content check` and the content tests apply them to the shipped
// content. They are not checked at every start: the shipped content passed them before
// it was built in, and matching every line against the forbidden wordings would take
// the start-up's whole content budget. A part of the content
// loaded on its own (one module, in a test) need not meet them. It also reports the
// content's make-up, even when the content has errors.
func Check(fsys fs.FS) (Report, error) {
	cat, err := load(fsys)
	if cat == nil {
		return Report{}, err
	}
	var errs Errors
	errors.As(err, &errs)
	errs = append(errs, checkAllWording(fsys)...)
	if cat.indicators != nil {
		errs = append(errs, checkIndicatorUse(fsys, cat)...)
	}
	errs = append(errs, checkTargets(cat)...)
	errs = append(errs, checkMeasurements(cat)...)
	if len(errs) > 0 {
		return cat.Report(), errs
	}
	return cat.Report(), nil
}

// load reads and validates the content. With Errors it also returns what it could read,
// for Check's report; with any other error, no catalog.
func load(fsys fs.FS) (*Catalog, error) {
	var errs Errors
	cat := &Catalog{}
	dirs, err := fs.Glob(fsys, "*/module.toml")
	if err != nil {
		return nil, err
	}
	if len(dirs) == 0 {
		return nil, Errors{{File: "modules", Line: 1, Msg: "no module found (want <id>/module.toml)"}}
	}
	inds, es := loadIndicators(fsys, indicatorsFile)
	errs = append(errs, es...)
	cat.indicators = inds
	known := map[string]bool{}
	for _, ind := range inds {
		known[ind.ID] = true
	}
	// Modules load in parallel (parsing TOML is most of the start-up's content work);
	// results are gathered in folder order, so errors come out the same every time.
	loaded := make([]*Module, len(dirs))
	found := make([]Errors, len(dirs))
	var wg sync.WaitGroup
	for i, p := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			loaded[i], found[i] = loadModule(fsys, path.Dir(p), known)
		}()
	}
	wg.Wait()
	for i := range dirs {
		errs = append(errs, found[i]...)
		if loaded[i] != nil {
			cat.Modules = append(cat.Modules, loaded[i])
		}
	}
	slices.SortStableFunc(cat.Modules, func(a, b *Module) int { return a.Order - b.Order })
	for i := 1; i < len(cat.Modules); i++ {
		if cat.Modules[i].Order == cat.Modules[i-1].Order {
			errs = append(errs, Error{File: cat.Modules[i].ID + "/module.toml", Line: 1,
				Msg: fmt.Sprintf("order %d is also used by module %q", cat.Modules[i].Order, cat.Modules[i-1].ID)})
		}
	}
	g, es := loadGlossary(fsys, "glossary.toml")
	errs = append(errs, es...)
	cat.glossary = g
	if len(errs) > 0 {
		return cat, errs
	}
	return cat, nil
}

// indicatorsFile is the indicator catalogue's file.
const indicatorsFile = "indicators.toml"

// decode reads a TOML file into v. Unknown keys are errors: a misspelt key would
// otherwise be silently ignored. (pelletier/go-toml is used rather than BurntSushi/toml
// because parsing is most of the start-up's content work, and it parses several times
// faster.)
func decode(fsys fs.FS, name string, v any) (*source, Errors) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, Errors{{File: name, Line: 1, Msg: "cannot read: " + err.Error()}}
	}
	src := newSource(name, data)
	err = toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(v)
	var strict *toml.StrictMissingError
	var derr *toml.DecodeError
	switch {
	case err == nil:
		return src, nil
	case errors.As(err, &strict):
		var errs Errors
		for _, e := range strict.Errors {
			row, _ := e.Position()
			errs = append(errs, src.errorf(row, "unknown key %q", strings.Join(e.Key(), ".")))
		}
		return src, errs
	case errors.As(err, &derr):
		row, _ := derr.Position()
		return src, Errors{src.errorf(row, "%s", derr.Error())}
	}
	return src, Errors{src.errorf(1, "%v", err)}
}

func checkCite(src *source, line int, c *citeFile, general string, what string) (quiz.Citation, *Error) {
	if c == nil {
		if strings.TrimSpace(general) == "" {
			e := src.errorf(line, "%s has no citation (cite) and is not marked as general guidance (general)", what)
			return quiz.Citation{}, &e
		}
		return quiz.Citation{}, nil
	}
	if strings.TrimSpace(c.Section) == "" {
		e := src.errorf(line, "%s: the citation needs the report's section title", what)
		return quiz.Citation{}, &e
	}
	if len(c.Lines) != 2 || c.Lines[0] < 1 || c.Lines[0] > c.Lines[1] || c.Lines[1] > ReportLines {
		e := src.errorf(line, "%s: citation lines %v must be [from, to] with 1 <= from <= to <= %d", what, c.Lines, ReportLines)
		return quiz.Citation{}, &e
	}
	if n := c.Lines[1] - c.Lines[0] + 1; n > MaxCitationLines {
		e := src.errorf(line, "%s: citation lines %v span %d lines, more than %d: cite the passage itself", what, c.Lines, n, MaxCitationLines)
		return quiz.Citation{}, &e
	}
	return quiz.Citation{Section: c.Section, From: c.Lines[0], To: c.Lines[1]}, nil
}

// loadModule reads and checks one module; known holds the catalogue's indicator ids.
func loadModule(fsys fs.FS, dir string, known map[string]bool) (*Module, Errors) {
	name := dir + "/module.toml"
	var mf moduleFile
	src, errs := decode(fsys, name, &mf)
	if src == nil || (len(errs) > 0 && len(mf.Questions) == 0 && mf.ID == "") {
		return nil, errs
	}
	m := &Module{
		ID: mf.ID, Order: mf.Order, Audience: Role(mf.Audience), Version: mf.Version,
		Source: mf.Source, SourceDate: mf.SourceDate, PassMark: mf.PassMark, QuizSize: mf.QuizSize,
		texts: map[string]*Text{},
	}
	if m.PassMark == 0 {
		m.PassMark = quiz.DefaultPassMark
	}
	top := func(key string) int { return src.keyIn(1, 0, key) }
	if mf.ID != dir {
		errs = append(errs, src.errorf(top("id"), "module id %q must equal its folder name %q", mf.ID, dir))
	}
	if m.Audience != RoleAll && !ValidRole(m.Audience) {
		errs = append(errs, src.errorf(top("audience"), "audience %q is not one of all, police, hospital, guardian, fedasil", mf.Audience))
	}
	for _, f := range []struct{ key, val string }{{"version", mf.Version}, {"source", mf.Source}, {"source_date", mf.SourceDate}} {
		if strings.TrimSpace(f.val) == "" {
			errs = append(errs, src.errorf(1, "%s is missing", f.key))
		}
	}
	if m.PassMark < 1 || m.PassMark > 100 {
		errs = append(errs, src.errorf(top("pass_mark"), "pass_mark %d must be a percentage from 1 to 100", mf.PassMark))
	}
	if mf.QuizSize < 1 {
		errs = append(errs, src.errorf(top("quiz_size"), "quiz_size must be at least 1"))
	} else if len(mf.Questions) <= mf.QuizSize {
		errs = append(errs, src.errorf(top("quiz_size"), "the bank holds %d questions: it must hold more than quiz_size (%d)", len(mf.Questions), mf.QuizSize))
	}
	if len(mf.Lessons) < MinLessons || len(mf.Lessons) > MaxLessons {
		errs = append(errs, src.errorf(1, "a module needs %d to %d lessons, has %d", MinLessons, MaxLessons, len(mf.Lessons)))
	}
	if mf.QuizSize < MinQuizSize || mf.QuizSize > MaxQuizSize {
		errs = append(errs, src.errorf(top("quiz_size"), "quiz_size %d must be from %d to %d", mf.QuizSize, MinQuizSize, MaxQuizSize))
	}
	if len(mf.Questions) < MinBank {
		errs = append(errs, src.errorf(1, "the bank holds %d questions, fewer than %d", len(mf.Questions), MinBank))
	}
	kinds := map[quiz.Kind]int{}
	for _, q := range mf.Questions {
		kinds[quiz.Kind(q.Type)]++
	}
	for _, k := range quiz.Kinds {
		if kinds[k] == 0 {
			errs = append(errs, src.errorf(1, "the module has no %s question: every type must be used", k))
		}
	}
	if kinds[quiz.Scenario] < MinScenarios {
		errs = append(errs, src.errorf(1, "the module has %d case scenarios, fewer than %d", kinds[quiz.Scenario], MinScenarios))
	}

	// Lessons.
	lessonLines := src.headers("[[lessons]]")
	sectionLines := src.headers("[[lessons.sections]]")
	lessonIDs := map[string]bool{}
	si := 0
	for li, l := range mf.Lessons {
		line := at(lessonLines, li)
		if !validID(l.ID) {
			errs = append(errs, src.errorf(line, "lesson id %q must be a lowercase slug", l.ID))
		}
		if lessonIDs[l.ID] {
			errs = append(errs, src.errorf(line, "lesson id %q appears twice", l.ID))
		}
		lessonIDs[l.ID] = true
		if len(l.Sections) == 0 {
			errs = append(errs, src.errorf(line, "lesson %q has no sections", l.ID))
		}
		secIDs := map[string]bool{}
		for _, s := range l.Sections {
			sline := at(sectionLines, si)
			si++
			if !validID(s.ID) || secIDs[s.ID] {
				errs = append(errs, src.errorf(sline, "section id %q of lesson %q is not a unique lowercase slug", s.ID, l.ID))
			}
			secIDs[s.ID] = true
			if _, e := checkCite(src, src.keyIn(sline, at(sectionLines, si), "cite"), s.Cite, s.General, "section "+l.ID+"/"+s.ID); e != nil {
				errs = append(errs, *e)
			}
			if hasDuplicates(s.Indicators) {
				errs = append(errs, src.errorf(src.keyIn(sline, at(sectionLines, si), "indicators"), "section %s/%s lists an indicator twice", l.ID, s.ID))
			}
			for _, id := range s.Indicators {
				if !known[id] {
					errs = append(errs, src.errorf(src.keyIn(sline, at(sectionLines, si), "indicators"), "section %s/%s: %q is not in the indicator catalogue", l.ID, s.ID, id))
				}
			}
		}
	}

	// Questions: structure.
	qLines := src.headers("[[questions]]")
	bank := make([]quiz.Question, 0, len(mf.Questions))
	qIDs := map[string]bool{}
	for qi, qf := range mf.Questions {
		line, next := at(qLines, qi), at(qLines, qi+1)
		field := func(key string) int { return src.keyIn(line, next, key) }
		if !validID(qf.ID) {
			errs = append(errs, src.errorf(line, "question id %q must be a lowercase slug", qf.ID))
		}
		if qIDs[qf.ID] {
			errs = append(errs, src.errorf(field("id"), "question id %q appears twice", qf.ID))
		}
		qIDs[qf.ID] = true
		if !validID(qf.Topic) {
			errs = append(errs, src.errorf(field("topic"), "question %s: topic %q must be a lowercase slug (what the question is about)", qf.ID, qf.Topic))
		}
		if !quiz.Skill(qf.Skill).Valid() {
			errs = append(errs, src.errorf(field("skill"), "question %s: skill %q must be one of %v", qf.ID, qf.Skill, quiz.Skills))
		}
		if hasDuplicates(qf.Indicators) {
			errs = append(errs, src.errorf(field("indicators"), "question %s lists an indicator twice", qf.ID))
		}
		for _, id := range qf.Indicators {
			if !known[id] {
				errs = append(errs, src.errorf(field("indicators"), "question %s: %q is not in the indicator catalogue", qf.ID, id))
			}
		}
		cite, e := checkCite(src, field("cite"), qf.Cite, qf.General, "question "+qf.ID)
		if e != nil {
			errs = append(errs, *e)
		}
		q := quiz.Question{
			ID: qf.ID, Kind: quiz.Kind(qf.Type), Skill: quiz.Skill(qf.Skill), Topic: qf.Topic,
			Indicators: qf.Indicators, Workplace: qf.Workplace, Citation: cite, General: qf.General,
			Answer: qf.Answer, Pairs: qf.Pairs, Start: qf.Start, Signs: qf.Signs,
		}
		if q.Kind == quiz.Spot {
			// The answer of a spot question is its signs, in reading order.
			if len(qf.Answer) > 0 {
				errs = append(errs, src.errorf(field("answer"), "question %s: a spot question has no answer key: its signs are the answer", qf.ID))
			}
			q.Answer = nil
			for _, id := range qf.Options {
				if _, ok := qf.Signs[id]; ok {
					q.Answer = append(q.Answer, id)
				}
			}
			for _, ind := range qf.Signs {
				if !slices.Contains(qf.Indicators, ind) {
					errs = append(errs, src.errorf(field("indicators"), "question %s: sign indicator %q is not among the question's indicators", qf.ID, ind))
				}
			}
		}
		if q.Kind == quiz.TrueFalse {
			q.Options = []quiz.Option{{ID: quiz.True}, {ID: quiz.False}}
		} else {
			for _, id := range qf.Options {
				q.Options = append(q.Options, quiz.Option{ID: id})
			}
		}
		for _, id := range qf.Targets {
			q.Targets = append(q.Targets, quiz.Option{ID: id})
		}
		for _, sf := range qf.Steps {
			st := quiz.Step{ID: sf.ID}
			for _, cf := range sf.Choices {
				st.Choices = append(st.Choices, quiz.Choice{ID: cf.ID, Good: cf.Good, Next: cf.Next})
			}
			q.Steps = append(q.Steps, st)
		}
		for _, p := range q.Check() {
			fl := line
			if stepID, ok := strings.CutPrefix(p.Field, "steps."); ok {
				fl = src.valueIn(line, next, "id", stepID)
			} else if p.Field != "" {
				fl = field(p.Field)
			}
			errs = append(errs, src.errorf(fl, "question %s: %s", qf.ID, p.Message))
		}
		bank = append(bank, q)
	}
	errs = append(errs, checkBalance(src, mf, qLines)...)

	// Texts, one file per language, read in parallel.
	texts := make([]*Text, len(Languages))
	textErrs := make([]Errors, len(Languages))
	var wg sync.WaitGroup
	for i, lang := range Languages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			texts[i], textErrs[i] = loadText(fsys, dir, lang, mf, bank)
		}()
	}
	wg.Wait()
	for i, lang := range Languages {
		errs = append(errs, textErrs[i]...)
		if texts[i] != nil {
			m.texts[lang] = texts[i]
		}
	}
	m.structure = bank
	return m, errs
}

// checkBalance refuses a bank whose right answers sit mostly in one position, which
// learners learn to guess: among single-choice questions no position may hold more than
// half the answers, and true/false answers may not be more than three quarters one way.
func checkBalance(src *source, mf moduleFile, qLines []int) Errors {
	var errs Errors
	positions := map[int]int{}
	singles, trues, tfs := 0, 0, 0
	for _, q := range mf.Questions {
		switch quiz.Kind(q.Type) {
		case quiz.Single:
			if len(q.Answer) == 1 {
				if i := slices.Index(q.Options, q.Answer[0]); i >= 0 {
					positions[i]++
					singles++
				}
			}
		case quiz.TrueFalse:
			tfs++
			if slices.Equal(q.Answer, []string{quiz.True}) {
				trues++
			}
		}
	}
	if singles >= 6 {
		for pos, n := range positions {
			if n*2 > singles {
				errs = append(errs, src.errorf(at(qLines, 0), "unbalanced answer positions: %d of %d single-choice answers are option %d", n, singles, pos+1))
			}
		}
	}
	if tfs >= 4 && (trues*4 > tfs*3 || (tfs-trues)*4 > tfs*3) {
		errs = append(errs, src.errorf(at(qLines, 0), "unbalanced true/false answers: %d true of %d", trues, tfs))
	}
	return errs
}

func at(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

func validID(id string) bool {
	if id == "" {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

func hasDuplicates(ids []string) bool {
	s := slices.Clone(ids)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(ids)
}
