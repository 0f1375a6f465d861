/*
 * privdrop: giving up root for good once everything that needs it is open.
 *
 * linetimed starts as root, opens what only root may (the admin socket with
 * its group, the shared region, a metrics listener on any port, the
 * directories it will write in) and then becomes the configured user: that
 * user's groups, uid and gid in all three slots, no capability except
 * CAP_SYS_TIME when it steers the system clock, and no_new_privs, so nothing
 * it runs can gain privilege again. Why it is one process and not a
 * privileged parent plus an unprivileged child, as OpenNTPD does it, is in
 * docs/HARDENING.md. Every step is checked; a step that fails stops the
 * start rather than leaving a half-dropped process running.
 */
#ifndef LT_PRIVDROP_H
#define LT_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

struct privdrop_user {
	char name[32];
	uid_t uid;
	gid_t gid;   /* the user's primary group */
};

/* Look name up in the user database. 0, or -ENOENT (no such user) or
 * -errno, with the reason in err. */
int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen);

/* Create dir and any missing parent with mode, owned by uid:gid
 * ((uid_t)-1 / (gid_t)-1: leave that part as created). A directory that
 * already exists is left as it is. 0, or -errno with the reason in err. */
int privdrop_make_dir(const char *dir, mode_t mode, uid_t uid, gid_t gid, char *err,
		      size_t errlen);

/*
 * Become u: its supplementary groups (from the group database), gid and uid
 * (real, effective, saved), a bounding set and permitted set holding only
 * CAP_SYS_TIME when keep_sys_time (else nothing), no ambient capabilities,
 * no_new_privs. Run as root; a process that already is u only trims its
 * capabilities. Checks the result (regaining root must fail). 0, or -errno
 * with the step that failed in err.
 */
int privdrop_become(const struct privdrop_user *u, int keep_sys_time, char *err, size_t errlen);

/* The capabilities this process holds now, as text ("cap_sys_time=ep", or
 * "none"), into buf. */
const char *privdrop_caps_text(char *buf, size_t len);

#endif
