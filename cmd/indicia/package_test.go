package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestPackageCarriesIdentity checks the archive `make package` built (its path in
// INDICIA_PACKAGE; `make test` sets it): the desktop entry, the icon and the binary
// carry the id, name and version of the top-level FyneApp.toml.
func TestPackageCarriesIdentity(t *testing.T) {
	archive := os.Getenv("INDICIA_PACKAGE")
	if archive == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("INDICIA_PACKAGE is not set: run the tests with `make test`")
		}
		t.Skip("no package to check (make test builds one)")
	}
	var meta struct {
		Details struct {
			ID, Name, Version string
		}
	}
	if _, err := toml.DecodeFile("../../FyneApp.toml", &meta); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if out, err := exec.Command("tar", "-xJf", archive, "-C", dir).CombinedOutput(); err != nil {
		t.Fatalf("unpack: %v\n%s", err, out)
	}
	root := filepath.Join(dir, "indicia", "usr", "local")
	desktop, err := os.ReadFile(filepath.Join(root, "share", "applications", meta.Details.ID+".desktop"))
	if err != nil {
		t.Fatalf("no desktop entry named after the id: %v", err)
	}
	for _, want := range []string{"Name=" + meta.Details.Name, "Icon=" + meta.Details.ID, "Exec=indicia"} {
		if !strings.Contains(string(desktop), want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "share", "pixmaps", meta.Details.ID+".png")); err != nil {
		t.Errorf("no icon: %v", err)
	}
	// Run from an empty folder, so no FyneApp.toml nearby can stand in for the
	// metadata built into the binary.
	cmd := exec.Command(filepath.Join(root, "bin", "indicia"), "--version")
	cmd.Dir = t.TempDir()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("--version: %v", err)
	}
	if !strings.Contains(string(out), "Indicia "+meta.Details.Version+" ("+meta.Details.ID+")") {
		t.Errorf("--version says %q, want version %s and id %s", out, meta.Details.Version, meta.Details.ID)
	}
}
