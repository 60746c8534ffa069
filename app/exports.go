package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/app/report"
)

// exportsTab is what leaves the machine: completion reports, the LRS, station bundles.
// Certificates are issued from a learner's record.
func (t *trainerScreen) exportsTab() fyne.CanvasObject {
	u := t.u
	formats := []string{"CSV", "XLSX", "PDF"}
	format := widget.NewRadioGroup(formats, nil)
	format.Horizontal = true
	format.SetSelected("CSV")
	saveReport := widget.NewButtonWithIcon(u.T("Exports.SaveReport"), theme.DocumentSaveIcon(), func() {
		ext := strings.ToLower(format.Selected)
		u.saveFile("indicia-"+time.Now().Format("2006-01-02")+"."+ext, t.reportWriter(ext))
	})

	lrs, err := u.store.LRSSettings(u.ctx, u.vault)
	if err != nil {
		u.showError(err)
	}
	endpoint, user, pass := widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry()
	endpoint.SetPlaceHolder("https://lrs.example.org/data/xAPI")
	endpoint.SetText(lrs.Endpoint)
	user.SetText(lrs.User)
	pass.SetText(lrs.Password)
	names := widget.NewCheck(u.T("Exports.IncludeNames"), nil)
	names.SetChecked(lrs.IncludeNames)
	settings := func() progress.LRSSettings {
		return progress.LRSSettings{Endpoint: strings.TrimSpace(endpoint.Text), User: user.Text, Password: pass.Text, IncludeNames: names.Checked}
	}
	send := widget.NewButtonWithIcon(u.T("Exports.Send"), theme.UploadIcon(), func() {
		v := settings()
		if err := u.store.SetLRSSettings(u.ctx, u.vault, v); err != nil {
			u.showError(err)
			return
		}
		t.sendToLRS(v)
	})
	pending := ""
	if counts, err := u.store.Outbox(u.ctx); err == nil {
		pending = u.T("Exports.Outbox", map[string]any{"Sent": u.loc.Number(counts.Sent), "Waiting": u.loc.Number(counts.Pending)})
	}

	exportBundle := widget.NewButtonWithIcon(u.T("Exports.ExportBundle"), theme.DocumentSaveIcon(), func() {
		u.saveFile("indicia-station-"+time.Now().Format("2006-01-02")+".indicia-bundle", func(ctx context.Context, w io.Writer, _ func(int, int)) error {
			key, err := report.LoadSigningKeyFor(ctx, u.store)
			if err != nil {
				return err
			}
			_, err = report.ExportBundle(ctx, u.store, key, w)
			return err
		})
	})
	mergeBundle := widget.NewButtonWithIcon(u.T("Exports.MergeBundle"), theme.FolderOpenIcon(), t.mergeBundle)

	return container.NewVScroll(container.NewVBox(
		heading(u.T("Exports.ReportTitle")), wrapped(u.T("Exports.ReportHelp")), format, container.NewHBox(saveReport),
		widget.NewSeparator(),
		heading(u.T("Exports.LRSTitle")), wrapped(u.T("Exports.LRSHelp")),
		widget.NewForm(widget.NewFormItem(u.T("Exports.Endpoint"), endpoint), widget.NewFormItem(u.T("Exports.User"), user),
			widget.NewFormItem(u.T("Exports.Password"), pass)),
		names, wrapped(pending), container.NewHBox(send),
		widget.NewSeparator(),
		heading(u.T("Exports.BundleTitle")), wrapped(u.T("Exports.BundleHelp")), container.NewHBox(exportBundle, mergeBundle)))
}

// reportWriter writes the completion report of the filtered learners in format.
func (t *trainerScreen) reportWriter(format string) func(ctx context.Context, w io.Writer, step func(done, total int)) error {
	return func(ctx context.Context, w io.Writer, step func(done, total int)) error {
		days, err := t.u.store.RefresherDays(ctx)
		if err != nil {
			return err
		}
		c := &report.Completion{Source: t.u.store, Modules: t.u.catalog().Modules, Cohort: t.filter.Cohort, Role: t.filter.Role,
			Since: t.filter.Since, Loc: t.u.loc, Progress: step, RefresherDays: days}
		return c.Write(ctx, format, w)
	}
}

// work runs fn off the UI goroutine behind a dialog with a progress bar and a cancel
// button, then calls done on the UI goroutine with fn's error.
func (u *UI) work(title string, fn func(ctx context.Context, step func(done, total int)) error, done func(error)) {
	ctx, cancel := context.WithCancel(u.ctx)
	row, bar, label := progressRow(0, u.loc.Percent(0))
	d := dialog.NewCustom(title, u.T("Common.Cancel"), container.NewVBox(wrapped(u.T("Exports.Working")), row), u.win)
	finished := false
	d.SetOnClosed(func() {
		if !finished {
			cancel() // the trainer pressed Cancel
		}
	})
	d.Show()
	go func() {
		err := fn(ctx, func(n, total int) {
			if total > 0 {
				fyne.Do(func() {
					bar.SetValue(float64(n) / float64(total))
					label.SetText(u.loc.Percent(n * 100 / total))
				})
			}
		})
		fyne.Do(func() {
			finished = true
			d.Hide()
			cancel()
			done(err)
		})
	}()
}

// saveFile asks where to save, then writes the file off the UI goroutine, whole or not
// at all: it goes to a temporary file beside the chosen one, renamed at the end.
func (u *UI) saveFile(name string, write func(ctx context.Context, w io.Writer, step func(done, total int)) error) {
	d := dialog.NewFileSave(func(uc fyne.URIWriteCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if uc == nil {
			return // cancelled
		}
		path := uc.URI().Path()
		uc.Close()
		u.exportTo(path, write, nil)
	}, u.win)
	d.SetFileName(name)
	if home, err := os.UserHomeDir(); err == nil {
		if l, err := storage.ListerForURI(storage.NewFileURI(home)); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// exportTo writes the file at path off the UI goroutine behind a progress dialog, then
// says where it went (or why it failed); finished, when set, is called at the end.
func (u *UI) exportTo(path string, write func(ctx context.Context, w io.Writer, step func(done, total int)) error, finished func(error)) {
	u.work(u.T("Exports.Saving"), func(ctx context.Context, step func(int, int)) error {
		return report.WriteFileAtomic(path, func(w io.Writer) error { return write(ctx, w, step) })
	}, func(err error) {
		if finished != nil {
			defer finished(err)
		}
		if err != nil {
			if info, serr := os.Stat(path); serr == nil && info.Size() == 0 {
				os.Remove(path) // the empty file the save dialog created
			}
			u.showExportError(err)
			return
		}
		dialog.ShowInformation(u.T("Exports.Saved"), u.T("Exports.SavedTo", map[string]any{"Path": path}), u.win)
	})
}

// showExportError explains a failed export in the trainer's language.
func (u *UI) showExportError(err error) {
	var tooLarge *report.TooLargeError
	var bundleErr *report.BundleError
	var certErr *report.CertificateError
	switch {
	case errors.Is(err, context.Canceled):
		return
	case errors.As(err, &tooLarge):
		dialog.ShowError(errors.New(u.T("Exports.TooLarge")), u.win)
	case errors.As(err, &bundleErr):
		dialog.ShowError(errors.New(bundleErr.Message(u.loc)), u.win)
	case errors.As(err, &certErr):
		dialog.ShowError(errors.New(certErr.Message(u.loc)), u.win)
	default:
		u.showError(err)
	}
}

// sendToLRS builds the statements, queues them in the outbox and sends what is due.
func (t *trainerScreen) sendToLRS(v progress.LRSSettings) {
	u := t.u
	client, err := report.NewLRS(v.Endpoint, v.User, v.Password)
	if errors.Is(err, report.ErrPlainHTTP) {
		dialog.ShowError(errors.New(u.T("Xapi.Error.PlainHTTP", map[string]any{"Endpoint": v.Endpoint})), u.win)
		return
	}
	if err != nil {
		dialog.ShowError(errors.New(u.T("Exports.BadEndpoint")), u.win)
		return
	}
	var sum report.SendSummary
	u.work(u.T("Exports.Sending"), func(ctx context.Context, step func(int, int)) error {
		id, err := report.LoadXAPIIdentity(u.store.Path())
		if err != nil {
			return err
		}
		x := &report.XAPI{Catalog: u.catalog(), Identity: id, IncludeNames: v.IncludeNames}
		stmts, err := x.Build(ctx, u.store)
		if err != nil {
			return err
		}
		queued, err := report.OutboxStatements(stmts)
		if err != nil {
			return err
		}
		if _, err := u.store.Enqueue(ctx, queued); err != nil {
			return err
		}
		total := len(queued)
		sum, err = report.SendOutbox(ctx, u.store, client, 100, func(s report.SendSummary) { step(s.Sent+s.AlreadyThere+s.Failed, total) })
		return err
	}, func(err error) {
		if err != nil && sum.Sent+sum.AlreadyThere == 0 {
			dialog.ShowError(errors.New(u.T("Exports.SendFailed", map[string]any{"Reason": err.Error()})), u.win)
			return
		}
		dialog.ShowInformation(u.T("Exports.LRSTitle"), u.T("Exports.SendSummary", map[string]any{
			"Sent": u.loc.Number(sum.Sent), "There": u.loc.Number(sum.AlreadyThere), "Waiting": u.loc.Number(sum.Waiting)}), u.win)
		u.redraw()
	})
}

// mergeBundle merges a station bundle chosen by the trainer.
func (t *trainerScreen) mergeBundle() {
	u := t.u
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			u.showError(err)
			return
		}
		if rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		var res progress.MergeResult
		u.work(u.T("Exports.Merging"), func(ctx context.Context, step func(int, int)) error {
			bf, err := report.ReadBundleFile(path, report.ReadBundleOptions{})
			if err != nil {
				return err
			}
			res, err = u.store.MergeBundle(ctx, bf.Bundle, progress.MergeOptions{Progress: step})
			return err
		}, func(err error) {
			var ske *progress.StationKeyError
			switch {
			case errors.As(err, &ske):
				dialog.ShowError(errors.New(u.T("Exports.StationKey", map[string]any{"Station": ske.Station})), u.win)
				return
			case err != nil:
				u.showExportError(err)
				return
			}
			added, skipped := 0, 0
			for _, k := range res.Kinds() {
				added += k.Count.Added + k.Count.Updated
				skipped += k.Count.Skipped
			}
			msg := u.T("Exports.MergedSummary", map[string]any{"Added": u.loc.Number(added), "Skipped": u.loc.Number(skipped)})
			if res.AlreadyMerged {
				msg = u.T("Exports.AlreadyMerged", map[string]any{"Date": u.loc.Date(res.MergedAt)})
			}
			dialog.ShowInformation(u.T("Exports.BundleTitle"), msg, u.win)
			t.load()
			u.redraw()
		})
	}, u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// certificateButton issues a learner's certificate for a module they passed.
func (t *trainerScreen) certificateButton(learnerID int64, name, moduleID string) *widget.Button {
	u := t.u
	return widget.NewButtonWithIcon(u.T("Exports.Certificate"), theme.DocumentIcon(), func() {
		file := fmt.Sprintf("certificate-%s-%s.pdf", moduleID, safeFileName(name))
		u.saveFile(file, func(ctx context.Context, w io.Writer, _ func(int, int)) error {
			key, err := report.LoadSigningKeyFor(ctx, u.store)
			if err != nil {
				return err
			}
			cert, err := report.IssueCertificate(ctx, u.store, u.catalog(), key, learnerID, moduleID, u.loc.Lang, time.Now())
			if err != nil {
				return err
			}
			data, err := cert.PDF(u.bundle)
			if err != nil {
				return err
			}
			_, err = w.Write(data)
			return err
		})
	})
}

// safeFileName keeps letters and digits of a name for a suggested file name.
func safeFileName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteRune('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
