package report

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// certFixture is a progress database with a learner who passed the core module.
type certFixture struct {
	store  *progress.Store
	cat    *modules.Catalog
	bundle *locales.Bundle
	key    *SigningKey
	// passed passed the core module; started has an attempt under way.
	passed, started progress.Learner
	dir             string
}

const certName = "Zoë Ngô-Lefèvre d'Hærens"

func newCertFixture(t *testing.T) *certFixture {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	s, err := progress.Open(ctx, filepath.Join(dir, "indicia.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cat := certCoreCatalog(t)
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetIssuerName(ctx, "Académie de police de Liège"); err != nil {
		t.Fatal(err)
	}
	key, err := LoadSigningKeyFor(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	f := &certFixture{store: s, cat: cat, bundle: b, key: key, dir: dir}
	f.passed = certLearner(t, s, certName)
	certPassModule(t, s, cat, f.passed.ID, "core", "fr")
	f.started = certLearner(t, s, "Maël Dupont")
	m, _ := cat.Module("core")
	plan, _ := quiz.NewPlan(m.In("fr").Bank, m.QuizSize, rand.New(rand.NewPCG(3, 4)))
	if _, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: f.started.ID, ModuleID: "core", ContentVersion: m.Version, Language: "fr", Plan: plan, PassMark: m.PassMark}); err != nil {
		t.Fatal(err)
	}
	return f
}

// certCoreCatalog loads the shipped content with the core module only, so that these
// tests do not depend on the other modules, written separately.
func certCoreCatalog(t testing.TB) *modules.Catalog {
	t.Helper()
	fsys := fstest.MapFS{}
	err := fs.WalkDir(modules.Embedded(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(name, "/") && !strings.HasPrefix(name, "core/") {
			return err
		}
		data, err := fs.ReadFile(modules.Embedded(), name)
		fsys[name] = &fstest.MapFile{Data: data}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := modules.Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func certLearner(t *testing.T, s *progress.Store, name string) progress.Learner {
	t.Helper()
	l, err := s.CreateLearner(context.Background(), progress.NewLearner{Name: name, Role: "guardian", Language: "fr"})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// certPassModule has the learner take a module's quiz through the store, answering
// every question right, as the quiz screen does.
func certPassModule(t *testing.T, s *progress.Store, cat *modules.Catalog, learnerID int64, moduleID, lang string) {
	t.Helper()
	ctx := context.Background()
	m, ok := cat.Module(moduleID)
	if !ok {
		t.Fatalf("no module %s", moduleID)
	}
	bank := m.In(lang).Bank
	plan, err := quiz.NewPlan(bank, m.QuizSize, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: learnerID, ModuleID: moduleID, ContentVersion: m.Version, Language: lang, Plan: plan, PassMark: m.PassMark})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := quiz.NewSession(bank, a.Plan, m.PassMark)
	if err != nil {
		t.Fatal(err)
	}
	for i := range sess.Len() {
		q := sess.Item(i).Question
		r := certRightAnswer(q)
		g, err := sess.Answer(i, r)
		if err != nil {
			t.Fatalf("question %s: %v", q.ID, err)
		}
		if err := s.RecordAnswer(ctx, a.ID, progress.Answer{Position: i, QuestionID: q.ID, Response: r, Complete: true, Correct: g.Correct, Time: 5 * time.Second}); err != nil {
			t.Fatal(err)
		}
	}
	score := sess.Score()
	if !score.Passed {
		t.Fatalf("all right answers did not pass: %+v", score)
	}
	if _, err := s.FinishAttempt(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
}

// certRightAnswer is the right response to q.
func certRightAnswer(q quiz.Question) quiz.Response {
	switch q.Kind {
	case quiz.Ordering:
		return quiz.Response{Order: q.Answer}
	case quiz.Matching:
		return quiz.Response{Pairs: q.Pairs}
	case quiz.Scenario:
		var path []string
		for step := q.Start; step != ""; {
			s, _ := q.Step(step)
			step = ""
			for _, c := range s.Choices {
				if c.Good {
					path = append(path, s.ID+":"+c.ID)
					step = c.Next
					break
				}
			}
		}
		return quiz.Response{Path: path}
	}
	return quiz.Response{Chosen: q.Answer}
}

func (f *certFixture) issue(t *testing.T, lang string) Certificate {
	t.Helper()
	c, err := IssueCertificate(context.Background(), f.store, f.cat, f.key, f.passed.ID, "core", lang, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func certProblemOf(err error) CertificateProblem {
	var ce *CertificateError
	if errors.As(err, &ce) {
		return ce.Problem
	}
	return 0
}

func TestSigningKeyIsCreatedOnceAndKeptPrivate(t *testing.T) {
	db := filepath.Join(t.TempDir(), "indicia.db")
	k1, err := LoadSigningKey(db)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := LoadSigningKey(db)
	if err != nil {
		t.Fatal(err)
	}
	if k1.ID != k2.ID || len(k1.ID) != 16 || k1.ID != KeyID(k1.Public()) {
		t.Errorf("key ids %q, %q", k1.ID, k2.ID)
	}
	path := SigningKeyPath(db)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if len(strings.TrimSpace(string(data))) != 64 {
		t.Errorf("key file holds %q, not a 32-byte seed in hex", data)
	}
	if leftovers, _ := filepath.Glob(path + ".*"); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
	// Another database, another installation.
	k3, err := LoadSigningKey(filepath.Join(t.TempDir(), "other.db"))
	if err != nil || k3.ID == k1.ID {
		t.Errorf("second installation key %v %v", k3, err)
	}
	if runtime.GOOS != "windows" {
		os.Chmod(path, 0o644)
		if _, err := LoadSigningKey(db); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("a key others can read was used: %v", err)
		}
	}
	os.Chmod(path, 0o600)
	os.WriteFile(path, []byte("not a key\n"), 0o600)
	if _, err := LoadSigningKey(db); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("a damaged key was used: %v", err)
	}
}

// Programs that find no key at the same moment all end up with the same one.
func TestSigningKeyCreatedAtOnceIsOneKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "indicia.db")
	ids := make(chan string, 8)
	for range cap(ids) {
		go func() {
			k, err := LoadSigningKey(db)
			if err != nil {
				ids <- err.Error()
				return
			}
			ids <- k.ID
		}()
	}
	first := <-ids
	for range cap(ids) - 1 {
		if id := <-ids; id != first {
			t.Fatalf("two keys: %s and %s", first, id)
		}
	}
}

func TestCertificateStatesThePassAndVerifies(t *testing.T) {
	f := newCertFixture(t)
	comp, err := f.store.Completion(context.Background(), f.passed.ID, "core")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := f.cat.Module("core")
	for _, lang := range locales.Languages {
		c := f.issue(t, lang)
		want := Certificate{
			Lang: lang, LearnerName: certName, ModuleID: "core", ModuleTitle: m.In(lang).Title,
			ContentVersion: m.Version, Passed: certDay(comp.PassedAt), BestPercent: comp.BestPercent,
			Source: m.Source, SourceDate: m.SourceDate, Issued: certDay(time.Now()), KeyID: f.key.ID,
		}
		if c.BestPercent != 100 {
			t.Errorf("best score %d", c.BestPercent)
		}
		got, err := Verify(c.Code)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !bytes.Equal(got.PublicKey, f.key.Public()) || got.Code != c.Code {
			t.Errorf("%s: key or code differ", lang)
		}
		got.PublicKey, got.Code = nil, ""
		// Format 2: the issuer and the number are signed; the fingerprint and the check
		// code come from the key and the signed bytes.
		if got.Format != 2 || got.IssuerName != "Académie de police de Liège" || got.Number != c.Number ||
			got.CheckCode != c.CheckCode || got.Fingerprint != f.key.Fingerprint() || !strings.HasPrefix(c.Number, strings.ToUpper(f.key.ID[:8])+"-") {
			t.Errorf("%s: issuer, number or check code: %+v", lang, got)
		}
		got.Format, got.IssuerName, got.Number, got.CheckCode, got.Fingerprint = 0, "", "", "", ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: verified\n%+v\nwant\n%+v", lang, got, want)
		}
		// Groups of five from Crockford's alphabet; typed in lower case with hyphens,
		// or with O for 0, it still verifies.
		groups := strings.Fields(c.Code)
		for i, g := range groups {
			if len(g) != 5 && i != len(groups)-1 || strings.Trim(g, certAlphabet) != "" {
				t.Fatalf("group %d %q", i, g)
			}
		}
		typed := strings.ToLower(strings.Join(groups, "-"))
		typed = strings.ReplaceAll(typed, "0", "o")
		if _, err := Verify(typed); err != nil {
			t.Errorf("typed code: %v", err)
		}
		if lang == "fr" {
			t.Logf("code: %d characters, %d groups", len(strings.Join(groups, "")), len(groups))
		}
		if err := got.RequireKey(strings.ToUpper(f.key.ID)); err != nil {
			t.Errorf("our own key: %v", err)
		}
	}
}

func TestEveryAlteredCharacterIsRefused(t *testing.T) {
	f := newCertFixture(t)
	compact := strings.ReplaceAll(f.issue(t, "fr").Code, " ", "")
	for i := range compact {
		for _, delta := range []int{1, 17} {
			b := []byte(compact)
			b[i] = certAlphabet[(strings.IndexByte(certAlphabet, b[i])+delta)%len(certAlphabet)]
			if _, err := Verify(string(b)); certProblemOf(err) == 0 {
				t.Fatalf("character %d changed to %c: %v", i, b[i], err)
			}
		}
	}
	for name, code := range map[string]string{
		"empty":         "",
		"one missing":   compact[:len(compact)-1],
		"one too many":  compact + "0",
		"cut in half":   compact[:len(compact)/2],
		"a U":           "U" + compact[1:],
		"punctuation":   compact[:10] + "!" + compact[11:],
		"only key+sig":  compact[len(compact)-154:],
		"another thing": "HELLO WORLD",
	} {
		if _, err := Verify(code); certProblemOf(err) == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := Verify(compact[:10] + "!" + compact[11:])
	if certProblemOf(err) != ProblemBadCharacter || !strings.Contains(err.(*CertificateError).Message(f.bundle.For("en")), "'!'") {
		t.Errorf("bad character: %v", err)
	}
}

func TestAnotherInstallationsCodeIsRefusedWhenOursIsRequired(t *testing.T) {
	f := newCertFixture(t)
	other, err := LoadSigningKey(filepath.Join(t.TempDir(), "elsewhere.db"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := IssueCertificate(context.Background(), f.store, f.cat, other, f.passed.ID, "core", "nl", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Verify(c.Code)
	if err != nil {
		t.Fatal(err) // genuine, from its own installation
	}
	if err := got.RequireKey(f.key.ID); certProblemOf(err) != ProblemOtherKey {
		t.Errorf("another installation's code passed as ours: %v", err)
	}
	if err := got.RequireKey("xyz"); certProblemOf(err) != ProblemBadKeyID {
		t.Errorf("bad key id: %v", err)
	}
	// A code whose public key was replaced by ours no longer matches its signature.
	raw, _ := certEncoding.DecodeString(strings.ReplaceAll(c.Code, " ", ""))
	copy(raw[len(raw)-32:], f.key.Public())
	if _, err := Verify(certEncoding.EncodeToString(raw)); certProblemOf(err) != ProblemBadSignature {
		t.Errorf("swapped public key: %v", err)
	}
}

func TestCertificateIsRefusedWithoutAPass(t *testing.T) {
	f := newCertFixture(t)
	ctx := context.Background()
	never := certLearner(t, f.store, "Jan Peeters")
	control := certLearner(t, f.store, "Eve\x1b[2J")
	certPassModule(t, f.store, f.cat, control.ID, "core", "fr")
	en := f.bundle.For("en")
	for _, tc := range []struct {
		name    string
		learner int64
		module  string
		lang    string
		want    CertificateProblem
		says    string
	}{
		{"attempt under way", f.started.ID, "core", "en", ProblemNotPassed, "Maël Dupont has not passed"},
		{"never started", never.ID, "core", "en", ProblemNotPassed, "Jan Peeters has not passed"},
		{"unknown learner", 4242, "core", "en", ProblemUnknownLearner, "no learner 4242"},
		{"unknown module", f.passed.ID, "astrology", "en", ProblemUnknownModule, "core"},
		{"unknown language", f.passed.ID, "core", "es", ProblemBadLanguage, "es"},
		{"control characters", control.ID, "core", "en", ProblemBadName, "control characters"},
	} {
		_, err := IssueCertificate(ctx, f.store, f.cat, f.key, tc.learner, tc.module, tc.lang, time.Now())
		if certProblemOf(err) != tc.want {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		msg := err.(*CertificateError).Message(en)
		if !strings.Contains(msg, tc.says) || strings.Contains(msg, "\n") {
			t.Errorf("%s: message %q", tc.name, msg)
		}
		if fr := err.(*CertificateError).Message(f.bundle.For("fr")); fr == msg {
			t.Errorf("%s: the French message is the English one", tc.name)
		}
	}
}

// certPageText extracts the text of a PDF's first page with pdftotext.
func certPageText(t *testing.T, path string) string {
	t.Helper()
	certNeedTool(t, "pdftotext")
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", path, err)
	}
	return string(out)
}

func certNeedTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is not installed: the certificate tests need poppler-utils (make test-deps installs it)", name)
	}
}

// certRenderPage renders page 1 at 60 dpi and returns the share of pixels that are not
// white, and whether the page is landscape.
func certRenderPage(t *testing.T, path string) (ink float64, landscape bool) {
	t.Helper()
	certNeedTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "page")
	if out, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	file, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	img, err := png.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	bounds := img.Bounds()
	dark := 0
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r+g+b < 3*0xE000 {
				dark++
			}
		}
	}
	return float64(dark) / float64(bounds.Dx()*bounds.Dy()), bounds.Dx() > bounds.Dy()
}

// certCheckQR reads the QR code of the page, printed at 150 dpi, with zbarimg when it is
// installed (zbar-tools; not one of the test packages, so only where it is).
func certCheckQR(t *testing.T, path, code string) {
	t.Helper()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Log("zbarimg is not installed: the QR code was not read back")
		return
	}
	certNeedTool(t, "pdftoppm")
	prefix := filepath.Join(t.TempDir(), "scan")
	if out, err := exec.Command("pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile", path, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	out, err := exec.Command("zbarimg", "-q", "--raw", prefix+".png").Output()
	if err != nil {
		t.Fatalf("zbarimg cannot read the QR code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != strings.ReplaceAll(code, " ", "") {
		t.Errorf("the QR code holds %q, not the code", got)
	}
}

func TestCertificatePDFPrintsAndVerifies(t *testing.T) {
	f := newCertFixture(t)
	m, _ := f.cat.Module("core")
	for _, lang := range locales.Languages {
		c := f.issue(t, lang)
		path := filepath.Join(f.dir, "certificate-"+lang+".pdf")
		if err := SaveCertificatePDF(path, c, f.bundle); err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(certPageText(t, path), "\u00a0", " ")
		l := f.bundle.For(lang)
		for _, want := range []string{certName, l.T("Certificate.Title"), "indicia verify", FormatFingerprint(f.key.Fingerprint()),
			c.Number, c.CheckCode, "Académie de police de Liège", c.ContentVersion, strings.ReplaceAll(l.Percent(100), "\u00a0", " ")} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: the page lacks %q:\n%s", lang, want, text)
			}
		}
		if flat := strings.Join(strings.Fields(text), " "); !strings.Contains(flat, m.In(lang).Title) || !strings.Contains(flat, "ECPAT Belgique") {
			t.Errorf("%s: the page lacks the module title or the source:\n%s", lang, text)
		}
		if lang == "fr" {
			certCheckQR(t, path, c.Code)
		}
		ink, landscape := certRenderPage(t, path)
		if !landscape || ink < 0.03 || ink > 0.5 {
			t.Errorf("%s: rendered page: landscape %v, %.1f%% ink", lang, landscape, 100*ink)
		}
		got, check, err := VerifyPDF(context.Background(), path)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !check.VisibleText || got.LearnerName != certName || got.Lang != lang || got.Code != c.Code {
			t.Errorf("%s: verified %+v, %+v", lang, got, check)
		}
	}
	if leftovers, _ := filepath.Glob(filepath.Join(f.dir, ".*.tmp")); len(leftovers) > 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestLongNameShrinksToOneLine(t *testing.T) {
	f := newCertFixture(t)
	c := f.issue(t, "de")
	c.LearnerName = "Maximiliane Theodora Friederike von Hohenzollern-Sigmaringen"
	data, err := c.PDF(f.bundle)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(f.dir, "long.pdf")
	os.WriteFile(path, data, 0o600)
	if text := certPageText(t, path); !strings.Contains(text, "\n"+c.LearnerName+"\n") {
		t.Errorf("the long name is not on one line:\n%s", text)
	}

	// The longest name the store takes wraps, and the PDF still verifies.
	longest := strings.Repeat("Éléonore-", 17) + "Zoë"
	l := certLearner(t, f.store, longest)
	certPassModule(t, f.store, f.cat, l.ID, "core", "fr")
	c, err = IssueCertificate(context.Background(), f.store, f.cat, f.key, l.ID, "core", "fr", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(f.dir, "longest.pdf")
	if err := SaveCertificatePDF(path, c, f.bundle); err != nil {
		t.Fatal(err)
	}
	if got, check, err := VerifyPDF(context.Background(), path); err != nil || !check.VisibleText || got.LearnerName != longest {
		t.Errorf("the longest name: %v", err)
	}
}

func TestTamperedPDFIsNotGenuine(t *testing.T) {
	f := newCertFixture(t)
	ctx := context.Background()
	c := f.issue(t, "fr")
	genuine, err := c.PDF(f.bundle)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		path := filepath.Join(f.dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	// One character of the code in the metadata changed (same length: the file's
	// cross-reference table still holds).
	at := bytes.Index(genuine, []byte(certKeywordPrefix))
	if at < 0 {
		t.Fatal("no code in the metadata")
	}
	altered := bytes.Clone(genuine)
	i := at + len(certKeywordPrefix) + 40
	altered[i] = certAlphabet[(strings.IndexByte(certAlphabet, altered[i])+5)%32]
	if _, _, err := VerifyPDF(ctx, write("altered.pdf", altered)); certProblemOf(err) != ProblemBadSignature && certProblemOf(err) != ProblemMalformed {
		t.Errorf("altered metadata code: %v", err)
	}

	// Another name, module title or code shown over a genuine code.
	for _, tc := range []struct {
		name string
		edit func(*Certificate)
		want CertificateProblem
	}{
		{"name", func(c *Certificate) { c.LearnerName = "Zoe Ngo-Lefevre d'Haerens" }, ProblemVisibleName},
		{"title", func(c *Certificate) { c.ModuleTitle = "Module avancé pour experts" }, ProblemVisibleTitle},
	} {
		forged := c
		tc.edit(&forged)
		data, err := forged.PDF(f.bundle)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = VerifyPDF(ctx, write("forged-"+tc.name+".pdf", data))
		if certProblemOf(err) != tc.want {
			t.Errorf("visible %s changed: %v", tc.name, err)
		}
	}

	// A second information dictionary appended with another code.
	other, _ := IssueCertificate(ctx, f.store, f.cat, f.key, f.passed.ID, "core", "en", time.Now())
	update := append(bytes.Clone(genuine), []byte("\n99 0 obj\n<< /Keywords ("+certKeywordPrefix+strings.ReplaceAll(other.Code, " ", "")+") >>\nendobj\n")...)
	if _, _, err := VerifyPDF(ctx, write("two-codes.pdf", update)); certProblemOf(err) != ProblemSeveralCodes {
		t.Errorf("two codes: %v", err)
	}

	// No code, not a PDF, no file.
	stripped := bytes.Replace(genuine, []byte(certKeywordPrefix), []byte("indicia-certificatE:"), 1)
	if _, _, err := VerifyPDF(ctx, write("stripped.pdf", stripped)); certProblemOf(err) != ProblemNoCode {
		t.Errorf("no code: %v", err)
	}
	if _, _, err := VerifyPDF(ctx, write("notes.txt", []byte("hello"))); certProblemOf(err) != ProblemNotPDF {
		t.Errorf("not a PDF: %v", err)
	}
	if _, _, err := VerifyPDF(ctx, filepath.Join(f.dir, "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestVisibleTextCheck(t *testing.T) {
	c := Certificate{LearnerName: "Anaïs  Müller", ModuleTitle: "Le socle commun : reconnaître", Code: "ABCDE FGHIJ K"}
	for text, want := range map[string]CertificateProblem{
		"Titre\nAnaïs Müller\na suivi\nLe socle commun :\nreconnaître\nABCDE FGHIJ\nK\n":  0,
		"Titre\nAnaïs Müller-Dupont\na suivi\nLe socle commun : reconnaître\nABCDEFGHIJK": ProblemVisibleName,
		"Le socle commun : reconnaître\nAnaïs Müller\nABCDEFGHIJK":                        ProblemVisibleTitle,
		"Anaïs Müller\nLe socle commun : reconnaître\nABCDE FGHIJ":                        ProblemVisibleCode,
	} {
		if got := certProblemOf(certCheckVisibleText(c, text)); got != want {
			t.Errorf("%q: problem %d, want %d", text, got, want)
		}
	}
}

func TestSaveLeavesNoHalfWrittenFile(t *testing.T) {
	f := newCertFixture(t)
	c := f.issue(t, "en")
	// Into a folder that does not exist, and over a folder: nothing is written.
	if err := SaveCertificatePDF(filepath.Join(f.dir, "nowhere", "c.pdf"), c, f.bundle); err == nil {
		t.Error("saved into a missing folder")
	}
	os.Mkdir(filepath.Join(f.dir, "taken.pdf"), 0o700)
	if err := SaveCertificatePDF(filepath.Join(f.dir, "taken.pdf"), c, f.bundle); err == nil {
		t.Error("saved over a folder")
	}
	entries, _ := os.ReadDir(f.dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") || strings.HasSuffix(e.Name(), ".pdf") && !e.IsDir() {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestLongDate(t *testing.T) {
	b, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"fr": "1er mars 2026", "nl": "1 maart 2026", "en": "1 March 2026", "de": "1. März 2026"} {
		if got := CertificateDate(b.For(lang), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
	if got := CertificateDate(b.For("fr"), time.Date(2026, 8, 9, 0, 0, 0, 0, time.UTC)); got != "9 août 2026" {
		t.Errorf("fr: %q", got)
	}
}

// FuzzVerify: any text is refused or verifies to a certificate whose code verifies
// again to the same thing; nothing panics.
func FuzzVerify(f *testing.F) {
	key, err := LoadSigningKey(filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	c := Certificate{Lang: "fr", LearnerName: "Zoë", ModuleID: "core", ModuleTitle: "Le socle commun", ContentVersion: "1",
		Source: "ECPAT", SourceDate: "2015", Passed: certDay(time.Now()), Issued: certDay(time.Now()), BestPercent: 90}
	payload := c.payload()
	raw := append(append(payload, key.sign(append([]byte(certSignContext), payload...))...), key.Public()...)
	f.Add(certEncoding.EncodeToString(raw))
	f.Add("0000 1111")
	f.Add("")
	f.Fuzz(func(t *testing.T, code string) {
		got, err := Verify(code)
		if err != nil {
			return
		}
		again, err := Verify(got.Code)
		if err != nil || again.LearnerName != got.LearnerName || again.KeyID != got.KeyID {
			t.Fatalf("a verified code does not verify again: %v", err)
		}
	})
}

// FuzzPDFCodes: reading the codes of any bytes never panics.
func FuzzPDFCodes(f *testing.F) {
	f.Add([]byte("%PDF-1.3\n<< /Keywords (indicia-certificate:ABC\\051 \\(x\\)) /Keywords <FEFF0041> >>"))
	f.Add([]byte("/Keywords (unterminated"))
	f.Add([]byte("/Keywords <4"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, code := range pdfCertificateCodes(data) {
			if code == "" {
				t.Fatal("an empty code")
			}
		}
	})
}
