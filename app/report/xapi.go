package report

import (
	"cmp"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"indicia/app/progress"
	"indicia/modules"
	"indicia/quiz"
)

// xAPI 1.0.3 statements of what the learners did: a lesson launched and completed, each
// question answered (a cmi.interaction), and each finished quiz attempt completed and
// passed or failed, with the result rules of cmi5 where they apply (score only on
// passed/failed, success only on passed/failed, completion only on completed, a
// duration on all three, the mastery score in the context).
//
// The statements are built from the progress store alone, so building twice gives the
// same statements with the same ids, and an LRS that has them already is not sent
// duplicates. Activity ids are IRIs under XAPIBase, which names no real host.

// XAPIBase is the root of Indicia's activity ids (".invalid" is reserved: RFC 2606).
const XAPIBase = "https://indicia.invalid/"

// The verbs (ADL vocabulary; skipped from the Tin Can registry, which ADL's lacks).
const (
	VerbLaunched  = "http://adlnet.gov/expapi/verbs/launched"
	VerbCompleted = "http://adlnet.gov/expapi/verbs/completed"
	VerbAnswered  = "http://adlnet.gov/expapi/verbs/answered"
	VerbPassed    = "http://adlnet.gov/expapi/verbs/passed"
	VerbFailed    = "http://adlnet.gov/expapi/verbs/failed"
	VerbScored    = "http://adlnet.gov/expapi/verbs/scored"
	VerbSkipped   = "http://id.tincanapi.com/verb/skipped"
)

// The activity types (ADL vocabulary).
const (
	ActivityModule      = "http://adlnet.gov/expapi/activities/module"
	ActivityLesson      = "http://adlnet.gov/expapi/activities/lesson"
	ActivityInteraction = "http://adlnet.gov/expapi/activities/cmi.interaction"
)

// The attempt activities, one type per kind, so that an LRS tells the three
// measurements apart: the pre-test (before), the quiz (after), the refresher (kept).
const (
	ActivityPretestAttempt   = XAPIBase + "xapi/activities/pretest-attempt"
	ActivityQuizAttempt      = XAPIBase + "xapi/activities/quiz-attempt"
	ActivityRefresherAttempt = XAPIBase + "xapi/activities/refresher-attempt"
)

// AttemptActivityType is the activity type of an attempt of kind k.
func AttemptActivityType(k progress.AttemptKind) string {
	switch k {
	case progress.KindPretest:
		return ActivityPretestAttempt
	case progress.KindRefresher:
		return ActivityRefresherAttempt
	}
	return ActivityQuizAttempt
}

// Extensions: cmi5's mastery score, and Indicia's own.
const (
	ExtMasteryScore = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
	ExtRole         = XAPIBase + "xapi/extensions/role"         // context: the learner's role
	ExtCohort       = XAPIBase + "xapi/extensions/cohort"       // context: the learner's cohort code
	ExtAttemptKind  = XAPIBase + "xapi/extensions/attempt-kind" // context: quiz or refresher
	ExtTopic        = XAPIBase + "xapi/extensions/topic"        // activity: what a question is about
	ExtIndicators   = XAPIBase + "xapi/extensions/indicators"   // activity: the catalogue's warning signs it exercises
	ExtSkill        = XAPIBase + "xapi/extensions/skill"        // activity: recognise, act, law or context
	ExtConfidence   = XAPIBase + "xapi/extensions/confidence"   // result: 1 guessing, 2 fairly sure, 3 sure
	// ExtMeasurement says which of the three measurements an attempt's statements are:
	// "before" (the pre-test), "after" (the quiz) or "kept" (the refresher).
	ExtMeasurement = XAPIBase + "xapi/extensions/measurement"
)

// Platform is the context.platform of every statement.
const Platform = "Indicia"

// Statement is an xAPI 1.0.3 statement, as Indicia builds them.
type Statement struct {
	ID        string    `json:"id"`
	Actor     Agent     `json:"actor"`
	Verb      Verb      `json:"verb"`
	Object    Activity  `json:"object"`
	Result    *Result   `json:"result,omitempty"`
	Context   *XContext `json:"context,omitempty"`
	Timestamp string    `json:"timestamp"`
}

// Agent is a statement's actor: an account, and a name only when asked for.
type Agent struct {
	ObjectType string  `json:"objectType"`
	Name       string  `json:"name,omitempty"`
	Account    Account `json:"account"`
}

// Account is an agent's account on a system.
type Account struct {
	HomePage string `json:"homePage"`
	Name     string `json:"name"`
}

// Verb is what the actor did.
type Verb struct {
	ID      string  `json:"id"`
	Display LangMap `json:"display"`
}

// LangMap maps RFC 5646 language tags to text.
type LangMap map[string]string

// Activity is a statement's object or a context activity.
type Activity struct {
	ObjectType string              `json:"objectType"`
	ID         string              `json:"id"`
	Definition *ActivityDefinition `json:"definition,omitempty"`
}

// ActivityDefinition describes an activity; the interaction fields are for
// cmi.interaction activities.
type ActivityDefinition struct {
	Name                    LangMap                `json:"name,omitempty"`
	Description             LangMap                `json:"description,omitempty"`
	Type                    string                 `json:"type"`
	InteractionType         string                 `json:"interactionType,omitempty"`
	CorrectResponsesPattern []string               `json:"correctResponsesPattern,omitempty"`
	Choices                 []InteractionComponent `json:"choices,omitempty"`
	Source                  []InteractionComponent `json:"source,omitempty"`
	Target                  []InteractionComponent `json:"target,omitempty"`
	Steps                   []InteractionComponent `json:"steps,omitempty"`
	Extensions              map[string]any         `json:"extensions,omitempty"`
}

// InteractionComponent is one choice, source, target or step of an interaction.
type InteractionComponent struct {
	ID          string  `json:"id"`
	Description LangMap `json:"description,omitempty"`
}

// Result is the outcome of a statement.
type Result struct {
	Score      *Score         `json:"score,omitempty"`
	Success    *bool          `json:"success,omitempty"`
	Completion *bool          `json:"completion,omitempty"`
	Response   *string        `json:"response,omitempty"`
	Duration   string         `json:"duration,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Score is a result's score. Scaled is in [0, 1] here (xAPI allows [-1, 1]); Raw lies
// between Min and Max.
type Score struct {
	Scaled *float64 `json:"scaled,omitempty"`
	Raw    *float64 `json:"raw,omitempty"`
	Min    *float64 `json:"min,omitempty"`
	Max    *float64 `json:"max,omitempty"`
}

// XContext is a statement's context.
type XContext struct {
	Registration      string             `json:"registration,omitempty"`
	ContextActivities *ContextActivities `json:"contextActivities,omitempty"`
	Revision          string             `json:"revision,omitempty"`
	Platform          string             `json:"platform,omitempty"`
	Language          string             `json:"language,omitempty"`
	Extensions        map[string]any     `json:"extensions,omitempty"`
}

// ContextActivities are the activities a statement's object belongs to.
type ContextActivities struct {
	Parent   []Activity `json:"parent,omitempty"`
	Grouping []Activity `json:"grouping,omitempty"`
}

// ---------------------------------------------------------------------------------------
// The installation's xAPI identity

// XAPIIdentity is this installation's station id and the secret its learners'
// pseudonyms are made with. Both are kept beside the progress database in
// <db>.xapi-secret (mode 0600), created on first use. Whoever holds the secret can tell
// which learner id a pseudonym stands for (learner ids are small numbers): keep it with
// the database, and never send it anywhere.
type XAPIIdentity struct {
	StationID string // a random UUID
	secret    []byte
}

// XAPISecretPath is the identity file of the database at dbPath.
func XAPISecretPath(dbPath string) string { return dbPath + ".xapi-secret" }

type identityFile struct {
	Station string `json:"station"`
	Secret  string `json:"secret"` // 32 bytes, hexadecimal
}

// LoadXAPIIdentity reads the identity of the database at dbPath, creating it when the
// file does not exist yet. Two programs creating it at once end up with the same
// identity: the file is written whole under a temporary name and linked into place only
// if none is there.
func LoadXAPIIdentity(dbPath string) (*XAPIIdentity, error) {
	path := XAPISecretPath(dbPath)
	id, err := readXAPIIdentity(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return id, err
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("create xAPI identity: %w", err)
	}
	data, _ := json.Marshal(identityFile{Station: uuid.NewString(), Secret: hex.EncodeToString(secret)})
	if err := createPrivateOnce(path, append(data, '\n')); err != nil {
		return nil, fmt.Errorf("create xAPI identity: %w", err)
	}
	return readXAPIIdentity(path)
}

func readXAPIIdentity(path string) (*XAPIIdentity, error) {
	data, err := readPrivate(path, "xAPI identity", 4096)
	if err != nil {
		return nil, err
	}
	var file identityFile
	damaged := fmt.Errorf("xAPI identity %s: the file is damaged (it should hold a station id and a 64-digit hexadecimal secret)", path)
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, damaged
	}
	station, err := uuid.Parse(file.Station)
	secret, herr := hex.DecodeString(file.Secret)
	if err != nil || herr != nil || len(secret) != 32 {
		return nil, damaged
	}
	return &XAPIIdentity{StationID: station.String(), secret: secret}, nil
}

// HomePage is the account home page of this station's learners.
func (id *XAPIIdentity) HomePage() string { return XAPIBase + "station/" + id.StationID }

// AccountName is a learner's pseudonym: the hexadecimal HMAC-SHA256 of the learner id
// under the installation's secret.
func (id *XAPIIdentity) AccountName(learnerID int64) string {
	m := hmac.New(sha256.New, id.secret)
	m.Write([]byte(strconv.FormatInt(learnerID, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// statementNamespace is the UUID namespace of statement ids.
var statementNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte(XAPIBase+"xapi/statement"))

// StatementID is the id of the statement about event (for example
// "attempt/12/1700000000000/answer/3/answered") on this station: a name-based UUID
// (version 5), the same every time.
func (id *XAPIIdentity) StatementID(event string) string {
	return uuid.NewSHA1(statementNamespace, []byte("station/"+id.StationID+"/"+event)).String()
}

// ---------------------------------------------------------------------------------------
// Building statements

// XAPI builds statements from the progress store.
type XAPI struct {
	Catalog  *modules.Catalog
	Identity *XAPIIdentity
	// IncludeNames puts each learner's name in the actor; without it (the default) the
	// actor is the pseudonymous account only.
	IncludeNames bool
}

// Build reads the store's history and returns every statement, oldest first.
func (x *XAPI) Build(ctx context.Context, store *progress.Store) ([]Statement, error) {
	h, err := store.History(ctx)
	if err != nil {
		return nil, err
	}
	return x.Statements(h)
}

// Statements returns the statements of a history, oldest first (statements at the same
// moment in the order the learner did things).
func (x *XAPI) Statements(h progress.History) ([]Statement, error) {
	if x.Identity == nil || x.Catalog == nil {
		return nil, errors.New("xAPI: a catalog and an identity are needed")
	}
	learners := make(map[int64]progress.Learner, len(h.Learners))
	for _, l := range h.Learners {
		learners[l.ID] = l
	}
	var out []Statement
	for _, r := range h.Lessons {
		l, ok := learners[r.LearnerID]
		if !ok {
			continue
		}
		out = append(out, x.lessonStatements(l, r)...)
	}
	for _, a := range h.Attempts {
		l, ok := learners[a.LearnerID]
		if !ok {
			continue
		}
		out = append(out, x.attemptStatements(l, a)...)
	}
	for _, r := range h.Reviews {
		l, ok := learners[r.LearnerID]
		if !ok {
			continue
		}
		out = append(out, x.reviewStatement(l, r))
	}
	slices.SortStableFunc(out, func(a, b Statement) int { return cmp.Compare(a.Timestamp, b.Timestamp) })
	return out, nil
}

func (x *XAPI) actor(l progress.Learner) Agent {
	a := Agent{ObjectType: "Agent", Account: Account{HomePage: x.Identity.HomePage(), Name: x.Identity.AccountName(l.ID)}}
	if x.IncludeNames {
		a.Name = l.Name
	}
	return a
}

func learnerKey(l progress.Learner) string {
	return fmt.Sprintf("learner/%d/%d", l.ID, l.CreatedAt.UnixMilli())
}

func attemptKey(a progress.Attempt) string {
	return fmt.Sprintf("attempt/%d/%d", a.ID, a.StartedAt.UnixMilli())
}

// text returns a module's text in lang and the language it is really in (French when
// the module lacks lang).
func text(m *modules.Module, lang string) (*modules.Text, string) {
	t := m.In(lang)
	if lang != "fr" && t == m.In("fr") {
		return t, "fr"
	}
	return t, lang
}

func lm(lang, s string) LangMap {
	if s == "" {
		return nil
	}
	return LangMap{lang: s}
}

// moduleActivity is a module as an activity: with its summary as the object of a
// statement, with its title only as a context activity.
func (x *XAPI) moduleActivity(moduleID, lang string, object bool) Activity {
	a := Activity{ObjectType: "Activity", ID: XAPIBase + "module/" + url.PathEscape(moduleID),
		Definition: &ActivityDefinition{Type: ActivityModule}}
	if m, ok := x.Catalog.Module(moduleID); ok {
		t, tl := text(m, lang)
		a.Definition.Name = lm(tl, t.Title)
		if object {
			a.Definition.Description = lm(tl, t.Summary)
		}
	}
	return a
}

// attemptActivity is an attempt as an activity, of the type of its kind; as the object
// of a statement (a pre-test's), with its name.
func (x *XAPI) attemptActivity(a progress.Attempt, object bool) Activity {
	act := Activity{ObjectType: "Activity",
		ID:         x.Identity.HomePage() + "/attempt/" + strconv.FormatInt(a.ID, 10) + "-" + strconv.FormatInt(a.StartedAt.UnixMilli(), 10),
		Definition: &ActivityDefinition{Type: AttemptActivityType(a.Kind)}}
	if m, ok := x.Catalog.Module(a.ModuleID); ok && object {
		t, tl := text(m, a.Language)
		act.Definition.Name = lm(tl, pretestNames[tl]+t.Title)
	}
	return act
}

// pretestNames name a pre-test in the statement's language (xAPI names are language
// maps; the app's interface text is not at hand here).
var pretestNames = map[string]string{"fr": "Pré-test : ", "nl": "Voortoets: ", "en": "Pre-test: ", "de": "Vortest: "}

func (x *XAPI) context(l progress.Learner, lang, revision string) *XContext {
	c := &XContext{Revision: revision, Platform: Platform, Language: lang, Extensions: map[string]any{ExtRole: l.Role}}
	if l.Cohort != "" {
		c.Extensions[ExtCohort] = l.Cohort
	}
	return c
}

func verb(id, en string) Verb { return Verb{ID: id, Display: LangMap{"en-US": en}} }

func ptr[T any](v T) *T { return &v }

// lessonStatements: launched when the learner has a progress row in the lesson, and
// completed once they finished it. The store keeps no start time, so "launched" is dated
// at the last visit less the time spent reading: never before the real start.
func (x *XAPI) lessonStatements(l progress.Learner, r progress.LessonRecord) []Statement {
	key := learnerKey(l) + "/lesson/" + r.ModuleID + "/" + r.LessonID
	lang, revision := l.Language, ""
	object := Activity{ObjectType: "Activity",
		ID:         XAPIBase + "module/" + url.PathEscape(r.ModuleID) + "/lesson/" + url.PathEscape(r.LessonID),
		Definition: &ActivityDefinition{Type: ActivityLesson}}
	if m, ok := x.Catalog.Module(r.ModuleID); ok {
		revision = m.Version
		t, tl := text(m, lang)
		for _, ls := range t.Lessons {
			if ls.ID == r.LessonID {
				object.Definition.Name = lm(tl, ls.Title)
			}
		}
	}
	ctx := func() *XContext {
		c := x.context(l, lang, revision)
		c.ContextActivities = &ContextActivities{Parent: []Activity{x.moduleActivity(r.ModuleID, lang, false)}}
		return c
	}
	launched := r.UpdatedAt.Add(-r.TimeSpent)
	if launched.Before(l.CreatedAt) {
		launched = l.CreatedAt
	}
	if !r.CompletedAt.IsZero() && launched.After(r.CompletedAt) {
		launched = r.CompletedAt
	}
	out := []Statement{{
		ID: x.Identity.StatementID(key + "/launched"), Actor: x.actor(l), Verb: verb(VerbLaunched, "launched"),
		Object: object, Context: ctx(), Timestamp: timestamp(launched),
	}}
	if !r.CompletedAt.IsZero() {
		out = append(out, Statement{
			ID: x.Identity.StatementID(key + "/completed"), Actor: x.actor(l), Verb: verb(VerbCompleted, "completed"),
			Object: object, Result: &Result{Completion: ptr(true), Duration: Duration(r.TimeSpent)},
			Context: ctx(), Timestamp: timestamp(r.CompletedAt),
		})
	}
	return out
}

// attemptStatements: answered for each complete answer, and for a finished attempt
// completed and passed or failed; for a finished pre-test, which is never graded,
// completed and scored, with the pre-test itself as the object; for a skipped one,
// skipped. Each says which measurement it is (ExtMeasurement) and its attempt's kind.
func (x *XAPI) attemptStatements(l progress.Learner, a progress.AttemptRecord) []Statement {
	key := attemptKey(a.Attempt)
	registration := x.Identity.StatementID(key + "/registration") // a UUID no statement has
	module, moduleContext := x.moduleActivity(a.ModuleID, a.Language, true), x.moduleActivity(a.ModuleID, a.Language, false)
	attempt := x.attemptActivity(a.Attempt, false)
	ctx := func(ca *ContextActivities) *XContext {
		c := x.context(l, a.Language, a.ContentVersion)
		c.Registration, c.ContextActivities = registration, ca
		if a.Kind != "" {
			c.Extensions[ExtAttemptKind] = string(a.Kind)
		}
		c.Extensions[ExtMeasurement] = string(progress.MeasurementOf(a.Kind))
		return c
	}
	if a.Status == progress.AttemptSkipped {
		if a.FinishedAt.IsZero() {
			return nil
		}
		return []Statement{{
			ID: x.Identity.StatementID(key + "/skipped"), Actor: x.actor(l), Verb: verb(VerbSkipped, "skipped"),
			Object: x.attemptActivity(a.Attempt, true), Context: ctx(&ContextActivities{Grouping: []Activity{moduleContext}}),
			Timestamp: timestamp(a.FinishedAt),
		}}
	}
	var bank []quiz.Question
	textLang := a.Language
	if m, ok := x.Catalog.Module(a.ModuleID); ok {
		var t *modules.Text
		t, textLang = text(m, a.Language)
		bank = t.Bank
	}
	var out []Statement
	var spent time.Duration
	for _, ans := range a.Answers {
		spent += ans.Time
		if !ans.Complete {
			continue
		}
		var q *quiz.Question
		if i := slices.IndexFunc(bank, func(q quiz.Question) bool { return q.ID == ans.QuestionID }); i >= 0 {
			q = &bank[i]
		}
		def, response := interaction(q, ans.Response, textLang)
		res := &Result{Success: ptr(ans.Correct), Completion: ptr(true), Response: &response, Duration: Duration(ans.Time),
			Score: answerScore(progress.CreditOf(ans.Correct, ans.Score).Score)}
		if ans.Confidence != 0 {
			res.Extensions = map[string]any{ExtConfidence: int(ans.Confidence)}
		}
		out = append(out, Statement{
			ID:    x.Identity.StatementID(fmt.Sprintf("%s/answer/%d/answered", key, ans.Position)),
			Actor: x.actor(l), Verb: verb(VerbAnswered, "answered"),
			Object: Activity{ObjectType: "Activity",
				ID:         XAPIBase + "module/" + url.PathEscape(a.ModuleID) + "/question/" + url.PathEscape(ans.QuestionID),
				Definition: def},
			Result:    res,
			Context:   ctx(&ContextActivities{Parent: []Activity{attempt}, Grouping: []Activity{moduleContext}}),
			Timestamp: timestamp(ans.AnsweredAt),
		})
	}
	if a.Status != progress.AttemptFinished || a.FinishedAt.IsZero() || a.Total <= 0 {
		return out
	}
	duration := Duration(spent)
	points := 0.0
	for _, ans := range a.Answers {
		if ans.Complete {
			points += progress.CreditOf(ans.Correct, ans.Score).Score
		}
	}
	points = min(max(points, 0), float64(a.Total))
	score := &Score{Scaled: ptr(roundScaled(points / float64(a.Total))), Raw: ptr(roundScaled(points)), Min: ptr(0.0), Max: ptr(float64(a.Total))}
	if a.Kind == progress.KindPretest {
		// What the learner knew before the module: completed, and scored, never passed
		// or failed; the object is the pre-test, not the module.
		object := x.attemptActivity(a.Attempt, true)
		grouping := &ContextActivities{Grouping: []Activity{moduleContext}}
		return append(out, Statement{
			ID: x.Identity.StatementID(key + "/completed"), Actor: x.actor(l), Verb: verb(VerbCompleted, "completed"),
			Object: object, Result: &Result{Completion: ptr(true), Duration: duration},
			Context: ctx(grouping), Timestamp: timestamp(a.FinishedAt),
		}, Statement{
			ID: x.Identity.StatementID(key + "/scored"), Actor: x.actor(l), Verb: verb(VerbScored, "scored"),
			Object: object, Result: &Result{Score: score, Duration: duration},
			Context: ctx(grouping), Timestamp: timestamp(a.FinishedAt),
		})
	}
	out = append(out, Statement{
		ID: x.Identity.StatementID(key + "/completed"), Actor: x.actor(l), Verb: verb(VerbCompleted, "completed"),
		Object: module, Result: &Result{Completion: ptr(true), Duration: duration},
		Context: ctx(&ContextActivities{Grouping: []Activity{attempt}}), Timestamp: timestamp(a.FinishedAt),
	})
	passMark := a.PassMark
	if passMark <= 0 || passMark > 100 {
		passMark = quiz.DefaultPassMark
	}
	v, name := VerbFailed, "failed"
	if a.Passed {
		v, name = VerbPassed, "passed"
	}
	c := ctx(&ContextActivities{Grouping: []Activity{attempt}})
	c.Extensions[ExtMasteryScore] = float64(passMark) / 100
	out = append(out, Statement{
		ID: x.Identity.StatementID(key + "/" + name), Actor: x.actor(l), Verb: verb(v, name),
		Object:  module,
		Result:  &Result{Score: score, Success: ptr(a.Passed), Duration: duration},
		Context: c, Timestamp: timestamp(a.FinishedAt),
	})
	return out
}

// reviewStatement is an answer given in a spaced-review session: "answered", like a
// quiz answer, with the attempt kind "review" and no attempt as parent.
func (x *XAPI) reviewStatement(l progress.Learner, r progress.ReviewRecord) Statement {
	var q *quiz.Question
	textLang := l.Language
	if m, ok := x.Catalog.Module(r.ModuleID); ok {
		var t *modules.Text
		t, textLang = text(m, l.Language)
		if i := slices.IndexFunc(t.Bank, func(q quiz.Question) bool { return q.ID == r.QuestionID }); i >= 0 {
			q = &t.Bank[i]
		}
	}
	def, response := interaction(q, r.Response, textLang)
	credit := 0.0
	if r.Correct {
		credit = 1 // a review is right or not: its partial credit is not kept
	}
	res := &Result{Success: ptr(r.Correct), Completion: ptr(true), Response: &response, Duration: Duration(r.Time),
		Score: answerScore(credit)}
	if r.Confidence != 0 {
		res.Extensions = map[string]any{ExtConfidence: int(r.Confidence)}
	}
	revision := ""
	if m, ok := x.Catalog.Module(r.ModuleID); ok {
		revision = m.Version
	}
	c := x.context(l, textLang, revision)
	c.Extensions[ExtAttemptKind] = "review"
	c.ContextActivities = &ContextActivities{Grouping: []Activity{x.moduleActivity(r.ModuleID, textLang, false)}}
	return Statement{
		ID:    x.Identity.StatementID("review/" + r.UID + "/answered"),
		Actor: x.actor(l), Verb: verb(VerbAnswered, "answered"),
		Object: Activity{ObjectType: "Activity",
			ID:         XAPIBase + "module/" + url.PathEscape(r.ModuleID) + "/question/" + url.PathEscape(r.QuestionID),
			Definition: def},
		Result: res, Context: c, Timestamp: timestamp(r.AnsweredAt),
	}
}

// answerScore is the score of one answer: its credit from 0 to 1, which for a
// spot-the-signals answer is the partial credit of quiz.SpotScore.
func answerScore(credit float64) *Score {
	credit = roundScaled(min(max(credit, 0), 1))
	return &Score{Scaled: ptr(credit), Raw: ptr(credit), Min: ptr(0.0), Max: ptr(1.0)}
}

// spotText is a spot-the-signals situation as plain text, its phrases in place.
func spotText(q *quiz.Question) string {
	var parts []string
	for _, p := range q.SituationParts() {
		parts = append(parts, p.Text)
	}
	return strings.Join(parts, " ")
}

// roundScaled keeps 4 decimals, rounding down so a scaled score never rises past the
// mastery score it was judged against.
func roundScaled(f float64) float64 {
	return float64(int64(f*10000+1e-9)) / 10000
}

// interaction describes a question as a cmi.interaction activity and formats the
// learner's response in xAPI's response format for its interaction type. q is nil when
// the question is no longer in the content; the type is then guessed from the response.
func interaction(q *quiz.Question, r quiz.Response, lang string) (*ActivityDefinition, string) {
	def := &ActivityDefinition{Type: ActivityInteraction}
	kind := responseKind(r)
	if q != nil {
		kind = q.Kind
		def.Name = lm(lang, q.Prompt)
		if q.Kind == quiz.Scenario {
			def.Description = lm(lang, q.Intro)
		}
		if q.Kind == quiz.Spot {
			def.Description = lm(lang, spotText(q))
		}
		def.Extensions = map[string]any{ExtTopic: q.Topic, ExtSkill: string(q.Skill)}
		if len(q.Indicators) > 0 {
			def.Extensions[ExtIndicators] = q.Indicators
		}
	}
	components := func(opts []quiz.Option) []InteractionComponent {
		out := make([]InteractionComponent, len(opts))
		for i, o := range opts {
			out[i] = InteractionComponent{ID: o.ID, Description: lm(lang, o.Text)}
		}
		return out
	}
	var response string
	switch kind {
	case quiz.Single, quiz.Multiple, quiz.Spot:
		// A spot-the-signals situation is a choice among its phrases: the right
		// response is its signs, and nothing marked is the empty response.
		def.InteractionType = "choice"
		response = strings.Join(r.Chosen, "[,]")
		if q != nil {
			def.Choices = components(q.Options)
			def.CorrectResponsesPattern = []string{strings.Join(q.Answer, "[,]")}
		}
	case quiz.TrueFalse:
		def.InteractionType = "true-false"
		response = strings.Join(r.Chosen, "[,]")
		if q != nil && len(q.Answer) == 1 {
			def.CorrectResponsesPattern = []string{q.Answer[0]}
		}
	case quiz.Ordering:
		def.InteractionType = "sequencing"
		response = strings.Join(r.Order, "[,]")
		if q != nil {
			def.Choices = components(q.Options)
			def.CorrectResponsesPattern = []string{strings.Join(q.Answer, "[,]")}
		}
	case quiz.Matching:
		def.InteractionType = "matching"
		var sources []string
		if q != nil {
			def.Source, def.Target = components(q.Options), components(q.Targets)
			var pattern []string
			for _, o := range q.Options {
				sources = append(sources, o.ID)
				pattern = append(pattern, o.ID+"[.]"+q.Pairs[o.ID])
			}
			def.CorrectResponsesPattern = []string{strings.Join(pattern, "[,]")}
		}
		var others []string // sources the question lacks, or all of them without it
		for s := range r.Pairs {
			if !slices.Contains(sources, s) {
				others = append(others, s)
			}
		}
		slices.Sort(others)
		sources = append(sources, others...)
		var pairs []string
		for _, s := range sources {
			if t, ok := r.Pairs[s]; ok {
				pairs = append(pairs, s+"[.]"+t)
			}
		}
		response = strings.Join(pairs, "[,]")
	default: // a scenario: the path of "step:choice" decisions
		def.InteractionType = "other"
		response = strings.Join(r.Path, "[,]")
		if q != nil {
			def.CorrectResponsesPattern = goodPaths(q, 20)
		}
	}
	return def, response
}

// responseKind guesses the question type from a response whose question is gone.
func responseKind(r quiz.Response) quiz.Kind {
	switch {
	case len(r.Path) > 0:
		return quiz.Scenario
	case len(r.Pairs) > 0:
		return quiz.Matching
	case len(r.Order) > 0:
		return quiz.Ordering
	case len(r.Chosen) == 1 && (r.Chosen[0] == quiz.True || r.Chosen[0] == quiz.False):
		return quiz.TrueFalse
	}
	return quiz.Multiple
}

// goodPaths lists, in xAPI's "a[,]b" form, up to limit paths through a scenario that
// take only good decisions from the start to an end.
func goodPaths(q *quiz.Question, limit int) []string {
	var out []string
	var walk func(step string, path []string, seen map[string]bool)
	walk = func(stepID string, path []string, seen map[string]bool) {
		s, ok := q.Step(stepID)
		if !ok || seen[stepID] || len(out) >= limit {
			return
		}
		seen[stepID] = true
		defer delete(seen, stepID)
		for _, c := range s.Choices {
			if !c.Good {
				continue
			}
			p := append(slices.Clip(path), quiz.PathEntry(s.ID, c.ID))
			if c.Next == "" {
				if len(out) < limit {
					out = append(out, strings.Join(p, "[,]"))
				}
				continue
			}
			walk(c.Next, p, seen)
		}
	}
	walk(q.Start, nil, map[string]bool{})
	return out
}

// timestamp formats t as xAPI wants it: ISO 8601, UTC, milliseconds.
func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// Duration formats d as an ISO 8601 duration with xAPI's precision of 0.01 s, such as
// "PT1H2M3.45S" or "PT0S". A negative d counts as zero.
func Duration(d time.Duration) string {
	cs := int64(max(d, 0) / (10 * time.Millisecond)) // hundredths of a second, truncated
	h, cs := cs/360000, cs%360000
	m, cs := cs/6000, cs%6000
	s, frac := cs/100, cs%100
	var b strings.Builder
	b.WriteString("PT")
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || frac > 0 || (h == 0 && m == 0) {
		if frac > 0 {
			fmt.Fprintf(&b, "%d.%s", s, strings.TrimRight(fmt.Sprintf("%02d", frac), "0"))
		} else {
			fmt.Fprintf(&b, "%d", s)
		}
		b.WriteString("S")
	}
	return b.String()
}

// OutboxStatements turns statements into outbox entries.
func OutboxStatements(stmts []Statement) ([]progress.OutboxStatement, error) {
	out := make([]progress.OutboxStatement, len(stmts))
	for i, s := range stmts {
		data, err := json.Marshal(s)
		if err != nil {
			return nil, fmt.Errorf("statement %s: %w", s.ID, err)
		}
		out[i] = progress.OutboxStatement{ID: s.ID, Statement: data}
	}
	return out, nil
}
