package progress

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"
)

func TestBackupsAreConsistentRotatedAndRestorable(t *testing.T) {
	s, path := openTemp(t)
	ctx := context.Background()
	clock := time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return clock }
	l := newLearner(t, s, "Backup Person")

	made, err := s.MaybeBackup(ctx)
	if err != nil || !made {
		t.Fatalf("first backup: %v %v", made, err)
	}
	if made, _ := s.MaybeBackup(ctx); made {
		t.Error("a second backup within a day")
	}
	for i := 1; i <= KeepBackups+2; i++ {
		clock = clock.Add(25 * time.Hour)
		if _, err := s.MaybeBackup(ctx); err != nil {
			t.Fatal(err)
		}
	}
	all, err := Backups(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != KeepBackups || !all[0].Time.Equal(clock) {
		t.Fatalf("%d backups, newest %v; want %d, %v", len(all), all[0].Time, KeepBackups, clock)
	}

	// The database is damaged; the newest backup brings the learner back, and the
	// damaged file is kept aside, not deleted.
	s.Close()
	if err := os.WriteFile(path, []byte("SQLite format 3\x00 but then garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(path + "-wal")
	if _, err := Open(ctx, path); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("damaged file opened: %v", err)
	}
	aside, err := Restore(ctx, path, all[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(aside); err != nil || string(b[:16]) != "SQLite format 3\x00" {
		t.Errorf("the replaced file was not kept: %v", err)
	}
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, err := s2.Learner(ctx, l.ID); err != nil || got.Name != "Backup Person" {
		t.Errorf("after restore: %+v %v", got, err)
	}

	// A backup that is itself damaged is refused and changes nothing.
	bad := all[1].Path
	os.WriteFile(bad, []byte("nonsense"), 0o600)
	if _, err := Restore(ctx, path, bad); err == nil {
		t.Error("a damaged backup was restored")
	}
	// Restoring over a database in use is refused.
	if _, err := Restore(ctx, path, all[0].Path); !errors.Is(err, ErrInUse) {
		t.Errorf("restore over an open database: %v", err)
	}
}
