package locales

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

// areas lists the message files' areas (active, ...): the part before .<lang>.toml.
func areas(t *testing.T) []string {
	names, _ := filepath.Glob("*.en.toml")
	var out []string
	for _, n := range names {
		out = append(out, strings.TrimSuffix(n, ".en.toml"))
	}
	if len(out) == 0 {
		t.Fatal("no message files")
	}
	return out
}

// messages reads every message file of a language as key -> text (plural forms as
// key#form). A key defined in two files is an error.
func messages(t *testing.T, lang string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, area := range areas(t) {
		for k, v := range messagesIn(t, area+"."+lang+".toml") {
			if _, dup := out[k]; dup {
				t.Errorf("%s is defined twice in the %s files", k, lang)
			}
			out[k] = v
		}
	}
	return out
}

func messagesIn(t *testing.T, file string) map[string]string {
	t.Helper()
	var raw map[string]any
	if _, err := toml.DecodeFile(file, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			out[k] = v
		case map[string]any:
			for form, text := range v {
				out[k+"#"+form] = text.(string)
			}
		default:
			t.Fatalf("%s: %s has an unexpected type %T", file, k, v)
		}
	}
	return out
}

func keys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, strings.SplitN(k, "#", 2)[0])
	}
	sort.Strings(ks)
	return slices.Compact(ks)
}

var placeholder = regexp.MustCompile(`\{\{\s*\.[A-Za-z]+\s*\}\}`)

func TestEveryLanguageHasEveryMessage(t *testing.T) {
	en := messages(t, "en")
	for _, lang := range []string{"fr", "nl", "de"} {
		other := messages(t, lang)
		if !slices.Equal(keys(en), keys(other)) {
			for _, k := range keys(en) {
				if !slices.Contains(keys(other), k) {
					t.Errorf("%s lacks %q", lang, k)
				}
			}
			for _, k := range keys(other) {
				if !slices.Contains(keys(en), k) {
					t.Errorf("%s has %q, which English lacks", lang, k)
				}
			}
		}
		same := 0
		for k, v := range other {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", lang, k)
			}
			base := strings.SplitN(k, "#", 2)[0]
			enText, ok := en[k]
			if !ok {
				enText = en[base+"#other"]
			}
			if v == enText {
				same++
			}
			want := placeholder.FindAllString(enText, -1)
			got := placeholder.FindAllString(v, -1)
			sort.Strings(want)
			sort.Strings(got)
			want, got = slices.Compact(want), slices.Compact(got)
			if strings.HasSuffix(k, "#one") {
				// A singular may leave the number out ("le dernier jour").
				want = slices.DeleteFunc(want, func(p string) bool { return !slices.Contains(got, p) && strings.Contains(p, ".Count") })
			}
			if !slices.Equal(want, got) {
				t.Errorf("%s: %s has placeholders %v, English %v", lang, k, got, want)
			}
		}
		// A few texts may be the same in two languages ("PIN", formats); more means
		// the file was not translated.
		if same*10 > len(other) {
			t.Errorf("%s: %d of %d messages are the English text: not translated", lang, same, len(other))
		}
	}
}

// dynamicKeys are message ids the code builds from a prefix and a value.
var dynamicKeys = map[string][]string{
	"Role.":            {"police", "hospital", "guardian", "fedasil"},
	"Quiz.Hint.":       {"single", "multiple", "truefalse", "ordering", "matching", "scenario"},
	"Quiz.Incomplete.": {"single", "multiple", "truefalse", "ordering", "matching", "scenario"},
	"Open.":            {"Newer", "Foreign", "Corrupt", "NotWritable", "InUse", "Generic"},
	"Format.":          {"Date", "Percent", "Minutes", "HoursMinutes"},
}

// TestCodeUsesOnlyExistingMessages scans the app's Go files for message ids.
func TestCodeUsesOnlyExistingMessages(t *testing.T) {
	en := keys(messages(t, "en"))
	var files []string
	for _, pattern := range []string{"../app/*.go", "../app/*/*.go", "../cmd/indicia/*.go"} {
		more, _ := filepath.Glob(pattern)
		files = append(files, more...)
	}
	if len(files) == 0 {
		t.Fatal("no source files found")
	}
	use := regexp.MustCompile(`\b(?:T|N)\("([A-Za-z]+(?:\.[A-Za-z]+)+)"`)
	prefix := regexp.MustCompile(`\b(?:T|N)\("([A-Za-z.]+\.)"\s*\+`)
	used := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			used++
			if !slices.Contains(en, m[1]) {
				t.Errorf("%s uses %q, which is in no message file", f, m[1])
			}
		}
		for _, m := range prefix.FindAllStringSubmatch(string(src), -1) {
			if _, ok := dynamicKeys[m[1]]; !ok {
				t.Errorf("%s builds ids from %q: list its values in dynamicKeys", f, m[1])
			}
		}
	}
	for p, vals := range dynamicKeys {
		for _, v := range vals {
			if !slices.Contains(en, p+v) {
				t.Errorf("missing message %s%s", p, v)
			}
		}
	}
	if used < 50 {
		t.Errorf("found only %d uses of messages: is the scan broken?", used)
	}
}

func TestMatch(t *testing.T) {
	for in, want := range map[string]string{
		"nl-BE": "nl", "nl_BE.UTF-8": "nl", "de_DE.UTF-8": "de", "fr-BE": "fr", "en-GB": "en",
		"en_US": "en", "de-AT": "de", "C": "fr", "": "fr", "es-ES": "fr",
	} {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %s, want %s", in, got, want)
		}
	}
	if got := Match("es", "nl-NL"); got != "nl" {
		t.Errorf("second choice: got %s", got)
	}
}

func TestFormatsPerLanguage(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC)
	en, de, fr := b.For("en"), b.For("de"), b.For("fr")
	if got := en.Number(12345); got != "12,345" {
		t.Errorf("en number %q", got)
	}
	if got := de.Number(12345); got != "12.345" {
		t.Errorf("de number %q", got)
	}
	if got := fr.Number(12345); strings.ContainsAny(got, ".,") || !strings.HasPrefix(got, "12") {
		t.Errorf("fr number %q", got)
	}
	if got := de.Date(day); got != "09.03.2026" {
		t.Errorf("de date %q", got)
	}
	if got := en.Date(day); got != "09/03/2026" {
		t.Errorf("en date %q", got)
	}
	if got, want := fr.Decimal(54.75, 1), "54,8"; got != want {
		t.Errorf("fr decimal %q, want %q", got, want)
	}
	if got := en.PercentDecimal(84.5); got != "84.5 %" && got != "84.5%" {
		t.Errorf("en percent %q", got)
	}
	if got := de.Decimal(0.625, 2); got != "0,62" && got != "0,63" {
		t.Errorf("de decimal %q", got)
	}
	if got := en.Duration(90 * time.Minute); got != "1 h 30 min" {
		t.Errorf("en duration %q", got)
	}
	if got := en.Duration(10 * time.Second); got != "1 min" {
		t.Errorf("a started minute shows as one: %q", got)
	}
	for _, lang := range Languages {
		l := b.For(lang)
		if one, many := l.N("Results.Missed", 1, nil), l.N("Results.Missed", 3, nil); one == many || !strings.Contains(many, "3") || one == "Results.Missed" {
			t.Errorf("%s plural: %q / %q", lang, one, many)
		}
		if l.T("No.Such.Key") != "No.Such.Key" {
			t.Error("a missing key should show its id")
		}
	}
}

// TestBundleReadsEachLanguageWhenAsked checks the lazy bundle: every language's files
// parse (Check), each localizer speaks its own language, and an unsupported language
// gives French.
func TestBundleReadsEachLanguageWhenAsked(t *testing.T) {
	b, err := NewBundle()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Check(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	for _, lang := range Languages {
		l := b.For(lang)
		text := l.T("App.Title")
		if l.Lang != lang || text == "App.Title" {
			t.Errorf("%s: lang %q, title %q", lang, l.Lang, text)
		}
		seen[l.T("Learners.Welcome")] = lang
	}
	if len(seen) != len(Languages) {
		t.Errorf("the welcome is not different in every language: %v", seen)
	}
	if l := b.For("xx"); l.Lang != "fr" || l.T("Learners.Welcome") != b.For("fr").T("Learners.Welcome") {
		t.Errorf("unsupported language: %q", l.Lang)
	}
	// Localizers of several languages used at once (go test -race would see a shared map).
	done := make(chan bool)
	for _, lang := range Languages {
		go func() {
			for range 50 {
				if b.For(lang).N("Results.Missed", 3, nil) == "Results.Missed" {
					t.Error("plural message missing")
				}
			}
			done <- true
		}()
	}
	for range Languages {
		<-done
	}
}
