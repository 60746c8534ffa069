// The C side of package powercut: a VFS that wraps SQLite's default one. See
// powercut.c.
#ifndef INDICIA_POWERCUT_H
#define INDICIA_POWERCUT_H

typedef struct pc_stats {
	long long ops;      // writes, truncations, syncs and deletions of watched files
	long long syncs;    // syncs among them
	long long lost;     // writes and truncations the cut undid
	long long files;    // watched files the cut put back as they were at their last sync
	int cut;            // the cut has happened
} pc_stats;

// pc_start registers the VFS as SQLite's default, watching the files whose full path
// begins with dir. It returns an SQLite result code.
int pc_start(const char *dir);
// pc_stop makes the VFS that was the default before pc_start the default again and
// forgets the watched files.
void pc_stop(void);
// pc_cut_at arms the cut: the nth write, truncation, sync or deletion of a watched
// file from now does not happen, and neither does anything after it. The counts of
// operations and syncs start again from zero.
void pc_cut_at(long long n);
// pc_cut cuts the power now.
void pc_cut(void);
pc_stats pc_get_stats(void);

#endif
