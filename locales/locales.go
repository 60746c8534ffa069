// Package locales holds the interface text in French, Dutch, English and German
// (go-i18n message files, embedded), chooses the user's language with
// golang.org/x/text/language, and formats numbers, dates and durations per language.
package locales

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/pelletier/go-toml/v2"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Messages are split by area into files named <area>.<lang>.toml (active.fr.toml for
// the learner's screens, for example); every area has a file for each language.
//
//go:embed *.toml
var files embed.FS

// Languages are the supported languages, in the order the language picker shows them.
var Languages = []string{"fr", "nl", "en", "de"}

var tags = []language.Tag{language.French, language.Dutch, language.English, language.German}

// Native is each language's name in that language, for the language picker.
var Native = map[string]string{"fr": "Français", "nl": "Nederlands", "en": "English", "de": "Deutsch"}

// Match returns the supported language that best fits the preferred ones (BCP 47 tags
// such as "nl-BE" or "de_DE.UTF-8"), French when none fits: French is the language of the
// report and the most widely understood language of the country.
func Match(preferred ...string) string {
	var want []language.Tag
	for _, p := range preferred {
		p = strings.SplitN(p, ".", 2)[0] // drop a POSIX encoding suffix
		p = strings.ReplaceAll(p, "_", "-")
		if t, err := language.Parse(p); err == nil {
			want = append(want, t)
		}
	}
	if len(want) == 0 {
		return "fr"
	}
	_, i, conf := language.NewMatcher(tags).Match(want...)
	if conf == language.No {
		return "fr"
	}
	return Languages[i]
}

// Bundle holds the messages of every language. Each language's files are read the first
// time a localizer of that language is asked for (the app starts in one language: reading
// the other three would delay its window), into a bundle of its own, which nothing
// changes afterwards: localizers of any languages may be used from several goroutines.
type Bundle struct {
	langs map[string]*langBundle
}

type langBundle struct {
	files []string // the language's message files
	once  sync.Once
	b     *i18n.Bundle
	err   error
}

// NewBundle checks that every language has its embedded message files; they are read
// when first needed (see For).
func NewBundle() (*Bundle, error) {
	b := &Bundle{langs: make(map[string]*langBundle, len(Languages))}
	for _, lang := range Languages {
		names, _ := fs.Glob(files, "*."+lang+".toml")
		if len(names) == 0 {
			return nil, fmt.Errorf("no message files for %s", lang)
		}
		b.langs[lang] = &langBundle{files: names}
	}
	return b, nil
}

// load reads the message files of lang (one of Languages).
func (b *Bundle) load(lang string) (*i18n.Bundle, error) {
	lb, ok := b.langs[lang]
	if !ok {
		return nil, fmt.Errorf("unsupported language %q", lang)
	}
	lb.once.Do(func() {
		ib := i18n.NewBundle(language.Make(lang))
		ib.RegisterUnmarshalFunc("toml", toml.Unmarshal)
		for _, name := range lb.files {
			if _, err := ib.LoadMessageFileFS(files, name); err != nil {
				lb.err = fmt.Errorf("load messages %s: %w", name, err)
				return
			}
		}
		lb.b = ib
	})
	return lb.b, lb.err
}

// Check reads every language's message files and reports the first that does not parse.
// The tests run it; the app trusts the embedded files, which they check.
func (b *Bundle) Check() error {
	for _, lang := range Languages {
		if _, err := b.load(lang); err != nil {
			return err
		}
	}
	return nil
}

// Localizer gives the text of one language.
type Localizer struct {
	Lang    string
	loc     *i18n.Localizer
	printer *message.Printer
}

// For returns the localizer of lang (one of Languages).
// A language that is not supported, or whose files do not parse (which the tests
// forbid), gives French.
func (b *Bundle) For(lang string) *Localizer {
	ib, err := b.load(lang)
	if err != nil {
		lang = "fr"
		ib, _ = b.load(lang)
	}
	if ib == nil {
		ib = i18n.NewBundle(language.French) // no messages: each shows its id
	}
	return &Localizer{Lang: lang, loc: i18n.NewLocalizer(ib, lang), printer: message.NewPrinter(language.Make(lang))}
}

// T returns the message id, filled with data (a map of template fields). A missing
// message shows its id, which the tests forbid.
func (l *Localizer) T(id string, data ...map[string]any) string {
	cfg := &i18n.LocalizeConfig{MessageID: id}
	if len(data) > 0 {
		cfg.TemplateData = data[0]
	}
	s, err := l.loc.Localize(cfg)
	if err != nil {
		return id
	}
	return s
}

// N returns the plural message id for count; the template gets {{.Count}} (formatted
// for the language) and data.
func (l *Localizer) N(id string, count int, data map[string]any) string {
	td := map[string]any{"Count": l.Number(count)}
	for k, v := range data {
		td[k] = v
	}
	s, err := l.loc.Localize(&i18n.LocalizeConfig{MessageID: id, PluralCount: count, TemplateData: td})
	if err != nil {
		return id
	}
	return s
}

// Number formats an integer with the language's digit grouping.
func (l *Localizer) Number(n int) string { return l.printer.Sprintf("%d", n) }

// Percent formats a percentage the way the language writes it.
func (l *Localizer) Percent(p int) string {
	return l.T("Format.Percent", map[string]any{"N": l.Number(p)})
}

// Decimal formats v with digits decimals, with the language's decimal sign and digit
// grouping.
func (l *Localizer) Decimal(v float64, digits int) string {
	return l.printer.Sprintf("%.*f", digits, v)
}

// PercentDecimal formats a percentage with one decimal, the way the language writes it.
func (l *Localizer) PercentDecimal(p float64) string {
	return l.T("Format.Percent", map[string]any{"N": l.Decimal(p, 1)})
}

// Date formats a day, numerically, in the language's usual order and separators.
func (l *Localizer) Date(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Format(l.T("Format.Date"))
}

// Duration formats a time spent, in hours and minutes (at least one minute shown once
// anything was spent).
func (l *Localizer) Duration(d time.Duration) string {
	mins := int(d.Round(time.Minute) / time.Minute)
	if d > 0 && mins == 0 {
		mins = 1
	}
	if mins < 60 {
		return l.T("Format.Minutes", map[string]any{"M": l.Number(mins)})
	}
	return l.T("Format.HoursMinutes", map[string]any{"H": l.Number(mins / 60), "M": fmt.Sprintf("%02d", mins%60)})
}
