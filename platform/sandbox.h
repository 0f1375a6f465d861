/*
 * sandbox: the seccomp filters of linetimed and linetime-dp, built with
 * libseccomp from tables of system calls (sandbox.c; why each is there, and
 * what is left unfiltered, in docs/HARDENING.md).
 *
 * linetimed, once set up, runs under an allow list: what its event loop,
 * reload, the resolver, signd, the statistics logs and the HTTP listener
 * call, found by running the integration tests under strace and by reading
 * the code. In linetime-dp every poll-mode worker thread runs under its own
 * short allow list (the threads that read packets from the wire), and the
 * whole process under a deny list of what no DPDK code path needs once the
 * ports run (exec, ptrace, modules, mounts, setting the clock, changing
 * ids...), because DPDK's own threads make PMD-specific calls no test here
 * can enumerate for every NIC.
 *
 * A call that a filter does not allow ends the process with SIGSYS, after
 * one line on stderr naming the call's number, and a kernel audit line. A
 * few calls that libraries make on the off chance and cope without fail
 * with an errno instead (a socket of another family, an unknown ioctl).
 */
#ifndef LT_SANDBOX_H
#define LT_SANDBOX_H

#include <stddef.h>

enum sandbox_profile {
	SANDBOX_CONTROL = 0,      /* linetimed after its set-up */
	SANDBOX_CONTROL_STEER,    /* ... which also steers the system clock */
	SANDBOX_DP_PROCESS,       /* linetime-dp, every thread, after the ports start */
	SANDBOX_DP_WORKER,        /* one poll-mode worker thread, on top of the above */
	SANDBOX_PROFILES
};

/* The profile's name as logs and tests print it ("control", "dp-worker"...). */
const char *sandbox_profile_name(enum sandbox_profile p);

/*
 * Install the profile's filter: on every thread of the process
 * (SANDBOX_DP_WORKER: on the calling thread only), with no_new_privs and
 * the SIGSYS reporter. A filter cannot be taken back. 0, or -errno with the
 * reason in err.
 */
int sandbox_apply(enum sandbox_profile p, char *err, size_t errlen);

/* What the profile's tables say of one system call (libseccomp's name):
 * 1 allowed (under some argument rule or all), 0 not. For an allow-list
 * profile "not" ends the process; for SANDBOX_DP_PROCESS it is a denied call. */
int sandbox_allows(enum sandbox_profile p, const char *syscall);

/* Check the tables: every name is a system call on this architecture, none
 * is listed twice in a profile, none is both allowed and denied. 0, or -1
 * with the first problem in err. */
int sandbox_check_tables(char *err, size_t errlen);

#endif
