package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
)

// showSupport shows where to find help and where to report, from any screen: the
// 116 000 line, the reporting sites the report names, and the specialised centres.
func (u *UI) showSupport() {
	body := markdownBlocks(u.T("Support.Text"))
	scroll := container.NewVScroll(container.NewVBox(wrapped(u.T("Support.Intro")), body))
	d := dialog.NewCustom(u.T("Support.Title"), u.T("Common.Close"), scroll, u.win)
	d.Resize(fyne.NewSize(640, 520))
	d.Show()
}
