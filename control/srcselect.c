/* srcselect: falseticker rejection, system peer, combination. */
#include "srcselect.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_packet.h"

struct srcselect {
	struct srcselect_config cfg;
	int prev_peer;
};

struct edge {
	double x;
	int type;   /* +1 lower end, -1 upper end */
};

static int normalise(const struct srcselect_config *cfg, struct srcselect_config *out)
{
	if (!cfg || cfg->minsources > SRCSELECT_MAX || !(cfg->maxdistance >= 0) ||
	    !(cfg->stratumweight >= 0) || !(cfg->reselectdist >= 0) || isnan(cfg->combinelimit))
		return -EINVAL;
	*out = *cfg;
	if (!out->minsources)
		out->minsources = 1;
	if (!out->minsamples)
		out->minsamples = 2;
	if (out->maxdistance == 0)
		out->maxdistance = 3.0;
	if (out->combinelimit == 0)
		out->combinelimit = 3.0;
	return 0;
}

struct srcselect *srcselect_init(const struct srcselect_config *cfg)
{
	struct srcselect_config c;
	struct srcselect *ss;

	if (normalise(cfg, &c) != 0)
		return NULL;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return NULL;
	ss->cfg = c;
	ss->prev_peer = -1;
	return ss;
}

int srcselect_set_config(struct srcselect *ss, const struct srcselect_config *cfg)
{
	return normalise(cfg, &ss->cfg);
}

void srcselect_fini(struct srcselect *ss)
{
	free(ss);
}

static int cmp_edge(const void *a, const void *b)
{
	const struct edge *x = a, *y = b;

	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	/* Lower ends first, so intervals that only touch still intersect. */
	return y->type - x->type;
}

static enum srcselect_status usability(const struct srcselect_config *cfg, const struct srcselect_source *s)
{
	const struct srcfilter_estimate *e = &s->est;

	if (s->noselect)
		return SRCSEL_NOSELECT;
	if (!e->reach)
		return SRCSEL_UNREACHABLE;
	if (!e->valid || e->leap == NTP_LEAP_UNSYNC || e->stratum <= 0 || e->stratum >= 16)
		return SRCSEL_UNSYNC;
	if (e->n_samples < cfg->minsamples)
		return SRCSEL_TOO_FEW;
	if (!(e->root_distance <= cfg->maxdistance))
		return SRCSEL_DISTANCE;
	return SRCSEL_CANDIDATE;
}

/*
 * RFC 5905 section 11.2.1: allow f falsetickers, starting from none; the
 * intersection is the span from the lowest point covered by at least m - f
 * intervals to the highest such point. The first f (< m/2) for which that
 * span is not empty wins. Returns 0 and [low, high], or -1: no majority.
 */
static int intersect(const struct srcselect_source *src, const int *cand, unsigned int m,
		     double *low, double *high)
{
	struct edge e[2 * SRCSELECT_MAX];

	for (unsigned int i = 0; i < m; i++) {
		const struct srcfilter_estimate *s = &src[cand[i]].est;
		e[2 * i] = (struct edge){s->offset - s->root_distance, +1};
		e[2 * i + 1] = (struct edge){s->offset + s->root_distance, -1};
	}
	qsort(e, 2 * m, sizeof(e[0]), cmp_edge);
	for (unsigned int f = 0; 2 * f < m; f++) {
		int need = (int)(m - f), count = 0;
		double lo = NAN, hi = NAN;
		for (unsigned int k = 0; k < 2 * m; k++) {
			count += e[k].type;
			if (count >= need) {
				lo = e[k].x;
				break;
			}
		}
		count = 0;
		for (unsigned int k = 2 * m; k-- > 0;) {
			count -= e[k].type;
			if (count >= need) {
				hi = e[k].x;
				break;
			}
		}
		if (!isnan(lo) && !isnan(hi) && lo <= hi) {
			*low = lo;
			*high = hi;
			return 0;
		}
	}
	return -1;
}

/* Distance for ranking and weighting: lambda without its PHI * age growth.
 * That term bounds an undisciplined clock (RFC 5905 section 11.2) and
 * belongs in the correctness interval, but our frequency is measured (skew
 * * age stays in), and with it a source polled 1024 s ago would look 15 ms
 * worse than one polled just now and never be combined (chrony grows
 * dispersion at maxclockerror, 1 ppm, for the same reason). */
static double rank_distance(const struct srcfilter_estimate *e)
{
	return fmax(e->root_distance - SRCFILTER_PHI * e->age, 1e-9);
}

static double score(const struct srcselect_config *cfg, const struct srcfilter_estimate *e)
{
	return rank_distance(e) + cfg->stratumweight * e->stratum;
}

static int pick_peer(struct srcselect *ss, const struct srcselect_source *src, const int *tc, unsigned int m)
{
	int any_prefer = 0, best = -1;

	for (unsigned int i = 0; i < m; i++)
		any_prefer |= src[tc[i]].prefer;
	for (unsigned int i = 0; i < m; i++) {
		int k = tc[i];
		if (any_prefer && !src[k].prefer)
			continue;
		if (best < 0 || score(&ss->cfg, &src[k].est) < score(&ss->cfg, &src[best].est))
			best = k;
	}
	/* Keep the previous peer unless the new one is clearly better, so
	 * near-equal sources do not take turns (chrony reselectdist). */
	for (unsigned int i = 0; i < m; i++) {
		int k = tc[i];
		if (k == ss->prev_peer && k != best && (!any_prefer || src[k].prefer) &&
		    score(&ss->cfg, &src[k].est) <= score(&ss->cfg, &src[best].est) + ss->cfg.reselectdist)
			return k;
	}
	return best;
}

enum srcselect_outcome srcselect_run(struct srcselect *ss, const struct srcselect_source *src,
				     unsigned int n, struct srcselect_result *out)
{
	int cand[SRCSELECT_MAX], tc[SRCSELECT_MAX];
	unsigned int m = 0, ntc = 0;

	memset(out, 0, sizeof(*out));
	out->sys_peer = -1;
	out->stratum = 16;
	out->leap = NTP_LEAP_UNSYNC;
	if (n > SRCSELECT_MAX)
		n = SRCSELECT_MAX;
	for (unsigned int i = 0; i < n; i++) {
		out->status[i] = usability(&ss->cfg, &src[i]);
		if (out->status[i] == SRCSEL_CANDIDATE)
			cand[m++] = (int)i;
	}
	out->n_usable = m;
	if (!m) {
		ss->prev_peer = -1;
		return out->outcome = SRCSELECT_NO_SOURCES;
	}
	if (intersect(src, cand, m, &out->low, &out->high) != 0) {
		ss->prev_peer = -1;
		return out->outcome = SRCSELECT_NO_MAJORITY;
	}
	for (unsigned int i = 0; i < m; i++) {
		const struct srcfilter_estimate *e = &src[cand[i]].est;
		/* A truechimer's interval overlaps the intersection. */
		if (e->offset + e->root_distance < out->low || e->offset - e->root_distance > out->high)
			out->status[cand[i]] = SRCSEL_FALSETICKER;
		else
			tc[ntc++] = cand[i];
	}
	out->n_truechimers = ntc;
	if (ntc < ss->cfg.minsources) {
		ss->prev_peer = -1;
		return out->outcome = SRCSELECT_MINSOURCES;
	}

	int peer = pick_peer(ss, src, tc, ntc);
	const struct srcfilter_estimate *p = &src[peer].est;
	double lim = ss->cfg.combinelimit < 0 ? 0 : ss->cfg.combinelimit * rank_distance(p);
	double wo = 0, so = 0, sd2 = 0, wf = 0, sf = 0;
	int votes[4] = {0, 0, 0, 0};

	ss->prev_peer = peer;
	out->sys_peer = peer;
	for (unsigned int i = 0; i < ntc; i++) {
		int k = tc[i];
		const struct srcfilter_estimate *e = &src[k].est;
		if (k != peer && rank_distance(e) > lim) {
			out->status[k] = SRCSEL_SELECTABLE;
			continue;
		}
		out->status[k] = k == peer ? SRCSEL_SYSPEER : SRCSEL_COMBINED;
		double w = 1.0 / rank_distance(e);
		double v = 1.0 / fmax(e->skew * e->skew, 1e-24);
		wo += w;
		so += w * e->offset;
		sd2 += w * w * e->offset_sd * e->offset_sd;
		wf += v;
		sf += v * e->freq;
		votes[e->leap & 3]++;
		out->n_combined++;
	}
	out->offset = so / wo;
	out->offset_sd = sqrt(sd2) / wo;
	out->freq = sf / wf;
	out->skew = 1.0 / sqrt(wf);

	double sel2 = 0;
	for (unsigned int i = 0; i < ntc; i++) {
		const struct srcfilter_estimate *e = &src[tc[i]].est;
		if (out->status[tc[i]] == SRCSEL_SELECTABLE)
			continue;
		double d = e->offset - out->offset;
		sel2 += d * d / rank_distance(e) / wo;
	}
	out->jitter = sqrt(p->jitter * p->jitter + sel2);
	out->root_delay = p->root_delay + p->delay;
	/* RFC 5905 appendix A.5.5.6 clock_update: the peer's root dispersion
	 * and dispersion, the jitter, and the offset about to be corrected. */
	out->root_dispersion = p->root_dispersion + p->dispersion + out->jitter + fabs(out->offset);
	out->stratum = p->stratum + 1;
	out->leap = NTP_LEAP_NONE;
	for (int l = NTP_LEAP_INSERT; l <= NTP_LEAP_DELETE; l++)
		if (2 * votes[l] > (int)out->n_combined)
			out->leap = l;
	return out->outcome = SRCSELECT_OK;
}

const char *srcselect_status_name(enum srcselect_status s)
{
	switch (s) {
	case SRCSEL_SYSPEER:
		return "sys_peer";
	case SRCSEL_COMBINED:
		return "combined";
	case SRCSEL_SELECTABLE:
		return "selectable";
	case SRCSEL_CANDIDATE:
		return "candidate";
	case SRCSEL_FALSETICKER:
		return "falseticker";
	case SRCSEL_UNREACHABLE:
		return "unreachable";
	case SRCSEL_UNSYNC:
		return "unsync";
	case SRCSEL_TOO_FEW:
		return "too_few";
	case SRCSEL_DISTANCE:
		return "distance";
	case SRCSEL_NOSELECT:
		return "noselect";
	}
	return "?";
}

const char *srcselect_outcome_name(enum srcselect_outcome o)
{
	switch (o) {
	case SRCSELECT_OK:
		return "ok";
	case SRCSELECT_NO_SOURCES:
		return "no_sources";
	case SRCSELECT_NO_MAJORITY:
		return "no_majority";
	case SRCSELECT_MINSOURCES:
		return "minsources";
	}
	return "?";
}
