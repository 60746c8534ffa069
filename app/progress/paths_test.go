package progress

import (
	"context"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func TestSQLiteURIEscapesEveryPath(t *testing.T) {
	q := url.Values{"_synchronous": {"FULL"}}
	for _, c := range []struct {
		path    string
		windows bool
		want    string
	}{
		{"/data/Team #2/indicia.db", false, "file:///data/Team%20%232/indicia.db?_synchronous=FULL"},
		{"/d/what?/a%41b.db", false, "file:///d/what%3F/a%2541b.db?_synchronous=FULL"},
		{"/home/zoë/Équipe 1/x.db", false, "file:///home/zo%C3%AB/%C3%89quipe%201/x.db?_synchronous=FULL"},
		{"/a/b&c=d;e+f/x.db", false, "file:///a/b%26c%3Dd%3Be%2Bf/x.db?_synchronous=FULL"},
		{`C:\Users\Zoë\Team #2\indicia.db`, true, "file:///C:/Users/Zo%C3%AB/Team%20%232/indicia.db?_synchronous=FULL"},
		{`D:\x?y\%AppData%\i.db`, true, "file:///D:/x%3Fy/%25AppData%25/i.db?_synchronous=FULL"},
		{`\\server\share\Team #2\i.db`, true, "file:////server/share/Team%20%232/i.db?_synchronous=FULL"},
	} {
		if got := sqliteURIFor(c.path, c.windows, q); got != c.want {
			t.Errorf("%q: got %s, want %s", c.path, got, c.want)
		}
	}
	// SQLite reads the path back exactly: the query is parsed apart from it.
	u, err := url.Parse(sqliteURIFor("/x/#1 ?%/i.db", false, q))
	if err != nil || u.Path != "/x/#1 ?%/i.db" || u.Query().Get("_synchronous") != "FULL" {
		t.Errorf("round trip: %v %q %v", err, u.Path, u.Query())
	}
}

// TestOpenUsesTheExactPath opens databases in folders whose names mean something in a
// URI: each is created at the path given, and two folders that differ after a '#' or
// a '?' hold two databases, each guarded by its own lock.
func TestOpenUsesTheExactPath(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	names := []string{"Team #1", "Team #2", "what?", "what?x", "100% sure", "Zoë & Noé", "日本", "a+b=c;d"}
	stores := map[string]*Store{}
	for _, n := range names {
		path := filepath.Join(root, n, "indicia.db")
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		defer s.Close()
		stores[n] = s
		if _, err := s.CreateLearner(ctx, NewLearner{Name: "Learner of " + n, Role: "police", Language: "fr"}); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if st, err := os.Stat(path); err != nil || st.Size() == 0 {
			t.Fatalf("%s: the database is not at %s: %v", n, path, err)
		}
		// A second copy of the app on the same folder is refused.
		if _, err := Open(ctx, path); !errors.Is(err, ErrInUse) {
			t.Errorf("%s: a second open gave %v, want ErrInUse", n, err)
		}
	}
	for _, n := range names {
		ls, err := stores[n].Learners(ctx)
		if err != nil || len(ls) != 1 || ls[0].Name != "Learner of "+n {
			t.Errorf("%s holds %+v (%v): databases are shared", n, ls, err)
		}
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != len(names) {
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		t.Errorf("folders made: %q", got)
	}
	// Backups of a store in such a folder are made and read back.
	b, err := stores["Team #2"].BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBackup(ctx, b.Path); err != nil {
		t.Errorf("backup in %s: %v", b.Path, err)
	}
}
