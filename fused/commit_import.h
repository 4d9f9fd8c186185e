/*
 * fused/commit_import.h - `discfs DEV MNT -o import`: an appendable
 * write-once disc (CD-R, DVD±R, BD-R) holding only ISO9660 sessions is
 * mounted writable, showing the ISO tree (the last session's; Rock Ridge
 * names and attributes, else Joliet, else plain).  The first commit adds
 * a new session with a UDF volume (udf/update.h, "importing") whose tree
 * is the ISO tree plus the staged changes; the ISO files are not copied,
 * their entries point at the data already on the disc.  From then on the
 * disc is an ordinary UDF disc (later mounts need no -o import).
 *
 * Without -o import such a disc is mounted read-only (fused/disc.c says
 * so).  -o import on a blank or UDF disc changes nothing; on a closed or
 * rewritable disc holding ISO9660 it is refused (in-place import on
 * DVD+RW/BD-RE is not supported).
 *
 * Errors: negative discfs codes, err filled with one line.
 */
#ifndef DFS_FUSED_COMMIT_IMPORT_H
#define DFS_FUSED_COMMIT_IMPORT_H

#include "discfs.h"
#include "fused/disc.h"
#include "udf/update.h"

/* -o import on the disc just opened: makes an ISO9660-only disc writable
 * (d->import) or refuses it; other discs are left as they are. */
int dfs_disc_enable_import(struct dfs_disc *d, discfs_error *err);

/*
 * The update engine for the import commit on drive (d->import): bd is
 * opened on it, the new session laid out and the ISO tree staged into *u.
 * On failure bd is closed again.
 */
int dfs_import_open(discfs_drive *drive, struct udf_bdev *bd,
		    struct udf_update **u, discfs_error *err);

/*
 * Before an increment on a disc whose volume is anchored in a later
 * session (udf_session, its first block; 0: nothing to do), with u just
 * opened: when the session being written is still empty, it first gets a
 * copy of the volume's descriptors (udf_update_continue_session), so that
 * Linux finds the volume in it once it is closed (by discctl close, say).
 */
int dfs_import_continue_session(discfs_drive *drive, struct udf_update *u,
				struct udf_bdev *bd, uint64_t udf_session,
				discfs_error *err);

/*
 * After the import commit: the new session is closed (the disc stays
 * appendable) so that Linux, which reads the last closed session, finds
 * the UDF volume; later commits append to the next session.  The commit
 * is on the disc either way: a failure is logged, not returned.
 */
void dfs_import_close_session(discfs_drive *drive);

#endif
