package modules

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"indicia/quiz"
)

// textChecker collects the problems of one language file.
type textChecker struct {
	src  *source
	errs Errors
}

// need reports an empty text at the line of key inside table.
func (c *textChecker) need(table, key, value, what string) string {
	if strings.TrimSpace(value) == "" {
		c.errs = append(c.errs, c.src.errorf(c.src.keyInTable(table, key), "%s: %s is missing or empty", what, key))
	}
	return value
}

// extra reports the ids in got that the structure does not have.
func extra[V any](c *textChecker, got map[string]V, want []string, table, what string) {
	var ids []string
	for id := range got {
		if !slices.Contains(want, id) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		line := c.src.table(table + "." + id)
		if line == 0 {
			line = c.src.keyInTable(table, id)
		}
		c.errs = append(c.errs, c.src.errorf(line, "%s %q is not in module.toml", what, id))
	}
}

func optionIDs(opts []quiz.Option) []string {
	ids := make([]string, len(opts))
	for i, o := range opts {
		ids[i] = o.ID
	}
	return ids
}

// loadText reads dir/lang.toml and returns the module's text in that language, with the
// question bank built from the structure's questions.
func loadText(fsys fs.FS, dir, lang string, mf moduleFile, structure []quiz.Question) (*Text, Errors) {
	name := dir + "/" + lang + ".toml"
	if _, err := fs.Stat(fsys, name); err != nil {
		return nil, Errors{{File: dir + "/module.toml", Line: 1, Msg: fmt.Sprintf("language %s is missing: no %s", lang, name)}}
	}
	var lf languageFile
	src, errs := decode(fsys, name, &lf)
	if src == nil || len(errs) > 0 && lf.Module.Title == "" && len(lf.Questions) == 0 {
		return nil, errs
	}
	c := &textChecker{src: src, errs: errs}
	t := &Text{
		Title:   c.need("[module", "title", lf.Module.Title, "module"),
		Summary: c.need("[module", "summary", lf.Module.Summary, "module"),
	}

	// Lessons.
	var lessonIDs []string
	for _, ls := range mf.Lessons {
		lessonIDs = append(lessonIDs, ls.ID)
		table := "[lessons." + ls.ID
		lt, ok := lf.Lessons[ls.ID]
		if !ok {
			c.errs = append(c.errs, src.errorf(1, "lesson %q has no text", ls.ID))
			continue
		}
		lesson := Lesson{ID: ls.ID, Title: c.need(table, "title", lt.Title, "lesson "+ls.ID)}
		var secIDs []string
		for _, sf := range ls.Sections {
			secIDs = append(secIDs, sf.ID)
			stable := table + ".sections." + sf.ID
			st, ok := lt.Sections[sf.ID]
			if !ok {
				c.errs = append(c.errs, src.errorf(src.table(table), "section %s/%s has no text", ls.ID, sf.ID))
				continue
			}
			what := "section " + ls.ID + "/" + sf.ID
			sec := Section{ID: sf.ID, Title: c.need(stable, "title", st.Title, what), Body: c.need(stable, "body", st.Body, what),
				General: sf.General, Indicators: sf.Indicators}
			if sf.Cite != nil && len(sf.Cite.Lines) == 2 {
				sec.Cite = quiz.Citation{Section: sf.Cite.Section, From: sf.Cite.Lines[0], To: sf.Cite.Lines[1]}
			}
			lesson.Sections = append(lesson.Sections, sec)
		}
		extra(c, lt.Sections, secIDs, table+".sections", "section")
		t.Lessons = append(t.Lessons, lesson)
	}
	extra(c, lf.Lessons, lessonIDs, "[lessons", "lesson")

	// Questions.
	var qIDs []string
	for _, sq := range structure {
		qIDs = append(qIDs, sq.ID)
		qt, ok := lf.Questions[sq.ID]
		if !ok {
			c.errs = append(c.errs, src.errorf(1, "question %q has no text", sq.ID))
			continue
		}
		t.Bank = append(t.Bank, c.question(sq, qt))
	}
	extra(c, lf.Questions, qIDs, "[questions", "question")
	return t, c.errs
}

// question fills the texts of a copy of the structural question sq from qt.
func (c *textChecker) question(sq quiz.Question, qt questionText) quiz.Question {
	q := sq
	table := "[questions." + q.ID
	what := "question " + q.ID
	q.Prompt = c.need(table, "prompt", qt.Prompt, what)
	q.Explanation = c.need(table, "explanation", qt.Explanation, what)
	q.Options = slices.Clone(sq.Options)
	q.Targets = slices.Clone(sq.Targets)

	switch q.Kind {
	case quiz.TrueFalse:
		q.Options[0].Why, q.Options[1].Why = qt.WhyTrue, qt.WhyFalse
		if len(q.Answer) == 1 && q.Answer[0] == quiz.False {
			c.need(table, "why_true", qt.WhyTrue, what)
		} else {
			c.need(table, "why_false", qt.WhyFalse, what)
		}
		if len(qt.Options) > 0 {
			c.errs = append(c.errs, c.src.errorf(c.src.table(table+".options"), "%s: a true/false question has no options table", what))
		}
	case quiz.Spot:
		c.spot(&q, qt)
	case quiz.Scenario:
		q.Intro = c.need(table, "intro", qt.Intro, what)
		q.Steps = make([]quiz.Step, len(sq.Steps))
		var stepIDs []string
		for i, s := range sq.Steps {
			stepIDs = append(stepIDs, s.ID)
			stable := table + ".steps." + s.ID
			st := qt.Steps[s.ID]
			step := quiz.Step{ID: s.ID, Text: c.need(stable, "text", st.Text, what+" step "+s.ID)}
			var choiceIDs []string
			for _, ch := range s.Choices {
				choiceIDs = append(choiceIDs, ch.ID)
				ct := st.Choices[ch.ID]
				ch.Text = c.need(stable+".choices", ch.ID, ct.Text, what+" step "+s.ID+" choice "+ch.ID)
				ch.Feedback = c.need(stable+".choices", ch.ID, ct.Feedback, what+" step "+s.ID+" choice "+ch.ID+" feedback")
				step.Choices = append(step.Choices, ch)
			}
			extra(c, st.Choices, choiceIDs, stable+".choices", "choice")
			q.Steps[i] = step
		}
		extra(c, qt.Steps, stepIDs, table+".steps", "step")
	default:
		for i, o := range q.Options {
			ot := qt.Options[o.ID]
			q.Options[i].Text = c.need(table+".options", o.ID, ot.Text, what+" option "+o.ID)
			right := slices.Contains(q.Answer, o.ID)
			if !right && (q.Kind == quiz.Single || q.Kind == quiz.Multiple) {
				q.Options[i].Why = c.need(table+".options", o.ID, ot.Why, what+" wrong option "+o.ID+" needs why;")
			}
		}
		extra(c, qt.Options, optionIDs(q.Options), table+".options", "option")
		for i, o := range q.Targets {
			q.Targets[i].Text = c.need(table+".targets", o.ID, qt.Targets[o.ID].Text, what+" target "+o.ID)
		}
		extra(c, qt.Targets, optionIDs(q.Targets), table+".targets", "target")
	}
	return q
}

// spot fills the situation and the phrases of a spot-the-signals question. Every phrase
// has its text and says why it is or is not a sign; the situation holds each phrase
// exactly once, as {id}, and no other braces.
func (c *textChecker) spot(q *quiz.Question, qt questionText) {
	table := "[questions." + q.ID
	what := "question " + q.ID
	q.Situation = c.need(table, "situation", qt.Situation, what)
	for i, o := range q.Options {
		ot := qt.Options[o.ID]
		q.Options[i].Text = c.need(table+".options", o.ID, ot.Text, what+" phrase "+o.ID)
		q.Options[i].Why = c.need(table+".options", o.ID, ot.Why, what+" phrase "+o.ID+" needs why (sign or not);")
		if strings.ContainsAny(ot.Text, "{}") {
			c.errs = append(c.errs, c.src.errorf(c.src.keyInTable(table+".options", o.ID), "%s: phrase %s has braces in its text", what, o.ID))
		}
	}
	extra(c, qt.Options, optionIDs(q.Options), table+".options", "phrase")
	if q.Situation == "" {
		return
	}
	line := func() int { return c.src.keyInTable(table, "situation") } // only for an error
	counts := quiz.PhraseCounts(q.Situation, q.Options)
	for _, o := range q.Options {
		if n := counts[o.ID]; n != 1 {
			c.errs = append(c.errs, c.src.errorf(line(), "%s: the situation must hold phrase {%s} once, holds it %d times", what, o.ID, n))
		}
	}
	last := -1
	for _, o := range q.Options {
		at := strings.Index(q.Situation, "{"+o.ID+"}")
		if at >= 0 && at < last {
			c.errs = append(c.errs, c.src.errorf(line(), "%s: phrase {%s} comes before the one listed ahead of it: list the options in reading order", what, o.ID))
		}
		last = max(last, at)
	}
	rest := q.Situation
	for _, o := range q.Options {
		rest = strings.ReplaceAll(rest, "{"+o.ID+"}", "")
	}
	if strings.ContainsAny(rest, "{}") {
		c.errs = append(c.errs, c.src.errorf(line(), "%s: the situation has braces that name no phrase", what))
	}
}
