package app

import (
	"context"
	"errors"
	"io"
	"log"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/app/report"
)

// syncSigningKey, once the trainer's vault is open, brings back a signing key file that
// only the database's sealed copy still has, or seals a copy of the key for backups.
func (u *UI) syncSigningKey() {
	if u.vault == nil {
		return
	}
	vault := u.vault
	fetch(u, func(ctx context.Context) (struct{}, error) {
		if err := report.SyncSigningKey(ctx, u.files, vault); err != nil {
			log.Printf("signing key: %v", err)
		}
		return struct{}{}, nil
	}, func(struct{}) {})
}

// trustData is what the trust settings show, read off the UI goroutine.
type trustData struct {
	name   string
	key    *report.SigningKey
	keyErr error
	held   bool
	keys   []progress.TrustedKey
}

// trustSettings is the trainer's settings for certificates: the organisation's name,
// this installation's key, the trust list, and moving the key to another machine. It is
// filled once read (see reloadTrust).
func (t *trainerScreen) trustSettings() fyne.CanvasObject {
	t.trustBox = container.NewVBox(heading(t.u.T("Trust.Title")), t.u.loading())
	t.reloadTrust()
	return t.trustBox
}

// reloadTrust reads the trust settings again and shows them.
func (t *trainerScreen) reloadTrust() {
	u := t.u
	fetch(u, func(ctx context.Context) (trustData, error) {
		var d trustData
		var err error
		if d.name, err = u.store.IssuerName(ctx); err != nil {
			return d, err
		}
		d.key, d.keyErr = report.LoadSigningKeyFor(ctx, u.files)
		d.held, _ = u.store.HoldsSigningKey(ctx)
		d.keys, err = u.store.TrustedKeys(ctx)
		return d, err
	}, func(d trustData) {
		t.trustBox.Objects = t.trustView(d).Objects
		t.trustBox.Refresh()
	})
}

// trustView lays the trust settings out.
func (t *trainerScreen) trustView(d trustData) *fyne.Container {
	u := t.u
	box := container.NewVBox(heading(u.T("Trust.Title")), wrapped(u.T("Trust.Explain")))
	name, key, keyErr, keys := d.name, d.key, d.keyErr, d.keys
	issuer := widget.NewEntry()
	issuer.SetText(name)
	issuer.SetPlaceHolder(u.T("Trust.IssuerPlaceholder"))
	saveName := widget.NewButtonWithIcon(u.T("Trust.SaveIssuer"), theme.DocumentSaveIcon(), func() {
		text := issuer.Text
		fetch(u, func(ctx context.Context) (error, error) { return u.store.SetIssuerName(ctx, text), nil }, func(err error) {
			if err != nil {
				dialog.ShowInformation(u.T("Trust.Title"), u.T("Trust.BadName"), u.win)
				return
			}
			t.reloadTrust()
		})
	})
	box.Add(widget.NewForm(widget.NewFormItem(u.T("Trust.Issuer"), container.NewBorder(nil, nil, nil, saveName, issuer))))

	if keyErr != nil {
		box.Add(wrapped(u.T("Trust.KeyMissing")))
	} else {
		fp := widget.NewLabelWithStyle(u.T("Trust.OwnFingerprint", map[string]any{"Fingerprint": report.FormatFingerprint(key.Fingerprint())}),
			fyne.TextAlignLeading, fyne.TextStyle{Monospace: true})
		box.Add(fp)
	}
	if d.held {
		box.Add(wrapped(u.T("Trust.KeyInBackups")))
	} else {
		box.Add(wrapped(u.T("Trust.KeyNotInBackups")))
	}

	// The trust list.
	box.Add(heading(u.T("Trust.ListTitle")))
	for _, k := range keys {
		k := k
		state := u.T("Trust.StateTrusted")
		if !k.RevokedFrom.IsZero() {
			state = u.T("Trust.StateRevoked", map[string]any{"Date": u.loc.Date(k.RevokedFrom)})
		}
		if k.Own {
			state += " · " + u.T("Trust.StateOwn")
		}
		line := container.NewVBox(
			widget.NewLabelWithStyle(k.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			widget.NewLabelWithStyle(report.FormatFingerprint(k.Fingerprint)+"  ("+state+")", fyne.TextAlignLeading, fyne.TextStyle{Monospace: true}))
		revoke := widget.NewButtonWithIcon(u.T("Trust.Revoke"), theme.CancelIcon(), func() { t.askRevoke(k) })
		if !k.RevokedFrom.IsZero() {
			revoke.Disable()
		}
		// Centred: in the border's side the button would stretch to both lines' height.
		box.Add(container.NewBorder(nil, nil, nil, container.NewCenter(revoke), line))
	}
	fpEntry, nameEntry := widget.NewEntry(), widget.NewEntry()
	fpEntry.SetPlaceHolder("0123 4567 89ab cdef 0123 4567 89ab cdef")
	nameEntry.SetPlaceHolder(u.T("Trust.IssuerPlaceholder"))
	add := widget.NewButtonWithIcon(u.T("Trust.Add"), theme.ContentAddIcon(), func() {
		fp, ok := report.ParseFingerprint(fpEntry.Text)
		if !ok {
			dialog.ShowInformation(u.T("Trust.Title"), u.T("Trust.BadFingerprint", map[string]any{"Fingerprint": fpEntry.Text}), u.win)
			return
		}
		k := progress.TrustedKey{Fingerprint: fp, Name: nameEntry.Text}
		fetch(u, func(ctx context.Context) (error, error) { return u.store.TrustKey(ctx, k), nil }, func(err error) {
			if err != nil {
				dialog.ShowInformation(u.T("Trust.Title"), u.T("Trust.NameNeeded"), u.win)
				return
			}
			t.reloadTrust()
		})
	})
	addFile := widget.NewButtonWithIcon(u.T("Trust.AddFile"), theme.FolderOpenIcon(), t.addKeyFile)
	// Said before the form: its "organisation" is the other issuer's, not this one's.
	box.Add(wrapped(u.T("Trust.AddExplain")))
	box.Add(widget.NewForm(
		widget.NewFormItem(u.T("Trust.Fingerprint"), fpEntry),
		widget.NewFormItem(u.T("Trust.Issuer"), nameEntry)))
	box.Add(container.NewHBox(add, addFile))

	// Moving the key: the public key file for those who verify, the register, and the
	// private key sealed with the trainer passphrase.
	box.Add(heading(u.T("Trust.FilesTitle")))
	exportPublic := widget.NewButtonWithIcon(u.T("Trust.ExportPublic"), theme.DocumentSaveIcon(), func() {
		u.saveFile("indicia-issuer-key.json", func(_ context.Context, w io.Writer, _ func(int, int)) error {
			if keyErr != nil {
				return keyErr
			}
			n, _ := u.store.IssuerName(u.ctx)
			if n == "" {
				return errors.New(u.T("Certificate.Error.NoIssuer"))
			}
			data, err := report.ExportIssuerKey(n, key.Public())
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		})
	})
	exportRegister := widget.NewButtonWithIcon(u.T("Trust.ExportRegister"), theme.DocumentSaveIcon(), func() {
		u.saveFile("indicia-register-"+time.Now().Format("2006-01-02")+".json", func(_ context.Context, w io.Writer, _ func(int, int)) error {
			if keyErr != nil {
				return keyErr
			}
			data, _, err := report.ExportRegister(u.ctx, u.files, key, time.Now())
			if err == nil {
				_, err = w.Write(data)
			}
			return err
		})
	})
	exportPrivate := widget.NewButtonWithIcon(u.T("Trust.ExportPrivate"), theme.DocumentSaveIcon(), t.exportSigningKey)
	importPrivate := widget.NewButtonWithIcon(u.T("Trust.ImportPrivate"), theme.FolderOpenIcon(), t.importSigningKey)
	box.Add(container.NewGridWithColumns(2, exportPublic, exportRegister, exportPrivate, importPrivate))
	return box
}

// askRevoke asks from which day a key's certificates are no longer trusted.
func (t *trainerScreen) askRevoke(k progress.TrustedKey) {
	u := t.u
	day := widget.NewEntry()
	day.SetText(time.Now().Format("2006-01-02"))
	dialog.ShowForm(u.T("Trust.Revoke"), u.T("Trust.Revoke"), u.T("Common.Cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.T("Trust.RevokeFrom"), day)}, func(ok bool) {
			if !ok {
				return
			}
			from, err := time.Parse("2006-01-02", strings.TrimSpace(day.Text))
			if err != nil {
				dialog.ShowInformation(u.T("Trust.Revoke"), u.T("Trust.BadDate", map[string]any{"Date": day.Text}), u.win)
				return
			}
			u.perform(func(ctx context.Context) error { return u.store.RevokeKey(ctx, k.Fingerprint, from) }, t.reloadTrust)
		}, u.win)
}

// addKeyFile trusts the issuer of a key file the trainer picks.
func (t *trainerScreen) addKeyFile() {
	u := t.u
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		data, err := io.ReadAll(io.LimitReader(rc, 8192))
		rc.Close()
		ik, perr := report.ParseIssuerKey(data)
		if err != nil || perr != nil {
			dialog.ShowInformation(u.T("Trust.Title"), u.T("Trust.BadKeyFile", map[string]any{"Path": rc.URI().Name()}), u.win)
			return
		}
		k := progress.TrustedKey{Fingerprint: ik.Fingerprint, PublicKey: ik.PublicKey, Name: ik.Name}
		u.perform(func(ctx context.Context) error { return u.store.TrustKey(ctx, k) }, t.reloadTrust)
	}, u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}

// exportSigningKey writes the signing key sealed with the trainer passphrase, asked again.
func (t *trainerScreen) exportSigningKey() {
	u := t.u
	pass := widget.NewPasswordEntry()
	dialog.ShowForm(u.T("Trust.ExportPrivate"), u.T("PIN.OK"), u.T("Common.Cancel"),
		[]*widget.FormItem{widget.NewFormItem(u.T("Trainer.Passphrase"), pass)}, func(ok bool) {
			if !ok {
				return
			}
			secret := pass.Text
			fetch(u, func(ctx context.Context) (bool, error) {
				_, err := u.store.OpenVault(ctx, secret)
				return err == nil, nil
			}, func(right bool) {
				if !right {
					dialog.ShowInformation(u.T("Trust.ExportPrivate"), u.T("Trainer.Wrong"), u.win)
					return
				}
				t.saveSigningKey(secret)
			})
		}, u.win)
}

// saveSigningKey asks where to save the signing key sealed with secret, and saves it.
func (t *trainerScreen) saveSigningKey(secret string) {
	u := t.u
	u.saveFile("indicia-signing-key.json", func(ctx context.Context, w io.Writer, _ func(int, int)) error {
		key, err := report.LoadSigningKeyFor(ctx, u.files)
		if err != nil {
			return err
		}
		n, _ := u.store.IssuerName(ctx)
		data, err := report.ExportSigningKey(n, key, secret)
		if err == nil {
			_, err = w.Write(data)
		}
		return err
	})
}

// importSigningKey makes a key file from another machine this installation's key.
func (t *trainerScreen) importSigningKey() {
	u := t.u
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		data, _ := io.ReadAll(io.LimitReader(rc, 8192))
		rc.Close()
		pass := widget.NewPasswordEntry()
		dialog.ShowForm(u.T("Trust.ImportPrivate"), u.T("PIN.OK"), u.T("Common.Cancel"),
			[]*widget.FormItem{widget.NewFormItem(u.T("Trust.KeyFilePassphrase"), pass)}, func(ok bool) {
				if !ok {
					return
				}
				vault, given := u.vault, pass.Text
				type imported struct {
					key *report.SigningKey
					err error
				}
				fetch(u, func(ctx context.Context) (imported, error) {
					k, err := report.ImportSigningKey(ctx, u.files, vault, data, given)
					return imported{k, err}, nil
				}, func(r imported) {
					switch {
					case errors.Is(r.err, report.ErrWrongKeyPassphrase):
						dialog.ShowInformation(u.T("Trust.ImportPrivate"), u.T("Trust.WrongKeyPassphrase"), u.win)
					case r.err != nil:
						dialog.ShowInformation(u.T("Trust.ImportPrivate"), u.T("Trust.BadKeyFile", map[string]any{"Path": rc.URI().Name()}), u.win)
					default:
						dialog.ShowInformation(u.T("Trust.ImportPrivate"),
							u.T("Trust.KeyImported", map[string]any{"Fingerprint": report.FormatFingerprint(r.key.Fingerprint())}), u.win)
						t.reloadTrust()
					}
				})
			}, u.win)
	}, u.win)
	d.Resize(fyne.NewSize(800, 560))
	d.Show()
}
