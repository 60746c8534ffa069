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
type exportsTab struct {
	t        *trainerScreen
	root     fyne.CanvasObject
	format   *widget.RadioGroup
	endpoint *widget.Entry
	user     *widget.Entry
	pass     *widget.Entry
	names    *widget.Check
	pending  *widget.Label
}

// exportsData is what the exports tab reads off the UI goroutine.
type exportsData struct {
	lrs    progress.LRSSettings
	outbox progress.OutboxCounts
}

func (t *trainerScreen) newExportsTab() *exportsTab {
	u := t.u
	e := &exportsTab{t: t}
	e.format = widget.NewRadioGroup([]string{"CSV", "XLSX", "PDF"}, nil)
	e.format.Horizontal = true
	e.format.SetSelected("CSV")
	saveReport := widget.NewButtonWithIcon(u.T("Exports.SaveReport"), theme.DocumentSaveIcon(), e.saveReport)

	e.endpoint, e.user, e.pass = widget.NewEntry(), widget.NewEntry(), widget.NewPasswordEntry()
	e.endpoint.SetPlaceHolder("https://lrs.example.org/data/xAPI")
	e.names = widget.NewCheck(u.T("Exports.IncludeNames"), nil)
	e.pending = wrapped(u.T("Common.Loading"))
	send := widget.NewButtonWithIcon(u.T("Exports.Send"), theme.UploadIcon(), e.send)

	exportBundle := widget.NewButtonWithIcon(u.T("Exports.ExportBundle"), theme.DocumentSaveIcon(), e.exportBundle)
	mergeBundle := widget.NewButtonWithIcon(u.T("Exports.MergeBundle"), theme.FolderOpenIcon(), t.mergeBundle)

	e.root = container.NewVScroll(container.NewVBox(
		heading(u.T("Exports.ReportTitle")), wrapped(u.T("Exports.ReportHelp")), e.format, container.NewHBox(saveReport),
		widget.NewSeparator(),
		heading(u.T("Exports.LRSTitle")), wrapped(u.T("Exports.LRSHelp")),
		widget.NewForm(widget.NewFormItem(u.T("Exports.Endpoint"), e.endpoint), widget.NewFormItem(u.T("Exports.User"), e.user),
			widget.NewFormItem(u.T("Exports.Password"), e.pass)),
		e.names, e.pending, container.NewHBox(send),
		widget.NewSeparator(),
		heading(u.T("Exports.BundleTitle")), wrapped(u.T("Exports.BundleHelp")), container.NewHBox(exportBundle, mergeBundle)))
	vault := u.vault
	fetch(u, func(ctx context.Context) (exportsData, error) {
		var d exportsData
		var err error
		if d.lrs, err = u.store.LRSSettings(ctx, vault); err != nil {
			return d, err
		}
		d.outbox, err = u.store.Outbox(ctx)
		return d, err
	}, func(d exportsData) {
		e.endpoint.SetText(d.lrs.Endpoint)
		e.user.SetText(d.lrs.User)
		e.pass.SetText(d.lrs.Password)
		e.names.SetChecked(d.lrs.IncludeNames)
		e.showOutbox(d.outbox)
	})
	return e
}

// showOutbox says how many statements were sent and how many wait.
func (e *exportsTab) showOutbox(c progress.OutboxCounts) {
	u := e.t.u
	e.pending.SetText(u.T("Exports.Outbox", map[string]any{"Sent": u.loc.Number(c.Sent), "Waiting": u.loc.Number(c.Pending)}))
}

// saveReport writes the completion report of the learners the trainer's filter selects.
func (e *exportsTab) saveReport() {
	ext := strings.ToLower(e.format.Selected)
	e.t.u.saveFile("indicia-"+time.Now().Format("2006-01-02")+"."+ext, e.t.reportWriter(ext))
}

// exportBundle saves this station's signed bundle.
func (e *exportsTab) exportBundle() {
	u := e.t.u
	u.saveFile("indicia-station-"+time.Now().Format("2006-01-02")+".indicia-bundle", func(ctx context.Context, w io.Writer, _ func(int, int)) error {
		key, err := report.LoadSigningKeyFor(ctx, u.files)
		if err != nil {
			return err
		}
		_, err = report.ExportBundle(ctx, u.files, key, w)
		return err
	})
}

// send saves the LRS settings, then sends the statements.
func (e *exportsTab) send() {
	u := e.t.u
	v := progress.LRSSettings{Endpoint: strings.TrimSpace(e.endpoint.Text), User: e.user.Text, Password: e.pass.Text, IncludeNames: e.names.Checked}
	vault := u.vault
	u.perform(func(ctx context.Context) error { return u.store.SetLRSSettings(ctx, vault, v) }, func() { e.sendToLRS(v) })
}

// reportWriter writes the completion report of the filtered learners in format: the
// same learners as the matrix shows.
func (t *trainerScreen) reportWriter(format string) func(ctx context.Context, w io.Writer, step func(done, total int)) error {
	filter := t.filter
	return func(ctx context.Context, w io.Writer, step func(done, total int)) error {
		days, err := t.u.store.RefresherDays(ctx)
		if err != nil {
			return err
		}
		c := &report.Completion{Source: t.u.files, Modules: t.u.catalog().Modules, Filter: filter,
			Loc: t.u.loc, Progress: step, RefresherDays: days}
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
func (e *exportsTab) sendToLRS(v progress.LRSSettings) {
	u := e.t.u
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
		id, err := report.LoadXAPIIdentity(u.files.Path())
		if err != nil {
			return err
		}
		x := &report.XAPI{Catalog: u.catalog(), Identity: id, IncludeNames: v.IncludeNames}
		stmts, err := x.Build(ctx, u.files)
		if err != nil {
			return err
		}
		queued, err := report.OutboxStatements(stmts)
		if err != nil {
			return err
		}
		if _, err := u.files.Enqueue(ctx, queued); err != nil {
			return err
		}
		total := len(queued)
		sum, err = report.SendOutbox(ctx, u.files, client, 100, func(s report.SendSummary) { step(s.Sent+s.AlreadyThere+s.Failed, total) })
		return err
	}, func(err error) {
		if err != nil && sum.Sent+sum.AlreadyThere == 0 {
			dialog.ShowError(errors.New(u.T("Exports.SendFailed", map[string]any{"Reason": err.Error()})), u.win)
			return
		}
		dialog.ShowInformation(u.T("Exports.LRSTitle"), u.T("Exports.SendSummary", map[string]any{
			"Sent": u.loc.Number(sum.Sent), "There": u.loc.Number(sum.AlreadyThere), "Waiting": u.loc.Number(sum.Waiting)}), u.win)
		fetch(u, func(ctx context.Context) (progress.OutboxCounts, error) { return u.store.Outbox(ctx) }, e.showOutbox)
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
			res, err = u.files.MergeBundle(ctx, bf.Bundle, progress.MergeOptions{Progress: step})
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
			t.readAgain()
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
			key, err := report.LoadSigningKeyFor(ctx, u.files)
			if err != nil {
				return err
			}
			cert, err := report.IssueCertificate(ctx, u.files, u.catalog(), key, learnerID, moduleID, u.loc.Lang, time.Now())
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
