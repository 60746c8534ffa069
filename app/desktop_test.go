package app

import (
	"testing"

	"indicia/locales"
)

// TestInterfaceLanguageFromTheEnvironment: the language the interface starts in when
// none was chosen. The C and POSIX locales name no language, so the app starts in
// French, as the README says, even though Fyne reports them as English.
func TestInterfaceLanguageFromTheEnvironment(t *testing.T) {
	fyneSays := func() string { return "en-US" } // what Fyne's SystemLocale gives under LANG=C
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LANG": "C"}, "fr"},
		{map[string]string{"LANG": "C.UTF-8"}, "fr"},
		{map[string]string{"LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"}, "fr"},
		{map[string]string{}, "fr"},
		{map[string]string{"LANG": "nl_BE.UTF-8"}, "nl"},
		{map[string]string{"LC_MESSAGES": "de_BE.UTF-8", "LANG": "fr_BE.UTF-8"}, "de"},
		{map[string]string{"LANGUAGE": "en", "LANG": "fr_BE.UTF-8"}, "en"},
		{map[string]string{"LANG": "es_ES.UTF-8"}, "fr"},
	} {
		got := locales.Match(SystemLocales(func(k string) string { return tc.env[k] }, fyneSays)...)
		if got != tc.want {
			t.Errorf("%v: starts in %s, want %s", tc.env, got, tc.want)
		}
	}
}
