/*
 * synclog: chrony-style statistics logs in the directory set by `logdir`.
 * measurements.log gets a line per upstream measurement, statistics.log a
 * line per regression of a source, tracking.log a line per clock update.
 * Each line is the UTC date and time then fixed-width, space-separated
 * columns (docs/LOGS.md lists them); a file gets a banner of column names
 * when it is created and after every synclog_cycle. Lines are flushed as
 * they are written, so `tail -f` follows them.
 *
 * Files are opened in append mode and kept open; after logrotate has moved
 * them, synclog_cycle (linetimectl cyclelogs) opens new ones. Nothing is
 * allocated after synclog_open except stdio's buffers. The module never
 * reads a clock: every line carries the caller's unix_time.
 */
#ifndef LT_SYNCLOG_H
#define LT_SYNCLOG_H

#include <stdint.h>

struct synclog;

struct synclog_config {
	const char *dir;       /* NULL or "" = log nothing */
	int measurements;      /* log.measurements: write measurements.log */
	int statistics;        /* log.statistics: write statistics.log */
	int tracking;          /* log.tracking: write tracking.log */
	double logchange;      /* s: synclog_is_change threshold, >= 0 */
};

/* One upstream measurement and what srcfilter made of it. Offsets are
 * source minus local (positive: the local clock is behind), as srcfilter
 * reports them. */
struct synclog_measurement {
	double unix_time;          /* s since 1970, UTC */
	const char *source;        /* host name or address */
	int leap;                  /* NTP_LEAP_* the source sent */
	int stratum;
	int poll;                  /* log2 s */
	double offset;             /* s: theta */
	double delay;              /* s: delta */
	double dispersion;         /* s: epsilon */
	double root_delay;         /* s */
	double root_dispersion;    /* s */
	uint32_t refid;            /* host order */
	const char *verdict;       /* "accepted", "popcorn", "held", "step" */
};

/* One source's regression (srcfilter_estimate). */
struct synclog_statistics {
	double unix_time;          /* s since 1970, UTC */
	const char *source;
	double offset_sd;          /* s: scatter of the samples about the fit */
	double offset;             /* s: estimated offset, source minus local */
	double offset_sd_est;      /* s: standard error of that offset */
	double freq_ppm;           /* residual frequency error of the local clock */
	double skew_ppm;           /* its standard error */
	unsigned int n_samples;    /* in the register */
	unsigned int n_used;       /* by the fit */
	double span;               /* s: from the oldest sample used to the newest */
};

/* One clock update (srcselect result and discipline state). */
struct synclog_tracking {
	double unix_time;          /* s since 1970, UTC */
	const char *reference;     /* system peer's name; NULL when there is none */
	uint32_t refid;            /* what we advertise, host order */
	int stratum;               /* ours */
	double freq_ppm;           /* absolute frequency correction */
	double skew_ppm;           /* its uncertainty */
	double offset;             /* s: combined offset, source minus local */
	int leap;                  /* NTP_LEAP_* we advertise */
	unsigned int n_combined;
	double offset_sd;          /* s */
	double rem_correction;     /* s: phase still being slewed from the last update */
	double root_delay;         /* s */
	double root_dispersion;    /* s */
	double max_error;          /* s */
};

/* Open (create or append) the enabled files in cfg->dir. A NULL or empty
 * dir gives a handle that logs nothing. NULL with errno set on failure
 * (ENOENT: no such dir; EINVAL: bad cfg); the caller logs it. */
struct synclog *synclog_open(const struct synclog_config *cfg);

/* Close the files and free the handle (NULL is fine). */
void synclog_close(struct synclog *l);

/* Reopen every open file by its name, with a fresh banner: the number
 * reopened, or -errno of the first failure (that file keeps its old
 * stream, so nothing is lost). */
int synclog_cycle(struct synclog *l);

/* Append a line to measurements.log, if enabled. */
void synclog_measurement(struct synclog *l, const struct synclog_measurement *m);

/* Append a line to statistics.log, if enabled. */
void synclog_statistics(struct synclog *l, const struct synclog_statistics *s);

/* Append a line to tracking.log, if enabled. */
void synclog_tracking(struct synclog *l, const struct synclog_tracking *t);

/* 1 when |offset| > logchange (the caller then writes a syslog warning),
 * else 0; nothing else. */
int synclog_is_change(const struct synclog *l, double offset);

/* Lines the files did not take (a full or failing disk): a line that fails
 * is dropped, never retried, so serving and syncing go on. */
struct synclog_errors {
	uint64_t lines_lost;       /* since synclog_open */
	int last_errno;            /* a file whose latest line was lost: why; else 0 */
};

/* The write errors so far (all zero for a NULL handle). */
void synclog_errors(const struct synclog *l, struct synclog_errors *out);

#endif
