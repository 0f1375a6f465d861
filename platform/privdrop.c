/* privdrop: becoming the configured user with only the capabilities needed. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int privdrop_lookup(const char *name, struct privdrop_user *u, char *err, size_t errlen)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	int rc;

	if (strlen(name) >= sizeof(u->name)) {
		snprintf(err, errlen, "user \"%s\": name too long", name);
		return -ENAMETOOLONG;
	}
	rc = getpwnam_r(name, &pw, buf, sizeof(buf), &pwp);
	/* Some NSS modules say "not found" with an errno (getpwnam_r(3)). */
	if (rc != 0 && rc != ENOENT && rc != ESRCH && rc != EBADF && rc != EPERM) {
		snprintf(err, errlen, "user \"%s\": cannot look it up: %s", name, strerror(rc));
		return -rc;
	}
	if (rc != 0 || !pwp) {
		snprintf(err, errlen, "user \"%s\" does not exist (create it: useradd --system %s)",
			 name, name);
		return -ENOENT;
	}
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	return 0;
}

int privdrop_make_dir(const char *dir, mode_t mode, uid_t uid, gid_t gid, char *err,
		      size_t errlen)
{
	char path[4096];
	struct stat st;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		snprintf(err, errlen, "%s: exists and is not a directory", dir);
		return -ENOTDIR;
	}
	/* Walk down from the top, creating what is missing. */
	for (char *p = path + 1;; p++) {
		int last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, mode) == 0) {
			/* mkdir's mode is cut by the umask; say exactly what is meant. */
			if (chmod(path, mode) != 0 || chown(path, uid, gid) != 0) {
				int e = errno;
				snprintf(err, errlen, "%s: cannot set owner and mode: %s", path,
					 strerror(e));
				return -e;
			}
		} else if (errno != EEXIST) {
			int e = errno;
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
			return -e;
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

const char *privdrop_caps_text(char *buf, size_t len)
{
	cap_t caps = cap_get_proc();
	char *text = caps ? cap_to_text(caps, NULL) : NULL;

	/* libcap writes an empty set as "=". */
	snprintf(buf, len, "%s", !text ? "unknown" : strcmp(text, "=") == 0 ? "none" : text);
	cap_free(text);
	cap_free(caps);
	return buf;
}

/* Permitted and effective: CAP_SYS_TIME or nothing; inheritable: nothing. */
static int set_caps(int keep_sys_time)
{
	cap_value_t keep[] = { CAP_SYS_TIME };
	cap_t caps = cap_init();
	int rc = 0;

	if (!caps)
		return -errno;
	if (keep_sys_time && (cap_set_flag(caps, CAP_PERMITTED, 1, keep, CAP_SET) != 0 ||
			      cap_set_flag(caps, CAP_EFFECTIVE, 1, keep, CAP_SET) != 0))
		rc = -errno;
	if (rc == 0 && cap_set_proc(caps) != 0)
		rc = -errno;
	cap_free(caps);
	return rc;
}

/* The capabilities held are exactly the ones wanted. */
static int caps_are(int keep_sys_time)
{
	cap_t have = cap_get_proc();
	cap_flag_value_t v;
	int ok = have != NULL;

	for (cap_value_t c = 0; ok && c <= CAP_LAST_CAP; c++) {
		int want = keep_sys_time && c == CAP_SYS_TIME;
		for (cap_flag_t f = CAP_EFFECTIVE; ok && f <= CAP_INHERITABLE; f++) {
			if (cap_get_flag(have, c, f, &v) != 0)
				ok = 0;
			else if ((v == CAP_SET) != (want && f != CAP_INHERITABLE))
				ok = 0;
		}
	}
	cap_free(have);
	return ok;
}

#define STEP(cond, what)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			int e_ = errno ? errno : EPERM;                                            \
			snprintf(err, errlen, "dropping to user %s: %s: %s", u->name, what,        \
				 strerror(e_));                                                    \
			return -e_;                                                                \
		}                                                                                  \
	} while (0)

int privdrop_become(const struct privdrop_user *u, int keep_sys_time, char *err, size_t errlen)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int already = getuid() == u->uid && geteuid() == u->uid;

	errno = 0;
	if (!already) {
		STEP(geteuid() != 0, "must be started as root to change user");
		/* Keep the permitted set across the uid change, to pick from it below. */
		STEP(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0, "PR_SET_KEEPCAPS");
		/* Nothing this process becomes can hold more than the bounding set. */
		for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
			if (!(keep_sys_time && c == CAP_SYS_TIME) && CAP_IS_SUPPORTED(c))
				STEP(cap_drop_bound(c) != 0, "dropping the capability bounding set");
		/* The user's own groups: an operator grants access (Samba's
		 * ntp_signd directory) by adding the user to a group. */
		STEP(initgroups(u->name, u->gid) != 0, "initgroups");
		STEP(setresgid(u->gid, u->gid, u->gid) != 0, "setresgid");
		STEP(setresuid(u->uid, u->uid, u->uid) != 0, "setresuid");
	}
	STEP(set_caps(keep_sys_time) != 0, "setting the capabilities");
	STEP(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0, "clearing PR_SET_KEEPCAPS");
	/* Ambient capabilities (Linux 4.3+) would survive an exec; there is none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
		STEP(1, "clearing the ambient capabilities");
	errno = 0;
	STEP(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0, "PR_SET_NO_NEW_PRIVS");
#ifdef __SANITIZE_ADDRESS__
	/* Test builds only: LeakSanitizer ptraces the process's own threads
	 * at exit, which the kernel refuses to a non-dumpable process, and a
	 * uid change leaves it non-dumpable. */
	STEP(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0, "PR_SET_DUMPABLE (sanitizer build)");
#endif

	/* Check, rather than trust, what the kernel now says. */
	errno = 0;
	STEP(getresuid(&ruid, &euid, &suid) != 0 || getresgid(&rgid, &egid, &sgid) != 0,
	     "reading back the ids");
	errno = EPERM;
	STEP(ruid != u->uid || euid != u->uid || suid != u->uid || rgid != u->gid ||
		     egid != u->gid || sgid != u->gid,
	     "the ids did not change");
	STEP(u->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0), "root could be regained");
	STEP(!caps_are(keep_sys_time), "the capabilities are not the ones asked for");
	STEP(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1, "no_new_privs is not set");
	return 0;
}
