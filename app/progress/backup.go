package progress

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
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
// folder, then removes the oldest beyond KeepBackups.
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
	if err := os.Rename(tmp, dest); err != nil {
		os.Remove(tmp)
		return Backup{}, fmt.Errorf("backup: %w", err)
	}
	all, err := Backups(s.path)
	if err != nil {
		return Backup{}, err
	}
	for _, old := range all[min(len(all), KeepBackups):] {
		os.Remove(old.Path)
	}
	info, _ := os.Stat(dest)
	return Backup{Path: dest, Time: now.Truncate(time.Second), Size: info.Size()}, nil
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
	destDB, err := sql.Open("sqlite3", "file:"+dest)
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

// Restore puts the backup at backupPath in place of the database at dbPath, which must
// not be open. The current file is never deleted: it is moved aside with a ".replaced-"
// name, returned, so nothing is lost. The backup is checked first.
func Restore(ctx context.Context, dbPath, backupPath string) (movedAside string, err error) {
	if err := checkHeader(backupPath); err != nil {
		return "", fmt.Errorf("restore: the backup is not usable: %w", err)
	}
	probe, err := sql.Open("sqlite3", "file:"+backupPath+"?mode=ro")
	if err != nil {
		return "", err
	}
	var check string
	var appID int
	err = probe.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check)
	if err == nil {
		err = probe.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID)
	}
	probe.Close()
	if err != nil || check != "ok" || appID != ApplicationID {
		return "", fmt.Errorf("restore: the backup is not usable: %w", ErrCorrupt)
	}
	lock, err := lockFile(dbPath + ".lock")
	if errors.Is(err, errLocked) {
		return "", ErrInUse
	}
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if _, err := os.Stat(dbPath); err == nil {
		movedAside = dbPath + ".replaced-" + time.Now().UTC().Format(backupLayout)
		if err := os.Rename(dbPath, movedAside); err != nil {
			return "", fmt.Errorf("restore: %w", err)
		}
		for _, side := range []string{"-wal", "-shm"} {
			if _, err := os.Stat(dbPath + side); err == nil {
				os.Rename(dbPath+side, movedAside+side)
			}
		}
	}
	if err := copyFile(backupPath, dbPath); err != nil {
		return movedAside, fmt.Errorf("restore: %w", err)
	}
	return movedAside, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := to + ".partial"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, to)
}
