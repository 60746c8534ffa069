package progress

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"indicia/internal/fattest"
)

// TestStoreOnFAT runs the store on a real FAT file system (a FUSE mount of an image made
// by mkfs.vfat), as on a USB stick: WAL cannot map its -shm file there, so the store
// runs with a rollback journal and exclusive locking, records answers, backs up,
// reopens, and says which mode it runs in.
func TestStoreOnFAT(t *testing.T) {
	mnt := fattest.Mount(t, 64)
	ctx := context.Background()
	path := filepath.Join(mnt, "data", "indicia.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open on FAT: %v", err)
	}
	if s.Journal() != JournalRollback {
		t.Errorf("journal %q on FAT, want rollback", s.Journal())
	}
	l := newLearner(t, s, "Stick Learner")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(20), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: fmt.Sprintf("q%d", i), Complete: true, Correct: i%5 != 0}); err != nil {
			t.Fatal(err)
		}
		// Reads and writes share the one connection; a read between writes works.
		if _, err := s.Answers(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	done, err := s.FinishAttempt(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if done.Percent != 80 || !done.Passed {
		t.Errorf("finished: %+v", done)
	}
	var sync int
	s.write.QueryRow("PRAGMA synchronous").Scan(&sync)
	var locking string
	s.write.QueryRow("PRAGMA locking_mode").Scan(&locking)
	if sync != 2 || locking != "exclusive" {
		t.Errorf("synchronous=%d locking_mode=%s", sync, locking)
	}
	b, err := s.BackupNow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckBackup(ctx, b.Path); err != nil {
		t.Error(err)
	}
	if _, err := OpenWith(ctx, path, Options{}); err == nil {
		t.Error("a second copy opened the database")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if mode, ok := FileJournal(path); !ok || mode != JournalRollback {
		t.Errorf("file header says %q %v", mode, ok)
	}
}
