/*
 * sandbox: seccomp filters from tables.
 *
 * Each allow-list entry is a system call, optionally with the values one of
 * its arguments may take (each value becomes its own rule), and optionally
 * an errno for every other value of that argument. The tables were made by
 * running every integration test under strace -f, reading what the code
 * and the libraries under it call, and adding the resolver's calls (glibc
 * getaddrinfo over UDP and TCP). docs/HARDENING.md explains each group.
 */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define MAX_VALUES 8

struct rule {
	const char *name;     /* libseccomp's name of the system call */
	signed char arg;      /* -1: any arguments; else the argument checked */
	unsigned char n;      /* how many values of that argument are allowed */
	unsigned char self;   /* the argument must be this process's pid */
	int otherwise;        /* errno for any other value (0: the filter's default) */
	scmp_datum_t v[MAX_VALUES];
};

#define NVAL(...) (sizeof((scmp_datum_t[]){ __VA_ARGS__ }) / sizeof(scmp_datum_t))
/* Any arguments. */
#define ANY(s) { #s, -1, 0, 0, 0, { 0 } }
/* Argument i one of the values; anything else ends the process. */
#define ONLY(s, i, ...) { #s, i, NVAL(__VA_ARGS__), 0, 0, { __VA_ARGS__ } }
/* Argument i one of the values; anything else fails with errno e. */
#define ONLY_ELSE(s, i, e, ...) { #s, i, NVAL(__VA_ARGS__), 0, e, { __VA_ARGS__ } }
/* Argument i is this process's pid (signals to itself only). */
#define SELF(s, i) { #s, i, 0, 1, 0, { 0 } }
#define END { NULL, -1, 0, 0, 0, { 0 } }

/*
 * linetimed after its set-up. Grouped as in docs/HARDENING.md.
 */
static const struct rule control_rules[] = {
	/* time: mostly the vDSO; the system calls where the clocksource has none */
	ANY(clock_gettime), ANY(clock_getres), ANY(gettimeofday), ANY(time),
	ANY(clock_nanosleep), ANY(nanosleep),
	/* memory: malloc, json-c, libmicrohttpd; dlopen of NSS modules */
	ANY(brk), ANY(mmap), ANY(munmap), ANY(mremap), ANY(mprotect), ANY(madvise),
	/* files: the config on reload, driftfile, statistics logs, leapsectz,
	 * /etc/passwd and /etc/group for admin groups, resolv.conf and hosts,
	 * the region on re-attach (flock, ftruncate, rename, fchown) */
	ANY(openat), ANY(close), ANY(read), ANY(pread64), ANY(readv), ANY(write), ANY(writev),
	ANY(lseek), ANY(fstat), ANY(newfstatat), ANY(statx), ANY(rename), ANY(renameat),
	ANY(renameat2), ANY(unlink), ANY(unlinkat), ANY(fsync), ANY(fdatasync), ANY(ftruncate),
	ANY(flock), ANY(fchown), ANY(getdents64),
	ONLY(fcntl, 1, F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_DUPFD_CLOEXEC),
	/* sockets: admin (unix), signd (unix), syslog (unix), the resolver (UDP,
	 * TCP), the metrics listener (TCP). Other families, such as the
	 * netlink socket glibc's getaddrinfo opens to sort addresses, are
	 * refused and glibc does without. */
	ONLY_ELSE(socket, 0, EAFNOSUPPORT, AF_UNIX, AF_INET, AF_INET6),
	ANY(connect), ANY(bind), ANY(listen), ANY(accept), ANY(accept4), ANY(getsockopt),
	ANY(setsockopt), ANY(getsockname), ANY(getpeername), ANY(sendto), ANY(sendmsg),
	ANY(sendmmsg), ANY(recvfrom), ANY(recvmsg), ANY(shutdown),
	/* the resolver's FIONREAD, non-blocking mode, isatty() */
	ONLY_ELSE(ioctl, 1, ENOTTY, FIONREAD, FIONBIO, TCGETS),
	/* waiting: the event loop, libmicrohttpd's epoll, the resolver */
	ANY(poll), ANY(ppoll), ANY(epoll_create1), ANY(epoll_ctl), ANY(epoll_wait), ANY(epoll_pwait),
	/* the process itself; signals to itself only (raise, abort) */
	ANY(exit), ANY(exit_group), ANY(getpid), ANY(gettid), ANY(getuid), ANY(geteuid), ANY(getgid),
	ANY(getegid), ANY(getresuid), ANY(getresgid), ANY(getgroups), SELF(tgkill, 0),
	ANY(rt_sigprocmask), ANY(rt_sigreturn), ANY(restart_syscall), ANY(futex), ANY(getrandom),
	ANY(uname), ANY(sysinfo),
	/* libcap, loaded with libnss_systemd, reads the bounding set */
	ONLY(prctl, 0, PR_CAPBSET_READ, PR_GET_NO_NEW_PRIVS, PR_GET_DUMPABLE),
	END,
};

/* ... and with steer_system_clock: read and steer CLOCK_REALTIME. */
static const struct rule steer_rules[] = {
	ANY(clock_adjtime), ANY(adjtimex),
	END,
};

/*
 * A linetime-dp worker thread: the poll loop (rte_eth_rx_burst ->
 * process -> rte_eth_tx_burst) makes no system call of its own; the PMDs
 * do a few: af_packet and af_xdp kick the kernel with sendto() to no
 * address and wait for TX room with poll(), af_xdp wakes RX with
 * recvfrom(), memif kicks its peer through an eventfd (write), tap reads
 * and writes its tun device. idle_sleep_us sleeps; EAL's lcore loop reads
 * and writes its pipes before and after the worker function.
 */
static const struct rule worker_rules[] = {
	ANY(clock_gettime), ANY(gettimeofday), ANY(clock_nanosleep), ANY(nanosleep),
	ANY(read), ANY(write), ANY(readv), ANY(writev),
	ONLY(sendto, 4, 0), ANY(recvfrom), ANY(poll), ANY(ppoll), ANY(sched_yield),
	ANY(rt_sigreturn), ANY(restart_syscall), ANY(rt_sigprocmask), ANY(getpid), ANY(gettid),
	SELF(tgkill, 0), ANY(futex), ANY(exit), ANY(exit_group),
	END,
};

/*
 * linetime-dp, the whole process: what no DPDK 22.11 code path makes once
 * the ports run, with the PMDs this project uses or documents (af_packet,
 * af_xdp, memif, tap, PCI NICs through vfio). Running programs, tracing,
 * kernel modules, mounts, namespaces, ids and capabilities, the clock,
 * the kernel's keyrings and log. Anything else stays possible: the main
 * lcore, EAL's interrupt, multi-process and telemetry threads run PMD code
 * whose calls depend on the NIC (vfio ioctls, memif's connection set-up
 * with sockets, memfds and mmap at any time).
 */
static const char *const dp_denied[] = {
	"execve", "execveat", "fork", "vfork",
#ifndef __SANITIZE_ADDRESS__
	"ptrace", /* LeakSanitizer's at-exit check ptraces the process's own threads */
#endif
	"process_vm_readv", "process_vm_writev", "pidfd_getfd", "kcmp",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"reboot", "swapon", "swapoff", "acct", "quotactl",
	"mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsmount",
	"fsconfig", "fspick", "mount_setattr", "open_by_handle_at", "name_to_handle_at",
	"unshare", "setns",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
	"setfsuid", "setfsgid", "capset", "personality",
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	"keyctl", "add_key", "request_key", "syslog", "userfaultfd", "perf_event_open",
	"iopl", "ioperm", "sethostname", "setdomainname", "vhangup", "uselib", "lookup_dcookie",
	NULL,
};

#ifdef __SANITIZE_ADDRESS__
/*
 * Sanitizer builds (the integration tests' ASan/UBSan daemons): what the
 * sanitizer runtime calls besides the program. LeakSanitizer's at-exit
 * check clones a tracer that lists /proc/self/task and ptraces every
 * thread; a report reads /proc/self/maps and symbolises from the binary.
 */
static const struct rule sanitizer_rules[] = {
	ANY(clone), ANY(clone3), ANY(ptrace), ANY(wait4), ANY(waitid), ANY(sched_yield),
	ANY(sigaltstack), ANY(rt_sigaction), ANY(readlink), ANY(readlinkat), ANY(getppid),
	ANY(set_robust_list), ANY(rseq), ANY(prlimit64), ANY(getrlimit), ANY(sched_getaffinity),
	ANY(prctl), ANY(pipe2), ANY(dup2), ANY(dup3), ANY(kill), ANY(tkill), ANY(getdents),
	ANY(lstat), ANY(stat), ANY(open), ANY(access), ANY(faccessat), ANY(faccessat2),
	ANY(mincore), ANY(msync), ANY(getcwd), ANY(membarrier), ANY(set_tid_address),
	END,
};
#endif

static const char *const profile_names[SANDBOX_PROFILES] = {
	[SANDBOX_CONTROL] = "control",
	[SANDBOX_CONTROL_STEER] = "control+steer",
	[SANDBOX_DP_PROCESS] = "dp-process",
	[SANDBOX_DP_WORKER] = "dp-worker",
};

const char *sandbox_profile_name(enum sandbox_profile p)
{
	return (unsigned int)p < SANDBOX_PROFILES ? profile_names[p] : "?";
}

/* The allow tables of a profile, NULL-terminated; NULL for the deny-list profile. */
static void tables(enum sandbox_profile p, const struct rule *out[4])
{
	unsigned int n = 0;

	if (p == SANDBOX_CONTROL || p == SANDBOX_CONTROL_STEER)
		out[n++] = control_rules;
	if (p == SANDBOX_CONTROL_STEER)
		out[n++] = steer_rules;
	if (p == SANDBOX_DP_WORKER)
		out[n++] = worker_rules;
#ifdef __SANITIZE_ADDRESS__
	if (n)
		out[n++] = sanitizer_rules;
#endif
	out[n] = NULL;
}

/* --- SIGSYS: one line, then die of it ----------------------------------- */

static size_t put(char *buf, size_t at, size_t cap, const char *s)
{
	while (*s && at + 1 < cap)
		buf[at++] = *s++;
	return at;
}

static size_t put_num(char *buf, size_t at, size_t cap, long v)
{
	char digits[24];
	size_t n = 0;
	unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

	do
		digits[n++] = (char)('0' + u % 10);
	while ((u /= 10) && n < sizeof(digits));
	if (v < 0 && at + 1 < cap)
		buf[at++] = '-';
	while (n && at + 1 < cap)
		buf[at++] = digits[--n];
	return at;
}

/* Async-signal-safe: formats by hand and writes once. SA_RESETHAND has
 * put the default action back, so the raise() ends the process with
 * SIGSYS (and a core dump where they are enabled). */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	char line[256];
	size_t n = 0;
	int saved = errno;

	(void)uc;
	n = put(line, n, sizeof(line), program_invocation_short_name);
	n = put(line, n, sizeof(line), "[error]: seccomp: system call ");
	n = put_num(line, n, sizeof(line), si->si_syscall);
	n = put(line, n, sizeof(line), " is not allowed; stopping (scmp_sys_resolver ");
	n = put_num(line, n, sizeof(line), si->si_syscall);
	n = put(line, n, sizeof(line), " names it; docs/HARDENING.md)\n");
	ssize_t w = write(STDERR_FILENO, line, n);
	(void)w;
	errno = saved;
	raise(sig);
}

static int install_reporter(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys,
			       .sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER};

	sigemptyset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) == 0 ? 0 : -errno;
}

/* --- building ----------------------------------------------------------- */

static struct scmp_arg_cmp arg_cmp(int arg, enum scmp_compare op, scmp_datum_t v)
{
	return (struct scmp_arg_cmp){.arg = (unsigned int)arg, .op = op, .datum_a = v, .datum_b = 0};
}

static int add_rule(scmp_filter_ctx ctx, const struct rule *r, char *err, size_t errlen)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	int rc = 0;

	if (nr == __NR_SCMP_ERROR) {
		snprintf(err, errlen, "seccomp: unknown system call \"%s\"", r->name);
		return -EINVAL;
	}
	if (r->arg < 0) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	} else if (r->self) {
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				      arg_cmp(r->arg, SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	} else {
		for (unsigned int i = 0; rc == 0 && i < r->n; i++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
					      arg_cmp(r->arg, SCMP_CMP_EQ, r->v[i]));
		/* libseccomp checks the equalities first: "not the first
		 * value" then catches exactly the values not allowed
		 * (sandbox_check_tables and the unit tests hold it to that). */
		if (rc == 0 && r->otherwise)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((unsigned int)r->otherwise), nr, 1,
					      arg_cmp(r->arg, SCMP_CMP_NE, r->v[0]));
	}
	if (rc < 0)
		snprintf(err, errlen, "seccomp: rule for %s: %s", r->name, strerror(-rc));
	return rc;
}

static int build(enum sandbox_profile p, scmp_filter_ctx *out, char *err, size_t errlen)
{
	const struct rule *tabs[4];
	scmp_filter_ctx ctx;
	int rc = 0;

	if ((unsigned int)p >= SANDBOX_PROFILES) {
		snprintf(err, errlen, "seccomp: no profile %d", (int)p);
		return -EINVAL;
	}
	ctx = seccomp_init(p == SANDBOX_DP_PROCESS ? SCMP_ACT_ALLOW : SCMP_ACT_TRAP);
	if (!ctx) {
		snprintf(err, errlen, "seccomp: cannot start a filter (out of memory)");
		return -ENOMEM;
	}
	if (p == SANDBOX_DP_PROCESS) {
		for (const char *const *d = dp_denied; rc == 0 && *d; d++) {
			int nr = seccomp_syscall_resolve_name(*d);
			if (nr == __NR_SCMP_ERROR) {
				snprintf(err, errlen, "seccomp: unknown system call \"%s\"", *d);
				rc = -EINVAL;
			} else if ((rc = seccomp_rule_add(ctx, SCMP_ACT_TRAP, nr, 0)) < 0) {
				snprintf(err, errlen, "seccomp: rule for %s: %s", *d, strerror(-rc));
			}
		}
	} else {
		tables(p, tabs);
		for (unsigned int t = 0; rc == 0 && tabs[t]; t++)
			for (const struct rule *r = tabs[t]; rc == 0 && r->name; r++)
				rc = add_rule(ctx, r, err, errlen);
	}
	/* Another ABI's system calls (32-bit int 0x80, x32) end the process. */
	if (rc == 0 && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		snprintf(err, errlen, "seccomp: bad-architecture action: %s", strerror(-rc));
	if (rc < 0) {
		seccomp_release(ctx);
		return rc;
	}
	*out = ctx;
	return 0;
}

int sandbox_apply(enum sandbox_profile p, char *err, size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = build(p, &ctx, err, errlen);

	if (rc < 0)
		return rc;
	/* Every thread, so DPDK's own threads are filtered too; a worker's
	 * filter is its own thread's, added on top. */
	if (p != SANDBOX_DP_WORKER && (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0) {
		snprintf(err, errlen, "seccomp: thread synchronisation: %s", strerror(-rc));
		goto out;
	}
	/* The kernel also logs what a filter refused (audit type 1326); older
	 * kernels without it still filter. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1);
	if ((rc = install_reporter()) < 0) {
		snprintf(err, errlen, "seccomp: SIGSYS handler: %s", strerror(-rc));
		goto out;
	}
	if ((rc = seccomp_load(ctx)) < 0)
		snprintf(err, errlen, "seccomp: loading the %s filter: %s", sandbox_profile_name(p),
			 strerror(-rc));
out:
	seccomp_release(ctx);
	return rc < 0 ? rc : 0;
}

int sandbox_allows(enum sandbox_profile p, const char *syscall)
{
	const struct rule *tabs[4];

	if ((unsigned int)p >= SANDBOX_PROFILES)
		return 0;
	if (p == SANDBOX_DP_PROCESS) {
		for (const char *const *d = dp_denied; *d; d++)
			if (!strcmp(*d, syscall))
				return 0;
		return 1;
	}
	tables(p, tabs);
	for (unsigned int t = 0; tabs[t]; t++)
		for (const struct rule *r = tabs[t]; r->name; r++)
			if (!strcmp(r->name, syscall))
				return 1;
	return 0;
}

static int check_table(const char *what, const struct rule *t, char *err, size_t errlen)
{
	for (const struct rule *r = t; r->name; r++) {
		if (seccomp_syscall_resolve_name(r->name) == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "%s: \"%s\" is not a system call here", what, r->name);
			return -1;
		}
		if (r->arg >= 6 || (r->arg >= 0 && !r->self && !r->n) || r->n > MAX_VALUES ||
		    (r->otherwise && (r->self || !r->n))) {
			snprintf(err, errlen, "%s: %s: bad argument rule", what, r->name);
			return -1;
		}
		for (const struct rule *q = t; q < r; q++)
			if (!strcmp(q->name, r->name)) {
				snprintf(err, errlen, "%s: \"%s\" listed twice", what, r->name);
				return -1;
			}
	}
	return 0;
}

int sandbox_check_tables(char *err, size_t errlen)
{
	if (check_table("control", control_rules, err, errlen) ||
	    check_table("steer", steer_rules, err, errlen) ||
#ifdef __SANITIZE_ADDRESS__
	    check_table("sanitizer", sanitizer_rules, err, errlen) ||
#endif
	    check_table("dp-worker", worker_rules, err, errlen))
		return -1;
	for (const char *const *d = dp_denied; *d; d++) {
		if (seccomp_syscall_resolve_name(*d) == __NR_SCMP_ERROR) {
			snprintf(err, errlen, "dp-process: \"%s\" is not a system call here", *d);
			return -1;
		}
		for (const char *const *e = dp_denied; e < d; e++)
			if (!strcmp(*d, *e)) {
				snprintf(err, errlen, "dp-process: \"%s\" listed twice", *d);
				return -1;
			}
	}
	/* Steering adds to control; it does not repeat it. */
	for (const struct rule *r = steer_rules; r->name; r++)
		if (sandbox_allows(SANDBOX_CONTROL, r->name)) {
			snprintf(err, errlen, "control already allows %s, which only steering needs",
				 r->name);
			return -1;
		}
	/* A worker's filter sits on top of the process's: a call the worker
	 * needs must not be one the process denies. */
	for (const struct rule *r = worker_rules; r->name; r++)
		if (!sandbox_allows(SANDBOX_DP_PROCESS, r->name)) {
			snprintf(err, errlen, "dp-worker allows %s, which dp-process denies", r->name);
			return -1;
		}
	return 0;
}
