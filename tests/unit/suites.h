/* The Check suites of the unit-test runner, one per module. */
#ifndef LT_TEST_SUITES_H
#define LT_TEST_SUITES_H

#include <check.h>

#define LT_SUITES(X)  \
	X(ntp_time)   \
	X(ntp_packet) \
	X(pktproc)    \
	X(neigh)      \
	X(inject)     \
	X(config)     \
	X(admin_proto)\
	X(shm)        \
	X(clockmap)   \
	X(tstamp)     \
	X(report)     \
	X(acl)        \
	X(clientlog)  \
	X(gen)        \
	X(discipline) \
	X(signd)      \
	X(mssntp)     \
	X(health)     \
	X(synclog)    \
	X(sysclock)   \
	X(leapdb)     \
	X(ntpclient)  \
	X(sources)    \
	X(clockmodel) \
	X(sync)       \
	X(import_chrony) \
	X(metrics)    \
	X(sandbox)    \
	X(auth)       \
	X(board)

#define LT_SUITE_DECL(name) Suite *name##_suite(void);
LT_SUITES(LT_SUITE_DECL)
#undef LT_SUITE_DECL

/* Directory holding the reference captures (tests/data/captures, copied from
 * shared/reference/captures), overridable with LT_CAPTURES_DIR. */
const char *test_captures_dir(void);

#endif
