package progress

// AttemptKind says why an attempt was taken.
type AttemptKind string

// The attempt kinds.
const (
	KindQuiz      AttemptKind = "quiz"      // the module's quiz, until it is passed
	KindRefresher AttemptKind = "refresher" // a quiz taken again after a pass
	// KindPretest is the short test a learner is offered when first opening a module,
	// before its lessons: what they already know. It is never graded pass or fail and
	// leaves the module's status, certificates and review cards alone.
	KindPretest AttemptKind = "pretest"
)

// AttemptStatus is where an attempt stands.
type AttemptStatus string

// The attempt statuses.
const (
	AttemptOpen      AttemptStatus = "open"      // under way, answers still coming
	AttemptFinished  AttemptStatus = "finished"  // every question answered and scored
	AttemptAbandoned AttemptStatus = "abandoned" // left, or replaced by a newer attempt
	// AttemptSkipped is a pre-test the learner chose not to take: recorded as such, with
	// no questions and no answers, never as a score of zero.
	AttemptSkipped AttemptStatus = "skipped"
)

// ModuleStatus is where a learner stands in a module (module_status.status). A module
// the learner never opened has no status ("").
type ModuleStatus string

// The module statuses.
const (
	ModuleNotStarted ModuleStatus = ""
	ModuleInProgress ModuleStatus = "in_progress"
	ModulePassed     ModuleStatus = "passed" // kept for good once reached
	ModuleFailed     ModuleStatus = "failed"
)
