package report

import (
	"context"
	"path/filepath"
	"testing"

	"indicia/app/progress"
	"indicia/internal/fattest"
)

// TestSigningKeyOnFAT makes the signing key on a FAT file system (a USB stick in portable
// mode): no hard links, no chmod, every file shown with the mount's mode.
func TestSigningKeyOnFAT(t *testing.T) {
	mnt := fattest.Mount(t, 64)
	ctx := context.Background()
	s, err := progress.Open(ctx, filepath.Join(mnt, "data", "indicia.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	k1, err := LoadSigningKeyFor(ctx, s)
	if err != nil {
		t.Fatalf("creating the key on FAT: %v", err)
	}
	k2, err := LoadSigningKey(s.Path())
	if err != nil || k2.ID != k1.ID {
		t.Fatalf("reading it back: %v", err)
	}
}
