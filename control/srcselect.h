/*
 * srcselect: which upstream sources to believe, and what they say together.
 * Given each source's srcfilter estimate it sets aside the unusable ones
 * (unreachable, unsynchronised, too few samples, too far), finds the
 * largest clique whose correctness intervals [offset - lambda, offset +
 * lambda] share a point (Marzullo's intersection, RFC 5905 section
 * 11.2.1) and calls the rest falsetickers, picks the system peer (a
 * preferred truechimer if any, else the lowest distance plus a stratum
 * weight, with hysteresis) and combines the truechimers within
 * combinelimit of the peer's distance: offset weighted by 1/distance
 * (RFC 5905 section 11.2.3), frequency by 1/skew^2. Ranking and weights
 * use lambda without its PHI * age term (see srcselect.c); intervals use
 * the full lambda.
 *
 * Holds only the previous system peer between runs; never reads a clock.
 */
#ifndef LT_SRCSELECT_H
#define LT_SRCSELECT_H

#include "srcfilter.h"

#define SRCSELECT_MAX 16

enum srcselect_status {
	SRCSEL_SYSPEER = 0,    /* chrony '*': the system peer, combined */
	SRCSEL_COMBINED,       /* '+': truechimer, combined */
	SRCSEL_SELECTABLE,     /* '-': truechimer, too far from the peer to combine */
	SRCSEL_CANDIDATE,      /* usable, but nothing was selected (no majority, minsources) */
	SRCSEL_FALSETICKER,    /* 'x': outside the majority's intersection */
	SRCSEL_UNREACHABLE,    /* '?': reach register is zero */
	SRCSEL_UNSYNC,         /* leap 3, stratum 0 or >= 16 */
	SRCSEL_TOO_FEW,        /* fewer than minsamples in the register */
	SRCSEL_DISTANCE,       /* root distance above maxdistance */
	SRCSEL_NOSELECT,       /* configured noselect */
};

enum srcselect_outcome {
	SRCSELECT_OK = 0,
	SRCSELECT_NO_SOURCES,   /* no usable source */
	SRCSELECT_NO_MAJORITY,  /* usable sources, but no interval shared by a majority */
	SRCSELECT_MINSOURCES,   /* fewer truechimers than minsources */
};

struct srcselect_config {
	unsigned int minsources;   /* chrony minsources (0 = 1) */
	unsigned int minsamples;   /* samples a source needs (0 = 2) */
	double maxdistance;        /* s: chrony maxdistance (0 = 3) */
	double combinelimit;       /* chrony combinelimit (0 = 3; < 0 = combine only the peer) */
	double stratumweight;      /* s per stratum added to the peer score (chrony default 0.001) */
	double reselectdist;       /* s: a new peer must beat the old by this (chrony default 1e-4) */
};

struct srcselect_source {
	struct srcfilter_estimate est;
	int prefer;
	int noselect;
};

struct srcselect_result {
	enum srcselect_outcome outcome;
	int sys_peer;              /* index into the sources, -1 if none */
	unsigned int n_usable, n_truechimers, n_combined;
	double low, high;          /* s: the intersection interval */
	double offset;             /* s: combined source-minus-local offset */
	double offset_sd;          /* s */
	double freq;               /* combined residual frequency error */
	double skew;
	double jitter;             /* s: peer jitter and selection scatter, RMS-summed */
	double root_delay;         /* s: what we advertise (peer root delay + delay) */
	double root_dispersion;    /* s: what we advertise (RFC 5905 clock_update) */
	int stratum;               /* peer stratum + 1 */
	int leap;                  /* majority of the combined sources' leap bits */
	enum srcselect_status status[SRCSELECT_MAX];
};

struct srcselect;

/* Create a selector; NULL on a bad config or no memory. */
struct srcselect *srcselect_init(const struct srcselect_config *cfg);

/* Take new settings (a reload); 0 or -EINVAL (then nothing changed). */
int srcselect_set_config(struct srcselect *ss, const struct srcselect_config *cfg);

/* Free a selector. */
void srcselect_fini(struct srcselect *ss);

/* Select and combine n (<= SRCSELECT_MAX) sources; returns out->outcome. */
enum srcselect_outcome srcselect_run(struct srcselect *ss, const struct srcselect_source *src,
				     unsigned int n, struct srcselect_result *out);

/* Short name of a status ("sys_peer", "falseticker", ...). */
const char *srcselect_status_name(enum srcselect_status s);

/* Short name of an outcome. */
const char *srcselect_outcome_name(enum srcselect_outcome o);

#endif
