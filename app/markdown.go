package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// markdownBlocks renders the small Markdown subset the content uses (paragraphs, "-"
// lists, **bold**) as wrapping labels, one per paragraph or list item.
//
// Fyne 2.7.1's RichText breaks a line letter by letter when a styled segment (bold)
// ends near the end of a line, so long lesson texts came out with words spelt down the
// page; plain labels wrap correctly. Emphasis is dropped: a paragraph is bold only when
// it is bold all through.
func markdownBlocks(md string) fyne.CanvasObject {
	box := container.NewVBox()
	for _, block := range markdownParagraphs(md) {
		l := widget.NewLabel(block.text)
		l.Wrapping = fyne.TextWrapWord
		l.TextStyle = fyne.TextStyle{Bold: block.bold}
		box.Add(l)
	}
	return box
}

type mdBlock struct {
	text string
	bold bool
}

// markdownParagraphs splits Markdown into paragraphs and list items (as "• item"), with
// emphasis markers removed.
func markdownParagraphs(md string) []mdBlock {
	var out []mdBlock
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, plainBlock(strings.Join(para, " "), ""))
			para = nil
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(md, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flush()
		case strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* "):
			flush()
			out = append(out, plainBlock(strings.TrimSpace(t[2:]), "• "))
		case len(out) > 0 && len(para) == 0 && strings.HasPrefix(out[len(out)-1].text, "• ") && strings.HasPrefix(line, "  "):
			// a list item continued on an indented line
			out[len(out)-1].text += " " + stripEmphasis(t)
		default:
			para = append(para, t)
		}
	}
	flush()
	return out
}

func plainBlock(text, prefix string) mdBlock {
	bold := strings.HasPrefix(text, "**") && strings.HasSuffix(text, "**") && strings.Count(text, "**") == 2
	return mdBlock{text: prefix + stripEmphasis(text), bold: bold}
}

// stripEmphasis removes Markdown's ** and __ markers (and lone * or _ around words).
func stripEmphasis(s string) string {
	s = strings.ReplaceAll(s, "**", "")
	s = strings.ReplaceAll(s, "__", "")
	var b strings.Builder
	for i, r := range s {
		if r == '*' || r == '_' {
			prevSpace := i == 0 || s[i-1] == ' '
			nextSpace := i == len(s)-1 || s[i+1] == ' '
			if prevSpace != nextSpace { // an emphasis marker touches a word on one side only
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
