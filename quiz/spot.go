package quiz

import "strings"

// Part is one piece of a spot-the-signals situation: running text, or a phrase the
// learner may mark (Phrase is then the option id and Text the phrase's text).
type Part struct {
	Text   string
	Phrase string
}

// SituationParts splits the situation of a spot question into running text and phrases,
// in reading order. Each {id} that names an option becomes that phrase; other text is
// kept as it is. Whitespace around a phrase is trimmed from the text beside it, since a
// phrase is shown as a line of its own.
func (q *Question) SituationParts() []Part {
	var parts []Part
	addText := func(t string) {
		if t = strings.TrimSpace(t); t != "" {
			parts = append(parts, Part{Text: t})
		}
	}
	rest := q.Situation
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		id := rest[open+1 : open+end]
		o, ok := q.Option(id)
		if !ok {
			// Not a phrase: keep the brace as text and look further on.
			addText(rest[:open+1])
			rest = rest[open+1:]
			continue
		}
		addText(rest[:open])
		parts = append(parts, Part{Text: o.Text, Phrase: id})
		rest = rest[open+end+1:]
	}
	addText(rest)
	return mergeText(parts)
}

// mergeText joins running-text parts that follow each other (left apart when a brace
// that named no phrase split them).
func mergeText(parts []Part) []Part {
	var out []Part
	for _, p := range parts {
		if n := len(out); n > 0 && p.Phrase == "" && out[n-1].Phrase == "" {
			out[n-1].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}

// PhraseCounts returns how often each {id} of the options appears in situation, for
// the content validator (each phrase must appear exactly once).
func PhraseCounts(situation string, options []Option) map[string]int {
	counts := make(map[string]int, len(options))
	for _, o := range options {
		counts[o.ID] = strings.Count(situation, "{"+o.ID+"}")
	}
	return counts
}
