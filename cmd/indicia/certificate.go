package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/locales"
	"indicia/modules"
)

const (
	certificateUsage = "usage: indicia certificate --db FILE --learner ID --module ID --out FILE.pdf [--lang fr|nl|en|de]"
	verifyUsage      = "usage: indicia verify [--db FILE] FILE.pdf|CODE|NUMBER CHECK-CODE [--register FILE] [--key KEYID] [--lang fr|nl|en|de]"
)

// certificateCommand runs `indicia certificate`: it issues a signed certificate of
// completion for a learner who passed a module, as a PDF.
func certificateCommand(args []string, stdout, stderr io.Writer) int {
	return certificateWith(modules.LoadEmbedded, args, stdout, stderr)
}

// certificateWith is certificateCommand with the content loaded by load.
func certificateWith(load func() (*modules.Catalog, error), args []string, stdout, stderr io.Writer) int {
	fail := commandFailer(stderr, "indicia certificate")
	fset := flag.NewFlagSet("indicia certificate", flag.ContinueOnError)
	db := fset.String("db", "", "progress database file (default: $INDICIA_DB, else indicia.db in the user's data folder)")
	learner := fset.Int64("learner", 0, "the learner's id")
	module := fset.String("module", "", "the module's id (core, police, ...)")
	out := fset.String("out", "", "the PDF file to write")
	lang := fset.String("lang", "fr", "the certificate's language: fr, nl, en or de")
	rest, code, done := certParseFlags(fset, args, certificateUsage, stdout, fail)
	if done {
		return code
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return fail(err.Error())
	}
	l, ok := localizerFor(bundle, *lang)
	if !ok {
		return fail(l.T("Certificate.Error.BadLanguage", map[string]any{"Lang": *lang}))
	}
	switch {
	case len(rest) > 0:
		return fail(fmt.Sprintf("unexpected argument %q (%s)", rest[0], certificateUsage))
	case *learner <= 0 || *module == "" || *out == "":
		return fail("--learner, --module and --out are required (" + certificateUsage + ")")
	}
	path, err := databasePath(*db)
	if err != nil {
		return fail(err.Error())
	}
	// Only an existing database: Open would create an empty one.
	if st, err := os.Stat(path); err != nil || !st.Mode().IsRegular() {
		return fail(l.T("Certificate.Error.NoDatabase", map[string]any{"Path": path}))
	}
	if st, err := os.Stat(*out); err == nil && st.IsDir() {
		return fail(l.T("Certificate.Error.Write", map[string]any{"Path": *out, "Reason": fs.ErrExist}))
	}
	cat, err := load()
	if err != nil {
		return fail("the built-in training content is broken (see: indicia content check)")
	}
	ctx := context.Background()
	store, err := progress.Open(ctx, path)
	if err != nil {
		return fail(openMessage(l, err))
	}
	defer store.Close()
	key, err := report.LoadSigningKeyFor(ctx, store)
	if err != nil {
		return fail(keyMessage(l, err))
	}
	cert, err := report.IssueCertificate(ctx, store, cat, key, *learner, *module, *lang, time.Now())
	if err != nil {
		return fail(certMessage(l, err))
	}
	if err := report.SaveCertificatePDF(*out, cert, bundle); err != nil {
		return fail(l.T("Certificate.Error.Write", map[string]any{"Path": *out, "Reason": certReason(err)}))
	}
	fmt.Fprintln(stdout, l.T("Certificate.Written", map[string]any{"Path": *out, "Key": key.ID}))
	return 0
}

// verifyCommand runs `indicia verify`: it checks a certificate PDF or a verification
// code, and prints "genuine" and what the certificate states, or "NOT genuine: why"
// with exit status 1.
func verifyCommand(args []string, stdout, stderr io.Writer) int {
	fail := commandFailer(stderr, "indicia verify")
	fset := flag.NewFlagSet("indicia verify", flag.ContinueOnError)
	keyID := fset.String("key", "", "require a certificate signed by this installation key id (16 hexadecimal digits)")
	db := fset.String("db", "", "the installation whose trust list decides (default: $INDICIA_DB, else indicia.db in the user's data folder)")
	register := fset.String("register", "", "an issuer's register of certificates, to check a NUMBER and CHECK-CODE")
	lang := fset.String("lang", "fr", "the language of the answer: fr, nl, en or de")
	rest, code, done := certParseFlags(fset, args, verifyUsage, stdout, fail)
	if done {
		return code
	}
	bundle, err := locales.NewBundle()
	if err != nil {
		return fail(err.Error())
	}
	l, ok := localizerFor(bundle, *lang)
	if !ok {
		return fail(l.T("Certificate.Error.BadLanguage", map[string]any{"Lang": *lang}))
	}
	if len(rest) == 0 {
		return fail(verifyUsage)
	}
	if *keyID != "" {
		if _, err := report.ParseKeyID(*keyID); err != nil {
			return fail(certMessage(l, err))
		}
	}
	notGenuine := func(err error) int {
		fmt.Fprintln(stderr, oneLine(l.T("Verify.NotGenuine", map[string]any{"Reason": certMessage(l, err)})))
		return 1
	}

	var cert report.Certificate
	var check *report.PDFCheck
	if *register != "" {
		if len(rest) != 2 {
			return fail(verifyUsage)
		}
		data, err := os.ReadFile(*register)
		if err != nil {
			return fail(l.T("Certificate.Error.Read", map[string]any{"Path": *register, "Reason": certReason(err)}))
		}
		c, err := report.LookUpRegister(data, rest[0], rest[1])
		if errors.Is(err, report.ErrNotInRegister) {
			return notGenuine(errors.New(l.T("Verify.NotInRegister")))
		}
		var ce *report.CertificateError
		if err != nil && !errors.As(err, &ce) {
			return fail(l.T("Verify.BadRegister", map[string]any{"Path": *register}))
		}
		if err != nil {
			return notGenuine(err)
		}
		cert = c
	} else if file := rest[0]; len(rest) == 1 && certLooksLikeFile(file) {
		c, ch, err := report.VerifyPDF(context.Background(), file)
		var ce *report.CertificateError
		if err != nil && !errors.As(err, &ce) {
			return fail(l.T("Certificate.Error.Read", map[string]any{"Path": file, "Reason": certReason(err)}))
		}
		if err != nil {
			return notGenuine(err)
		}
		cert, check = c, &ch
	} else {
		// A code typed in groups may come as several arguments.
		c, err := report.Verify(strings.Join(rest, " "))
		if err != nil {
			return notGenuine(err)
		}
		cert = c
	}
	if *keyID != "" {
		if err := cert.RequireKey(*keyID); err != nil {
			return notGenuine(err)
		}
	}

	// Who vouches for it: the trust list of this installation.
	path, err := databasePath(*db)
	if err != nil {
		return fail(err.Error())
	}
	keys, err := progress.ReadTrustList(context.Background(), path)
	if err != nil {
		return fail(openMessage(l, err))
	}
	trust := report.CheckTrust(cert, keys)
	fp := report.FormatFingerprint(cert.Fingerprint)
	status := 0
	switch {
	case trust.Trusted:
		fmt.Fprintln(stdout, l.T("Verify.GenuineIssuedBy", map[string]any{"Issuer": trust.Key.Name, "Fingerprint": fp}))
	case trust.Revoked:
		fmt.Fprintln(stdout, oneLine(l.T("Verify.Revoked", map[string]any{"Fingerprint": fp, "Date": trust.Key.RevokedFrom.UTC().Format("2006-01-02")})))
		status = 3
	default:
		fmt.Fprintln(stdout, oneLine(l.T("Verify.Untrusted", map[string]any{"Fingerprint": fp})))
		status = 3
	}
	issuer := cert.IssuerName
	if issuer == "" {
		issuer = "—"
	}
	number := cert.Number
	if number != "" {
		number += " · " + cert.CheckCode
	} else {
		number = "—"
	}
	rows := [][2]string{
		{l.T("Verify.Issuer"), issuer},
		{l.T("Verify.Number"), number},
		{l.T("Verify.Learner"), cert.LearnerName},
		{l.T("Verify.Module"), cert.ModuleTitle + " (" + cert.ModuleID + ")"},
		{l.T("Verify.ContentVersion"), cert.ContentVersion},
		{l.T("Verify.Passed"), report.CertificateDate(l, cert.Passed)},
		{l.T("Verify.BestScore"), l.Percent(cert.BestPercent)},
		{l.T("Verify.Source"), cert.Source + ", " + cert.SourceDate},
		{l.T("Verify.Issued"), report.CertificateDate(l, cert.Issued)},
		{l.T("Verify.Key"), fp},
	}
	width := 0
	for _, r := range rows {
		width = max(width, utf8.RuneCountInString(r[0]))
	}
	for _, r := range rows {
		fmt.Fprintf(stdout, "  %s%s %s\n", r[0], strings.Repeat(" ", width-utf8.RuneCountInString(r[0])), r[1])
	}
	switch {
	case check == nil:
	case check.VisibleText:
		fmt.Fprintln(stdout, l.T("Verify.TextChecked"))
	default:
		fmt.Fprintln(stdout, l.T("Verify.TextNotChecked"))
	}
	return status
}

// certParseFlags parses flags placed before, between or after the other arguments,
// which it returns. With -h or --help it prints the usage and the flags and is done
// (status 0); a bad flag fails with the usage.
func certParseFlags(fset *flag.FlagSet, args []string, usage string, stdout io.Writer, fail func(string) int) (rest []string, code int, done bool) {
	fset.SetOutput(io.Discard)
	for {
		err := fset.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fset.SetOutput(stdout)
			fmt.Fprintln(stdout, usage)
			fset.PrintDefaults()
			return nil, 0, true
		}
		if err != nil {
			return nil, fail(err.Error() + " (" + usage + ")"), true
		}
		args = fset.Args()
		if len(args) == 0 {
			return rest, 0, false
		}
		rest, args = append(rest, args[0]), args[1:]
	}
}

// certLooksLikeFile tells a file argument from a code: a name ending in .pdf, or a file
// that exists.
func certLooksLikeFile(arg string) bool {
	if strings.HasSuffix(strings.ToLower(arg), ".pdf") {
		return true
	}
	st, err := os.Stat(arg)
	return err == nil && st.Mode().IsRegular()
}

// certMessage is err in the user's language when it is a certificate error.
func certMessage(l *locales.Localizer, err error) string {
	var ce *report.CertificateError
	if errors.As(err, &ce) {
		return ce.Message(l)
	}
	return err.Error()
}

// certReason is the reason of a file error without the path, which the message names.
func certReason(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err.Error()
	}
	return err.Error()
}
