// Command minimal is the floor the start-up and memory benchmarks compare Indicia with:
// the smallest Fyne window, built from the same Fyne version in the same run.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("be.indicia.minimal")
	w := a.NewWindow("Minimal window")
	w.SetContent(widget.NewLabel("Hello"))
	w.Resize(fyne.NewSize(1000, 720))
	w.ShowAndRun()
}
