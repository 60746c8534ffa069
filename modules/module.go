// Package modules holds the training content: its types, the embedded content files, and
// the loader that validates them. See README.md in this folder for the file format.
package modules

import (
	"slices"

	"indicia/quiz"
)

// Languages are the languages every module must be written in, French (the report's
// language) first.
var Languages = []string{"fr", "nl", "en", "de"}

// ReportLines is the number of lines of the report (ecpat-belgique-2015.txt) that
// citations point into.
const ReportLines = 3549

// Role is the audience a learner belongs to.
type Role string

// The roles. A module for RoleAll is for everyone.
const (
	RoleAll      Role = "all"
	RolePolice   Role = "police"
	RoleHospital Role = "hospital"
	RoleGuardian Role = "guardian"
	RoleFedasil  Role = "fedasil"
)

// Roles lists the roles a learner can have, in the order they are offered.
var Roles = []Role{RolePolice, RoleHospital, RoleGuardian, RoleFedasil}

// ValidRole reports whether r is a learner role.
func ValidRole(r Role) bool { return slices.Contains(Roles, r) }

// Section is one screen of a lesson.
type Section struct {
	ID    string
	Title string
	Body  string // Markdown
	Cite  quiz.Citation
	// General names the public source when the section is general guidance rather than
	// drawn from the report.
	General string
	// Indicators are the ids of the catalogue's signs the section teaches.
	Indicators []string
}

// Lesson is an ordered list of sections.
type Lesson struct {
	ID       string
	Title    string
	Sections []Section
}

// Text is everything of a module in one language.
type Text struct {
	Title   string
	Summary string
	Lessons []Lesson
	Bank    []quiz.Question
}

// Module is one training module in every language.
type Module struct {
	ID         string
	Order      int
	Audience   Role
	Version    string // content version
	Source     string // the report it is drawn from
	SourceDate string
	PassMark   int // percent
	QuizSize   int

	texts map[string]*Text
	// structure is the question bank without its texts, as module.toml has it.
	structure []quiz.Question
}

// In returns the module's text in lang, falling back to French.
func (m *Module) In(lang string) *Text {
	if t, ok := m.texts[lang]; ok {
		return t
	}
	return m.texts["fr"]
}

// Lesson returns the lesson with the given id in lang.
func (m *Module) Lesson(lang, id string) (Lesson, bool) {
	for _, l := range m.In(lang).Lessons {
		if l.ID == id {
			return l, true
		}
	}
	return Lesson{}, false
}

// SectionCount is the number of sections over all lessons.
func (m *Module) SectionCount() int {
	n := 0
	for _, l := range m.In("fr").Lessons {
		n += len(l.Sections)
	}
	return n
}

// Term is one glossary entry in one language.
type Term struct {
	ID         string
	Term       string
	Expansion  string
	Definition string
	Cite       quiz.Citation
}

// Catalog is all the content: the modules in catalog order and the glossary.
type Catalog struct {
	Modules    []*Module
	glossary   map[string][]Term
	indicators []*Indicator
}

// Module returns the module with the given id.
func (c *Catalog) Module(id string) (*Module, bool) {
	for _, m := range c.Modules {
		if m.ID == id {
			return m, true
		}
	}
	return nil, false
}

// Glossary returns the glossary in lang, in the file's order.
func (c *Catalog) Glossary(lang string) []Term {
	if g, ok := c.glossary[lang]; ok {
		return g
	}
	return c.glossary["fr"]
}

// For orders the modules for a learner with role r: the modules for everyone first,
// then the learner's own, then the others; within each group by Order.
func (c *Catalog) For(r Role) []*Module {
	rank := func(m *Module) int {
		switch m.Audience {
		case RoleAll:
			return 0
		case r:
			return 1
		}
		return 2
	}
	out := slices.Clone(c.Modules)
	slices.SortStableFunc(out, func(a, b *Module) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return a.Order - b.Order
	})
	return out
}
