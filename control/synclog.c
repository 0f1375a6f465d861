/* synclog: measurements.log, statistics.log and tracking.log, chrony-style. */
#include "synclog.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NAME_MAX_LOG 256              /* a DNS name is at most 253 characters */
#define TIME_MAX_LOG 253402300799.0   /* 9999-12-31 23:59:59: keeps the date 19 wide */

enum { F_MEAS, F_STATS, F_TRACK, F_N };

/* Column names sit over their columns: numbers are right-aligned, names
 * left-aligned, one space between columns (the formats in the writers). */
#define HDR_TIME "   Date (UTC) Time  "

static const struct {
	const char *file;
	const char *header;
} logs[F_N] = {
	[F_MEAS] = { "measurements.log",
		     HDR_TIME "Source          L St Poll     Offset  Peer del. Peer disp."
			      "  Root del. Root disp. Refid    Verdict" },
	[F_STATS] = { "statistics.log",
		      HDR_TIME "Source           Std dev'n Est offset  Offset sd   Freq ppm"
			       "   Skew ppm  Ns  Nu       Span" },
	[F_TRACK] = { "tracking.log",
		      HDR_TIME "Reference       Refid    St   Freq ppm   Skew ppm     Offset"
			       " L Co  Offset sd Rem. corr. Root delay Root disp. Max. error" },
};

struct synclog {
	double logchange;
	FILE *f[F_N];              /* NULL: not logged */
	char path[F_N][PATH_MAX];
	int file_errno[F_N];       /* of each file's latest line, 0 if written */
	struct synclog_errors err;
};

/* Open for appending; *empty says whether the file has no lines yet. */
static FILE *open_log(const char *path, int *empty)
{
	struct stat st;
	FILE *f;
	int fd, e;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !(f = fdopen(fd, "a"))) {
		e = errno;
		close(fd);
		errno = e;
		return NULL;
	}
	*empty = st.st_size == 0;
	return f;
}

/* Push the line out now, so tail -f sees it. A failed write (disk full) is
 * counted and dropped: stdio's buffer is emptied so the line neither blocks
 * the next one nor turns up later, half written, between two others. */
static void flush(struct synclog *l, int which)
{
	FILE *f = l->f[which];
	int e = 0;

	if (fflush(f) != 0 || ferror(f)) {
		e = errno ? errno : EIO;
		l->err.lines_lost++;
		__fpurge(f);
		clearerr(f);
	}
	l->file_errno[which] = e;
	l->err.last_errno = 0;
	for (int i = 0; i < F_N && !l->err.last_errno; i++)
		l->err.last_errno = l->file_errno[i];
}

static void banner(struct synclog *l, int which)
{
	FILE *f = l->f[which];
	const char *h = logs[which].header;
	int w = (int)strlen(h);
	char rule[256];

	if (w > (int)sizeof(rule))
		w = (int)sizeof(rule);
	memset(rule, '=', (size_t)w);
	fprintf(f, "%.*s\n%s\n%.*s\n", w, rule, h, w, rule);
	flush(l, which);
}

/* "YYYY-MM-DD HH:MM:SS", UTC; times outside 1970..9999 are clamped. */
static void fmt_time(double t, char *out, size_t len)
{
	struct tm tm;
	time_t s;

	if (!(t >= 0))
		t = 0;
	if (t > TIME_MAX_LOG)
		t = TIME_MAX_LOG;
	s = (time_t)floor(t);
	if (!gmtime_r(&s, &tm) || !strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(out, len, "1970-01-01 00:00:00");
}

/* A name as one column: blanks and control characters become '_',
 * nothing at all becomes "-". */
static const char *column(const char *s, char *buf, size_t len)
{
	size_t i;

	if (!s || !*s)
		return "-";
	for (i = 0; s[i] && i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];
		buf[i] = c <= ' ' || c == 0x7f ? '_' : (char)c;
	}
	buf[i] = '\0';
	return buf;
}

/* chrony's leap column: N normal, + insert, - delete, ? unsynchronised. */
static char leap_char(int leap)
{
	switch (leap) {
	case 0:
		return 'N';
	case 1:
		return '+';
	case 2:
		return '-';
	default:
		return '?';
	}
}

struct synclog *synclog_open(const struct synclog_config *cfg)
{
	struct synclog *l;
	int e, empty;

	if (!cfg || !(cfg->logchange >= 0)) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->logchange = cfg->logchange;
	if (!cfg->dir || !cfg->dir[0])
		return l;

	const int want[F_N] = { cfg->measurements, cfg->statistics, cfg->tracking };
	for (int i = 0; i < F_N; i++) {
		if (!want[i])
			continue;
		if (snprintf(l->path[i], sizeof(l->path[i]), "%s/%s", cfg->dir, logs[i].file) >=
		    (int)sizeof(l->path[i])) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		if (!(l->f[i] = open_log(l->path[i], &empty)))
			goto fail;
		if (empty)
			banner(l, i);
	}
	return l;
fail:
	e = errno;
	synclog_close(l);
	errno = e;
	return NULL;
}

void synclog_close(struct synclog *l)
{
	if (!l)
		return;
	for (int i = 0; i < F_N; i++)
		if (l->f[i])
			fclose(l->f[i]);
	free(l);
}

int synclog_cycle(struct synclog *l)
{
	int n = 0, err = 0, empty;
	FILE *f;

	if (!l)
		return -EINVAL;
	for (int i = 0; i < F_N; i++) {
		if (!l->f[i])
			continue;
		/* Open the new file before closing the old one, so a failure
		 * leaves the line going somewhere. */
		if (!(f = open_log(l->path[i], &empty))) {
			if (!err)
				err = errno;
			continue;
		}
		fclose(l->f[i]);
		l->f[i] = f;
		banner(l, i);
		n++;
	}
	return err ? -err : n;
}

void synclog_measurement(struct synclog *l, const struct synclog_measurement *m)
{
	char when[32], src[NAME_MAX_LOG], verdict[32];
	FILE *f;

	if (!l || !m || !(f = l->f[F_MEAS]))
		return;
	fmt_time(m->unix_time, when, sizeof(when));
	fprintf(f, "%s %-15s %c %2d %4d %10.3e %10.3e %10.3e %10.3e %10.3e %08X %s\n", when,
		column(m->source, src, sizeof(src)), leap_char(m->leap), m->stratum, m->poll,
		m->offset, m->delay, m->dispersion, m->root_delay, m->root_dispersion,
		(unsigned int)m->refid, column(m->verdict, verdict, sizeof(verdict)));
	flush(l, F_MEAS);
}

void synclog_statistics(struct synclog *l, const struct synclog_statistics *s)
{
	char when[32], src[NAME_MAX_LOG];
	FILE *f;

	if (!l || !s || !(f = l->f[F_STATS]))
		return;
	fmt_time(s->unix_time, when, sizeof(when));
	fprintf(f, "%s %-15s %10.3e %10.3e %10.3e %10.3e %10.3e %3u %3u %10.3e\n", when,
		column(s->source, src, sizeof(src)), s->offset_sd, s->offset, s->offset_sd_est,
		s->freq_ppm, s->skew_ppm, s->n_samples, s->n_used, s->span);
	flush(l, F_STATS);
}

void synclog_tracking(struct synclog *l, const struct synclog_tracking *t)
{
	char when[32], ref[NAME_MAX_LOG];
	FILE *f;

	if (!l || !t || !(f = l->f[F_TRACK]))
		return;
	fmt_time(t->unix_time, when, sizeof(when));
	fprintf(f, "%s %-15s %08X %2d %10.3f %10.3f %10.3e %c %2u %10.3e %10.3e %10.3e %10.3e %10.3e\n",
		when, column(t->reference, ref, sizeof(ref)), (unsigned int)t->refid, t->stratum,
		t->freq_ppm, t->skew_ppm, t->offset, leap_char(t->leap), t->n_combined,
		t->offset_sd, t->rem_correction, t->root_delay, t->root_dispersion, t->max_error);
	flush(l, F_TRACK);
}

int synclog_is_change(const struct synclog *l, double offset)
{
	return l && fabs(offset) > l->logchange;
}

void synclog_errors(const struct synclog *l, struct synclog_errors *out)
{
	if (l)
		*out = l->err;
	else
		memset(out, 0, sizeof(*out));
}
