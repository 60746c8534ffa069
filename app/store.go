package app

import (
	"context"
	"time"

	"indicia/app/progress"
)

// Store is what the screens read and write of the progress store (*progress.Store).
// The screens read it off the UI goroutine (see fetch); only an answer's commit is
// waited for on it, before its feedback is shown.
type Store interface {
	Path() string
	Journal() progress.JournalMode

	// Learners and the first screen.
	StationLearners(ctx context.Context, q progress.LearnerSearch) ([]progress.Learner, int, error)
	Learner(ctx context.Context, id int64) (progress.Learner, error)
	CreateLearner(ctx context.Context, n progress.NewLearner) (progress.Learner, error)
	CheckPIN(ctx context.Context, id int64, pin string) (bool, error)
	Touch(ctx context.Context, id int64) error
	SetLanguage(ctx context.Context, id int64, lang string) error

	// A learner's modules, lessons and quizzes.
	Summaries(ctx context.Context, learnerID int64) (map[string]progress.ModuleSummary, error)
	Lessons(ctx context.Context, learnerID int64, moduleID string) (map[string]progress.LessonProgress, error)
	SaveLesson(ctx context.Context, learnerID int64, moduleID, lessonID string, position int, spent time.Duration, completed bool) error
	OpenAttempt(ctx context.Context, learnerID int64, moduleID string) (progress.Attempt, []progress.Answer, error)
	Attempts(ctx context.Context, learnerID int64, moduleID string) ([]progress.Attempt, error)
	Answers(ctx context.Context, attemptID int64) ([]progress.Answer, error)
	StartAttempt(ctx context.Context, n progress.NewAttempt) (progress.Attempt, error)
	RecordAnswer(ctx context.Context, attemptID int64, a progress.Answer) error
	FinishAttempt(ctx context.Context, attemptID int64) (progress.Attempt, error)

	// The pre-test, the measurements' draws, and the workplace questions.
	Pretest(ctx context.Context, learnerID int64, moduleID string) (progress.PretestState, progress.Attempt, []progress.Answer, error)
	SkipPretest(ctx context.Context, learnerID int64, moduleID, contentVersion, lang string) (progress.Attempt, error)
	MeasuredItems(ctx context.Context, learnerID int64, moduleID string) (progress.MeasuredItems, error)
	WorkplaceDue(ctx context.Context, learnerID int64, moduleID string, now time.Time) (bool, time.Time, error)
	RecordWorkplace(ctx context.Context, learnerID int64, moduleID string, dueAt time.Time, a progress.WorkplaceAnswer) error

	// Spaced review and mastery.
	CountDue(ctx context.Context, learnerID int64, now time.Time) (int, error)
	DueCards(ctx context.Context, learnerID int64, now time.Time, limit int) ([]progress.DueCard, error)
	RecordReview(ctx context.Context, learnerID int64, a progress.ReviewAnswer) error
	Mastery(ctx context.Context, learnerID int64) ([]progress.QuestionMastery, error)
	CohortMastery(ctx context.Context, cohort string) ([]progress.QuestionMastery, error)

	// Trainer mode.
	HasTrainerPassphrase(ctx context.Context) (bool, error)
	TrainerSetup(ctx context.Context) (progress.TrainerSetupState, error)
	SetupTrainer(ctx context.Context, code, passphrase string) error
	SetTrainerPassphrase(ctx context.Context, old, passphrase string) error
	OpenVault(ctx context.Context, passphrase string) (*progress.Vault, error)
	Dashboard(ctx context.Context, f progress.Filter) ([]progress.LearnerStatus, error)
	AllModuleStats(ctx context.Context, f progress.Filter) (map[string]progress.ModuleStats, error)
	Cohorts(ctx context.Context) ([]progress.Cohort, error)
	CreateCohort(ctx context.Context, code, name string) error
	SetCohort(ctx context.Context, learnerID int64, code string) error
	DeleteLearner(ctx context.Context, learnerID int64) error
	RefresherDays(ctx context.Context) (map[string]int, error)
	SetRefresherDays(ctx context.Context, moduleID string, days int) error
	LRSSettings(ctx context.Context, v *progress.Vault) (progress.LRSSettings, error)
	SetLRSSettings(ctx context.Context, v *progress.Vault, set progress.LRSSettings) error
	Outbox(ctx context.Context) (progress.OutboxCounts, error)
	WorkplaceQuestions(ctx context.Context) (bool, error)
	SetWorkplaceQuestions(ctx context.Context, on bool) error

	// Before, after and kept (the learning-gain tab).
	Gain(ctx context.Context, q progress.GainQuery) ([]progress.GainRow, error)
	ConfidentWrong(ctx context.Context, q progress.GainQuery) ([]progress.ConfidentWrongRow, error)
	Calibration(ctx context.Context, q progress.GainQuery) ([]progress.CalibrationRow, error)
	WorkplaceTotals(ctx context.Context, f progress.Filter, byCohort bool, modules []string) ([]progress.WorkplaceRow, error)

	// Certificates: the issuer, the trust list, the signing key's sealed copy.
	IssuerName(ctx context.Context) (string, error)
	SetIssuerName(ctx context.Context, name string) error
	HoldsSigningKey(ctx context.Context) (bool, error)
	TrustedKeys(ctx context.Context) ([]progress.TrustedKey, error)
	TrustKey(ctx context.Context, k progress.TrustedKey) error
	RevokeKey(ctx context.Context, fingerprint string, from time.Time) error
}

var _ Store = (*progress.Store)(nil)
