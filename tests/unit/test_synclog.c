/* Check suite for control/synclog.c: the three statistics logs written into
 * a fresh directory, read back and parsed column by column. */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ntp_packet.h"
#include "suites.h"
#include "synclog.h"

#define MAX_LINES 16
#define LINE_LEN 512
/* 2023-11-14 22:13:20.75 UTC */
#define T0 1700000000.75

static char dir[64];

static const char *const names[] = {
	"measurements.log", "statistics.log", "tracking.log",
	"measurements.log.1", "statistics.log.1", "tracking.log.1",
};

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lt-synclog-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char p[128];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
}

static const char *path(const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return p;
}

static int exists(const char *name)
{
	struct stat st;

	return stat(path(name), &st) == 0;
}

/* The file's lines without their newlines; returns how many. */
static int read_lines(const char *name, char lines[MAX_LINES][LINE_LEN])
{
	FILE *f = fopen(path(name), "r");
	int n = 0;

	ck_assert_msg(f != NULL, "%s: %s", name, strerror(errno));
	while (n < MAX_LINES && fgets(lines[n], LINE_LEN, f)) {
		size_t len = strlen(lines[n]);
		ck_assert_msg(len > 0 && lines[n][len - 1] == '\n', "%s: line %d unterminated", name, n);
		lines[n++][len - 1] = '\0';
	}
	fclose(f);
	return n;
}

/* A banner: a rule of '=', the column names, the same rule. */
static void check_banner(char lines[MAX_LINES][LINE_LEN], int at, const char *first_col)
{
	size_t w = strlen(lines[at + 1]);

	ck_assert_uint_gt(w, 40);
	ck_assert_uint_eq(strlen(lines[at]), w);
	ck_assert_uint_eq(strspn(lines[at], "="), w);
	ck_assert_str_eq(lines[at + 2], lines[at]);
	ck_assert_msg(strncmp(lines[at + 1], "   Date (UTC) Time  ", 20) == 0, "%s", lines[at + 1]);
	ck_assert_msg(strstr(lines[at + 1], first_col) == lines[at + 1] + 20, "%s", lines[at + 1]);
}

/* Printed with %.3e: within half a unit of the fourth significant digit. */
static void close_to(double got, double want)
{
	ck_assert_msg(fabs(got - want) <= 5e-4 * fabs(want) + 1e-300, "got %.6e, want %.6e", got, want);
}

static const struct synclog_measurement meas = {
	.unix_time = T0, .source = "192.0.2.10", .leap = NTP_LEAP_NONE, .stratum = 2, .poll = 6,
	.offset = -4.966e-3, .delay = 2.296e-1, .dispersion = 1.577e-5, .root_delay = 1.615e-1,
	.root_dispersion = 7.446e-3, .refid = 0xCB00717B, .verdict = "accepted",
};

static const struct synclog_statistics stats = {
	.unix_time = T0, .source = "ntp.example.net", .offset_sd = 6.261e-6, .offset = -3.247e-6,
	.offset_sd_est = 2.220e-6, .freq_ppm = 1.874e-3, .skew_ppm = 1.080e-2, .n_samples = 16,
	.n_used = 12, .span = 1024.0,
};

static const struct synclog_tracking track = {
	.unix_time = T0, .reference = "192.0.2.10", .refid = 0xC000020A, .stratum = 3,
	.freq_ppm = -3.541, .skew_ppm = 0.075, .offset = -8.621e-6, .leap = NTP_LEAP_INSERT,
	.n_combined = 2, .offset_sd = 2.940e-6, .rem_correction = -2.084e-4, .root_delay = 1.534e-2,
	.root_dispersion = 3.472e-4, .max_error = 8.304e-3,
};

static struct synclog *open_dir(const char *d, int m, int s, int t)
{
	struct synclog_config c = { .dir = d, .measurements = m, .statistics = s, .tracking = t,
				    .logchange = 1.0 };
	struct synclog *l = synclog_open(&c);

	ck_assert_msg(l != NULL, "synclog_open(%s): %s", d ? d : "NULL", strerror(errno));
	return l;
}

static void write_all(struct synclog *l)
{
	synclog_measurement(l, &meas);
	synclog_statistics(l, &stats);
	synclog_tracking(l, &track);
}

/* Parse and check one line of each file, as written from meas/stats/track. */
static void check_meas_line(const char *line, const char *source, char leap, const char *verdict)
{
	char date[16], tm[16], src[256], lc, vd[32];
	int st, poll, end = 0;
	double off, del, disp, rdel, rdisp;
	unsigned int refid;

	ck_assert_int_eq(sscanf(line, "%15s %15s %255s %c %d %d %lf %lf %lf %lf %lf %x %31s%n", date,
				tm, src, &lc, &st, &poll, &off, &del, &disp, &rdel, &rdisp, &refid,
				vd, &end),
			 13);
	ck_assert_int_eq(end, (int)strlen(line));
	ck_assert_str_eq(date, "2023-11-14");
	ck_assert_str_eq(tm, "22:13:20");
	ck_assert_str_eq(src, source);
	ck_assert_int_eq(lc, leap);
	ck_assert_int_eq(st, 2);
	ck_assert_int_eq(poll, 6);
	close_to(off, meas.offset);
	close_to(del, meas.delay);
	close_to(disp, meas.dispersion);
	close_to(rdel, meas.root_delay);
	close_to(rdisp, meas.root_dispersion);
	ck_assert_uint_eq(refid, 0xCB00717B);
	ck_assert_str_eq(vd, verdict);
}

static void check_stats_line(const char *line)
{
	char date[16], tm[16], src[256];
	double sd, off, osd, freq, skew, span;
	unsigned int ns, nu;
	int end = 0;

	ck_assert_int_eq(sscanf(line, "%15s %15s %255s %lf %lf %lf %lf %lf %u %u %lf%n", date, tm,
				src, &sd, &off, &osd, &freq, &skew, &ns, &nu, &span, &end),
			 11);
	ck_assert_int_eq(end, (int)strlen(line));
	ck_assert_str_eq(date, "2023-11-14");
	ck_assert_str_eq(tm, "22:13:20");
	ck_assert_str_eq(src, "ntp.example.net");
	close_to(sd, stats.offset_sd);
	close_to(off, stats.offset);
	close_to(osd, stats.offset_sd_est);
	close_to(freq, stats.freq_ppm);
	close_to(skew, stats.skew_ppm);
	ck_assert_uint_eq(ns, 16);
	ck_assert_uint_eq(nu, 12);
	close_to(span, 1024.0);
}

static void check_track_line(const char *line, const char *reference)
{
	char date[16], tm[16], ref[256], lc;
	double freq, skew, off, osd, rem, rdel, rdisp, maxerr;
	unsigned int refid, co;
	int st, end = 0;

	ck_assert_int_eq(sscanf(line, "%15s %15s %255s %x %d %lf %lf %lf %c %u %lf %lf %lf %lf %lf%n",
				date, tm, ref, &refid, &st, &freq, &skew, &off, &lc, &co, &osd, &rem,
				&rdel, &rdisp, &maxerr, &end),
			 15);
	ck_assert_int_eq(end, (int)strlen(line));
	ck_assert_str_eq(date, "2023-11-14");
	ck_assert_str_eq(tm, "22:13:20");
	ck_assert_str_eq(ref, reference);
	ck_assert_uint_eq(refid, 0xC000020A);
	ck_assert_int_eq(st, 3);
	ck_assert_double_eq_tol(freq, -3.541, 5e-4);   /* ppm, %.3f */
	ck_assert_double_eq_tol(skew, 0.075, 5e-4);
	close_to(off, track.offset);
	ck_assert_int_eq(lc, '+');
	ck_assert_uint_eq(co, 2);
	close_to(osd, track.offset_sd);
	close_to(rem, track.rem_correction);
	close_to(rdel, track.root_delay);
	close_to(rdisp, track.root_dispersion);
	close_to(maxerr, track.max_error);
}

START_TEST(test_all_three)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 1, 1, 1);

	write_all(l);
	/* Flushed line by line: readable before close. */
	ck_assert_int_eq(read_lines("measurements.log", lines), 4);
	synclog_close(l);

	ck_assert_int_eq(read_lines("measurements.log", lines), 4);
	check_banner(lines, 0, "Source ");
	check_meas_line(lines[3], "192.0.2.10", 'N', "accepted");

	ck_assert_int_eq(read_lines("statistics.log", lines), 4);
	check_banner(lines, 0, "Source ");
	check_stats_line(lines[3]);
	/* Fixed width: with a short name, the line is exactly as wide as the banner. */
	ck_assert_uint_eq(strlen(lines[3]), strlen(lines[1]));

	ck_assert_int_eq(read_lines("tracking.log", lines), 4);
	check_banner(lines, 0, "Reference ");
	check_track_line(lines[3], "192.0.2.10");
	ck_assert_uint_eq(strlen(lines[3]), strlen(lines[1]));
}
END_TEST

/* Reopening a file that has lines appends to it, with no second banner. */
START_TEST(test_append)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 1, 0, 0);

	synclog_measurement(l, &meas);
	synclog_close(l);
	l = open_dir(dir, 1, 0, 0);
	synclog_measurement(l, &meas);
	synclog_close(l);

	ck_assert_int_eq(read_lines("measurements.log", lines), 5);
	check_banner(lines, 0, "Source ");
	check_meas_line(lines[3], "192.0.2.10", 'N', "accepted");
	check_meas_line(lines[4], "192.0.2.10", 'N', "accepted");
}
END_TEST

/* logrotate renames the files, then linetimectl cyclelogs: new files, each
 * with a banner; the moved ones get nothing more. */
START_TEST(test_cycle)
{
	char lines[MAX_LINES][LINE_LEN], to[128];
	struct synclog *l = open_dir(dir, 1, 1, 1);

	write_all(l);
	for (int i = 0; i < 3; i++) {
		snprintf(to, sizeof(to), "%s/%s", dir, names[i + 3]);
		ck_assert_int_eq(rename(path(names[i]), to), 0);
	}
	ck_assert_int_eq(synclog_cycle(l), 3);
	write_all(l);
	write_all(l);
	synclog_close(l);

	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(read_lines(names[i + 3], lines), 4);
		ck_assert_int_eq(read_lines(names[i], lines), 5);
		check_banner(lines, 0, i == 2 ? "Reference " : "Source ");
	}
	read_lines("measurements.log", lines);
	check_meas_line(lines[4], "192.0.2.10", 'N', "accepted");
	read_lines("statistics.log", lines);
	check_stats_line(lines[4]);
	read_lines("tracking.log", lines);
	check_track_line(lines[4], "192.0.2.10");
}
END_TEST

/* Cycling without a rotation keeps appending, after a fresh banner (as chrony). */
START_TEST(test_cycle_in_place)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 0, 1, 0);

	synclog_statistics(l, &stats);
	ck_assert_int_eq(synclog_cycle(l), 1);
	synclog_statistics(l, &stats);
	synclog_close(l);

	ck_assert_int_eq(read_lines("statistics.log", lines), 8);
	check_banner(lines, 0, "Source ");
	check_stats_line(lines[3]);
	check_banner(lines, 4, "Source ");
	check_stats_line(lines[7]);
}
END_TEST

START_TEST(test_disabled)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 0, 0, 1);

	write_all(l);
	ck_assert_int_eq(synclog_cycle(l), 1);
	write_all(l);
	synclog_close(l);
	ck_assert(!exists("measurements.log"));
	ck_assert(!exists("statistics.log"));
	ck_assert_int_eq(read_lines("tracking.log", lines), 8);

	/* Nothing enabled: nothing created, nothing to cycle. */
	teardown();
	setup();
	l = open_dir(dir, 0, 0, 0);
	write_all(l);
	ck_assert_int_eq(synclog_cycle(l), 0);
	synclog_close(l);
	for (int i = 0; i < 3; i++)
		ck_assert(!exists(names[i]));
}
END_TEST

START_TEST(test_no_dir)
{
	const char *dirs[] = { NULL, "" };

	for (int i = 0; i < 2; i++) {
		struct synclog *l = open_dir(dirs[i], 1, 1, 1);

		write_all(l);
		ck_assert_int_eq(synclog_cycle(l), 0);
		ck_assert_int_eq(synclog_is_change(l, 2.0), 1);
		synclog_close(l);
	}
	ck_assert_int_ne(access("measurements.log", F_OK), 0);
	ck_assert_int_ne(access("/measurements.log", F_OK), 0);
	/* And a NULL handle is harmless everywhere. */
	write_all(NULL);
	synclog_close(NULL);
	ck_assert_int_eq(synclog_cycle(NULL), -EINVAL);
	ck_assert_int_eq(synclog_is_change(NULL, 1e9), 0);
}
END_TEST

START_TEST(test_logchange)
{
	struct synclog_config c = { .logchange = 0.5 };
	struct synclog *l = synclog_open(&c);

	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(synclog_is_change(l, 0.0), 0);
	ck_assert_int_eq(synclog_is_change(l, 0.4), 0);
	ck_assert_int_eq(synclog_is_change(l, 0.5), 0);
	ck_assert_int_eq(synclog_is_change(l, 0.6), 1);
	ck_assert_int_eq(synclog_is_change(l, -0.6), 1);
	ck_assert_int_eq(synclog_is_change(l, -0.4), 0);
	synclog_close(l);

	/* 0: every nonzero offset is a change. */
	c.logchange = 0;
	l = synclog_open(&c);
	ck_assert_int_eq(synclog_is_change(l, 1e-9), 1);
	ck_assert_int_eq(synclog_is_change(l, 0.0), 0);
	synclog_close(l);

	c.logchange = -1;
	errno = 0;
	ck_assert_ptr_null(synclog_open(&c));
	ck_assert_int_eq(errno, EINVAL);
	c.logchange = NAN;
	errno = 0;
	ck_assert_ptr_null(synclog_open(&c));
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_ptr_null(synclog_open(NULL));
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_enoent)
{
	char missing[128];
	struct synclog_config c = { .dir = missing, .measurements = 1, .statistics = 1,
				    .tracking = 1, .logchange = 1.0 };

	snprintf(missing, sizeof(missing), "%s/no-such-dir", dir);
	errno = 0;
	ck_assert_ptr_null(synclog_open(&c));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_ne(access(missing, F_OK), 0);

	/* Only a disabled file would have gone there: nothing to open, no error. */
	c.measurements = c.statistics = c.tracking = 0;
	struct synclog *l = synclog_open(&c);
	ck_assert_ptr_nonnull(l);
	synclog_close(l);
}
END_TEST

/* A disk that refuses every write (measurements.log is a link to /dev/full,
 * which fails each write with ENOSPC): each line is counted as lost with its
 * error, nothing blocks, and once the disk takes lines again the error
 * clears and the lines that follow are whole. */
START_TEST(test_disk_full)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog_errors e;
	struct synclog *l;

	synclog_errors(NULL, &e);
	ck_assert_uint_eq(e.lines_lost, 0);
	ck_assert_int_eq(e.last_errno, 0);
	ck_assert_int_eq(symlink("/dev/full", path("measurements.log")), 0);
	l = open_dir(dir, 1, 1, 0);
	synclog_errors(l, &e);
	/* the banner of measurements.log (/dev/full looks empty); that of
	 * statistics.log went to disk, but does not clear the other's error */
	ck_assert_uint_eq(e.lines_lost, 1);
	ck_assert_int_eq(e.last_errno, ENOSPC);
	for (int i = 0; i < 3; i++)
		synclog_measurement(l, &meas);
	synclog_errors(l, &e);
	ck_assert_uint_eq(e.lines_lost, 4);
	ck_assert_int_eq(e.last_errno, ENOSPC);
	/* the other file is unaffected; the error stays while this one fails */
	synclog_statistics(l, &stats);
	synclog_errors(l, &e);
	ck_assert_uint_eq(e.lines_lost, 4);
	ck_assert_int_eq(e.last_errno, ENOSPC);
	ck_assert_int_eq(read_lines("statistics.log", lines), 4);
	check_stats_line(lines[3]);

	/* space again (logrotate-style: a new file and cyclelogs) */
	ck_assert_int_eq(unlink(path("measurements.log")), 0);
	ck_assert_int_eq(synclog_cycle(l), 2);
	synclog_measurement(l, &meas);
	synclog_errors(l, &e);
	ck_assert_uint_eq(e.lines_lost, 4);
	ck_assert_int_eq(e.last_errno, 0);
	ck_assert_int_eq(read_lines("measurements.log", lines), 4);
	check_meas_line(lines[3], "192.0.2.10", 'N', "accepted");
	synclog_close(l);
}
END_TEST

/* Names with blanks stay one column; missing names and verdicts print "-";
 * an unsynchronised leap prints '?'; a long name widens its column only. */
START_TEST(test_columns)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 1, 0, 1);
	struct synclog_measurement m = meas;
	struct synclog_tracking t = track;

	m.source = "my host\tname";
	m.verdict = "popcorn";
	synclog_measurement(l, &m);
	m.source = NULL;
	m.verdict = NULL;
	m.leap = NTP_LEAP_UNSYNC;
	synclog_measurement(l, &m);
	m.source = "a-rather-long-host-name.example.org";
	m.leap = NTP_LEAP_DELETE;
	m.verdict = "step";
	synclog_measurement(l, &m);
	t.reference = NULL;
	synclog_tracking(l, &t);
	t.reference = "";
	synclog_tracking(l, &t);
	synclog_close(l);

	ck_assert_int_eq(read_lines("measurements.log", lines), 6);
	check_meas_line(lines[3], "my_host_name", 'N', "popcorn");
	check_meas_line(lines[4], "-", '?', "-");
	check_meas_line(lines[5], "a-rather-long-host-name.example.org", '-', "step");
	ck_assert_int_eq(read_lines("tracking.log", lines), 5);
	check_track_line(lines[3], "-");
	check_track_line(lines[4], "-");
}
END_TEST

/* The date is UTC and truncated, not rounded; nonsense times are clamped. */
START_TEST(test_time)
{
	char lines[MAX_LINES][LINE_LEN];
	struct synclog *l = open_dir(dir, 1, 0, 0);
	struct synclog_measurement m = meas;

	m.unix_time = 951825599.999;  /* 2000-02-29 11:59:59.999 */
	synclog_measurement(l, &m);
	m.unix_time = NAN;
	synclog_measurement(l, &m);
	m.unix_time = 1e300;
	synclog_measurement(l, &m);
	synclog_close(l);

	ck_assert_int_eq(read_lines("measurements.log", lines), 6);
	ck_assert(strncmp(lines[3], "2000-02-29 11:59:59 ", 20) == 0);
	ck_assert(strncmp(lines[4], "1970-01-01 00:00:00 ", 20) == 0);
	ck_assert(strncmp(lines[5], "9999-12-31 23:59:59 ", 20) == 0);
}
END_TEST

Suite *synclog_suite(void)
{
	Suite *s = suite_create("synclog");
	TCase *tc = tcase_create("files");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_three);
	tcase_add_test(tc, test_append);
	tcase_add_test(tc, test_cycle);
	tcase_add_test(tc, test_cycle_in_place);
	tcase_add_test(tc, test_disabled);
	tcase_add_test(tc, test_no_dir);
	tcase_add_test(tc, test_logchange);
	tcase_add_test(tc, test_enoent);
	tcase_add_test(tc, test_disk_full);
	tcase_add_test(tc, test_columns);
	tcase_add_test(tc, test_time);
	suite_add_tcase(s, tc);
	return s;
}
