// Package powercut simulates a power cut under SQLite, for tests: a VFS that wraps the
// default unix VFS, remembers what every write and truncation since the file's last
// sync replaced, and at the "cut" puts it back, so that only what was synced survives.
// It links Debian's libsqlite3 and is built only with the libsqlite3 tag, the one
// go-sqlite3 then links too (with SQLite compiled into go-sqlite3 instead, there is no
// library whose VFS list this package could reach).
package powercut
