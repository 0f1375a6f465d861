/*
 * sandbox and privdrop: the syscall tables, each filter installed for real in
 * a forked child (a refused call must end the child with SIGSYS and a line
 * naming it; an allowed one must work), and the privilege drop itself
 * (in a child, when the tests run as root as make check runs them).
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "privdrop.h"
#include "sandbox.h"
#include "suites.h"

/* What a child ended with, and what it wrote to stderr. */
struct outcome {
	int exited, status, signo;
	char err[1024];
};

typedef int (*child_fn)(void);

/* Run fn in a child with stderr captured; bounded to 10 s. */
static void run_child(child_fn fn, struct outcome *o)
{
	int fds[2], st = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		alarm(10);
		_exit(fn());
	}
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n + 1 < sizeof(o->err) && (r = read(fds[0], o->err + n, sizeof(o->err) - 1 - n)) > 0)
		n += (size_t)r;
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	o->exited = WIFEXITED(st);
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	o->signo = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}

static void expect_ok(child_fn fn, const char *what)
{
	struct outcome o;

	run_child(fn, &o);
	ck_assert_msg(o.exited && o.status == 0, "%s: exit %d signal %d; stderr: %s", what, o.status,
		      o.signo, o.err);
}

/* Killed by SIGSYS after the reporter's line naming system call nr. */
static void expect_sigsys(child_fn fn, long nr, const char *what)
{
	struct outcome o;
	char want[64];

	run_child(fn, &o);
	ck_assert_msg(o.signo == SIGSYS, "%s: exit %d signal %d, want SIGSYS; stderr: %s", what,
		      o.status, o.signo, o.err);
	snprintf(want, sizeof(want), "seccomp: system call %ld is not allowed", nr);
	ck_assert_msg(strstr(o.err, want), "%s: stderr \"%s\" lacks \"%s\"", what, o.err, want);
}

static int apply(enum sandbox_profile p)
{
	char err[256];

	if (sandbox_apply(p, err, sizeof(err)) != 0) {
		fprintf(stderr, "apply: %s\n", err);
		return 1;
	}
	return 0;
}

START_TEST(test_tables)
{
	char err[256] = "";

	ck_assert_msg(sandbox_check_tables(err, sizeof(err)) == 0, "%s", err);
}
END_TEST

/* The tables say what the design says. */
START_TEST(test_profiles)
{
	static const char *const never[] = { "execve", "execveat", "mount", "setuid", "setresuid",
					      "capset", "init_module", "kexec_load", "unshare",
					      "settimeofday", "clock_settime", "bpf", NULL };

	for (const char *const *n = never; *n; n++) {
		ck_assert_msg(!sandbox_allows(SANDBOX_CONTROL, *n), "control allows %s", *n);
		ck_assert_msg(!sandbox_allows(SANDBOX_CONTROL_STEER, *n), "control+steer allows %s", *n);
		ck_assert_msg(!sandbox_allows(SANDBOX_DP_WORKER, *n), "dp-worker allows %s", *n);
	}
	/* Only steering touches the kernel clock. */
	ck_assert(!sandbox_allows(SANDBOX_CONTROL, "clock_adjtime"));
	ck_assert(!sandbox_allows(SANDBOX_CONTROL, "adjtimex"));
	ck_assert(sandbox_allows(SANDBOX_CONTROL_STEER, "clock_adjtime"));
	ck_assert(sandbox_allows(SANDBOX_CONTROL_STEER, "poll"));
	/* The dataplane process keeps threads, memory and sockets, never exec or the clock. */
	ck_assert(sandbox_allows(SANDBOX_DP_PROCESS, "clone"));
	ck_assert(sandbox_allows(SANDBOX_DP_PROCESS, "mmap"));
	ck_assert(sandbox_allows(SANDBOX_DP_PROCESS, "ioctl"));
	ck_assert(!sandbox_allows(SANDBOX_DP_PROCESS, "execve"));
	ck_assert(!sandbox_allows(SANDBOX_DP_PROCESS, "clock_adjtime"));
	ck_assert(!sandbox_allows(SANDBOX_DP_PROCESS, "setuid"));
	/* A worker reads the wire: no files, no new sockets, no memory mapping. */
	ck_assert(sandbox_allows(SANDBOX_DP_WORKER, "sendto"));
	ck_assert(sandbox_allows(SANDBOX_DP_WORKER, "clock_nanosleep"));
	ck_assert(!sandbox_allows(SANDBOX_DP_WORKER, "openat"));
	ck_assert(!sandbox_allows(SANDBOX_DP_WORKER, "socket"));
	ck_assert(!sandbox_allows(SANDBOX_DP_WORKER, "connect"));
	ck_assert(!sandbox_allows(SANDBOX_DP_WORKER, "mprotect"));
	ck_assert_str_eq(sandbox_profile_name(SANDBOX_DP_WORKER), "dp-worker");
	ck_assert_int_eq(sandbox_allows(SANDBOX_PROFILES, "read"), 0);
}
END_TEST

/* linetimed's filter: what it does all day still works, and the library
 * probes get their errno instead of a kill. */
static int control_allowed(void)
{
	struct timespec ts;
	char buf[8] = "x";
	int p[2], fd, s, n;

	if (pipe(p) || apply(SANDBOX_CONTROL))
		return 1;
	if (clock_gettime(CLOCK_REALTIME, &ts) || syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts))
		return 2;
	if (write(p[1], buf, 1) != 1 || read(p[0], buf, 1) != 1)
		return 3;
	if ((fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC)) < 0 || fcntl(fd, F_GETFL) < 0)
		return 4;
	close(fd);
	if ((s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return 5;
	if (ioctl(p[0], FIONREAD, &n) != 0)
		return 6;
	close(s);
	/* glibc's getaddrinfo opens one to sort addresses and copes without. */
	errno = 0;
	if (socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0) != -1 || errno != EAFNOSUPPORT)
		return 7;
	errno = 0;
	if (ioctl(p[0], TIOCGWINSZ, &ts) != -1 || errno != ENOTTY)
		return 8;
	return 0;
}

/* linetimed creates its directories before the filter, never after. */
static int control_mkdir(void)
{
	if (apply(SANDBOX_CONTROL))
		return 1;
	mkdir("/tmp/lt-sandbox-never", 0700);
	return 0;
}

static int control_exec(void)
{
	char *const argv[] = { (char *)"true", NULL };

	if (apply(SANDBOX_CONTROL))
		return 1;
	execve("/bin/true", argv, argv + 1);
	return 0;
}

static int control_reads_clock(void)
{
	struct timex tx = {.modes = 0};

	if (apply(SANDBOX_CONTROL))
		return 1;
	syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx);
	return 0;
}

static int steer_reads_clock(void)
{
	struct timex tx = {.modes = 0};

	if (apply(SANDBOX_CONTROL_STEER))
		return 1;
	/* A read (modes 0) needs no privilege; the filter must let it through. */
	return syscall(SYS_clock_adjtime, CLOCK_REALTIME, &tx) < 0 ? 2 : 0;
}

START_TEST(test_control_filter)
{
	expect_ok(control_allowed, "control: clock, pipe, file, socket, ioctl, probes");
	expect_sigsys(control_mkdir, SYS_mkdir, "mkdir");
	expect_sigsys(control_exec, SYS_execve, "execve");
	expect_sigsys(control_reads_clock, SYS_clock_adjtime, "clock_adjtime without steering");
	expect_ok(steer_reads_clock, "clock_adjtime with steering");
}
END_TEST

/* The dataplane: the process-wide deny list reaches threads that existed
 * before it was loaded (TSYNC); a worker's own list is tighter still. */
static void *denied_in_thread(void *arg)
{
	int *go = arg;

	while (!__atomic_load_n(go, __ATOMIC_ACQUIRE))
		usleep(1000);
	syscall(SYS_setuid, 0);
	return NULL;
}

static int dp_thread_denied(void)
{
	static int go;
	pthread_t t;

	if (pthread_create(&t, NULL, denied_in_thread, &go) != 0)
		return 2;
	if (apply(SANDBOX_DP_PROCESS))
		return 1;
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	return 0;
}

static int dp_allowed(void)
{
	int fd, s;

	if (apply(SANDBOX_DP_PROCESS))
		return 1;
	if ((fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC)) < 0)
		return 2;
	close(fd);
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return 3;
	close(s);
	return 0;
}

static int sv[2];

static int worker_allowed(void)
{
	struct timespec ts = {.tv_nsec = 1000};

	if (apply(SANDBOX_DP_PROCESS) || apply(SANDBOX_DP_WORKER))
		return 1;
	if (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL) != 0)
		return 2;
	/* The af_packet TX kick: sendto() to no address. */
	if (sendto(sv[0], "k", 1, MSG_DONTWAIT, NULL, 0) != 1)
		return 3;
	return 0;
}

static int worker_opens(void)
{
	if (apply(SANDBOX_DP_PROCESS) || apply(SANDBOX_DP_WORKER))
		return 1;
	open("/etc/passwd", O_RDONLY);
	return 0;
}

static int worker_sends_to_address(void)
{
	struct sockaddr_un to = {.sun_family = AF_UNIX, .sun_path = "/nonexistent"};

	if (apply(SANDBOX_DP_PROCESS) || apply(SANDBOX_DP_WORKER))
		return 1;
	sendto(sv[0], "k", 1, MSG_DONTWAIT, (struct sockaddr *)&to, sizeof(to));
	return 0;
}

START_TEST(test_dp_filters)
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	expect_ok(dp_allowed, "dp-process: files and sockets");
	expect_sigsys(dp_thread_denied, SYS_setuid, "dp-process: setuid in an older thread");
	expect_ok(worker_allowed, "dp-worker: sleep and the TX kick");
	expect_sigsys(worker_opens, SYS_openat, "dp-worker: open");
	expect_sigsys(worker_sends_to_address, SYS_sendto, "dp-worker: sendto an address");
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* --- privdrop ------------------------------------------------------------ */

START_TEST(test_lookup)
{
	struct privdrop_user u;
	char err[256] = "";

	ck_assert_int_eq(privdrop_lookup("root", &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(u.uid, 0);
	ck_assert_uint_eq(u.gid, 0);
	ck_assert_str_eq(u.name, "root");
	ck_assert_int_eq(privdrop_lookup("lt-no-such-user", &u, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "\"lt-no-such-user\" does not exist"), "%s", err);
}
END_TEST

START_TEST(test_make_dir)
{
	char base[64], dir[128], file[160], err[256] = "";
	struct stat st;

	snprintf(base, sizeof(base), "/tmp/lt-privdrop.%ld", (long)getpid());
	snprintf(dir, sizeof(dir), "%s/a/b", base);
	ck_assert_msg(privdrop_make_dir(dir, 0750, getuid(), getgid(), err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);   /* whatever the umask */
	ck_assert_uint_eq(st.st_uid, getuid());
	/* An existing directory is left alone. */
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(privdrop_make_dir(dir, 0755, (uid_t)-1, (gid_t)-1, err, sizeof(err)), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	/* A file in the way is an error. */
	snprintf(file, sizeof(file), "%s/f", dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(privdrop_make_dir(file, 0755, (uid_t)-1, (gid_t)-1, err, sizeof(err)), -ENOTDIR);
	unlink(file);
	rmdir(dir);
	snprintf(dir, sizeof(dir), "%s/a", base);
	rmdir(dir);
	rmdir(base);
}
END_TEST

static struct privdrop_user nobody;

static int has_cap(cap_value_t c, cap_flag_t f)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	cap_get_flag(caps, c, f, &v);
	cap_free(caps);
	return v == CAP_SET;
}

static int become(int keep_sys_time)
{
	char err[256];
	uid_t r, e, s;

	if (privdrop_become(&nobody, keep_sys_time, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (getresuid(&r, &e, &s) || r != nobody.uid || e != nobody.uid || s != nobody.uid)
		return 2;
	if (getegid() != nobody.gid || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return 3;
	if (setuid(0) == 0)
		return 4;
	if (has_cap(CAP_SYS_TIME, CAP_EFFECTIVE) != keep_sys_time ||
	    has_cap(CAP_SYS_TIME, CAP_PERMITTED) != keep_sys_time ||
	    has_cap(CAP_NET_ADMIN, CAP_PERMITTED) || has_cap(CAP_SYS_TIME, CAP_INHERITABLE))
		return 5;
	/* The bounding set holds at most CAP_SYS_TIME. */
	if (prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0) != 0 ||
	    prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) != keep_sys_time)
		return 6;
	return 0;
}

static int become_plain(void)
{
	return become(0);
}

static int become_steering(void)
{
	return become(1);
}

/* Not root: privdrop_become refuses, loudly. */
static int become_unprivileged(void)
{
	char err[256];
	struct privdrop_user other = nobody;

	other.uid = getuid() + 1;
	if (privdrop_become(&other, 0, err, sizeof(err)) == 0)
		return 1;
	return strstr(err, "must be started as root") ? 0 : 2;
}

START_TEST(test_become)
{
	char err[256];

	ck_assert_msg(privdrop_lookup("nobody", &nobody, err, sizeof(err)) == 0, "%s", err);
	if (geteuid() != 0) {
		expect_ok(become_unprivileged, "privdrop_become as non-root");
		return; /* the drop itself needs root: make check runs the suites as root */
	}
	expect_ok(become_plain, "privdrop_become without steering");
	expect_ok(become_steering, "privdrop_become keeping CAP_SYS_TIME");
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("seccomp");

	tcase_add_test(tc, test_tables);
	tcase_add_test(tc, test_profiles);
	tcase_add_test(tc, test_control_filter);
	tcase_add_test(tc, test_dp_filters);
	suite_add_tcase(s, tc);
	tc = tcase_create("privdrop");
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_make_dir);
	tcase_add_test(tc, test_become);
	suite_add_tcase(s, tc);
	return s;
}
