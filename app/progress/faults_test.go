package progress

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"indicia/quiz"
)

// TestDiskFull records answers on a small tmpfs until it is full: recording fails with
// ErrDiskFull, nothing is corrupted, and recording works again once space is freed.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", dir).CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("cannot mount a tmpfs (CI runs as root): %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })

	ctx := context.Background()
	path := filepath.Join(dir, "full.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	l := newLearner(t, s, "Disk Full")
	a, err := s.StartAttempt(ctx, NewAttempt{LearnerID: l.ID, ModuleID: "core", Language: "fr", Plan: plan(2000), PassMark: 80})
	if err != nil {
		t.Fatal(err)
	}
	// Fill most of the disk with another file, so the database runs out of room soon.
	filler := filepath.Join(dir, "filler")
	f, _ := os.Create(filler)
	f.Write(make([]byte, 1200*1024))
	f.Close()

	big := quiz.Response{Chosen: []string{strings.Repeat("x", 4000)}}
	acknowledged := 0
	var failure error
	for i := 0; i < 2000; i++ {
		err := s.RecordAnswer(ctx, a.ID, Answer{Position: i, QuestionID: fmt.Sprintf("q%d", i), Response: big, Complete: true, Correct: true})
		if err != nil {
			failure = err
			break
		}
		acknowledged++
	}
	if failure == nil {
		t.Fatal("the disk never filled up")
	}
	if !errors.Is(failure, ErrDiskFull) {
		t.Fatalf("a full disk gave %v, want ErrDiskFull", failure)
	}
	var check string
	if err := s.read.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity after a full disk: %q %v", check, err)
	}
	answers, _ := s.Answers(ctx, a.ID)
	if len(answers) != acknowledged {
		t.Fatalf("%d answers acknowledged, %d stored", acknowledged, len(answers))
	}

	// Free the space: recording works again.
	os.Remove(filler)
	if err := s.RecordAnswer(ctx, a.ID, Answer{Position: acknowledged, QuestionID: fmt.Sprintf("q%d", acknowledged), Response: big, Complete: true}); err != nil {
		t.Fatalf("after freeing space: %v", err)
	}
	answers, _ = s.Answers(ctx, a.ID)
	if len(answers) != acknowledged+1 {
		t.Fatalf("%d answers after freeing space, want %d", len(answers), acknowledged+1)
	}
}
