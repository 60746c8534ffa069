// Package progress is the learners' progress store: a SQLite file holding learners,
// lesson progress, quiz attempts and every answer. It is the only package that talks
// SQL. Answers are written with synchronous=FULL through a single write connection, so
// an answer the screen has acknowledged survives a crash or a power cut.
package progress

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
	"golang.org/x/crypto/argon2"
)

// ApplicationID marks a SQLite file as Indicia's ("IDCA"). A file with another
// application id, or with tables but no id, is refused and left untouched.
const ApplicationID = 0x49444341

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Errors returned by Open. The app shows each with a translated message.
var (
	ErrNewerSchema = errors.New("the database was written by a newer version of Indicia")
	ErrForeign     = errors.New("the file is not an Indicia database")
	ErrCorrupt     = errors.New("the database file is damaged")
	ErrNotWritable = errors.New("the database folder cannot be written")
	ErrInUse       = errors.New("the database is already open in another copy of Indicia")
	ErrNotFound    = errors.New("not found")
)

// OpenError tells which file failed to open and why; errors.Is finds the reason.
type OpenError struct {
	Path   string
	Reason error
	Detail error
}

func (e *OpenError) Error() string {
	if e.Detail != nil {
		return fmt.Sprintf("%s: %v: %v", e.Path, e.Reason, e.Detail)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Reason)
}

func (e *OpenError) Unwrap() error { return e.Reason }

// Store is an open progress database.
type Store struct {
	path  string
	write *sql.DB // one connection: SQLite has one writer anyway, and it orders our writes
	read  *sql.DB
	lock  io.Closer
	mode  JournalMode
	now   func() time.Time
	// kdf is argon2.IDKey; a test slows it down to see that nothing waits for it.
	kdf func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
	// backupMu keeps two backups (at start and at exit) from running at once.
	backupMu sync.Mutex
}

// Open opens the database at path, creating it and its folder when missing, and brings
// its schema up to date. It refuses, without changing the file, a file that is not an
// Indicia database, is damaged, or was written by a newer version; and a file that
// another running copy of Indicia holds.
func Open(ctx context.Context, path string) (*Store, error) {
	return OpenWith(ctx, path, Options{})
}

// JournalMode is how the store keeps its file consistent through crashes.
type JournalMode string

// The journal modes.
const (
	// JournalWAL is a write-ahead log, the default: readers do not wait for the writer.
	JournalWAL JournalMode = "wal"
	// JournalRollback is a rollback journal with exclusive locking, used where WAL's
	// shared memory cannot be had. Every commit is still synced before it returns; the
	// one connection serves reads and writes.
	JournalRollback JournalMode = "rollback"
)

// Options tune OpenWith.
type Options struct {
	// Journal is the journal mode to use; JournalWAL (or "") falls back to
	// JournalRollback by itself where WAL cannot be used.
	Journal JournalMode
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Journal == "" {
		opt.Journal = JournalWAL
	}
	fail := func(reason, detail error) (*Store, error) {
		return nil, &OpenError{Path: path, Reason: reason, Detail: detail}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fail(ErrNotWritable, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return fail(ErrNotWritable, err)
	}
	lock, err := lockFile(abs + ".lock")
	if errors.Is(err, errLocked) {
		return fail(ErrInUse, nil)
	}
	if err != nil {
		return fail(ErrNotWritable, err)
	}
	ok := false
	defer func() {
		if !ok {
			lock.Close()
		}
	}()
	if err := checkHeader(abs); err != nil {
		return fail(err, nil)
	}
	if f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600); err != nil {
		return fail(ErrNotWritable, err)
	} else {
		f.Close()
	}

	s := &Store{path: abs, lock: lock, now: time.Now, kdf: argon2.IDKey}
	err = s.openPools(ctx, opt.Journal)
	if err == nil && opt.Journal == JournalWAL {
		// Where the file system cannot map the -shm file into memory (a FAT stick
		// mounted through FUSE, many network shares), WAL fails at the first read:
		// the store falls back to a rollback journal with exclusive locking.
		if perr := s.probe(ctx); perr != nil {
			s.closePools()
			if !walUnsupported(perr) {
				return fail(classify(perr), perr)
			}
			err = s.openPools(ctx, JournalRollback)
			if err == nil {
				if perr := s.probe(ctx); perr != nil {
					s.closePools()
					return fail(classify(perr), perr)
				}
			}
		}
	}
	if err != nil {
		return fail(classify(err), err)
	}
	if err := s.migrate(ctx); err != nil {
		s.closePools()
		return nil, err
	}
	ok = true
	return s, nil
}

// openPools opens the write connection and the read pool in the journal mode given.
func (s *Store) openPools(ctx context.Context, mode JournalMode) error {
	q := url.Values{}
	q.Set("_foreign_keys", "on")
	q.Set("_busy_timeout", "5000")
	q.Set("_synchronous", "FULL")
	q.Set("_secure_delete", "on") // erased learners leave nothing behind in free pages
	q.Set("_txlock", "immediate")
	// The driver keeps this many prepared statements per connection: recording an answer
	// runs the same few statements each time, and preparing them again cost a third of
	// its CPU time.
	q.Set("_stmt_cache_size", "32")
	if mode == JournalWAL {
		q.Set("_journal_mode", "WAL")
	} else {
		// Exclusive locking before the first access: SQLite then never asks for shared
		// memory, not even to read a WAL left by an earlier run, which journal_mode
		// below checkpoints and removes.
		q.Set("_locking_mode", "EXCLUSIVE")
	}
	var err error
	s.write, err = sql.Open("sqlite3", sqliteURI(s.path, q))
	if err != nil {
		return err
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetConnMaxLifetime(0)
	s.mode = mode
	if mode == JournalRollback {
		var got string
		if err := s.write.QueryRowContext(ctx, "PRAGMA journal_mode = PERSIST").Scan(&got); err != nil {
			s.write.Close()
			return err
		}
		if got != "persist" {
			s.write.Close()
			return fmt.Errorf("journal mode %q, want persist", got)
		}
		// An exclusive lock is one connection's: it serves the reads too.
		s.read = s.write
		return nil
	}
	q.Del("_txlock")
	q.Set("_query_only", "on")
	s.read, err = sql.Open("sqlite3", sqliteURI(s.path, q))
	if err != nil {
		s.write.Close()
		return err
	}
	s.read.SetMaxOpenConns(4)
	return nil
}

// probe reads the file once through the write connection, which is where WAL fails
// on a file system without shared memory.
func (s *Store) probe(ctx context.Context) error {
	var n int
	return s.write.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n)
}

// walUnsupported tells whether err is SQLite failing to use WAL's shared memory.
func walUnsupported(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && (se.Code == sqlite3.ErrIoErr || se.Code == sqlite3.ErrCantOpen)
}

func (s *Store) closePools() error {
	err := s.write.Close()
	if s.read != s.write {
		err = errors.Join(err, s.read.Close())
	}
	return err
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Journal is the journal mode the store runs in.
func (s *Store) Journal() JournalMode { return s.mode }

// FileJournal reads the journal mode of the database file at path from its header,
// without opening it: what a store opened on it runs in. ok is false when there is
// no database there yet.
func FileJournal(path string) (mode JournalMode, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	hdr := make([]byte, 20)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr[:16], []byte("SQLite format 3\x00")) {
		return "", false
	}
	if hdr[18] == 2 {
		return JournalWAL, true
	}
	return JournalRollback, true
}

// Close closes the database and releases the lock.
func (s *Store) Close() error {
	return errors.Join(s.closePools(), s.lock.Close())
}

// checkHeader reads the SQLite header of an existing file without opening it through
// SQLite, which could change it (for example by switching it to WAL).
func checkHeader(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return ErrNotWritable
	}
	defer f.Close()
	hdr := make([]byte, 100)
	n, err := io.ReadFull(f, hdr)
	if n == 0 {
		return nil // an empty file: a new database
	}
	if err != nil || !bytes.Equal(hdr[:16], []byte("SQLite format 3\x00")) {
		if looksLikeSQLite(hdr[:n]) {
			return ErrCorrupt
		}
		return ErrForeign
	}
	appID := binary.BigEndian.Uint32(hdr[68:72])
	userVersion := binary.BigEndian.Uint32(hdr[60:64])
	pageCount := binary.BigEndian.Uint32(hdr[28:32])
	switch {
	case appID == ApplicationID && int(userVersion) > len(migrationNames()):
		return ErrNewerSchema
	case appID == ApplicationID:
		st, err := f.Stat()
		pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
		if pageSize == 1 {
			pageSize = 65536
		}
		if err == nil && pageCount > 0 && st.Size() < int64(pageCount)*pageSize {
			return ErrCorrupt // truncated
		}
		return nil
	case appID != 0:
		return ErrForeign
	case userVersion != 0 || pageCount > 1:
		return ErrForeign // another program's SQLite database
	}
	return nil
}

func looksLikeSQLite(b []byte) bool {
	return bytes.HasPrefix(b, []byte("SQLite")) || bytes.HasPrefix([]byte("SQLite format 3\x00"), b)
}

func migrationNames() []string {
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	sort.Strings(names)
	return names
}

// migrate applies the migrations the file lacks, each in its own transaction together
// with its user_version, and checks the file is sound.
func (s *Store) migrate(ctx context.Context) error {
	fail := func(reason, detail error) error { return &OpenError{Path: s.path, Reason: reason, Detail: detail} }
	var appID, version int
	if err := s.write.QueryRowContext(ctx, "PRAGMA application_id").Scan(&appID); err != nil {
		return fail(classify(err), err)
	}
	if err := s.write.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		return fail(classify(err), err)
	}
	names := migrationNames()
	if appID != 0 && appID != ApplicationID {
		return fail(ErrForeign, nil)
	}
	if version > len(names) {
		return fail(ErrNewerSchema, fmt.Errorf("schema version %d, this version knows %d", version, len(names)))
	}
	if version > 0 {
		var check string
		if err := s.write.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil || check != "ok" {
			if err == nil {
				err = errors.New(check)
			}
			return fail(ErrCorrupt, err)
		}
	}
	for i := version; i < len(names); i++ {
		body, err := fs.ReadFile(migrationFiles, names[i])
		if err != nil {
			return err
		}
		if err := s.runMigration(ctx, body, i+1); err != nil {
			return fail(classify(err), fmt.Errorf("migration %s: %w", filepath.Base(names[i]), err))
		}
	}
	return nil
}

// foreignKeysOff is the first line of a migration that must run with foreign keys off:
// one that makes a table again to change its constraints, which SQLite can only do by
// dropping the old table (with foreign keys on, that would delete the rows referring to
// it, such as an attempt's answers).
const foreignKeysOff = "-- indicia:foreign-keys-off"

// runMigration applies one migration and sets the schema version in one transaction.
// A migration marked foreignKeysOff runs with foreign keys off on the write connection,
// as SQLite's procedure for changing a table asks; every foreign key is checked before
// the transaction commits, and foreign keys are on again afterwards, whatever happened.
func (s *Store) runMigration(ctx context.Context, body []byte, version int) (err error) {
	conn, err := s.write.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	fkOff := bytes.HasPrefix(body, []byte(foreignKeysOff))
	if fkOff {
		// Foreign keys cannot be switched inside a transaction: before it begins.
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
			return err
		}
		defer func() {
			if _, onErr := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON"); onErr != nil && err == nil {
				err = onErr
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmts := string(body) + fmt.Sprintf(";\nPRAGMA user_version = %d;\nPRAGMA application_id = %d;", version, ApplicationID)
	if _, err := tx.ExecContext(ctx, stmts); err != nil {
		return err
	}
	if fkOff {
		var table string
		var parent sql.NullString
		var rowid, fkid sql.NullInt64
		err := tx.QueryRowContext(ctx, "PRAGMA foreign_key_check").Scan(&table, &rowid, &parent, &fkid)
		switch {
		case err == nil:
			return fmt.Errorf("a row of %s refers to a missing row (rowid %d)", table, rowid.Int64)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return tx.Commit()
}

// classify maps a SQLite error to one of the Open errors.
func classify(err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrCorrupt, sqlite3.ErrNotADB:
			return ErrCorrupt
		case sqlite3.ErrReadonly, sqlite3.ErrCantOpen, sqlite3.ErrPerm, sqlite3.ErrIoErr:
			return ErrNotWritable
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return ErrInUse
		case sqlite3.ErrFull:
			return ErrDiskFull
		}
	}
	return err
}

// ErrDiskFull is returned when the disk is full; nothing was recorded.
var ErrDiskFull = errors.New("the disk is full")

// wrapWrite gives a failed write its reason, so the app can say what to do.
func wrapWrite(what string, err error) error {
	if err == nil {
		return nil
	}
	if c := classify(err); c != err {
		return fmt.Errorf("%s: %w (%v)", what, c, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (s *Store) millis() int64 { return s.now().UnixMilli() }

func fromMillis(ms sql.NullInt64) time.Time {
	if !ms.Valid {
		return time.Time{}
	}
	return time.UnixMilli(ms.Int64)
}
