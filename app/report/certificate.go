package report

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"github.com/skip2/go-qrcode"

	"indicia/app/progress"
	"indicia/assets"
	"indicia/locales"
	"indicia/modules"
)

// A certificate of completion states that a learner passed a module, and carries a
// verification code that proves it offline: the signed payload, its ed25519 signature
// and the installation's public key, in Crockford's base32 grouped by five characters.
//
// The payload (format 1) is a byte string with one encoding only: the format byte 1,
// then the language, learner name, module id, module title, content version, source and
// source date, each as a uvarint byte length followed by the UTF-8 bytes, then the day
// passed, the best score and the day issued as uvarints (days since 1970-01-01). The
// signature covers certSignContext followed by the payload.

// certFormat is the payload format this version writes; it reads format 1 too. Format
// 2 adds, after the source date, the issuer's name and the certificate number.
const certFormat = 2

// certSignContext separates certificate signatures from anything else the installation
// key might sign.
const certSignContext = "indicia/certificate\x00"

// certKeywordPrefix marks the verification code in the PDF's Keywords.
const certKeywordPrefix = "indicia-certificate:"

// certAlphabet is Crockford's base32: no I, L, O or U, so nothing reads as something else.
const certAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var certEncoding = base32.NewEncoding(certAlphabet).WithPadding(base32.NoPadding)

// Certificate is what a certificate of completion states.
type Certificate struct {
	Lang           string // the language it was issued in
	LearnerName    string
	ModuleID       string
	ModuleTitle    string // in Lang
	ContentVersion string
	Passed         time.Time // the day the learner passed (midnight UTC of that date)
	BestPercent    int
	Source         string // the report the module rests on
	SourceDate     string
	Issued         time.Time // the day the certificate was issued (midnight UTC)
	KeyID          string    // the installation that signed it
	PublicKey      ed25519.PublicKey
	// Code is the verification code, in groups of five characters.
	Code string
	// Format is the payload's format (1 before issuers were named).
	Format int
	// IssuerName is the organisation that issued it, as its trainer named it.
	IssuerName string
	// Number is the certificate's number at its issuer ("3F2A91C0-000042").
	Number string
	// Fingerprint is the issuer key's fingerprint (32 hexadecimal digits).
	Fingerprint string
	// CheckCode is a short code drawn from the whole signed certificate
	// ("7K3Q-9XW2-MAB4"): with the number, it finds the certificate in its issuer's
	// register.
	CheckCode string
}

// CertificateProblem says why a certificate was refused or is not genuine.
type CertificateProblem int

// The problems.
const (
	ProblemUnknownLearner CertificateProblem = iota + 1
	ProblemUnknownModule
	ProblemNotPassed
	ProblemBadName     // the name cannot be printed (control characters)
	ProblemBadLanguage // not fr, nl, en or de
	ProblemBadCharacter
	ProblemMalformed    // too short, a character too many or too few, fields that do not parse
	ProblemNewerFormat  // written by a newer version of Indicia
	ProblemBadSignature // altered
	ProblemOtherKey     // signed by another installation than the one required
	ProblemBadKeyID     // the required key id is not one
	ProblemNotPDF
	ProblemNoCode
	ProblemSeveralCodes
	ProblemVisibleName
	ProblemVisibleTitle
	ProblemVisibleCode
	ProblemUnreadablePDF
	ProblemNoIssuer // the trainer has not named the organisation yet
)

// CertificateError is a certificate refused, or a code or PDF that is not genuine.
// Message gives it in the user's language.
type CertificateError struct {
	Problem CertificateProblem
	// What the message names: a learner id, a module id, a character, key ids, a path.
	LearnerID       int64
	Name, Module    string
	Char            rune
	Got, Want, Path string
	Known           string // the module ids there are
	Err             error  // the underlying error, if any
}

func (e *CertificateError) Error() string {
	var s string
	switch e.Problem {
	case ProblemUnknownLearner:
		s = fmt.Sprintf("there is no learner %d", e.LearnerID)
	case ProblemUnknownModule:
		s = fmt.Sprintf("there is no module %q", e.Module)
	case ProblemNotPassed:
		s = fmt.Sprintf("%s has not passed the module %q", e.Name, e.Module)
	case ProblemBadName:
		s = "the learner's name contains control characters"
	case ProblemBadLanguage:
		s = fmt.Sprintf("unknown language %q", e.Got)
	case ProblemBadCharacter:
		s = fmt.Sprintf("the code contains %q, which no verification code contains", e.Char)
	case ProblemMalformed:
		s = "the code is incomplete or altered"
	case ProblemNewerFormat:
		s = "the code was made by a newer version of Indicia"
	case ProblemBadSignature:
		s = "the signature does not match: the certificate or its code has been altered"
	case ProblemOtherKey:
		s = fmt.Sprintf("signed by installation %s, not %s", e.Got, e.Want)
	case ProblemBadKeyID:
		s = fmt.Sprintf("%q is not an installation key id (16 hexadecimal digits)", e.Got)
	case ProblemNotPDF:
		s = fmt.Sprintf("%s is not a PDF file", e.Path)
	case ProblemNoCode:
		s = "the PDF holds no verification code"
	case ProblemSeveralCodes:
		s = "the PDF holds several different verification codes"
	case ProblemVisibleName:
		s = fmt.Sprintf("the name shown in the PDF is not the signed name %q", e.Name)
	case ProblemVisibleTitle:
		s = fmt.Sprintf("the module shown in the PDF is not the signed module %q", e.Module)
	case ProblemVisibleCode:
		s = "the code shown in the PDF is not the code in its metadata"
	case ProblemUnreadablePDF:
		s = "the PDF's text cannot be read"
	case ProblemNoIssuer:
		s = "the organisation's name is not set: set it in trainer mode (Settings, Trust) or with indicia trust issuer --name"
	default:
		s = "certificate error"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *CertificateError) Unwrap() error { return e.Err }

// Message is the error in the language of l, on one line.
func (e *CertificateError) Message(l *locales.Localizer) string {
	switch e.Problem {
	case ProblemUnknownLearner:
		return l.T("Certificate.Error.UnknownLearner", map[string]any{"ID": e.LearnerID})
	case ProblemUnknownModule:
		return l.T("Certificate.Error.UnknownModule", map[string]any{"Module": e.Module, "Known": e.Known})
	case ProblemNotPassed:
		return l.T("Certificate.Error.NotPassed", map[string]any{"Name": e.Name, "Module": e.Module})
	case ProblemBadName:
		return l.T("Certificate.Error.BadName")
	case ProblemBadLanguage:
		return l.T("Certificate.Error.BadLanguage", map[string]any{"Lang": e.Got})
	case ProblemBadCharacter:
		return l.T("Certificate.Error.BadCharacter", map[string]any{"Char": strconv.QuoteRune(e.Char)})
	case ProblemMalformed:
		return l.T("Certificate.Error.Malformed")
	case ProblemNewerFormat:
		return l.T("Certificate.Error.NewerFormat")
	case ProblemBadSignature:
		return l.T("Certificate.Error.BadSignature")
	case ProblemOtherKey:
		return l.T("Certificate.Error.OtherKey", map[string]any{"Got": e.Got, "Want": e.Want})
	case ProblemBadKeyID:
		return l.T("Certificate.Error.BadKeyID", map[string]any{"Key": e.Got})
	case ProblemNotPDF:
		return l.T("Certificate.Error.NotPDF", map[string]any{"Path": e.Path})
	case ProblemNoCode:
		return l.T("Certificate.Error.NoCode")
	case ProblemSeveralCodes:
		return l.T("Certificate.Error.SeveralCodes")
	case ProblemVisibleName:
		return l.T("Certificate.Error.VisibleName", map[string]any{"Name": e.Name})
	case ProblemVisibleTitle:
		return l.T("Certificate.Error.VisibleTitle", map[string]any{"Title": e.Module})
	case ProblemVisibleCode:
		return l.T("Certificate.Error.VisibleCode")
	case ProblemUnreadablePDF:
		return l.T("Certificate.Error.UnreadablePDF", map[string]any{"Path": e.Path})
	case ProblemNoIssuer:
		return l.T("Certificate.Error.NoIssuer")
	}
	return e.Error()
}

// certProblem builds a CertificateError.
func certProblem(p CertificateProblem) *CertificateError { return &CertificateError{Problem: p} }

// IssueCertificate makes the certificate of a learner for a module they have passed,
// signed with key, in lang. now is the day of issue. It refuses an unknown learner or
// module and a module the learner has not passed.
func IssueCertificate(ctx context.Context, store *progress.Store, cat *modules.Catalog, key *SigningKey, learnerID int64, moduleID, lang string, now time.Time) (Certificate, error) {
	if !slices.Contains(locales.Languages, lang) {
		return Certificate{}, &CertificateError{Problem: ProblemBadLanguage, Got: lang}
	}
	m, ok := cat.Module(moduleID)
	if !ok {
		var known []string
		for _, m := range cat.Modules {
			known = append(known, m.ID)
		}
		return Certificate{}, &CertificateError{Problem: ProblemUnknownModule, Module: moduleID, Known: strings.Join(known, ", ")}
	}
	comp, err := store.Completion(ctx, learnerID, moduleID)
	switch {
	case errors.Is(err, progress.ErrNotFound):
		return Certificate{}, &CertificateError{Problem: ProblemUnknownLearner, LearnerID: learnerID, Err: err}
	case errors.Is(err, progress.ErrNotPassed):
		l, lerr := store.Learner(ctx, learnerID)
		if lerr != nil {
			return Certificate{}, lerr
		}
		return Certificate{}, &CertificateError{Problem: ProblemNotPassed, Name: l.Name, Module: m.In(lang).Title, Err: err}
	case err != nil:
		return Certificate{}, err
	}
	if !certPrintable(comp.Learner.Name) {
		return Certificate{}, certProblem(ProblemBadName)
	}
	issuer, err := store.IssuerName(ctx)
	if err != nil {
		return Certificate{}, err
	}
	if issuer == "" || !certPrintable(issuer) {
		return Certificate{}, certProblem(ProblemNoIssuer)
	}
	c := Certificate{
		Lang:           lang,
		LearnerName:    comp.Learner.Name,
		ModuleID:       m.ID,
		ModuleTitle:    m.In(lang).Title,
		ContentVersion: comp.ContentVersion,
		Passed:         certDay(comp.PassedAt),
		BestPercent:    min(max(comp.BestPercent, 0), 100),
		Source:         m.Source,
		SourceDate:     m.SourceDate,
		Issued:         certDay(now),
		KeyID:          key.ID,
		PublicKey:      key.Public(),
		Format:         certFormat,
		IssuerName:     issuer,
		Fingerprint:    key.Fingerprint(),
	}
	if c.ContentVersion == "" {
		c.ContentVersion = m.Version
	}
	// The number comes from the register, in the same transaction that records it.
	_, _, err = store.RecordCertificate(ctx, learnerID, m.ID, c.Fingerprint, c.Issued,
		func(serial int64) string { return CertificateNumber(c.Fingerprint, serial) },
		func(number string) (string, error) {
			c.Number = number
			payload := c.payload()
			if _, err := parseCertPayload(payload); err != nil {
				return "", fmt.Errorf("certificate: %w", err) // a field the format cannot carry
			}
			sig := key.sign(append([]byte(certSignContext), payload...))
			raw := slices.Concat(payload, sig, c.PublicKey)
			c.Code = certGroup(certEncoding.EncodeToString(raw))
			c.CheckCode = certCheckCode(raw)
			return strings.ReplaceAll(c.Code, " ", ""), nil
		})
	if err != nil {
		return Certificate{}, err
	}
	return c, nil
}

// CertificateNumber is the number of an issuer's serial-th certificate: the first eight
// digits of its key's fingerprint, then the serial ("3F2A91C0-000042").
func CertificateNumber(fingerprint string, serial int64) string {
	return fmt.Sprintf("%s-%06d", strings.ToUpper(fingerprint[:8]), serial)
}

// certCheckCode is the short check code of a signed certificate (its payload, signature
// and key): 60 bits of their SHA-256, in twelve characters of Crockford's base32.
func certCheckCode(raw []byte) string {
	sum := sha256.Sum256(append([]byte("indicia/check-code\x00"), raw...))
	c := certEncoding.EncodeToString(sum[:8])[:12]
	return c[:4] + "-" + c[4:8] + "-" + c[8:]
}

// certDay is the calendar day of t in its own time zone, as midnight UTC.
func certDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

const certSecondsPerDay = 24 * 60 * 60

func certDayNumber(t time.Time) uint64 { return uint64(max(t.Unix(), 0) / certSecondsPerDay) }

func certFromDayNumber(n uint64) time.Time { return time.Unix(int64(n)*certSecondsPerDay, 0).UTC() }

// payload is the signed byte string.
func (c Certificate) payload() []byte {
	format := c.Format
	if format == 0 {
		format = certFormat
	}
	b := []byte{byte(format)}
	texts := []string{c.Lang, c.LearnerName, c.ModuleID, c.ModuleTitle, c.ContentVersion, c.Source, c.SourceDate}
	if format >= 2 {
		texts = append(texts, c.IssuerName, c.Number)
	}
	for _, s := range texts {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, certDayNumber(c.Passed))
	b = binary.AppendUvarint(b, uint64(c.BestPercent))
	b = binary.AppendUvarint(b, certDayNumber(c.Issued))
	return b
}

// maxCertField bounds each text of a payload.
const maxCertField = 1000

// parseCertPayload reads a payload. It accepts only what payload writes: the same bytes
// must come back, so each certificate has exactly one payload.
func parseCertPayload(b []byte) (Certificate, error) {
	bad := func(what string) (Certificate, error) {
		return Certificate{}, &CertificateError{Problem: ProblemMalformed, Err: errors.New(what)}
	}
	if len(b) == 0 || b[0] < 1 || b[0] > certFormat {
		return bad("unknown format")
	}
	format := int(b[0])
	pos := 1
	uvarint := func() (uint64, bool) {
		v, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			return 0, false
		}
		pos += n
		return v, true
	}
	texts := make([]string, 7)
	if format >= 2 {
		texts = make([]string, 9)
	}
	for i := range texts {
		n, ok := uvarint()
		if !ok || n > maxCertField || n > uint64(len(b)-pos) {
			return bad("a text field is cut short")
		}
		texts[i] = string(b[pos : pos+int(n)])
		pos += int(n)
		if !certPrintable(texts[i]) {
			return bad("a text field is not printable text")
		}
	}
	var nums [3]uint64
	for i := range nums {
		v, ok := uvarint()
		if !ok || v > 1<<20 {
			return bad("a number is cut short or out of range")
		}
		nums[i] = v
	}
	c := Certificate{
		Lang: texts[0], LearnerName: texts[1], ModuleID: texts[2], ModuleTitle: texts[3],
		ContentVersion: texts[4], Source: texts[5], SourceDate: texts[6],
		Passed: certFromDayNumber(nums[0]), BestPercent: int(nums[1]), Issued: certFromDayNumber(nums[2]),
		Format: format,
	}
	if format >= 2 {
		c.IssuerName, c.Number = texts[7], texts[8]
		if strings.TrimSpace(c.IssuerName) == "" || c.Number == "" {
			return bad("the issuer or the number is empty")
		}
	}
	switch {
	case !slices.Contains(locales.Languages, c.Lang):
		return bad("unknown language")
	case strings.TrimSpace(c.LearnerName) == "" || c.ModuleID == "" || strings.TrimSpace(c.ModuleTitle) == "":
		return bad("a name is empty")
	case c.BestPercent > 100:
		return bad("the score is over 100%")
	case c.Passed.After(c.Issued):
		return bad("passed after it was issued")
	case !bytes.Equal(c.payload(), b):
		return bad("not in canonical form")
	}
	return c, nil
}

// certPrintable reports whether s is UTF-8 text without control or invisible formatting
// characters (which could hide or reorder what a reader sees), joiners excepted.
func certPrintable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d' {
			return false
		}
	}
	return true
}

// certGroup splits a code into groups of five characters.
func certGroup(compact string) string {
	var b strings.Builder
	for i := 0; i < len(compact); i += 5 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(compact[i:min(i+5, len(compact))])
	}
	return b.String()
}

// certNormalize removes spaces and hyphens, upper-cases, and reads O as 0 and I, L as
// 1, as Crockford's base32 does for codes typed by hand.
func certNormalize(code string) (string, error) {
	var b strings.Builder
	for _, r := range code {
		switch r = unicode.ToUpper(r); {
		case unicode.IsSpace(r) || r == '-':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		case !strings.ContainsRune(certAlphabet, r):
			return "", &CertificateError{Problem: ProblemBadCharacter, Char: r}
		}
		b.WriteRune(r)
	}
	return b.String(), nil
}

// Verify checks a verification code: its signature against the public key it carries.
// It returns what the certificate states, with the signing installation's KeyID; a
// caller that trusts only some installations checks it (RequireKey).
func Verify(code string) (Certificate, error) {
	compact, err := certNormalize(code)
	if err != nil {
		return Certificate{}, err
	}
	raw, err := certEncoding.DecodeString(compact)
	// The last character may carry unused bits: a code that does not come back the same
	// was altered.
	if err != nil || certEncoding.EncodeToString(raw) != compact || len(raw) < 1+ed25519.SignatureSize+ed25519.PublicKeySize {
		return Certificate{}, certProblem(ProblemMalformed)
	}
	if raw[0] > certFormat {
		return Certificate{}, certProblem(ProblemNewerFormat)
	}
	n := len(raw) - ed25519.SignatureSize - ed25519.PublicKeySize
	payload, sig, pub := raw[:n], raw[n:n+ed25519.SignatureSize], ed25519.PublicKey(raw[n+ed25519.SignatureSize:])
	if !ed25519.Verify(pub, append([]byte(certSignContext), payload...), sig) {
		return Certificate{}, certProblem(ProblemBadSignature)
	}
	c, err := parseCertPayload(payload)
	if err != nil {
		return Certificate{}, err
	}
	c.PublicKey, c.KeyID, c.Code = slices.Clone(pub), KeyID(pub), certGroup(compact)
	c.Fingerprint, c.CheckCode = Fingerprint(pub), certCheckCode(raw)
	return c, nil
}

// ParseKeyID reads an installation key id (16 hexadecimal digits, any case).
func ParseKeyID(s string) (string, error) {
	id := strings.ToLower(strings.TrimSpace(s))
	if len(id) != 16 || strings.Trim(id, "0123456789abcdef") != "" {
		return "", &CertificateError{Problem: ProblemBadKeyID, Got: s}
	}
	return id, nil
}

// RequireKey checks that the certificate was signed by the installation keyID.
func (c Certificate) RequireKey(keyID string) error {
	want, err := ParseKeyID(keyID)
	if err != nil {
		return err
	}
	if c.KeyID != want {
		return &CertificateError{Problem: ProblemOtherKey, Got: c.KeyID, Want: want}
	}
	return nil
}

// CertificateDate writes a day in words in the language of l ("9 March 2026"), as
// certificates print it.
func CertificateDate(l *locales.Localizer, t time.Time) string {
	months := []string{
		l.T("Certificate.January"), l.T("Certificate.February"), l.T("Certificate.March"),
		l.T("Certificate.April"), l.T("Certificate.May"), l.T("Certificate.June"),
		l.T("Certificate.July"), l.T("Certificate.August"), l.T("Certificate.September"),
		l.T("Certificate.October"), l.T("Certificate.November"), l.T("Certificate.December"),
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = l.T("Certificate.FirstDay")
	}
	return l.T("Certificate.LongDate", map[string]any{"Day": day, "Month": months[t.Month()-1], "Year": strconv.Itoa(t.Year())})
}

// The certificate's colours: a dark blue, a muted gold, a grey for small print.
var (
	certBlue = [3]int{24, 48, 89}
	certGold = [3]int{176, 141, 87}
	certGrey = [3]int{85, 85, 85}
	certInk  = [3]int{20, 20, 20}
)

// PDF renders the certificate, in its language, on one A4 landscape page with the
// DejaVu Sans font embedded. The verification code is printed, drawn as a QR code, and
// kept in the document's Keywords so that `indicia verify FILE.pdf` finds it.
func (c Certificate) PDF(b *locales.Bundle) ([]byte, error) {
	l := b.For(c.Lang)
	const font = "DejaVu"
	pdf := fpdf.New("L", "mm", "A4", "")
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes(font, "", assets.FontRegular)
	pdf.AddUTF8FontFromBytes(font, "B", assets.FontBold)
	title := l.T("Certificate.Title")
	pdf.SetTitle(title+" — "+c.LearnerName, true)
	pdf.SetSubject(title+" — "+c.ModuleTitle, true)
	pdf.SetAuthor("Indicia", false)
	pdf.SetCreator("Indicia", false)
	pdf.SetKeywords(certKeywordPrefix+strings.ReplaceAll(c.Code, " ", ""), false)
	pdf.SetLang(c.Lang)
	pdf.SetCreationDate(c.Issued)
	pdf.SetModificationDate(c.Issued)
	pdf.AddPage()

	pageW, pageH := pdf.GetPageSize()
	color := func(rgb [3]int) { pdf.SetTextColor(rgb[0], rgb[1], rgb[2]) }
	// centered writes one line centred on the page at y and returns the next y.
	const left, width = 24.0, 249.0
	centered := func(y float64, style string, size float64, rgb [3]int, text string, lineH float64) float64 {
		pdf.SetFont(font, style, size)
		color(rgb)
		pdf.SetXY(left, y)
		pdf.MultiCell(width, lineH, text, "", "C", false)
		return pdf.GetY()
	}
	// fitted writes text on one line, smaller if it must, wrapped only below minSize.
	fitted := func(y float64, style string, size, minSize float64, rgb [3]int, text string) float64 {
		pdf.SetFont(font, style, size)
		avail := width - 2*pdf.GetCellMargin() - 0.5
		for size > minSize && pdf.GetStringWidth(text) > avail {
			size -= 0.5
			pdf.SetFont(font, style, size)
		}
		return centered(y, style, size, rgb, text, size*0.45)
	}

	// Frame: a dark blue border and a thin gold line inside it.
	pdf.SetDrawColor(certBlue[0], certBlue[1], certBlue[2])
	pdf.SetLineWidth(1.4)
	pdf.Rect(9, 9, pageW-18, pageH-18, "D")
	pdf.SetDrawColor(certGold[0], certGold[1], certGold[2])
	pdf.SetLineWidth(0.4)
	pdf.Rect(12.5, 12.5, pageW-25, pageH-25, "D")

	y := centered(22, "B", 10, certBlue, "INDICIA", 5)
	y = centered(y, "", 9, certGrey, l.T("Certificate.Programme"), 4.5)
	y = fitted(y+5, "B", 30, 18, certBlue, title)
	pdf.SetDrawColor(certGold[0], certGold[1], certGold[2])
	pdf.SetLineWidth(0.6)
	pdf.Line(pageW/2-35, y+3, pageW/2+35, y+3)
	y = centered(y+9, "", 13, certInk, l.T("Certificate.Certifies"), 6)
	y = fitted(y+2, "B", 26, 13, certInk, c.LearnerName)
	y = centered(y+3, "", 13, certInk, l.T("Certificate.Completed"), 6)
	y = centered(y+2, "B", 17, certBlue, c.ModuleTitle, 7.5)
	details := l.T("Certificate.PassedOn", map[string]any{"Date": CertificateDate(l, c.Passed)}) + "   ·   " +
		l.T("Certificate.BestScore", map[string]any{"Score": l.Percent(c.BestPercent)}) + "   ·   " +
		l.T("Certificate.ContentVersion", map[string]any{"Version": c.ContentVersion})
	y = centered(y+4, "", 11, certInk, details, 5.5)
	y = centered(y+2, "", 8.5, certGrey, l.T("Certificate.BasedOn", map[string]any{"Source": c.Source, "Date": c.SourceDate}), 4)

	// Who vouches for it, and how to check it: the QR code (the whole signed
	// certificate) on the left; the issuer, its key's fingerprint, the number and the
	// check code beside it, short enough to read over the phone.
	top := max(y+6, 128)
	qrSize := pageH - 20 - top
	qrSize = min(max(qrSize, 40), 54)
	if err := certDrawQR(pdf, strings.ReplaceAll(c.Code, " ", ""), 24, top, qrSize); err != nil {
		return nil, err
	}
	x := 24 + qrSize + 8
	textW := pageW - 24 - x
	pdf.SetXY(x, top)
	pdf.SetFont(font, "B", 9.5)
	color(certBlue)
	pdf.MultiCell(textW, 4.6, l.T("Certificate.IssuedByOrg", map[string]any{"Issuer": c.IssuerName}), "", "L", false)
	pdf.SetX(x)
	pdf.SetFont(font, "", 8)
	color(certGrey)
	pdf.MultiCell(textW, 3.8, l.T("Certificate.KeyFingerprint", map[string]any{"Fingerprint": FormatFingerprint(c.Fingerprint)}), "", "L", false)
	pdf.SetXY(x, pdf.GetY()+1.5)
	pdf.SetFont(font, "B", 10.5)
	color(certInk)
	pdf.CellFormat(textW, 5.2, l.T("Certificate.Number", map[string]any{"Number": c.Number}), "", 1, "L", false, 0, "")
	pdf.SetX(x)
	pdf.CellFormat(textW, 5.2, l.T("Certificate.CheckCode", map[string]any{"Check": c.CheckCode}), "", 1, "L", false, 0, "")
	pdf.SetXY(x, pdf.GetY()+1.5)
	pdf.SetFont(font, "", 8)
	color(certGrey)
	pdf.MultiCell(textW, 3.8, l.T("Certificate.HowToVerifyTrust", map[string]any{"Command": "indicia verify"}), "", "L", false)
	pdf.SetX(x)
	pdf.MultiCell(textW, 3.8, l.T("Certificate.IssuedOn", map[string]any{"Date": CertificateDate(l, c.Issued)}), "", "L", false)
	if pdf.GetY() > pageH-14 {
		return nil, fmt.Errorf("certificate: the text does not fit on the page")
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificate PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// certDrawQR draws the QR code of text as black squares, size mm wide, at x, y.
func certDrawQR(pdf *fpdf.Fpdf, text string, x, y, size float64) error {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("certificate QR code: %w", err)
	}
	bits := q.Bitmap() // with its quiet zone
	cell := size / float64(len(bits))
	pdf.SetFillColor(0, 0, 0)
	for r, row := range bits {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			// A hair of overlap so no light seams show between squares.
			pdf.Rect(x+float64(start)*cell, y+float64(r)*cell, float64(c-start)*cell+0.02, cell+0.02, "F")
		}
	}
	return nil
}

// SaveCertificatePDF writes the certificate's PDF to path: whole or not at all (it is
// written beside path under a temporary name, then renamed).
func SaveCertificatePDF(path string, c Certificate, b *locales.Bundle) error {
	data, err := c.PDF(b)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// PDFCheck says what VerifyPDF compared besides the signature.
type PDFCheck struct {
	// VisibleText is true when the page's text was read (with pdftotext) and the
	// visible name, module title and code were found equal to the signed ones; false
	// when pdftotext is not installed.
	VisibleText bool
}

// maxCertPDF bounds the size of a PDF VerifyPDF reads.
const maxCertPDF = 32 << 20

// VerifyPDF checks a certificate PDF: the verification code in its metadata, and, when
// pdftotext is installed, that the name, the module title and the code printed on the
// page are the signed ones.
func VerifyPDF(ctx context.Context, path string) (Certificate, PDFCheck, error) {
	f, err := os.Open(path)
	if err != nil {
		return Certificate{}, PDFCheck{}, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxCertPDF+1))
	f.Close()
	if err != nil {
		return Certificate{}, PDFCheck{}, err
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) || len(data) > maxCertPDF {
		return Certificate{}, PDFCheck{}, &CertificateError{Problem: ProblemNotPDF, Path: path}
	}
	codes := pdfCertificateCodes(data)
	switch {
	case len(codes) == 0:
		return Certificate{}, PDFCheck{}, certProblem(ProblemNoCode)
	case len(codes) > 1:
		return Certificate{}, PDFCheck{}, certProblem(ProblemSeveralCodes)
	}
	c, err := Verify(codes[0])
	if err != nil {
		return Certificate{}, PDFCheck{}, err
	}
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		return c, PDFCheck{}, nil
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, "-enc", "UTF-8", "-f", "1", "-l", "1", path, "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		return Certificate{}, PDFCheck{}, &CertificateError{Problem: ProblemUnreadablePDF, Path: path,
			Err: fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	if err := certCheckVisibleText(c, out.String()); err != nil {
		return Certificate{}, PDFCheck{}, err
	}
	return c, PDFCheck{VisibleText: true}, nil
}

// certCheckVisibleText checks the page's text: the signed name on a line (or run of lines)
// of its own, the signed module title on lines of its own after it, and the code.
func certCheckVisibleText(c Certificate, text string) error {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.Join(strings.Fields(line), " "); line != "" {
			lines = append(lines, line)
		}
	}
	nameAt := certFindRun(lines, c.LearnerName, 0)
	if nameAt < 0 {
		return &CertificateError{Problem: ProblemVisibleName, Name: c.LearnerName}
	}
	if certFindRun(lines, c.ModuleTitle, nameAt+1) < 0 {
		return &CertificateError{Problem: ProblemVisibleTitle, Module: c.ModuleTitle}
	}
	visible := strings.Join(strings.Fields(text), "")
	if c.Format >= 2 {
		// The page shows the number and the check code, which the signed code gives.
		if !strings.Contains(visible, c.Number) || !strings.Contains(visible, c.CheckCode) {
			return certProblem(ProblemVisibleCode)
		}
		return nil
	}
	if !strings.Contains(visible, strings.ReplaceAll(c.Code, " ", "")) {
		return certProblem(ProblemVisibleCode)
	}
	return nil
}

// certFindRun returns the index of the first of up to four consecutive lines, from
// index from on, that together equal want, or -1. Spaces and hyphens are ignored: a
// long name may be broken across lines where it had no space, and pdftotext drops the
// hyphen that ends a line.
func certFindRun(lines []string, want string, from int) int {
	want = certLetters(want)
	for i := from; i < len(lines); i++ {
		joined := ""
		for j := i; j < len(lines) && j < i+4 && len(joined) < len(want); j++ {
			joined += certLetters(lines[j])
			if joined == want {
				return i
			}
		}
	}
	return -1
}

// certLetters is s without spaces and hyphens.
func certLetters(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '\u00ad' || r == '\u2010' || r == '\u2011' {
			return -1
		}
		return r
	}, s)
}

// pdfCertificateCodes returns the distinct verification codes in the Keywords entries
// of a PDF's uncompressed objects (where the document information dictionary is, in
// the files Indicia writes and in files edited with an incremental update).
func pdfCertificateCodes(data []byte) []string {
	var codes []string
	key := []byte("/Keywords")
	for i := 0; ; {
		j := bytes.Index(data[i:], key)
		if j < 0 {
			break
		}
		i += j + len(key)
		s, ok := certPDFString(data[i:])
		if !ok {
			continue
		}
		for _, field := range strings.Fields(s) {
			if code, ok := strings.CutPrefix(field, certKeywordPrefix); ok && code != "" && !slices.Contains(codes, code) {
				codes = append(codes, code)
			}
		}
	}
	return codes
}

// certPDFString reads the PDF string object (literal or hexadecimal) at the start of b,
// after white space, as text: UTF-16 when it starts with a byte order mark, else
// Latin-1 (which is PDFDocEncoding for the characters a code uses).
func certPDFString(b []byte) (string, bool) {
	i := 0
	for i < len(b) && strings.IndexByte(" \t\r\n\f\x00", b[i]) >= 0 {
		i++
	}
	if i == len(b) {
		return "", false
	}
	var raw []byte
	switch b[i] {
	case '(':
		depth := 0
		for i++; i < len(b); i++ {
			ch := b[i]
			switch {
			case ch == '\\' && i+1 < len(b):
				i++
				switch e := b[i]; e {
				case 'n':
					raw = append(raw, '\n')
				case 'r':
					raw = append(raw, '\r')
				case 't':
					raw = append(raw, '\t')
				case 'b':
					raw = append(raw, '\b')
				case 'f':
					raw = append(raw, '\f')
				case '\r', '\n':
					if e == '\r' && i+1 < len(b) && b[i+1] == '\n' {
						i++
					}
				default:
					if e >= '0' && e <= '7' {
						v := int(e - '0')
						for k := 0; k < 2 && i+1 < len(b) && b[i+1] >= '0' && b[i+1] <= '7'; k++ {
							i++
							v = v*8 + int(b[i]-'0')
						}
						raw = append(raw, byte(v))
					} else {
						raw = append(raw, e)
					}
				}
			case ch == '(':
				depth++
				raw = append(raw, ch)
			case ch == ')' && depth == 0:
				return certPDFText(raw), true
			case ch == ')':
				depth--
				raw = append(raw, ch)
			default:
				raw = append(raw, ch)
			}
		}
		return "", false
	case '<':
		var hexDigits []byte
		for i++; i < len(b) && b[i] != '>'; i++ {
			if strings.IndexByte(" \t\r\n\f\x00", b[i]) >= 0 {
				continue
			}
			hexDigits = append(hexDigits, b[i])
		}
		if i == len(b) {
			return "", false
		}
		if len(hexDigits)%2 == 1 {
			hexDigits = append(hexDigits, '0')
		}
		for k := 0; k < len(hexDigits); k += 2 {
			v, err := strconv.ParseUint(string(hexDigits[k:k+2]), 16, 8)
			if err != nil {
				return "", false
			}
			raw = append(raw, byte(v))
		}
		return certPDFText(raw), true
	}
	return "", false
}

func certPDFText(raw []byte) string {
	if len(raw) >= 2 && raw[0] == 0xFE && raw[1] == 0xFF {
		u := make([]uint16, 0, len(raw)/2)
		for k := 2; k+1 < len(raw); k += 2 {
			u = append(u, uint16(raw[k])<<8|uint16(raw[k+1]))
		}
		return string(utf16.Decode(u))
	}
	r := make([]rune, len(raw))
	for k, ch := range raw {
		r[k] = rune(ch)
	}
	return string(r)
}
