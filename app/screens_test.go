package app

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"indicia/app/progress"
	"indicia/locales"
	"indicia/modules"
	"indicia/quiz"
)

// goroutineID is the calling goroutine's number, from its stack header.
func goroutineID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	field := strings.Fields(strings.TrimPrefix(string(buf), "goroutine "))[0]
	id, _ := strconv.ParseInt(field, 10, 64)
	return id
}

// recordingStore is the store with every call recorded with the goroutine it was made
// on. It implements every method of Store itself (no embedding): a method added to
// Store and not here fails to compile, so none can escape the record.
type recordingStore struct {
	s     Store
	mu    sync.Mutex
	calls []storeCall
}

type storeCall struct {
	method    string
	goroutine int64
}

func (r *recordingStore) note(method string) {
	r.mu.Lock()
	r.calls = append(r.calls, storeCall{method, goroutineID()})
	r.mu.Unlock()
}

// take returns the calls recorded since the last take.
func (r *recordingStore) take() []storeCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

func (r *recordingStore) Path() string { r.note("Path"); return r.s.Path() }
func (r *recordingStore) StationLearners(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error) {
	r.note("StationLearners")
	return r.s.StationLearners(ctx, q)
}
func (r *recordingStore) Learner(ctx context.Context, id int64) (progress.Learner, error) {
	r.note("Learner")
	return r.s.Learner(ctx, id)
}
func (r *recordingStore) CreateLearner(ctx context.Context, n progress.NewLearner) (progress.Learner, error) {
	r.note("CreateLearner")
	return r.s.CreateLearner(ctx, n)
}
func (r *recordingStore) CheckPIN(ctx context.Context, id int64, pin string) (bool, error) {
	r.note("CheckPIN")
	return r.s.CheckPIN(ctx, id, pin)
}
func (r *recordingStore) Touch(ctx context.Context, id int64) error {
	r.note("Touch")
	return r.s.Touch(ctx, id)
}
func (r *recordingStore) SetLanguage(ctx context.Context, id int64, lang string) error {
	r.note("SetLanguage")
	return r.s.SetLanguage(ctx, id, lang)
}
func (r *recordingStore) Summaries(ctx context.Context, learnerID int64) (map[string]progress.ModuleSummary, error) {
	r.note("Summaries")
	return r.s.Summaries(ctx, learnerID)
}
func (r *recordingStore) Lessons(ctx context.Context, learnerID int64, moduleID string) (map[string]progress.LessonProgress, error) {
	r.note("Lessons")
	return r.s.Lessons(ctx, learnerID, moduleID)
}
func (r *recordingStore) SaveLesson(ctx context.Context, learnerID int64, moduleID, lessonID string, position int, spent time.Duration, completed bool) error {
	r.note("SaveLesson")
	return r.s.SaveLesson(ctx, learnerID, moduleID, lessonID, position, spent, completed)
}
func (r *recordingStore) OpenAttempt(ctx context.Context, learnerID int64, moduleID string) (progress.Attempt, []progress.Answer, error) {
	r.note("OpenAttempt")
	return r.s.OpenAttempt(ctx, learnerID, moduleID)
}
func (r *recordingStore) Attempts(ctx context.Context, learnerID int64, moduleID string) ([]progress.Attempt, error) {
	r.note("Attempts")
	return r.s.Attempts(ctx, learnerID, moduleID)
}
func (r *recordingStore) Answers(ctx context.Context, attemptID int64) ([]progress.Answer, error) {
	r.note("Answers")
	return r.s.Answers(ctx, attemptID)
}
func (r *recordingStore) StartAttempt(ctx context.Context, n progress.NewAttempt) (progress.Attempt, error) {
	r.note("StartAttempt")
	return r.s.StartAttempt(ctx, n)
}
func (r *recordingStore) RecordAnswer(ctx context.Context, attemptID int64, a progress.Answer) error {
	r.note("RecordAnswer")
	return r.s.RecordAnswer(ctx, attemptID, a)
}
func (r *recordingStore) FinishAttempt(ctx context.Context, attemptID int64) (progress.Attempt, error) {
	r.note("FinishAttempt")
	return r.s.FinishAttempt(ctx, attemptID)
}
func (r *recordingStore) CountDue(ctx context.Context, learnerID int64, now time.Time) (int, error) {
	r.note("CountDue")
	return r.s.CountDue(ctx, learnerID, now)
}
func (r *recordingStore) DueCards(ctx context.Context, learnerID int64, now time.Time, limit int) ([]progress.DueCard, error) {
	r.note("DueCards")
	return r.s.DueCards(ctx, learnerID, now, limit)
}
func (r *recordingStore) RecordReview(ctx context.Context, learnerID int64, a progress.ReviewAnswer) error {
	r.note("RecordReview")
	return r.s.RecordReview(ctx, learnerID, a)
}
func (r *recordingStore) Mastery(ctx context.Context, learnerID int64) ([]progress.QuestionMastery, error) {
	r.note("Mastery")
	return r.s.Mastery(ctx, learnerID)
}
func (r *recordingStore) CohortMastery(ctx context.Context, cohort string) ([]progress.QuestionMastery, error) {
	r.note("CohortMastery")
	return r.s.CohortMastery(ctx, cohort)
}
func (r *recordingStore) HasTrainerPassphrase(ctx context.Context) (bool, error) {
	r.note("HasTrainerPassphrase")
	return r.s.HasTrainerPassphrase(ctx)
}
func (r *recordingStore) SetTrainerPassphrase(ctx context.Context, old, passphrase string) error {
	r.note("SetTrainerPassphrase")
	return r.s.SetTrainerPassphrase(ctx, old, passphrase)
}
func (r *recordingStore) TrainerSetup(ctx context.Context) (progress.TrainerSetupState, error) {
	r.note("TrainerSetup")
	return r.s.TrainerSetup(ctx)
}
func (r *recordingStore) SetupTrainer(ctx context.Context, code, passphrase string) error {
	r.note("SetupTrainer")
	return r.s.SetupTrainer(ctx, code, passphrase)
}
func (r *recordingStore) OpenVault(ctx context.Context, passphrase string) (*progress.Vault, error) {
	r.note("OpenVault")
	return r.s.OpenVault(ctx, passphrase)
}
func (r *recordingStore) Journal() progress.JournalMode { r.note("Journal"); return r.s.Journal() }
func (r *recordingStore) IssuerName(ctx context.Context) (string, error) {
	r.note("IssuerName")
	return r.s.IssuerName(ctx)
}
func (r *recordingStore) SetIssuerName(ctx context.Context, name string) error {
	r.note("SetIssuerName")
	return r.s.SetIssuerName(ctx, name)
}
func (r *recordingStore) HoldsSigningKey(ctx context.Context) (bool, error) {
	r.note("HoldsSigningKey")
	return r.s.HoldsSigningKey(ctx)
}
func (r *recordingStore) TrustedKeys(ctx context.Context) ([]progress.TrustedKey, error) {
	r.note("TrustedKeys")
	return r.s.TrustedKeys(ctx)
}
func (r *recordingStore) TrustKey(ctx context.Context, k progress.TrustedKey) error {
	r.note("TrustKey")
	return r.s.TrustKey(ctx, k)
}
func (r *recordingStore) RevokeKey(ctx context.Context, fingerprint string, from time.Time) error {
	r.note("RevokeKey")
	return r.s.RevokeKey(ctx, fingerprint, from)
}

// The pre-test, the workplace questions and the learning-gain tab (issue 13).
func (r *recordingStore) Pretest(ctx context.Context, learnerID int64, moduleID string) (progress.PretestState, progress.Attempt, []progress.Answer, error) {
	r.note("Pretest")
	return r.s.Pretest(ctx, learnerID, moduleID)
}
func (r *recordingStore) SkipPretest(ctx context.Context, learnerID int64, moduleID, contentVersion, lang string) (progress.Attempt, error) {
	r.note("SkipPretest")
	return r.s.SkipPretest(ctx, learnerID, moduleID, contentVersion, lang)
}
func (r *recordingStore) MeasuredItems(ctx context.Context, learnerID int64, moduleID string) (progress.MeasuredItems, error) {
	r.note("MeasuredItems")
	return r.s.MeasuredItems(ctx, learnerID, moduleID)
}
func (r *recordingStore) WorkplaceDue(ctx context.Context, learnerID int64, moduleID string, now time.Time) (bool, time.Time, error) {
	r.note("WorkplaceDue")
	return r.s.WorkplaceDue(ctx, learnerID, moduleID, now)
}
func (r *recordingStore) RecordWorkplace(ctx context.Context, learnerID int64, moduleID string, dueAt time.Time, a progress.WorkplaceAnswer) error {
	r.note("RecordWorkplace")
	return r.s.RecordWorkplace(ctx, learnerID, moduleID, dueAt, a)
}
func (r *recordingStore) WorkplaceQuestions(ctx context.Context) (bool, error) {
	r.note("WorkplaceQuestions")
	return r.s.WorkplaceQuestions(ctx)
}
func (r *recordingStore) SetWorkplaceQuestions(ctx context.Context, on bool) error {
	r.note("SetWorkplaceQuestions")
	return r.s.SetWorkplaceQuestions(ctx, on)
}
func (r *recordingStore) Gain(ctx context.Context, q progress.GainQuery) ([]progress.GainRow, error) {
	r.note("Gain")
	return r.s.Gain(ctx, q)
}
func (r *recordingStore) ConfidentWrong(ctx context.Context, q progress.GainQuery) ([]progress.ConfidentWrongRow, error) {
	r.note("ConfidentWrong")
	return r.s.ConfidentWrong(ctx, q)
}
func (r *recordingStore) Calibration(ctx context.Context, q progress.GainQuery) ([]progress.CalibrationRow, error) {
	r.note("Calibration")
	return r.s.Calibration(ctx, q)
}
func (r *recordingStore) WorkplaceTotals(ctx context.Context, f progress.Filter, byCohort bool, modules []string) ([]progress.WorkplaceRow, error) {
	r.note("WorkplaceTotals")
	return r.s.WorkplaceTotals(ctx, f, byCohort, modules)
}
func (r *recordingStore) Dashboard(ctx context.Context, f progress.Filter) ([]progress.LearnerStatus, error) {
	r.note("Dashboard")
	return r.s.Dashboard(ctx, f)
}
func (r *recordingStore) AllModuleStats(ctx context.Context, f progress.Filter) (map[string]progress.ModuleStats, error) {
	r.note("AllModuleStats")
	return r.s.AllModuleStats(ctx, f)
}
func (r *recordingStore) Cohorts(ctx context.Context) ([]progress.Cohort, error) {
	r.note("Cohorts")
	return r.s.Cohorts(ctx)
}
func (r *recordingStore) CreateCohort(ctx context.Context, code, name string) error {
	r.note("CreateCohort")
	return r.s.CreateCohort(ctx, code, name)
}
func (r *recordingStore) SetCohort(ctx context.Context, learnerID int64, code string) error {
	r.note("SetCohort")
	return r.s.SetCohort(ctx, learnerID, code)
}
func (r *recordingStore) DeleteLearner(ctx context.Context, learnerID int64) error {
	r.note("DeleteLearner")
	return r.s.DeleteLearner(ctx, learnerID)
}
func (r *recordingStore) RefresherDays(ctx context.Context) (map[string]int, error) {
	r.note("RefresherDays")
	return r.s.RefresherDays(ctx)
}
func (r *recordingStore) SetRefresherDays(ctx context.Context, moduleID string, days int) error {
	r.note("SetRefresherDays")
	return r.s.SetRefresherDays(ctx, moduleID, days)
}
func (r *recordingStore) LRSSettings(ctx context.Context, v *progress.Vault) (progress.LRSSettings, error) {
	r.note("LRSSettings")
	return r.s.LRSSettings(ctx, v)
}
func (r *recordingStore) SetLRSSettings(ctx context.Context, v *progress.Vault, set progress.LRSSettings) error {
	r.note("SetLRSSettings")
	return r.s.SetLRSSettings(ctx, v, set)
}
func (r *recordingStore) Outbox(ctx context.Context) (progress.OutboxCounts, error) {
	r.note("Outbox")
	return r.s.Outbox(ctx)
}

// TestScreensReadTheStoreOffTheUIGoroutine builds every screen and trainer tab on the
// test's goroutine, which stands for the UI goroutine (the harness applies the screens'
// data on it, as fyne.Do does on the real one), through a store that records the
// goroutine of each call. Every constructor must read its data, and none may read it on
// the UI goroutine, neither in the constructor nor when its data is applied.
func TestScreensReadTheStoreOffTheUIGoroutine(t *testing.T) {
	h := newHarness(t, "")
	passed, _, _ := seedLearners(t, h.store)
	rec := &recordingStore{s: h.ui.store}
	h.ui.store = rec
	ui := goroutineID()
	learner, _ := h.store.Learner(context.Background(), passed.ID)
	h.ui.learner = &learner
	h.settle()
	rec.take()

	var record progress.LearnerStatus
	rows, _ := h.store.Dashboard(context.Background(), progress.Filter{})
	for _, r := range rows {
		if r.ID == passed.ID {
			record = r
		}
	}
	var trainer *trainerScreen
	for _, c := range []struct {
		name  string
		build func()
	}{
		{"first screen", func() { h.ui.learnersScreen() }},
		{"catalog", func() { h.ui.catalogScreen() }},
		{"module", func() { h.ui.moduleScreen(h.core()) }},
		{"lesson", func() { h.ui.lessonScreen(h.core(), h.core().In("fr").Lessons[0].ID) }},
		{"mastery", func() { h.ui.masteryScreen() }},
		{"review results", func() {
			bank := h.core().In("fr").Bank
			plan, _ := quiz.NewPlan(bank[:1], 1, randFor(t))
			s, err := quiz.NewSession(bank, plan, 0)
			if err != nil {
				t.Fatal(err)
			}
			h.ui.showReviewResults(s)
		}},
		{"trainer mode", func() { trainer = h.ui.trainerScreen().(*trainerScreen) }},
		{"modules tab", func() { trainer.buildTab(tabModules) }},
		{"cohorts tab", func() { trainer.buildTab(tabCohorts) }},
		{"exports tab", func() { trainer.buildTab(tabExports) }},
		{"settings tab", func() { trainer.buildTab(tabSettings) }},
		{"learner's record", func() { trainer.learnerRecord(record) }},
		{"cohort mastery", func() { trainer.cohorts.showMastery("NAMUR-1") }},
	} {
		c.build()
		h.settle()
		calls := rec.take()
		if len(calls) == 0 {
			t.Errorf("%s: its constructor read nothing of the store", c.name)
		}
		for _, call := range calls {
			if call.goroutine == ui {
				t.Errorf("%s: %s was called on the UI goroutine", c.name, call.method)
			}
		}
	}
}

// TestBackReturnsToWhereTheUserWas walks the navigation stack: a learner's catalog,
// module, lesson and back; trainer mode, a cohort's mastery and back to the same tab,
// with no Trainer button inside trainer mode; a learner's record and back; leaving
// trainer mode returns to the first screen.
func TestBackReturnsToWhereTheUserWas(t *testing.T) {
	h := newHarness(t, "")
	seedLearners(t, h.store)
	h.store.CreateCohort(context.Background(), "NAMUR-1", "")
	h.ui.home(h.ui.learnersScreen)
	topIs := func(want string) {
		t.Helper()
		h.settle()
		got := strings.TrimPrefix(fmt.Sprintf("%T", h.ui.top().s), "*app.")
		if got != want {
			t.Fatalf("the screen shown is %s, want %s", got, want)
		}
	}
	trainerButtons := func() int {
		return len(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Trainer.Button") }))
	}

	// A learner: catalog → module → lesson → back → back.
	test.Tap(find(h, "learner", func(b *widget.Button) bool { return strings.HasPrefix(b.Text, "Pieter Claes") }))
	topIs("catalogScreen")
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Catalog.Open") })[0])
	topIs("moduleScreen")
	h.skipPretestIfOffered()
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Module.Read") })[0])
	topIs("lessonScreen")
	h.tap("Lesson.Next")
	h.tap("Lesson.BackToModule")
	topIs("moduleScreen")
	first := h.core().In("fr").Lessons[0]
	lp, _ := h.store.Lessons(context.Background(), h.ui.learner.ID, "core")
	if lp[first.ID].Position == 0 {
		t.Fatal("the lesson's position was not saved on leaving it")
	}
	h.mustShow(h.ui.T("Module.LessonAt", map[string]any{"N": lp[first.ID].Position + 1, "Total": len(first.Sections)}))
	h.tap("Common.Back")
	topIs("catalogScreen")
	h.tap("Top.SwitchLearner")
	topIs("learnersScreen")

	// Trainer mode: the cohorts tab, a cohort's mastery, back to the same tab.
	h.enterTrainer(trainerPass)
	topIs("trainerScreen")
	if n := trainerButtons(); n != 0 {
		t.Fatalf("%d Trainer buttons inside trainer mode", n)
	}
	tr := h.trainer()
	tr.selectTab(tabCohorts)
	test.Tap(findAll(h, func(b *widget.Button) bool { return b.Text == h.ui.T("Mastery.Button") })[0])
	topIs("masteryScreen")
	h.mustShow(h.ui.T("Trainer.CohortMastery", map[string]any{"Cohort": "NAMUR-1"}))
	if n := trainerButtons(); n != 0 {
		t.Fatalf("a cohort's mastery in trainer mode shows %d Trainer buttons", n)
	}
	h.tap("Common.Back")
	topIs("trainerScreen")
	if h.trainer() != tr || tr.tabs.SelectedIndex() != tabCohorts {
		t.Errorf("Back did not return to the cohorts tab of the same trainer mode (tab %d)", tr.tabs.SelectedIndex())
	}
	if n := trainerButtons(); n != 0 {
		t.Fatalf("after Back from a cohort's mastery, %d Trainer buttons inside trainer mode", n)
	}
	h.mustShow(h.ui.T("Trainer.Leave"))

	// A learner's record from the matrix, and back.
	tr.selectTab(tabCompletion)
	find[*widget.Table](h, "matrix", nil).Select(widget.TableCellID{Row: 1, Col: 0})
	topIs("learnerRecordScreen")
	h.mustShow("Pieter Claes")
	h.tap("Common.Back")
	topIs("trainerScreen")
	if tr.tabs.SelectedIndex() != tabCompletion {
		t.Errorf("Back from a record shows tab %d", tr.tabs.SelectedIndex())
	}

	// Leaving trainer mode returns to the first screen, with its Trainer button.
	h.tap("Trainer.Leave")
	topIs("learnersScreen")
	if len(h.ui.stack) != 1 || trainerButtons() != 1 {
		t.Errorf("after leaving trainer mode: %d screens, %d Trainer buttons", len(h.ui.stack), trainerButtons())
	}
}

// TestFirstScreenWorksWhileTheStoreOpens: the window and the first screen come before
// the store is open (it checks its file meanwhile). The learners are read from the file,
// and what needs the store (trainer mode's passphrase) waits for it instead of failing.
func TestFirstScreenWorksWhileTheStoreOpens(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	path := filepath.Join(t.TempDir(), "opening.db")
	s, err := progress.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLearner(context.Background(), progress.NewLearner{Name: "Early Bird", Role: "police", Language: "fr"}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	bundle, err := locales.NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, path: path, cat: catalogForTest(t)}
	peek := func(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error) {
		return progress.PeekStationLearners(ctx, path, q)
	}
	h.ui = NewOpening(test.NewTempApp(t), func() *modules.Catalog { return h.cat }, bundle, peek, "fr-BE")
	h.ui.onUI = func(apply func()) {
		h.mu.Lock()
		h.results = append(h.results, apply)
		h.mu.Unlock()
	}
	h.ui.Start()
	h.ui.Window().Resize(fyne.NewSize(1000, 720))
	if got := h.learnerRows(); len(got) != 1 || got[0] != "Early Bird" {
		t.Fatalf("before the store is open, the first screen lists %q", got)
	}
	test.Tap(h.button("Trainer.Button")) // waits for the store, does not fail
	time.Sleep(50 * time.Millisecond)
	if n := len(h.ui.Window().Canvas().Overlays().List()); n != 0 {
		t.Fatalf("%d dialogs before the store was open", n)
	}
	store, err := progress.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	h.store = store
	h.ui.Opened(store)
	h.settle()
	h.mustShow(h.ui.T("Trainer.SetTitle"))
}
