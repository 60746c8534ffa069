package main

import (
	"bytes"
	"context"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"indicia/app/progress"
	"indicia/app/report"
	"indicia/modules"
	"indicia/quiz"
)

const certTestName = "Anaïs Çelik-Dubœuf"

// certTestDB is a progress database in which the learner passed (certTestName) passed
// the core module through the store, question by question, and another learner only
// started it.
type certTestDB struct {
	path            string
	passed, started int64
}

// certTestCatalog is the shipped content with the core module only, so that these
// tests do not wait for the other modules, written separately.
func certTestCatalog() (*modules.Catalog, error) {
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
		return nil, err
	}
	return modules.Load(fsys)
}

func newCertTestDB(t *testing.T, dir string) certTestDB {
	t.Helper()
	ctx := context.Background()
	cat, err := certTestCatalog()
	if err != nil {
		t.Fatal(err)
	}
	db := certTestDB{path: filepath.Join(dir, "indicia.db")}
	s, err := progress.Open(ctx, db.path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetIssuerName(ctx, "Académie de police de Liège"); err != nil {
		t.Fatal(err)
	}
	m, _ := cat.Module("core")
	bank := m.In("fr").Bank
	for i, name := range []string{certTestName, "Pieter Janssens"} {
		l, err := s.CreateLearner(ctx, progress.NewLearner{Name: name, Role: "fedasil", Language: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		plan, err := quiz.NewPlan(bank, m.QuizSize, rand.New(rand.NewPCG(5, uint64(i))))
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.StartAttempt(ctx, progress.NewAttempt{LearnerID: l.ID, ModuleID: "core", ContentVersion: m.Version, Language: "fr", Plan: plan, PassMark: m.PassMark})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			db.started = l.ID
			break
		}
		db.passed = l.ID
		sess, err := quiz.NewSession(bank, a.Plan, m.PassMark)
		if err != nil {
			t.Fatal(err)
		}
		for p := range sess.Len() {
			q := sess.Item(p).Question
			r := certTestRightAnswer(q)
			g, err := sess.Answer(p, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.RecordAnswer(ctx, a.ID, progress.Answer{Position: p, QuestionID: q.ID, Response: r, Complete: true, Correct: g.Correct, Time: 3 * time.Second}); err != nil {
				t.Fatal(err)
			}
		}
		if sc := sess.Score(); !sc.Passed {
			t.Fatalf("score %+v", sc)
		} else if _, err := s.FinishAttempt(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func certTestRightAnswer(q quiz.Question) quiz.Response {
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
					path, step = append(path, s.ID+":"+c.ID), c.Next
					break
				}
			}
		}
		return quiz.Response{Path: path}
	}
	return quiz.Response{Chosen: q.Answer}
}

// certRun runs `indicia args...` (certificate with the core-only content) and returns
// its exit status and output.
func certRun(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	var code int
	if len(args) > 0 && args[0] == "certificate" {
		code = certificateWith(certTestCatalog, args[1:], &stdout, &stderr)
	} else {
		code = run(args, &stdout, &stderr)
	}
	return code, stdout.String(), stderr.String()
}

// wantRefused checks a refusal: exit status 1, one line on stderr that says want.
func wantRefused(t *testing.T, what string, code int, stderr, want string) {
	t.Helper()
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) || strings.Contains(stderr, "panic") {
		t.Errorf("%s: exit %d, stderr %q, want one line with %q", what, code, stderr, want)
	}
}

func TestCertificateCommandIssuesAVerifiablePDF(t *testing.T) {
	dir := t.TempDir()
	db := newCertTestDB(t, dir)
	out := filepath.Join(dir, "certificat.pdf")
	code, stdout, stderr := certRun("certificate", "--db", db.path, "--learner", strconv.FormatInt(db.passed, 10), "--module", "core", "--out", out)
	if code != 0 || stderr != "" || !strings.Contains(stdout, out) {
		t.Fatalf("certificate: exit %d, %q %q", code, stdout, stderr)
	}
	key, err := report.LoadSigningKey(db.path)
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(report.SigningKeyPath(db.path)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("signing key file: %v %v", st, err)
	}

	// The page: the accented name in its text, and ink on it.
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is not installed (poppler-utils; make test-deps installs it)", tool)
		}
	}
	text, err := exec.Command("pdftotext", "-enc", "UTF-8", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{certTestName, "Certificat de réussite", "Reconnaître l'exploitation sexuelle", report.FormatFingerprint(key.Fingerprint())} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the PDF's text lacks %q:\n%s", want, text)
		}
	}
	prefix := filepath.Join(t.TempDir(), "page")
	if msg, err := exec.Command("pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", out, prefix).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, msg)
	}
	pngFile, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(pngFile)
	pngFile.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, ink := img.Bounds(), 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xC000 {
				ink++
			}
		}
	}
	if share := float64(ink) / float64(b.Dx()*b.Dy()); b.Dx() <= b.Dy() || share < 0.03 {
		t.Errorf("page 1 is %dx%d with %.1f%% ink: blank or not landscape", b.Dx(), b.Dy(), 100*share)
	}

	// Verify the file, then the code, typed as groups in several arguments.
	code, stdout, stderr = certRun("verify", "--db", db.path, out, "--lang", "en", "--key", key.ID)
	if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "genuine, issued by Académie de police de Liège") || !strings.Contains(stdout, certTestName) ||
		!strings.Contains(stdout, "printed in the PDF are the signed ones") || !strings.Contains(stdout, "Best score:") {
		t.Fatalf("verify file: exit %d\n%s%s", code, stdout, stderr)
	}
	cert, _, err := report.VerifyPDF(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"verify", "--db", db.path, "--key", strings.ToUpper(key.ID)}, strings.Fields(strings.ToLower(cert.Code))...)
	code, stdout, stderr = certRun(args...)
	if code != 0 || !strings.HasPrefix(stdout, "authentique, délivré par") || !strings.Contains(stdout, "Apprenant") || !strings.Contains(stdout, certTestName) {
		t.Fatalf("verify code: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := certRun("verify", "--db", db.path, "--lang", "de", cert.Code); code != 0 || !strings.HasPrefix(stdout, "echt, ausgestellt von") {
		t.Errorf("verify quoted code: exit %d %s", code, stdout)
	}

	// Without pdftotext the signature is still checked, and the answer says the
	// printed text was not compared.
	t.Setenv("PATH", t.TempDir())
	code, stdout, _ = certRun("verify", "--db", db.path, "--lang", "en", out)
	if code != 0 || !strings.HasPrefix(stdout, "genuine, issued by") || !strings.Contains(stdout, "was not compared: install pdftotext") {
		t.Errorf("verify without pdftotext: exit %d\n%s", code, stdout)
	}
}

func TestVerifyCommandRefusesWhatIsNotGenuine(t *testing.T) {
	dir := t.TempDir()
	db := newCertTestDB(t, dir)
	out := filepath.Join(dir, "c.pdf")
	if code, _, stderr := certRun("certificate", "--db", db.path, "--learner", strconv.FormatInt(db.passed, 10), "--module", "core", "--out", out, "--lang", "en"); code != 0 {
		t.Fatal(stderr)
	}
	key, _ := report.LoadSigningKey(db.path)
	cert, _, err := report.VerifyPDF(context.Background(), out)
	if err != nil {
		t.Fatal(err)
	}
	compact := strings.ReplaceAll(cert.Code, " ", "")

	// One character of the code changed.
	i := len(compact) / 3
	tampered := compact[:i] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", compact[i])+1)%32]) + compact[i+1:]
	code, _, stderr := certRun("verify", "--lang", "en", tampered)
	wantRefused(t, "tampered code", code, stderr, "NOT genuine: the signature does not match")

	// The code in the PDF's metadata altered.
	data, _ := os.ReadFile(out)
	at := bytes.Index(data, []byte("indicia-certificate:"+compact))
	if at < 0 {
		t.Fatal("the code is not in the PDF's metadata")
	}
	j := at + len("indicia-certificate:") + 77
	data[j] = map[bool]byte{true: 'A', false: 'B'}[data[j] != 'A']
	forged := filepath.Join(dir, "forged.pdf")
	os.WriteFile(forged, data, 0o600)
	code, _, stderr = certRun("verify", "--lang", "en", forged)
	wantRefused(t, "tampered PDF", code, stderr, "NOT genuine:")

	// A genuine code from another installation, when ours is required.
	otherDir := t.TempDir()
	other := newCertTestDB(t, otherDir)
	otherPDF := filepath.Join(otherDir, "other.pdf")
	if code, _, stderr := certRun("certificate", "--db", other.path, "--learner", strconv.FormatInt(other.passed, 10), "--module", "core", "--out", otherPDF); code != 0 {
		t.Fatal(stderr)
	}
	otherKey, _ := report.LoadSigningKey(other.path)
	// Its signature is valid, but this installation does not trust its issuer.
	if code, _, _ := certRun("verify", "--db", db.path, otherPDF); code != 3 {
		t.Errorf("the other installation's certificate: exit %d, want 3 (valid, untrusted issuer)", code)
	}
	code, _, stderr = certRun("verify", "--lang", "en", otherPDF, "--key", key.ID)
	wantRefused(t, "other installation", code, stderr, "signed by the installation "+otherKey.ID+", not by "+key.ID)

	// Not a code, not a PDF, no such file, a bad key id, nothing to verify.
	code, _, stderr = certRun("verify", "--lang", "en", "hello world")
	wantRefused(t, "not a code", code, stderr, "NOT genuine")
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("hello"), 0o600)
	code, _, stderr = certRun("verify", "--lang", "en", notes)
	wantRefused(t, "not a PDF", code, stderr, "is not a PDF file")
	code, _, stderr = certRun("verify", "--lang", "en", filepath.Join(dir, "missing.pdf"))
	wantRefused(t, "missing file", code, stderr, "cannot read")
	code, _, stderr = certRun("verify", "--lang", "en", "--key", "zz", out)
	wantRefused(t, "bad key id", code, stderr, "is not an installation key")
	code, _, stderr = certRun("verify")
	wantRefused(t, "no argument", code, stderr, "usage")
}

func TestCertificateCommandRefusesBadInput(t *testing.T) {
	dir := t.TempDir()
	db := newCertTestDB(t, dir)
	out := filepath.Join(dir, "out", "c.pdf")
	os.Mkdir(filepath.Dir(out), 0o700)
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	for _, tc := range []struct {
		what string
		args []string
		want string
	}{
		{"not passed", []string{"--learner", id(db.started), "--module", "core"}, "Pieter Janssens has not passed"},
		{"unknown learner", []string{"--learner", "999", "--module", "core"}, "there is no learner 999"},
		{"unknown module", []string{"--learner", id(db.passed), "--module", "astrology"}, "there is no module “astrology”"},
		{"bad language", []string{"--learner", id(db.passed), "--module", "core", "--lang", "es"}, "langue inconnue « es »"},
		{"no learner", []string{"--module", "core"}, "required"},
		{"learner not a number", []string{"--learner", "Anaïs", "--module", "core"}, "invalid value"},
		{"unknown flag", []string{"--learner", id(db.passed), "--module", "core", "--colour", "red"}, "not defined"},
		{"no database", []string{"--db", filepath.Join(dir, "none.db"), "--learner", id(db.passed), "--module", "core"}, "no database"},
		{"missing folder", []string{"--learner", id(db.passed), "--module", "core", "--out", filepath.Join(dir, "nowhere", "c.pdf")}, "cannot write"},
		{"out is a folder", []string{"--learner", id(db.passed), "--module", "core", "--out", filepath.Dir(out)}, "cannot write"},
	} {
		args := append([]string{"certificate", "--db", db.path, "--out", out}, tc.args...)
		if tc.what != "bad language" {
			args = append(args, "--lang", "en")
		}
		code, stdout, stderr := certRun(args...)
		wantRefused(t, tc.what, code, stderr, tc.want)
		if stdout != "" {
			t.Errorf("%s: printed %q", tc.what, stdout)
		}
	}
	// Nothing written: no PDF, no temporary file, no database created.
	for _, d := range []string{dir, filepath.Dir(out)} {
		entries, _ := os.ReadDir(d)
		for _, e := range entries {
			if name := e.Name(); strings.HasSuffix(name, ".pdf") && !e.IsDir() || strings.HasSuffix(name, ".tmp") || name == "none.db" {
				t.Errorf("left behind: %s", filepath.Join(d, name))
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
		t.Error("a missing output folder was created")
	}
}

// The commands through the real dispatch and the shipped content.
func TestCertificateThroughRun(t *testing.T) {
	dir := t.TempDir()
	db := newCertTestDB(t, dir)
	var stdout, stderr bytes.Buffer
	code := run([]string{"certificate", "--lang", "en", "--db", db.path, "--learner", "77", "--module", "core", "--out", filepath.Join(dir, "c.pdf")}, &stdout, &stderr)
	if _, err := modules.LoadEmbedded(); err != nil {
		// The other modules are being written: the command says the content is broken.
		wantRefused(t, "incomplete content", code, stderr.String(), "content is broken")
		t.Skipf("the shipped content does not load yet, so only the refusal was checked: %v", strings.SplitN(err.Error(), "\n", 2)[0])
	}
	wantRefused(t, "unknown learner", code, stderr.String(), "there is no learner 77")
	out := filepath.Join(dir, "ok.pdf")
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"certificate", "--db", db.path, "--learner", strconv.FormatInt(db.passed, 10), "--module", "core", "--out", out}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"verify", "--db", db.path, out}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "authentique") {
		t.Errorf("verify: exit %d %s %s", code, stdout.String(), stderr.String())
	}
}
