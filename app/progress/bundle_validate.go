package progress

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"indicia/quiz"
)

// BundleError says what is wrong in a bundle's content, and where.
type BundleError struct {
	Where string // "attempts[3].answers[2]", "learners[0]"
	What  string
}

func (e *BundleError) Error() string {
	if e.Where == "" {
		return e.What
	}
	return e.Where + ": " + e.What
}

func (e *BundleError) Unwrap() error { return ErrInvalid }

func invalid(where, format string, args ...any) error {
	return &BundleError{Where: where, What: fmt.Sprintf(format, args...)}
}

// Validate checks everything the bundle holds before any of it goes near a database:
// counts, identities, ids, names, sizes, times, numbers, and that every record belongs
// to a learner (and every answer to an attempt) of the bundle, once. The error is a
// *BundleError, which wraps ErrInvalid.
func (b *Bundle) Validate() error {
	if !IsBundleID(b.ID) {
		return invalid("", "the bundle id is not 64 hexadecimal digits")
	}
	if !isHex(b.KeyID, 16) {
		return invalid("", "the key id is not 16 hexadecimal digits")
	}
	return b.ValidateContent()
}

// ValidateContent is Validate without the id and key id, which the file gives a bundle
// once written: the exporter checks with it that it writes nothing a reader refuses.
func (b *Bundle) ValidateContent() error {
	if !IsStationID(b.Station) {
		return invalid("", "the station id is not a UUID")
	}
	if msg := b.Counts().Exceeds(MaxBundleCounts()); msg != "" {
		return invalid("", "too many records (%s)", msg)
	}
	learners := make(map[string]bool, len(b.Learners))
	for i, l := range b.Learners {
		where := fmt.Sprintf("learners[%d]", i)
		switch {
		case !IsUID(l.UID):
			return invalid(where, "the uid is not 32 hexadecimal digits")
		case learners[l.UID]:
			return invalid(where, "uid %s appears twice", l.UID)
		case !IsStationID(l.Station):
			return invalid(where, "the station is not a UUID")
		case strings.TrimSpace(l.Name) != l.Name || l.Name == "" || !isText(l.Name, maxNameBytes):
			return invalid(where, "the name is empty, longer than %d bytes, padded or holds control characters", maxNameBytes)
		case !slices.Contains(roles, l.Role):
			return invalid(where, "unknown role %q", clip(l.Role))
		case !slices.Contains(languages, l.Language):
			return invalid(where, "unknown language %q", clip(l.Language))
		case strings.TrimSpace(l.Cohort) != l.Cohort || !isText(l.Cohort, maxCohortBytes):
			return invalid(where, "the cohort code is longer than %d bytes, padded or holds control characters", maxCohortBytes)
		case !isTime(l.CreatedAt) || !isTime(l.LastActive):
			return invalid(where, "a time outside 2000–2200")
		}
		learners[l.UID] = true
	}
	owner := func(where, uid string) error {
		if !learners[uid] {
			return invalid(where, "it belongs to no learner of the bundle")
		}
		return nil
	}

	type lessonKey struct{ learner, module, lesson string }
	lessons := make(map[lessonKey]bool, len(b.Lessons))
	for i, l := range b.Lessons {
		where := fmt.Sprintf("lessons[%d]", i)
		if err := owner(where, l.Learner); err != nil {
			return err
		}
		k := lessonKey{l.Learner, l.ModuleID, l.LessonID}
		switch {
		case !isSlug(l.ModuleID, maxIDBytes) || !isSlug(l.LessonID, maxIDBytes):
			return invalid(where, "a module or lesson id that is not an id")
		case lessons[k]:
			return invalid(where, "the lesson appears twice")
		case l.Position < 0 || l.Position > maxPosition || l.TimeMs < 0 || l.TimeMs > maxDurationMs:
			return invalid(where, "a position or time out of range")
		case !isTime(l.UpdatedAt) || l.CompletedAt != nil && !isTime(*l.CompletedAt):
			return invalid(where, "a time outside 2000–2200")
		}
		lessons[k] = true
	}

	attempts := make(map[string]bool, len(b.Attempts))
	type moduleKey struct{ learner, module string }
	open := map[moduleKey]bool{}
	for i := range b.Attempts {
		a := &b.Attempts[i]
		where := fmt.Sprintf("attempts[%d]", i)
		if err := owner(where, a.Learner); err != nil {
			return err
		}
		if err := validateAttempt(where, a); err != nil {
			return err
		}
		if attempts[a.UID] {
			return invalid(where, "uid %s appears twice", a.UID)
		}
		attempts[a.UID] = true
		if a.Status == AttemptOpen {
			k := moduleKey{a.Learner, a.ModuleID}
			if open[k] {
				return invalid(where, "a second open attempt at the same module")
			}
			open[k] = true
		}
	}

	statuses := make(map[moduleKey]bool, len(b.Statuses))
	for i, st := range b.Statuses {
		where := fmt.Sprintf("statuses[%d]", i)
		if err := owner(where, st.Learner); err != nil {
			return err
		}
		k := moduleKey{st.Learner, st.ModuleID}
		switch {
		case !isSlug(st.ModuleID, maxIDBytes):
			return invalid(where, "a module id that is not an id")
		case statuses[k]:
			return invalid(where, "the module appears twice")
		case st.Status != ModuleInProgress && st.Status != ModulePassed && st.Status != ModuleFailed:
			return invalid(where, "unknown status %q", clip(string(st.Status)))
		case st.BestPercent != nil && (*st.BestPercent < 0 || *st.BestPercent > 100):
			return invalid(where, "a score outside 0–100")
		case !isTime(st.UpdatedAt) || st.PassedAt != nil && !isTime(*st.PassedAt):
			return invalid(where, "a time outside 2000–2200")
		}
		statuses[k] = true
	}

	type cardKey struct{ learner, module, question string }
	cards := make(map[cardKey]bool, len(b.Cards))
	for i, c := range b.Cards {
		where := fmt.Sprintf("cards[%d]", i)
		if err := owner(where, c.Learner); err != nil {
			return err
		}
		k := cardKey{c.Learner, c.ModuleID, c.QuestionID}
		switch {
		case !isSlug(c.ModuleID, maxIDBytes) || !isSlug(c.QuestionID, maxIDBytes) || !isSlug(c.Indicator, maxIDBytes):
			return invalid(where, "a module, question or indicator id that is not an id")
		case cards[k]:
			return invalid(where, "the card appears twice")
		case !(c.Stability > 0 && c.Stability <= 1e6) || !(c.Difficulty >= 1 && c.Difficulty <= 10):
			return invalid(where, "a stability or difficulty out of range")
		case c.Reps < 0 || c.Reps > maxCount || c.Lapses < 0 || c.Lapses > maxCount:
			return invalid(where, "a count out of range")
		case !isTime(c.LastReview) || !isTime(c.Due):
			return invalid(where, "a time outside 2000–2200")
		}
		cards[k] = true
	}

	reviews := make(map[string]bool, len(b.Reviews))
	for i, r := range b.Reviews {
		where := fmt.Sprintf("reviews[%d]", i)
		if err := owner(where, r.Learner); err != nil {
			return err
		}
		switch {
		case !IsUID(r.UID):
			return invalid(where, "the uid is not 32 hexadecimal digits")
		case reviews[r.UID]:
			return invalid(where, "uid %s appears twice", r.UID)
		case !isSlug(r.ModuleID, maxIDBytes) || !isSlug(r.QuestionID, maxIDBytes):
			return invalid(where, "a module or question id that is not an id")
		case !validResponse(r.Response):
			return invalid(where, "the response is not a quiz response")
		case r.Confidence != nil && (*r.Confidence < 1 || *r.Confidence > 3):
			return invalid(where, "a confidence outside 1–3")
		case r.TimeMs < 0 || r.TimeMs > maxDurationMs:
			return invalid(where, "a time spent out of range")
		case !isTime(r.AnsweredAt):
			return invalid(where, "a time outside 2000–2200")
		}
		reviews[r.UID] = true
	}

	type workplaceKey struct {
		learner, module string
		due             int64
	}
	workplace := make(map[string]bool, len(b.Workplace))
	workplaceFor := make(map[workplaceKey]bool, len(b.Workplace))
	for i, w := range b.Workplace {
		where := fmt.Sprintf("workplace[%d]", i)
		if err := owner(where, w.Learner); err != nil {
			return err
		}
		k := workplaceKey{w.Learner, w.ModuleID, w.DueAt}
		switch {
		case !IsUID(w.UID):
			return invalid(where, "the uid is not 32 hexadecimal digits")
		case workplace[w.UID]:
			return invalid(where, "uid %s appears twice", w.UID)
		case !isSlug(w.ModuleID, maxIDBytes):
			return invalid(where, "a module id that is not an id")
		case workplaceFor[k]:
			return invalid(where, "a second answer for the same module and refresher")
		case !w.MetSign.valid() || !w.Alerted.valid() || !w.KnewWhom.valid():
			return invalid(where, "a reply that is not yes, no or prefer not to say")
		case !isTime(w.DueAt) || !isTime(w.AnsweredAt):
			return invalid(where, "a time outside 2000–2200")
		}
		workplace[w.UID], workplaceFor[k] = true, true
	}

	statements := make(map[string]bool, len(b.Statements))
	for i, s := range b.Statements {
		where := fmt.Sprintf("statements[%d]", i)
		switch {
		case !isSlug(s.ID, 64):
			return invalid(where, "the statement id is not an id")
		case statements[s.ID]:
			return invalid(where, "statement %s appears twice", s.ID)
		case s.Learner != "" && !learners[s.Learner]:
			return invalid(where, "it names no learner of the bundle")
		case !isTime(s.CreatedAt):
			return invalid(where, "a time outside 2000–2200")
		case len(s.Statement) > maxStatementBytes:
			return invalid(where, "the statement is larger than %d bytes", maxStatementBytes)
		}
		var head struct {
			ID string `json:"id"`
		}
		if len(s.Statement) == 0 || s.Statement[0] != '{' || json.Unmarshal(s.Statement, &head) != nil || head.ID != s.ID {
			return invalid(where, "the statement is not a JSON object with the id %s", s.ID)
		}
		statements[s.ID] = true
	}
	return nil
}

func validateAttempt(where string, a *BundleAttempt) error {
	switch {
	case !IsUID(a.UID):
		return invalid(where, "the uid is not 32 hexadecimal digits")
	case !isSlug(a.ModuleID, maxIDBytes):
		return invalid(where, "a module id that is not an id")
	case a.ContentVersion != "" && !isSlug(a.ContentVersion, maxVersionBytes):
		return invalid(where, "a content version that is not a version")
	case a.Language != "" && !slices.Contains(languages, a.Language):
		return invalid(where, "unknown language %q", clip(a.Language))
	case a.Status == AttemptSkipped && a.Total != 0:
		return invalid(where, "a skipped pre-test with %d questions", a.Total)
	case a.Status != AttemptSkipped && (a.Total < 1 || a.Total > maxQuestions):
		return invalid(where, "%d questions, not 1 to %d", a.Total, maxQuestions)
	case a.PassMark < 0 || a.PassMark > 100:
		return invalid(where, "a pass mark outside 0–100")
	case a.Kind != KindQuiz && a.Kind != KindRefresher && a.Kind != KindPretest:
		return invalid(where, "unknown kind %q", clip(string(a.Kind)))
	case a.Status != AttemptOpen && a.Status != AttemptFinished && a.Status != AttemptAbandoned && a.Status != AttemptSkipped:
		return invalid(where, "unknown status %q", clip(string(a.Status)))
	case a.Status == AttemptSkipped && a.Kind != KindPretest:
		return invalid(where, "a skipped %s: only a pre-test is skipped", a.Kind)
	case a.Status == AttemptSkipped && (a.FinishedAt == nil || a.Correct != nil || a.Percent != nil || a.Passed != nil || len(a.Answers) > 0):
		return invalid(where, "a skipped pre-test with a result or answers")
	case a.Kind == KindPretest && a.Passed != nil:
		return invalid(where, "a pre-test graded pass or fail")
	case !isTime(a.StartedAt) || a.FinishedAt != nil && !isTime(*a.FinishedAt):
		return invalid(where, "a time outside 2000–2200")
	case a.Status == AttemptOpen && (a.FinishedAt != nil || a.Correct != nil || a.Percent != nil || a.Passed != nil):
		return invalid(where, "an open attempt with a result")
	case a.Status == AttemptFinished && (a.FinishedAt == nil || a.Correct == nil || a.Percent == nil || a.Passed == nil && a.Kind != KindPretest):
		return invalid(where, "a finished attempt without its result")
	case a.Correct != nil && (*a.Correct < 0 || *a.Correct > a.Total):
		return invalid(where, "%d right answers out of %d", *a.Correct, a.Total)
	case a.Percent != nil && (*a.Percent < 0 || *a.Percent > 100):
		return invalid(where, "a score outside 0–100")
	case len(a.Answers) > a.Total:
		return invalid(where, "%d answers to %d questions", len(a.Answers), a.Total)
	case len(a.Plan) > maxPlanBytes:
		return invalid(where, "the plan is larger than %d bytes", maxPlanBytes)
	}
	var plan quiz.Plan
	if err := strictDecode(a.Plan, &plan); err != nil || len(plan) != a.Total {
		return invalid(where, "the plan is not a quiz plan of %d questions", a.Total)
	}
	for _, d := range plan {
		if !isSlug(d.QuestionID, maxIDBytes) || len(d.Options) > maxQuestions || len(d.Targets) > maxQuestions {
			return invalid(where, "the plan holds a question id that is not an id")
		}
	}
	seen := make(map[int]bool, len(a.Answers))
	for j, ans := range a.Answers {
		where := fmt.Sprintf("%s.answers[%d]", where, j)
		switch {
		case ans.Position < 0 || ans.Position >= a.Total:
			return invalid(where, "position %d is outside the attempt's %d questions", ans.Position, a.Total)
		case seen[ans.Position]:
			return invalid(where, "position %d is answered twice", ans.Position)
		case !isSlug(ans.QuestionID, maxIDBytes):
			return invalid(where, "a question id that is not an id")
		case !validResponse(ans.Response):
			return invalid(where, "the response is not a quiz response")
		case ans.Confidence != nil && (*ans.Confidence < 1 || *ans.Confidence > 3):
			return invalid(where, "a confidence outside 1–3")
		case ans.TimeMs < 0 || ans.TimeMs > maxDurationMs:
			return invalid(where, "a time spent out of range")
		case !isTime(ans.AnsweredAt):
			return invalid(where, "a time outside 2000–2200")
		case ans.Score != nil && (!ans.Complete || !(*ans.Score >= 0 && *ans.Score <= 1)):
			return invalid(where, "a score outside 0–1, or on an incomplete answer")
		}
		seen[ans.Position] = true
	}
	if a.Status == AttemptFinished {
		// The result is what the answers give, by the store's one rule.
		var credits []AnswerCredit
		for _, ans := range a.Answers {
			if ans.Complete {
				credits = append(credits, CreditOf(ans.Correct != nil && *ans.Correct, ans.Score))
			}
		}
		if len(credits) != a.Total {
			return invalid(where, "a finished attempt with %d of its %d answers", len(credits), a.Total)
		}
		sc := ScoreAttempt(credits, a.Total, a.PassMark)
		if a.Kind == KindPretest {
			sc.Passed = false // a pre-test is never graded: it has no pass to check
		}
		passed := a.Passed != nil && *a.Passed
		if sc.Correct != *a.Correct || sc.Percent != *a.Percent || sc.Passed != passed {
			return invalid(where, "the result (%d right, %d%%, passed %v) is not what its answers give (%d, %d%%, %v)",
				*a.Correct, *a.Percent, passed, sc.Correct, sc.Percent, sc.Passed)
		}
	}
	return nil
}

func validResponse(raw json.RawMessage) bool {
	if len(raw) == 0 || len(raw) > maxResponseBytes {
		return false
	}
	var r quiz.Response
	return strictDecode(raw, &r) == nil
}

// clip shortens a bad value quoted in a message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := 40; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}
