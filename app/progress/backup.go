package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Backups are copies of the database made with SQLite's online backup API, kept in a
// "backups" folder beside it, named by their time; the newest few are kept.
const (
	backupLayout = "20060102-150405"
	// KeepBackups is how many backups are kept.
	KeepBackups = 7
	// BackupEvery is the least time between two automatic backups.
	BackupEvery = 24 * time.Hour
)

// BackupDir is the folder of the backups of the database at dbPath.
func BackupDir(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), "backups")
}

// Backup is one backup file.
type Backup struct {
	Path string
	Time time.Time
	Size int64
}

// Backups lists the backups of the database at dbPath, the newest first. It works
// without opening the database, so it can be offered when the database is refused.
func Backups(dbPath string) ([]Backup, error) {
	base := strings.TrimSuffix(filepath.Base(dbPath), filepath.Ext(dbPath))
	entries, err := os.ReadDir(BackupDir(dbPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Backup
	for _, e := range entries {
		stamp, ok := strings.CutPrefix(e.Name(), base+"-")
		if !ok || !strings.HasSuffix(stamp, ".db") {
			continue
		}
		t, err := time.ParseInLocation(backupLayout, strings.TrimSuffix(stamp, ".db"), time.UTC)
		if err != nil {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Backup{Path: filepath.Join(BackupDir(dbPath), e.Name()), Time: t, Size: info.Size()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Time.After(out[j].Time) })
	return out, nil
}

// BackupNow copies the database, consistently even while it is in use, into the backups
// folder, then removes the oldest beyond KeepBackups (never the one just made, even
// when the clock was put back and older ones carry later times).
func (s *Store) BackupNow(ctx context.Context) (Backup, error) {
	s.backupMu.Lock()
	defer s.backupMu.Unlock()
	dir := BackupDir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Backup{}, fmt.Errorf("backup: %w", err)
	}
	now := s.now().UTC()
	base := strings.TrimSuffix(filepath.Base(s.path), filepath.Ext(s.path))
	dest := filepath.Join(dir, base+"-"+now.Format(backupLayout)+".db")
	tmp := dest + ".partial"
	os.Remove(tmp)
	if err := s.copyTo(ctx, tmp); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backup: %w", err)
	}
	info, err := os.Stat(tmp)
	if err == nil {
		err = os.Rename(tmp, dest)
	}
	if err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backup: %w", err)
	}
	syncDir(dir)
	made := Backup{Path: dest, Time: now.Truncate(time.Second), Size: info.Size()}
	all, err := Backups(s.path)
	if err != nil {
		return made, nil // the backup is made; the old ones stay until the next time
	}
	kept := 1
	for _, old := range all {
		if old.Path == dest {
			continue
		}
		if kept < KeepBackups {
			kept++
			continue
		}
		os.Remove(old.Path)
	}
	return made, nil
}

// MaybeBackup makes a backup when the newest is older than BackupEvery (or there is
// none); the app calls it at start and at exit.
func (s *Store) MaybeBackup(ctx context.Context) (bool, error) {
	s.backupMu.Lock()
	all, err := Backups(s.path)
	s.backupMu.Unlock()
	if err != nil {
		return false, err
	}
	if len(all) > 0 && s.now().Sub(all[0].Time) < BackupEvery {
		return false, nil
	}
	_, err = s.BackupNow(ctx)
	return err == nil, err
}

// copyTo writes a consistent copy of the database to dest with the online backup API.
func (s *Store) copyTo(ctx context.Context, dest string) error {
	destDB, err := sql.Open("sqlite3", sqliteURI(dest, url.Values{"_synchronous": {"FULL"}}))
	if err != nil {
		return err
	}
	defer destDB.Close()
	destConn, err := destDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer destConn.Close()
	srcConn, err := s.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer srcConn.Close()
	return destConn.Raw(func(d any) error {
		return srcConn.Raw(func(src any) error {
			b, err := d.(*sqlite3.SQLiteConn).Backup("main", src.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			for {
				done, err := b.Step(256)
				if err != nil {
					b.Close()
					return err
				}
				if done {
					return b.Finish()
				}
			}
		})
	})
}

// CheckBackup checks that the file at path is a sound Indicia database this version
// can open: its header, the full PRAGMA integrity_check (every page, every index
// entry) and its application id. It opens the file read-only and changes nothing.
func CheckBackup(ctx context.Context, path string) error {
	if err := checkHeader(path); err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.Size() == 0 {
		return ErrCorrupt // an empty file is no backup
	}
	// immutable: no lock, no -wal or -shm created beside the file.
	probe, err := sql.Open("sqlite3", sqliteURI(path, url.Values{"mode": {"ro"}, "immutable": {"1"}}))
	if err != nil {
		return err
	}
	defer probe.Close()
	var appID, version int
	if err := probe.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if appID != ApplicationID {
		return ErrForeign
	}
	if err := probe.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if version > len(migrationNames()) {
		return ErrNewerSchema
	}
	rows, err := probe.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.Join(problems[:min(len(problems), 3)], "; "))
	}
	return nil
}

// Restore puts the backup at backupPath in place of the database at dbPath, which must
// not be open. It is atomic and checked: the backup is checked (CheckBackup), copied
// beside the database and checked again, and only then does the current database,
// with its -wal and -shm files, move aside under a ".replaced-" name (returned: nothing
// is deleted) and the copy take its place. If any step fails, what was moved is moved
// back and the current database is left as it was; a -wal file is never left behind to
// be replayed onto the restored file.
func Restore(ctx context.Context, dbPath, backupPath string) (movedAside string, err error) {
	if err := CheckBackup(ctx, backupPath); err != nil {
		return "", fmt.Errorf("restore: the backup is not usable: %w", err)
	}
	lock, err := lockFile(dbPath + ".lock")
	if errors.Is(err, errLocked) {
		return "", ErrInUse
	}
	if err != nil {
		return "", err
	}
	defer lock.Close()
	staged := dbPath + ".restoring"
	os.Remove(staged)
	if err := copyFile(backupPath, staged); err != nil {
		os.Remove(staged)
		return "", fmt.Errorf("restore: %w", err)
	}
	defer os.Remove(staged) // gone once renamed; left over only after a failure
	if err := CheckBackup(ctx, staged); err != nil {
		return "", fmt.Errorf("restore: the copy of the backup is not sound: %w", err)
	}
	// Move the current files aside, all of them or none.
	aside := dbPath + ".replaced-" + time.Now().UTC().Format(backupLayout)
	var moved []string
	undo := func() {
		for i := len(moved) - 1; i >= 0; i-- {
			os.Rename(aside+moved[i], dbPath+moved[i])
		}
	}
	for _, side := range []string{"", "-wal", "-shm", "-journal"} {
		if _, err := os.Lstat(dbPath + side); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err := os.Rename(dbPath+side, aside+side); err != nil {
			undo()
			return "", fmt.Errorf("restore: cannot move %s aside, nothing was changed: %w", filepath.Base(dbPath+side), err)
		}
		moved = append(moved, side)
	}
	if err := os.Rename(staged, dbPath); err != nil {
		undo()
		return "", fmt.Errorf("restore: nothing was changed: %w", err)
	}
	syncDir(filepath.Dir(dbPath))
	if len(moved) == 0 || moved[0] != "" {
		aside = ""
	}
	return aside, nil
}

// syncDir makes a folder's entries (a rename, a new file) durable, where the system
// allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
