package app

import (
	"reflect"
	"testing"
)

func TestMarkdownParagraphs(t *testing.T) {
	md := "Le rapport étudie **plusieurs formes** d'exploitation.\nSuite du paragraphe.\n\n" +
		"- un **acte** : recruter ;\n  suite de l'acte\n- un but\n\n**Tout en gras**\n\nUn *mot* et 5 * 3 et snake_case."
	want := []mdBlock{
		{text: "Le rapport étudie plusieurs formes d'exploitation. Suite du paragraphe."},
		{text: "• un acte : recruter ; suite de l'acte"},
		{text: "• un but"},
		{text: "Tout en gras", bold: true},
		{text: "Un mot et 5 * 3 et snake_case."},
	}
	if got := markdownParagraphs(md); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
