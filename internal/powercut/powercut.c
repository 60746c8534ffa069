//go:build libsqlite3

// A VFS that simulates a power cut. It wraps SQLite's default VFS (unix) and passes
// every call through, but before each write or truncation of a watched file it keeps
// the bytes it replaces, up to the size the file had at its last sync; a sync forgets
// them. At the cut it puts them back, in reverse order, and truncates each file to its
// size at its last sync: what the disk would hold after losing its write cache. From
// then on no write, truncation, sync or deletion of a watched file happens (each
// fails with SQLITE_IOERR), as when the machine is off.
//
// The model: the disk keeps exactly what was synced. It is the strictest case for data
// (nothing unsynced survives), which is what `synchronous` is about. Not modelled: a
// disk that keeps some unsynced writes and not others, torn sectors, and directory
// entries (a file's creation or deletion counts as done at once; SQLite reads a WAL or
// journal that is missing and one that is empty the same way).
//
// Several handles may be open on one file (the store's write and read connections):
// the state is kept per path, as the page cache keeps it per file, and survives the
// handles' closing (closing a file does not sync it).
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "powercut.h"

typedef struct undo {
	sqlite3_int64 off;
	int n;
	unsigned char *old;
} undo;

// node is one watched file.
typedef struct node {
	struct node *next;
	char *path;
	int open;             // handles open on it
	int gone;             // deleted (or not yet seen)
	int detached;         // left from an earlier pc_start, still open: passed through
	sqlite3_int64 synced; // its size at its last sync
	long long pending;    // writes and truncations since then
	undo *undo;
	int nundo, capundo;
} node;

typedef struct pcfile {
	sqlite3_file base;
	node *node;          // NULL: a file outside the watched folder, passed straight through
	sqlite3_file *real;  // the default VFS's file, allocated right after this struct
} pcfile;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *orig; // the VFS wrapped
static sqlite3_vfs pcvfs;
static sqlite3_io_methods pcio;
static char *root;
static size_t rootlen;
static node *nodes;
static long long armed = -1; // operations left before the cut; -1: not armed
static pc_stats stats;

static void forget(node *n) {
	for (int i = 0; i < n->nundo; i++) free(n->undo[i].old);
	free(n->undo);
	n->undo = NULL;
	n->nundo = n->capundo = 0;
	n->pending = 0;
}

// watched returns the node of a path under the watched folder, creating it; NULL for
// other paths. Called with mu held.
static node *watched(const char *path, int create) {
	if (!root || !path || strncmp(path, root, rootlen) != 0) return NULL;
	for (node *n = nodes; n; n = n->next) {
		if (!n->detached && strcmp(n->path, path) == 0) return n;
	}
	if (!create) return NULL;
	node *n = calloc(1, sizeof *n);
	if (!n) return NULL;
	n->path = strdup(path);
	if (!n->path) {
		free(n);
		return NULL;
	}
	n->gone = 1;
	n->next = nodes;
	nodes = n;
	return n;
}

// remember keeps the bytes [off, end) of the file as they are now, as far as they lie
// within its synced size (bytes beyond it are cut off at the cut anyway).
static int remember(node *n, sqlite3_file *real, sqlite3_int64 off, sqlite3_int64 end) {
	n->pending++;
	if (end > n->synced) end = n->synced;
	if (off >= end) return SQLITE_OK;
	if (n->nundo == n->capundo) {
		int cap = n->capundo ? 2 * n->capundo : 64;
		undo *u = realloc(n->undo, cap * sizeof *u);
		if (!u) return SQLITE_NOMEM;
		n->undo = u;
		n->capundo = cap;
	}
	int len = (int)(end - off);
	unsigned char *old = malloc(len);
	if (!old) return SQLITE_NOMEM;
	// A short read (the file was truncated since its sync) reads zeros; the
	// truncation's own record, older, is put back after this one.
	int rc = real->pMethods->xRead(real, old, len, off);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
		free(old);
		return rc;
	}
	n->undo[n->nundo++] = (undo){off, len, old};
	return SQLITE_OK;
}

// cut puts every watched file back as it was at its last sync. Called with mu held.
static void cut(void) {
	stats.cut = 1;
	armed = -1;
	for (node *n = nodes; n; n = n->next) {
		if (n->detached || n->gone) continue;
		if (n->pending > 0) {
			int fd = open(n->path, O_WRONLY);
			if (fd >= 0) {
				for (int i = n->nundo - 1; i >= 0; i--) {
					undo *u = &n->undo[i];
					if (pwrite(fd, u->old, u->n, u->off) != u->n) break;
				}
				if (ftruncate(fd, n->synced) == 0) stats.files++;
				close(fd);
			}
			stats.lost += n->pending;
		}
		forget(n);
	}
}

// tick counts one write, truncation, sync or deletion of a watched file, and tells
// whether it must not happen: the power is cut, or is cut now. Called with mu held.
static int tick(void) {
	if (stats.cut) return 1;
	stats.ops++;
	if (armed > 0 && --armed == 0) {
		cut();
		return 1;
	}
	return 0;
}

// node_of is the node of an open file, or NULL when it is passed straight through.
// Called with mu held.
static node *node_of(pcfile *p) {
	return p->node && !p->node->detached ? p->node : NULL;
}

static int pcClose(sqlite3_file *f) {
	pcfile *p = (pcfile *)f;
	pthread_mutex_lock(&mu);
	if (p->node) p->node->open--;
	pthread_mutex_unlock(&mu);
	return p->real->pMethods->xClose(p->real);
}

static int pcRead(sqlite3_file *f, void *buf, int amt, sqlite3_int64 off) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xRead(p->real, buf, amt, off);
}

static int pcWrite(sqlite3_file *f, const void *buf, int amt, sqlite3_int64 off) {
	pcfile *p = (pcfile *)f;
	pthread_mutex_lock(&mu);
	node *n = node_of(p);
	int rc;
	if (!n) {
		rc = p->real->pMethods->xWrite(p->real, buf, amt, off);
	} else if (tick()) {
		rc = SQLITE_IOERR_WRITE;
	} else if ((rc = remember(n, p->real, off, off + amt)) == SQLITE_OK) {
		rc = p->real->pMethods->xWrite(p->real, buf, amt, off);
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int pcTruncate(sqlite3_file *f, sqlite3_int64 size) {
	pcfile *p = (pcfile *)f;
	pthread_mutex_lock(&mu);
	node *n = node_of(p);
	int rc;
	sqlite3_int64 cur = 0;
	if (!n) {
		rc = p->real->pMethods->xTruncate(p->real, size);
	} else if (tick()) {
		rc = SQLITE_IOERR_TRUNCATE;
	} else if ((rc = p->real->pMethods->xFileSize(p->real, &cur)) == SQLITE_OK &&
	           (rc = remember(n, p->real, size, cur)) == SQLITE_OK) {
		rc = p->real->pMethods->xTruncate(p->real, size);
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int pcSync(sqlite3_file *f, int flags) {
	pcfile *p = (pcfile *)f;
	pthread_mutex_lock(&mu);
	node *n = node_of(p);
	int rc;
	if (!n) {
		rc = p->real->pMethods->xSync(p->real, flags);
	} else if (tick()) {
		rc = SQLITE_IOERR_FSYNC;
	} else {
		stats.syncs++;
		rc = p->real->pMethods->xSync(p->real, flags);
		if (rc == SQLITE_OK) {
			forget(n);
			rc = p->real->pMethods->xFileSize(p->real, &n->synced);
		}
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int pcFileSize(sqlite3_file *f, sqlite3_int64 *size) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xFileSize(p->real, size);
}

static int pcLock(sqlite3_file *f, int lock) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xLock(p->real, lock);
}

static int pcUnlock(sqlite3_file *f, int lock) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xUnlock(p->real, lock);
}

static int pcCheckReservedLock(sqlite3_file *f, int *out) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xCheckReservedLock(p->real, out);
}

static int pcFileControl(sqlite3_file *f, int op, void *arg) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xFileControl(p->real, op, arg);
}

static int pcSectorSize(sqlite3_file *f) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xSectorSize(p->real);
}

static int pcDeviceCharacteristics(sqlite3_file *f) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xDeviceCharacteristics(p->real);
}

// WAL's shared memory is not the disk's: it is rebuilt from the WAL by the first
// connection after the cut.
static int pcShmMap(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xShmMap(p->real, pg, pgsz, extend, pp);
}

static int pcShmLock(sqlite3_file *f, int offset, int n, int flags) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

static void pcShmBarrier(sqlite3_file *f) {
	pcfile *p = (pcfile *)f;
	p->real->pMethods->xShmBarrier(p->real);
}

static int pcShmUnmap(sqlite3_file *f, int deleteFlag) {
	pcfile *p = (pcfile *)f;
	return p->real->pMethods->xShmUnmap(p->real, deleteFlag);
}

// Version 2 of the methods: shared memory for WAL, no memory-mapped I/O (which would
// read past this layer; SQLite does not map files unless asked to anyway).
static sqlite3_io_methods pcio = {
	2, pcClose, pcRead, pcWrite, pcTruncate, pcSync, pcFileSize, pcLock, pcUnlock,
	pcCheckReservedLock, pcFileControl, pcSectorSize, pcDeviceCharacteristics,
	pcShmMap, pcShmLock, pcShmBarrier, pcShmUnmap, NULL, NULL,
};

static int pcOpen(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *outFlags) {
	(void)vfs;
	pcfile *p = (pcfile *)f;
	p->real = (sqlite3_file *)&p[1];
	p->node = NULL;
	int rc = orig->xOpen(orig, name, p->real, flags, outFlags);
	// SQLite closes the file whenever pMethods is set, even after a failed open.
	p->base.pMethods = p->real->pMethods ? &pcio : NULL;
	if (rc != SQLITE_OK || (flags & SQLITE_OPEN_DELETEONCLOSE)) return rc;
	pthread_mutex_lock(&mu);
	node *n = watched(name, 1);
	if (n) {
		if (n->gone) {
			// A new file, or one seen for the first time: what it holds now is what
			// the disk holds.
			n->synced = 0;
			p->real->pMethods->xFileSize(p->real, &n->synced);
			n->gone = 0;
		}
		n->open++;
		p->node = n;
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int pcDelete(sqlite3_vfs *vfs, const char *name, int syncDir) {
	(void)vfs;
	pthread_mutex_lock(&mu);
	int under = root && strncmp(name, root, rootlen) == 0;
	int rc;
	if (under && tick()) {
		rc = SQLITE_IOERR_DELETE;
	} else {
		rc = orig->xDelete(orig, name, syncDir);
		node *n = watched(name, 0);
		if (n && rc == SQLITE_OK) {
			forget(n);
			n->gone = 1;
			n->synced = 0;
		}
	}
	pthread_mutex_unlock(&mu);
	return rc;
}

static int pcAccess(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
	(void)vfs;
	return orig->xAccess(orig, name, flags, out);
}

static int pcFullPathname(sqlite3_vfs *vfs, const char *name, int n, char *out) {
	(void)vfs;
	return orig->xFullPathname(orig, name, n, out);
}

static void *pcDlOpen(sqlite3_vfs *vfs, const char *name) {
	(void)vfs;
	return orig->xDlOpen(orig, name);
}

static void pcDlError(sqlite3_vfs *vfs, int n, char *msg) {
	(void)vfs;
	orig->xDlError(orig, n, msg);
}

static void (*pcDlSym(sqlite3_vfs *vfs, void *h, const char *sym))(void) {
	(void)vfs;
	return orig->xDlSym(orig, h, sym);
}

static void pcDlClose(sqlite3_vfs *vfs, void *h) {
	(void)vfs;
	orig->xDlClose(orig, h);
}

static int pcRandomness(sqlite3_vfs *vfs, int n, char *out) {
	(void)vfs;
	return orig->xRandomness(orig, n, out);
}

static int pcSleep(sqlite3_vfs *vfs, int us) {
	(void)vfs;
	return orig->xSleep(orig, us);
}

static int pcCurrentTime(sqlite3_vfs *vfs, double *t) {
	(void)vfs;
	return orig->xCurrentTime(orig, t);
}

static int pcGetLastError(sqlite3_vfs *vfs, int n, char *msg) {
	(void)vfs;
	return orig->xGetLastError(orig, n, msg);
}

static int pcCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *t) {
	(void)vfs;
	return orig->xCurrentTimeInt64(orig, t);
}

int pc_start(const char *dir) {
	int rc = sqlite3_initialize();
	if (rc != SQLITE_OK) return rc;
	pthread_mutex_lock(&mu);
	if (root) {
		pthread_mutex_unlock(&mu);
		return SQLITE_MISUSE;
	}
	if (!orig) {
		orig = sqlite3_vfs_find(NULL);
		if (!orig || orig->iVersion < 2) {
			orig = NULL;
			pthread_mutex_unlock(&mu);
			return SQLITE_ERROR;
		}
		pcvfs = (sqlite3_vfs){
			.iVersion = 2,
			.szOsFile = (int)sizeof(pcfile) + orig->szOsFile,
			.mxPathname = orig->mxPathname,
			.zName = "indicia-powercut",
			.xOpen = pcOpen,
			.xDelete = pcDelete,
			.xAccess = pcAccess,
			.xFullPathname = pcFullPathname,
			.xDlOpen = pcDlOpen,
			.xDlError = pcDlError,
			.xDlSym = pcDlSym,
			.xDlClose = pcDlClose,
			.xRandomness = pcRandomness,
			.xSleep = pcSleep,
			.xCurrentTime = pcCurrentTime,
			.xGetLastError = pcGetLastError,
			.xCurrentTimeInt64 = pcCurrentTimeInt64,
		};
	}
	root = strdup(dir);
	if (!root) {
		pthread_mutex_unlock(&mu);
		return SQLITE_NOMEM;
	}
	rootlen = strlen(root);
	memset(&stats, 0, sizeof stats);
	armed = -1;
	pthread_mutex_unlock(&mu);
	return sqlite3_vfs_register(&pcvfs, 1);
}

void pc_stop(void) {
	if (orig) sqlite3_vfs_register(orig, 1);
	// pcvfs stays allocated (it is static): a connection still open through it keeps
	// working, passed straight through.
	sqlite3_vfs_unregister(&pcvfs);
	pthread_mutex_lock(&mu);
	free(root);
	root = NULL;
	rootlen = 0;
	armed = -1;
	node **link = &nodes;
	while (*link) {
		node *n = *link;
		forget(n);
		if (n->open == 0) {
			*link = n->next;
			free(n->path);
			free(n);
		} else {
			n->detached = 1;
			link = &n->next;
		}
	}
	pthread_mutex_unlock(&mu);
}

void pc_cut_at(long long n) {
	pthread_mutex_lock(&mu);
	armed = n > 0 ? n : -1;
	stats.ops = stats.syncs = 0;
	pthread_mutex_unlock(&mu);
}

void pc_cut(void) {
	pthread_mutex_lock(&mu);
	if (!stats.cut) cut();
	pthread_mutex_unlock(&mu);
}

pc_stats pc_get_stats(void) {
	pthread_mutex_lock(&mu);
	pc_stats s = stats;
	pthread_mutex_unlock(&mu);
	return s;
}
