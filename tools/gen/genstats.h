/*
 * genstats: what linetime-gen counts and measures, and how it reports it.
 *
 * Latency goes into a log-linear histogram of fixed size (every power of two
 * split into 32 linear sub-buckets, so a percentile is within 1/64 of the
 * truth), from which p50/p99/p99.9 are read. Offsets are summarised by
 * count, mean, standard deviation, minimum and maximum. Counters: sent,
 * replied (valid), lost (never answered), invalid by reason, frames
 * ignored, sends the pacer skipped or the port refused. The server's
 * transmit timestamp against our receive time (T3 - T4, genval.h) goes
 * into a signed linear histogram per mode (basic, interleaved), fine
 * enough (50 ns) for the spread of a software timestamp. Each lcore keeps
 * its own struct; genstats_merge() adds them up for the report, which is a
 * table for people or a JSON object for scripts.
 */
#ifndef LT_GENSTATS_H
#define LT_GENSTATS_H

#include <stdint.h>
#include <stdio.h>

#include "genval.h"

#define GENHIST_SUB_BITS 5
#define GENHIST_SUB (1U << GENHIST_SUB_BITS)
#define GENHIST_BUCKETS ((64 - GENHIST_SUB_BITS + 1) * GENHIST_SUB)

struct genhist {
	uint64_t n;
	uint64_t min, max;
	double sum;
	uint64_t b[GENHIST_BUCKETS];
};

/* Bucket of value v, and the range [lo, lo + width) a bucket covers. */
unsigned int genhist_bucket(uint64_t v);
void genhist_range(unsigned int bucket, uint64_t *lo, uint64_t *width);

void genhist_init(struct genhist *h);
void genhist_add(struct genhist *h, uint64_t v);
void genhist_merge(struct genhist *into, const struct genhist *from);

/* Value at quantile q (0 < q <= 1): the middle of the bucket holding the
 * ceil(q * n)-th smallest value, kept within [min, max]. 0 if empty. */
uint64_t genhist_quantile(const struct genhist *h, double q);

/* T3 - T4 in ns: 50 ns bins over +-1 ms, values beyond counted apart. */
#define GENTXERR_BIN_NS 50
#define GENTXERR_RANGE_NS 1000000
#define GENTXERR_BINS (2 * GENTXERR_RANGE_NS / GENTXERR_BIN_NS)

struct gentxerr {
	uint64_t n, below, above;    /* all, < -range, >= +range */
	int64_t min, max;
	double sum, sumsq;           /* ns */
	uint32_t b[GENTXERR_BINS];
};

void gentxerr_init(struct gentxerr *h);
void gentxerr_add(struct gentxerr *h, int64_t ns);
void gentxerr_merge(struct gentxerr *into, const struct gentxerr *from);

/* Value (ns) at quantile q (0 < q <= 1): the middle of the bin holding the
 * ceil(q * n)-th smallest, kept within [min, max]; 0 if empty. */
int64_t gentxerr_quantile(const struct gentxerr *h, double q);

enum { GENTX_BASIC = 0, GENTX_INTERLEAVED = 1 };

struct genstats {
	uint64_t sent;               /* requests handed to the port */
	uint64_t replied;            /* valid replies */
	uint64_t answered_invalid;   /* requests whose (only) answer was invalid */
	uint64_t invalid[GENVAL_MAX];/* invalid replies by reason ([GENVAL_OK] unused) */
	uint64_t ignored;            /* other frames (not from the server's NTP port) */
	uint64_t neigh_answered;     /* ARP/ND queries for client addresses answered */
	uint64_t tx_refused;         /* requests the port did not take (TX ring full) */
	uint64_t pace_skipped;       /* requests skipped because the sender fell behind */
	uint64_t slot_reused;        /* requests still unanswered when their slot came round */
	struct genhist latency_ns;
	uint64_t off_n;
	double off_sum, off_sumsq;   /* seconds */
	double off_min, off_max;
	struct gentxerr txerr[2];    /* T3 - T4 by GENTX_* */
};

/* The summary of one T3 - T4 histogram, in us. */
struct gentxerr_summary {
	uint64_t n;
	double mean, sd, min, p1, p10, p50, p90, p99, max;
};

/* A step's figures, derived from the counters. */
struct genstats_summary {
	uint64_t offered_pps;        /* 0 = as fast as possible */
	double duration_s;           /* first to last send */
	uint64_t sent, replied, lost, invalid;
	double loss_pct;             /* 1 - replied / (sent + refused): lost, refused or invalid */
	double tx_pps, reply_pps;
	double lat_min_us, lat_p50_us, lat_p99_us, lat_p999_us, lat_max_us, lat_mean_us;
	double off_mean_us, off_sd_us, off_min_us, off_max_us;
	struct gentxerr_summary tx[2];   /* by GENTX_* */
};

void genstats_init(struct genstats *s);
void genstats_merge(struct genstats *into, const struct genstats *from);

/* Record one valid reply: latency in ns, offset in seconds. */
void genstats_reply(struct genstats *s, uint64_t latency_ns, double offset_s);

/* Record T3 - T4 (ns) of one valid reply, basic or interleaved. */
void genstats_txerr(struct genstats *s, int interleaved, int64_t ns);

void genstats_summarise(const struct genstats *s, uint64_t offered_pps, double duration_s,
			struct genstats_summary *out);

/* Human-readable block (title may be NULL). */
void genstats_print_table(FILE *f, const char *title, const struct genstats *s,
			  const struct genstats_summary *m);

/* One JSON object (no trailing newline), every key on its own line
 * indented by indent spaces. */
void genstats_print_json(FILE *f, const struct genstats *s, const struct genstats_summary *m,
			 int indent);

#endif
