package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/cases"

	"indicia/modules"
)

// showSigns shows the indicator catalogue in a dialog, as the glossary shows its terms:
// every warning sign (the report's first, then general guidance, named as such) with what
// it is, how it shows at work, what to do and where it comes from, searchable. A learner
// sees first how the sign shows in their own workplace. With focus set (from the mastery
// picture or the feedback on a situation) it opens on that sign alone.
func (u *UI) showSigns(focus string) {
	var role modules.Role
	if u.learner != nil {
		role = modules.Role(u.learner.Role)
	}
	fold := cases.Fold()
	list := container.NewVBox()
	fill := func(query string) {
		query = fold.String(strings.TrimSpace(query))
		list.RemoveAll()
		for _, ind := range u.catalog().Indicators() {
			if focus != "" && ind.ID != focus {
				continue
			}
			t := ind.In(u.loc.Lang)
			if query != "" && !strings.Contains(fold.String(signText(t)), query) {
				continue
			}
			list.Add(u.signCard(ind, role))
		}
		if len(list.Objects) == 0 {
			list.Add(wrapped(u.T("Signs.NoMatch")))
		}
		list.Refresh()
	}
	fill("")
	search := widget.NewEntry()
	search.SetPlaceHolder(u.T("Signs.Search"))
	search.OnChanged = fill
	top := container.NewVBox(wrapped(u.T("Signs.Intro")), search)
	if focus != "" {
		all := widget.NewButtonWithIcon(u.T("Signs.All"), theme.ListIcon(), func() {
			focus = ""
			fill(search.Text)
		})
		top = container.NewVBox(container.NewHBox(all), search)
	}
	d := dialog.NewCustom(u.T("Signs.Title"), u.T("Common.Close"),
		container.NewBorder(top, nil, nil, nil, container.NewVScroll(list)), u.win)
	d.Resize(fyne.NewSize(760, 580))
	d.Show()
	u.win.Canvas().Focus(search)
}

// signText is everything of a sign that a search looks in.
func signText(t *modules.IndicatorText) string {
	parts := []string{t.Title, t.Description, t.Action}
	for _, w := range t.Workplace {
		parts = append(parts, w)
	}
	return strings.Join(parts, " ")
}

// signCard is one sign: its title, what it is, how it shows at work (the learner's own
// workplace first, then the others), what to do, and its source.
func (u *UI) signCard(ind *modules.Indicator, role modules.Role) fyne.CanvasObject {
	t := ind.In(u.loc.Lang)
	title := widget.NewLabelWithStyle(u.indicatorLabel(ind.ID), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(title, wrapped(t.Description))
	roles := slices.Clone(ind.Professions)
	if i := slices.Index(roles, role); i > 0 {
		roles = append([]modules.Role{role}, slices.Delete(roles, i, i+1)...)
	}
	for _, r := range roles {
		key := "Signs.AtWork"
		if r == role {
			key = "Signs.InYourWork"
		}
		head := widget.NewLabelWithStyle(u.T(key, map[string]any{"Role": u.roleName(string(r))}), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		box.Add(head)
		box.Add(wrapped(t.Workplace[r]))
	}
	box.Add(widget.NewLabelWithStyle(u.T("Signs.WhatToDo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	box.Add(wrapped(t.Action))
	cite := wrapped(u.citationText(ind.Cite, ind.General))
	cite.TextStyle = fyne.TextStyle{Italic: true}
	box.Add(cite)
	box.Add(widget.NewSeparator())
	return box
}

// signButton opens the card of one sign.
func (u *UI) signButton(id string) *widget.Button {
	b := widget.NewButtonWithIcon(u.T("Signs.More"), theme.InfoIcon(), func() { u.showSigns(id) })
	b.Importance = widget.LowImportance
	return b
}
