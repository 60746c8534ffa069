package progress

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackupWithBackupsFromTheFuture makes a backup when the clock was put back and
// the kept backups carry later times: the new one is kept, and BackupNow reports it.
func TestBackupWithBackupsFromTheFuture(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2030, 1, 1, 8, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	for range KeepBackups {
		clock = clock.Add(25 * time.Hour)
		if _, err := s.BackupNow(ctx); err != nil {
			t.Fatal(err)
		}
	}
	clock = time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC) // the clock is put right
	b, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(b.Path); err != nil || b.Size == 0 {
		t.Fatalf("the new backup is gone: %+v %v", b, err)
	}
	all, _ := Backups(path)
	if len(all) != KeepBackups {
		t.Errorf("%d backups kept, want %d", len(all), KeepBackups)
	}
}

// TestRestoreIsAllOrNothing: when the current database's -wal file cannot be moved
// aside, the restore fails and leaves the current database, its -wal included, as it
// was; the stale -wal is never replayed onto the restored file.
func TestRestoreIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	newLearner(t, s, "In the backup")
	b, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newLearner(t, s, "Only in the current file")
	// Keep the -wal as a crash would leave it: copy the files while open.
	s.write.Exec("PRAGMA wal_checkpoint(PASSIVE)")
	snapshot := map[string][]byte{}
	for _, side := range []string{"", "-wal"} {
		data, err := os.ReadFile(path + side)
		if err != nil {
			t.Fatal(err)
		}
		snapshot[side] = data
	}
	s.Close()
	for side, data := range snapshot {
		os.WriteFile(path+side, data, 0o600)
	}
	// Whatever second the restore runs in, the -wal cannot be moved to its aside name:
	// a folder with something in it is in the way.
	now := time.Now().UTC()
	for i := -2; i < 30; i++ {
		blocker := path + ".replaced-" + now.Add(time.Duration(i)*time.Second).Format(backupLayout) + "-wal"
		os.MkdirAll(filepath.Join(blocker, "x"), 0o700)
	}
	if _, err := Restore(ctx, path, b.Path); err == nil {
		t.Fatal("the restore went ahead although the -wal could not be moved")
	}
	for side, data := range snapshot {
		got, err := os.ReadFile(path + side)
		if err != nil || string(got) != string(data) {
			t.Errorf("%s changed by a failed restore (%v)", "indicia.db"+side, err)
		}
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := s2.Learners(ctx)
	if len(ls) != 2 {
		t.Errorf("after a failed restore: %d learners, want the 2 of the current file", len(ls))
	}
	s2.Close()
}

// TestRestoreRunsTheFullIntegrityCheck: a backup whose index does not match its table
// passes quick_check but not integrity_check, and is refused.
func TestRestoreRunsTheFullIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	for _, n := range []string{"A", "B", "C"} {
		newLearner(t, s, n)
	}
	b, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newLearner(t, s, "D")
	s.Close()
	// The learners_uid index now claims to index the names, which it does not.
	db, err := sql.Open("sqlite3", sqliteURI(b.Path, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`PRAGMA writable_schema = ON;
		UPDATE sqlite_master SET sql = 'CREATE UNIQUE INDEX learners_uid ON learners (name)' WHERE name = 'learners_uid';`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	if _, err := Restore(ctx, path, b.Path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("a backup failing integrity_check: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("the current database changed")
	}
	// A sound backup restores, and the database holds its content.
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	good, err := s2.BackupNow(ctx)
	s2.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Restore(ctx, path, good.Path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".restoring"); !errors.Is(err, os.ErrNotExist) {
		t.Error("the staged copy was left behind")
	}
}
