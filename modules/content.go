package modules

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"indicia/quiz"
)

//go:embed *.toml */*.toml
var content embed.FS

// Embedded is the content shipped inside the binary.
func Embedded() fs.FS { return content }

// LoadEmbedded loads and validates the shipped content.
func LoadEmbedded() (*Catalog, error) { return Load(content) }

// Stats counts what a catalog holds.
type Stats struct {
	Modules, Lessons, Sections, Questions, Scenarios, Spots, Indicators, Terms int
}

// Stats counts the catalog's content (in French; every language has the same).
func (c *Catalog) Stats() Stats {
	s := Stats{Modules: len(c.Modules), Indicators: len(c.indicators), Terms: len(c.Glossary("fr"))}
	for _, m := range c.Modules {
		t := m.In("fr")
		s.Lessons += len(t.Lessons)
		s.Sections += m.SectionCount()
		s.Questions += len(t.Bank)
		for _, q := range t.Bank {
			switch q.Kind {
			case quiz.Scenario:
				s.Scenarios++
			case quiz.Spot:
				s.Spots++
			}
		}
	}
	return s
}

// Summary is the one line `indicia content check` prints on success.
func (s Stats) Summary() string {
	return fmt.Sprintf("ok: %d modules, %d lessons, %d sections, %d questions, %d scenarios, %d spot-the-signals, %d indicators, %d glossary terms, languages %s",
		s.Modules, s.Lessons, s.Sections, s.Questions, s.Scenarios, s.Spots, s.Indicators, s.Terms, strings.Join(sortedLanguages(), " "))
}

func sortedLanguages() []string { return []string{"de", "en", "fr", "nl"} }
