package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/cases"
	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"indicia/modules"
)

// showGlossary shows the report's terms, searchable, sorted by the language's collation.
func (u *UI) showGlossary() {
	terms := slices.Clone(u.catalog().Glossary(u.loc.Lang))
	coll := collate.New(language.Make(u.loc.Lang), collate.IgnoreCase, collate.IgnoreDiacritics)
	slices.SortFunc(terms, func(a, b modules.Term) int { return coll.CompareString(a.Term, b.Term) })
	fold := cases.Fold()
	list := container.NewVBox()
	fill := func(query string) {
		query = fold.String(strings.TrimSpace(query))
		list.RemoveAll()
		for _, t := range terms {
			if query != "" && !strings.Contains(fold.String(t.Term+" "+t.Expansion+" "+t.Definition), query) {
				continue
			}
			title := t.Term
			if t.Expansion != "" {
				title += " — " + t.Expansion
			}
			name := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			name.Wrapping = fyne.TextWrapWord
			cite := wrapped(u.citationText(t.Cite, ""))
			cite.TextStyle = fyne.TextStyle{Italic: true}
			list.Add(container.NewVBox(name, wrapped(t.Definition), cite, widget.NewSeparator()))
		}
		if len(list.Objects) == 0 {
			list.Add(wrapped(u.T("Glossary.NoMatch")))
		}
		list.Refresh()
	}
	fill("")
	search := widget.NewEntry()
	search.SetPlaceHolder(u.T("Glossary.Search"))
	search.OnChanged = fill
	d := dialog.NewCustom(u.T("Glossary.Title"), u.T("Common.Close"),
		container.NewBorder(search, nil, nil, nil, container.NewVScroll(list)), u.win)
	d.Resize(fyne.NewSize(720, 560))
	d.Show()
	u.win.Canvas().Focus(search)
}
