package modules

import (
	"fmt"
	"io/fs"
	"slices"

	"indicia/quiz"
)

// What the question banks must train (issue "Train the eye"): recognising a sign and
// acting on it come first; dates, figures and plans are context, not the point.
const (
	MinRecogniseActPercent = 60  // of every module's bank
	MaxContextPercent      = 10  // of all questions
	MinWorkplaceRecognise  = 12  // recognise questions set in a profession module's own workplace
	MinTotalQuestions      = 150 // in all modules
	MinSpotTotal           = 24  // spot-the-signals items in all
	MinSpotPerModule       = 4
)

// Skills counts a bank's questions by skill.
type Skills struct {
	Recognise int `json:"recognise"`
	Act       int `json:"act"`
	Law       int `json:"law"`
	Context   int `json:"context"`
}

func (s *Skills) add(k quiz.Skill) {
	switch k {
	case quiz.Recognise:
		s.Recognise++
	case quiz.Act:
		s.Act++
	case quiz.Law:
		s.Law++
	case quiz.Context:
		s.Context++
	}
}

// ModuleMix is what one module's bank asks of the learner.
type ModuleMix struct {
	ID        string `json:"id"`
	Audience  Role   `json:"audience"`
	Questions int    `json:"questions"`
	Skills    Skills `json:"skills"`
	Spot      int    `json:"spot"`
	// WorkplaceRecognise counts the recognise questions set in the audience's workplace.
	WorkplaceRecognise int `json:"workplace_recognise"`
	// MeasuredIndicators counts the indicators that quiz.ItemsPerIndicator recognise or
	// act questions exercise or more: those the pre-test, the quiz and the refresher can
	// each ask about with a different question.
	MeasuredIndicators int `json:"measured_indicators"`
	// MeasuredSpots counts the spot-the-signals situations that measure a sign
	// (recognise or act, on an indicator).
	MeasuredSpots int `json:"measured_spots"`
}

// IndicatorUse says where the catalogue's indicator is taught and tested.
type IndicatorUse struct {
	ID       string `json:"id"`
	Source   string `json:"source"` // "report" or "other"
	Taught   bool   `json:"taught"`
	TestedBy int    `json:"tested_by"`
}

// Report is the content's make-up, as `indicia content check --json` prints it.
type Report struct {
	Modules    []ModuleMix    `json:"modules"`
	Indicators []IndicatorUse `json:"indicators"`
}

// Report counts the make-up of the catalog's content, from the modules' structure.
func (c *Catalog) Report() Report {
	r := Report{Modules: []ModuleMix{}, Indicators: []IndicatorUse{}}
	tested, taught := map[string]int{}, map[string]bool{}
	for _, m := range c.Modules {
		mix := ModuleMix{ID: m.ID, Audience: m.Audience, Questions: len(m.structure)}
		for _, q := range m.structure {
			mix.Skills.add(q.Skill)
			if q.Kind == quiz.Spot {
				mix.Spot++
			}
			if q.Skill == quiz.Recognise && q.Workplace {
				mix.WorkplaceRecognise++
			}
			for _, id := range q.Indicators {
				tested[id]++
			}
			if q.Kind == quiz.Spot && quiz.Measured(&q) {
				mix.MeasuredSpots++
			}
		}
		mix.MeasuredIndicators = len(m.MeasuredIndicators())
		if t := m.anyText(); t != nil {
			for _, l := range t.Lessons {
				for _, s := range l.Sections {
					for _, id := range s.Indicators {
						taught[id] = true
					}
				}
			}
		}
		r.Modules = append(r.Modules, mix)
	}
	for _, ind := range c.indicators {
		src := "report"
		if !ind.FromReport() {
			src = "other"
		}
		r.Indicators = append(r.Indicators, IndicatorUse{ID: ind.ID, Source: src, Taught: taught[ind.ID], TestedBy: tested[ind.ID]})
	}
	return r
}

// anyText is the module's text in the first language that loaded.
func (m *Module) anyText() *Text {
	for _, lang := range Languages {
		if t, ok := m.texts[lang]; ok {
			return t
		}
	}
	return nil
}

// MixLine is the skill mix of one module, as `indicia content check` prints it.
func (mm ModuleMix) MixLine() string {
	pct := func(n int) int {
		if mm.Questions == 0 {
			return 0
		}
		return n * 100 / mm.Questions
	}
	s := mm.Skills
	line := fmt.Sprintf("%-9s %3d questions: recognise %2d, act %2d (%d %%), law %2d, context %2d (%d %%); spot %d",
		mm.ID, mm.Questions, s.Recognise, s.Act, pct(s.Recognise+s.Act), s.Law, s.Context, pct(s.Context), mm.Spot)
	if mm.Audience != RoleAll {
		line += fmt.Sprintf("; recognise in the workplace %d", mm.WorkplaceRecognise)
	}
	return line + fmt.Sprintf("; signs measured %d", mm.MeasuredIndicators)
}

// What every module's bank must hold for the three measurements of the same knowledge
// (the pre-test, the quiz, the refresher; issue "Proof that the training works"): enough
// signs with three recognise or act questions each, so that each measurement asks about
// them with a question of its own; two spot-the-signals situations, one for the pre-test
// and one for later; and enough questions for the first quiz to do without the
// pre-test's.
const (
	MinMeasuredIndicators = quiz.PretestSize
	MinMeasuredSpots      = 2
)

// MeasuredIndicators lists, in the order the bank first names them, the indicators that
// quiz.ItemsPerIndicator recognise or act questions of the module exercise or more.
func (m *Module) MeasuredIndicators() []string {
	count := map[string]int{}
	var order []string
	for i := range m.structure {
		q := &m.structure[i]
		if !quiz.Measured(q) {
			continue
		}
		for _, id := range q.Indicators {
			if count[id] == 0 {
				order = append(order, id)
			}
			count[id]++
		}
	}
	return slices.DeleteFunc(order, func(id string) bool { return count[id] < quiz.ItemsPerIndicator })
}

// checkMeasurements refuses a module whose bank cannot give the three measurements
// different questions on the same signs.
func checkMeasurements(c *Catalog) Errors {
	var errs Errors
	for _, mm := range c.Report().Modules {
		m, _ := c.Module(mm.ID)
		file := mm.ID + "/module.toml"
		if mm.MeasuredIndicators < MinMeasuredIndicators {
			errs = append(errs, Error{file, 1, fmt.Sprintf("%d indicators have %d recognise or act questions each, fewer than %d: "+
				"the pre-test, the quiz and the refresher cannot each ask about them with a question of their own",
				mm.MeasuredIndicators, quiz.ItemsPerIndicator, MinMeasuredIndicators)})
		}
		if mm.MeasuredSpots < MinMeasuredSpots {
			errs = append(errs, Error{file, 1, fmt.Sprintf("%d spot-the-signals questions measure a sign (recognise or act, on an indicator), "+
				"fewer than %d: one for the pre-test, one for the quiz and the refresher", mm.MeasuredSpots, MinMeasuredSpots)})
		}
		if need := quiz.PretestSize + m.QuizSize; mm.Questions < need {
			errs = append(errs, Error{file, 1, fmt.Sprintf("the bank holds %d questions, fewer than %d: the first quiz (%d) must do without "+
				"the pre-test's %d", mm.Questions, need, m.QuizSize, quiz.PretestSize)})
		}
	}
	return errs
}

// allModules is where errors about every module together point.
const allModules = "*/module.toml"

// checkTargets refuses content below the targets: what each bank asks of the learner,
// and how many spot-the-signals items there are.
func checkTargets(c *Catalog) Errors {
	var errs Errors
	total, context, spots := 0, 0, 0
	for _, mm := range c.Report().Modules {
		file := mm.ID + "/module.toml"
		total += mm.Questions
		context += mm.Skills.Context
		spots += mm.Spot
		if ra := mm.Skills.Recognise + mm.Skills.Act; ra*100 < MinRecogniseActPercent*mm.Questions {
			errs = append(errs, Error{file, 1, fmt.Sprintf("recognise and act questions are %d of %d (%d %%), fewer than %d %% of the bank",
				ra, mm.Questions, ra*100/max(mm.Questions, 1), MinRecogniseActPercent)})
		}
		if mm.Audience != RoleAll && mm.WorkplaceRecognise < MinWorkplaceRecognise {
			errs = append(errs, Error{file, 1, fmt.Sprintf("%d recognise questions are set in the %s workplace (workplace = true), fewer than %d",
				mm.WorkplaceRecognise, mm.Audience, MinWorkplaceRecognise)})
		}
		if mm.Spot < MinSpotPerModule {
			errs = append(errs, Error{file, 1, fmt.Sprintf("%d spot-the-signals questions, fewer than %d", mm.Spot, MinSpotPerModule)})
		}
	}
	if context*100 > MaxContextPercent*total {
		errs = append(errs, Error{allModules, 1, fmt.Sprintf("context questions are %d of all %d (%d %%), more than %d %%",
			context, total, context*100/max(total, 1), MaxContextPercent)})
	}
	if total < MinTotalQuestions {
		errs = append(errs, Error{allModules, 1, fmt.Sprintf("the banks hold %d questions in all, fewer than %d", total, MinTotalQuestions)})
	}
	if spots < MinSpotTotal {
		errs = append(errs, Error{allModules, 1, fmt.Sprintf("%d spot-the-signals questions in all, fewer than %d", spots, MinSpotTotal)})
	}
	return errs
}

// checkIndicatorUse refuses a catalogue indicator that no lesson section teaches or that
// fewer than MinQuestionsPerIndicator questions test.
func checkIndicatorUse(fsys fs.FS, c *Catalog) Errors {
	data, err := fs.ReadFile(fsys, indicatorsFile)
	if err != nil {
		return nil
	}
	src := newSource(indicatorsFile, data)
	var errs Errors
	for _, use := range c.Report().Indicators {
		line := src.valueIn(1, 0, "id", use.ID)
		if !use.Taught {
			errs = append(errs, src.errorf(line, "indicator %s is taught in no lesson section (indicators = [...] on a section)", use.ID))
		}
		if use.TestedBy < MinQuestionsPerIndicator {
			errs = append(errs, src.errorf(line, "indicator %s is tested by %d questions, fewer than %d", use.ID, use.TestedBy, MinQuestionsPerIndicator))
		}
	}
	return errs
}

// QuestionsFor returns the questions of every module that exercise the indicator, as
// module id and question, in catalog order.
func (c *Catalog) QuestionsFor(indicator, lang string) []ModuleQuestion {
	var out []ModuleQuestion
	for _, m := range c.Modules {
		for _, q := range m.In(lang).Bank {
			if slices.Contains(q.Indicators, indicator) {
				out = append(out, ModuleQuestion{Module: m, Question: q})
			}
		}
	}
	return out
}

// ModuleQuestion is a question with the module it belongs to.
type ModuleQuestion struct {
	Module   *Module
	Question quiz.Question
}
