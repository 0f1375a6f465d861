/* genstats: histogram, counters and reports (see genstats.h). */
#include "genstats.h"

#include <math.h>
#include <string.h>

unsigned int genhist_bucket(uint64_t v)
{
	if (v < GENHIST_SUB)
		return (unsigned int)v;
	unsigned int e = 63U - (unsigned int)__builtin_clzll(v); /* >= SUB_BITS */
	unsigned int sub = (unsigned int)(v >> (e - GENHIST_SUB_BITS)) - GENHIST_SUB;
	return (e - GENHIST_SUB_BITS + 1) * GENHIST_SUB + sub;
}

void genhist_range(unsigned int bucket, uint64_t *lo, uint64_t *width)
{
	if (bucket < GENHIST_SUB) {
		*lo = bucket;
		*width = 1;
		return;
	}
	unsigned int e = bucket / GENHIST_SUB + GENHIST_SUB_BITS - 1;
	uint64_t sub = bucket % GENHIST_SUB;
	*width = 1ULL << (e - GENHIST_SUB_BITS);
	*lo = (GENHIST_SUB + sub) << (e - GENHIST_SUB_BITS);
}

void genhist_init(struct genhist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void genhist_add(struct genhist *h, uint64_t v)
{
	h->b[genhist_bucket(v)]++;
	h->n++;
	h->sum += (double)v;
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
}

void genhist_merge(struct genhist *into, const struct genhist *from)
{
	for (unsigned int i = 0; i < GENHIST_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->n += from->n;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

uint64_t genhist_quantile(const struct genhist *h, double q)
{
	if (h->n == 0)
		return 0;
	if (q <= 0)
		return h->min;
	uint64_t rank = (uint64_t)ceil(q * (double)h->n);
	uint64_t seen = 0;

	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	for (unsigned int i = 0; i < GENHIST_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t lo, w, v;
			genhist_range(i, &lo, &w);
			v = lo + w / 2;
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	return h->max;
}

/* --- T3 - T4 ------------------------------------------------------------ */

void gentxerr_init(struct gentxerr *h)
{
	memset(h, 0, sizeof(*h));
	h->min = INT64_MAX;
	h->max = INT64_MIN;
}

void gentxerr_add(struct gentxerr *h, int64_t ns)
{
	h->n++;
	h->sum += (double)ns;
	h->sumsq += (double)ns * (double)ns;
	if (ns < h->min)
		h->min = ns;
	if (ns > h->max)
		h->max = ns;
	if (ns < -GENTXERR_RANGE_NS)
		h->below++;
	else if (ns >= GENTXERR_RANGE_NS)
		h->above++;
	else
		h->b[(ns + GENTXERR_RANGE_NS) / GENTXERR_BIN_NS]++;
}

void gentxerr_merge(struct gentxerr *into, const struct gentxerr *from)
{
	for (unsigned int i = 0; i < GENTXERR_BINS; i++)
		into->b[i] += from->b[i];
	into->n += from->n;
	into->below += from->below;
	into->above += from->above;
	into->sum += from->sum;
	into->sumsq += from->sumsq;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

int64_t gentxerr_quantile(const struct gentxerr *h, double q)
{
	if (h->n == 0)
		return 0;
	uint64_t rank = (uint64_t)ceil(q * (double)h->n);
	if (rank < 1)
		rank = 1;
	if (rank > h->n)
		rank = h->n;
	if (rank <= h->below)
		return h->min;
	uint64_t seen = h->below;
	for (unsigned int i = 0; i < GENTXERR_BINS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			int64_t v = (int64_t)i * GENTXERR_BIN_NS - GENTXERR_RANGE_NS + GENTXERR_BIN_NS / 2;
			return v < h->min ? h->min : v > h->max ? h->max : v;
		}
	}
	return h->max;
}

static void txerr_summarise(const struct gentxerr *h, struct gentxerr_summary *o)
{
	memset(o, 0, sizeof(*o));
	o->n = h->n;
	if (!h->n)
		return;
	double mean = h->sum / (double)h->n;
	double var = h->sumsq / (double)h->n - mean * mean;
	o->mean = mean / 1e3;
	o->sd = (var > 0 ? sqrt(var) : 0) / 1e3;
	o->min = (double)h->min / 1e3;
	o->max = (double)h->max / 1e3;
	o->p1 = (double)gentxerr_quantile(h, 0.01) / 1e3;
	o->p10 = (double)gentxerr_quantile(h, 0.10) / 1e3;
	o->p50 = (double)gentxerr_quantile(h, 0.50) / 1e3;
	o->p90 = (double)gentxerr_quantile(h, 0.90) / 1e3;
	o->p99 = (double)gentxerr_quantile(h, 0.99) / 1e3;
}

/* --- counters ------------------------------------------------------------ */

void genstats_init(struct genstats *s)
{
	memset(s, 0, sizeof(*s));
	genhist_init(&s->latency_ns);
	s->off_min = INFINITY;
	s->off_max = -INFINITY;
	gentxerr_init(&s->txerr[0]);
	gentxerr_init(&s->txerr[1]);
}

void genstats_merge(struct genstats *into, const struct genstats *from)
{
	into->sent += from->sent;
	into->replied += from->replied;
	into->answered_invalid += from->answered_invalid;
	for (unsigned int i = 0; i < GENVAL_MAX; i++)
		into->invalid[i] += from->invalid[i];
	into->ignored += from->ignored;
	into->neigh_answered += from->neigh_answered;
	into->tx_refused += from->tx_refused;
	into->pace_skipped += from->pace_skipped;
	into->slot_reused += from->slot_reused;
	genhist_merge(&into->latency_ns, &from->latency_ns);
	into->off_n += from->off_n;
	into->off_sum += from->off_sum;
	into->off_sumsq += from->off_sumsq;
	if (from->off_min < into->off_min)
		into->off_min = from->off_min;
	if (from->off_max > into->off_max)
		into->off_max = from->off_max;
	gentxerr_merge(&into->txerr[0], &from->txerr[0]);
	gentxerr_merge(&into->txerr[1], &from->txerr[1]);
}

void genstats_txerr(struct genstats *s, int interleaved, int64_t ns)
{
	gentxerr_add(&s->txerr[interleaved ? GENTX_INTERLEAVED : GENTX_BASIC], ns);
}

void genstats_reply(struct genstats *s, uint64_t latency_ns, double offset_s)
{
	s->replied++;
	genhist_add(&s->latency_ns, latency_ns);
	s->off_n++;
	s->off_sum += offset_s;
	s->off_sumsq += offset_s * offset_s;
	if (offset_s < s->off_min)
		s->off_min = offset_s;
	if (offset_s > s->off_max)
		s->off_max = offset_s;
}

void genstats_summarise(const struct genstats *s, uint64_t offered_pps, double duration_s,
			struct genstats_summary *m)
{
	const struct genhist *h = &s->latency_ns;
	uint64_t invalid = 0;

	memset(m, 0, sizeof(*m));
	for (unsigned int i = 1; i < GENVAL_MAX; i++)
		invalid += s->invalid[i];
	m->offered_pps = offered_pps;
	m->duration_s = duration_s;
	m->sent = s->sent;
	m->replied = s->replied;
	m->invalid = invalid;
	m->lost = s->sent > s->replied + s->answered_invalid ? s->sent - s->replied - s->answered_invalid : 0;
	/* A request the port refused (its TX ring full: on memif, the server's
	 * RX ring) is loss at the offered rate, as a NIC's drop would be. */
	uint64_t offered = s->sent + s->tx_refused;
	m->loss_pct = offered ? 100.0 * (double)(offered - (s->replied < offered ? s->replied : offered)) /
					(double)offered
			      : 0.0;
	if (duration_s > 0) {
		m->tx_pps = (double)s->sent / duration_s;
		m->reply_pps = (double)s->replied / duration_s;
	}
	if (h->n) {
		m->lat_min_us = (double)h->min / 1e3;
		m->lat_p50_us = (double)genhist_quantile(h, 0.5) / 1e3;
		m->lat_p99_us = (double)genhist_quantile(h, 0.99) / 1e3;
		m->lat_p999_us = (double)genhist_quantile(h, 0.999) / 1e3;
		m->lat_max_us = (double)h->max / 1e3;
		m->lat_mean_us = h->sum / (double)h->n / 1e3;
	}
	if (s->off_n) {
		double mean = s->off_sum / (double)s->off_n;
		double var = s->off_sumsq / (double)s->off_n - mean * mean;
		m->off_mean_us = mean * 1e6;
		m->off_sd_us = (var > 0 ? sqrt(var) : 0) * 1e6;
		m->off_min_us = s->off_min * 1e6;
		m->off_max_us = s->off_max * 1e6;
	}
	txerr_summarise(&s->txerr[0], &m->tx[0]);
	txerr_summarise(&s->txerr[1], &m->tx[1]);
}

/* --- reports ------------------------------------------------------------- */

static void rate_str(char *b, size_t n, double pps)
{
	if (pps >= 1e6)
		snprintf(b, n, "%.3f Mpps", pps / 1e6);
	else if (pps >= 1e3)
		snprintf(b, n, "%.1f kpps", pps / 1e3);
	else
		snprintf(b, n, "%.0f pps", pps);
}

void genstats_print_table(FILE *f, const char *title, const struct genstats *s,
			  const struct genstats_summary *m)
{
	char offered[32], tx[32], rx[32];

	if (m->offered_pps)
		rate_str(offered, sizeof(offered), (double)m->offered_pps);
	else
		snprintf(offered, sizeof(offered), "as fast as possible");
	rate_str(tx, sizeof(tx), m->tx_pps);
	rate_str(rx, sizeof(rx), m->reply_pps);
	if (title)
		fprintf(f, "%s\n", title);
	fprintf(f, "  offered     %s for %.3f s\n", offered, m->duration_s);
	fprintf(f, "  sent        %llu (%s)\n", (unsigned long long)m->sent, tx);
	fprintf(f, "  replied     %llu (%s)\n", (unsigned long long)m->replied, rx);
	fprintf(f, "  lost        %llu\n", (unsigned long long)m->lost);
	fprintf(f, "  invalid     %llu\n", (unsigned long long)m->invalid);
	for (unsigned int i = 1; i < GENVAL_MAX; i++)
		if (s->invalid[i])
			fprintf(f, "    %-10s %llu  (%s)\n", genval_reason_name(i),
				(unsigned long long)s->invalid[i], genval_reason_help(i));
	fprintf(f, "  loss        %.4f %%\n", m->loss_pct);
	if (s->latency_ns.n)
		fprintf(f, "  latency us  min %.1f  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  mean %.1f\n",
			m->lat_min_us, m->lat_p50_us, m->lat_p99_us, m->lat_p999_us, m->lat_max_us,
			m->lat_mean_us);
	if (s->off_n)
		fprintf(f, "  offset us   mean %+.2f  sd %.2f  min %+.2f  max %+.2f\n", m->off_mean_us,
			m->off_sd_us, m->off_min_us, m->off_max_us);
	for (int k = 0; k < 2; k++) {
		const struct gentxerr_summary *t = &m->tx[k];
		if (t->n)
			fprintf(f, "  T3-T4 us    %s: n %llu  p1 %+.2f  p10 %+.2f  p50 %+.2f  p90 %+.2f  p99 %+.2f  sd %.2f\n",
				k ? "interleaved" : "basic", (unsigned long long)t->n, t->p1, t->p10,
				t->p50, t->p90, t->p99, t->sd);
	}
	if (s->tx_refused || s->pace_skipped || s->slot_reused)
		fprintf(f, "  not held    port refused %llu, pacer skipped %llu, slots reused unanswered %llu\n",
			(unsigned long long)s->tx_refused, (unsigned long long)s->pace_skipped,
			(unsigned long long)s->slot_reused);
	if (s->ignored || s->neigh_answered)
		fprintf(f, "  other       %llu frames ignored, %llu ARP/ND answered\n",
			(unsigned long long)s->ignored, (unsigned long long)s->neigh_answered);
}

void genstats_print_json(FILE *f, const struct genstats *s, const struct genstats_summary *m,
			 int indent)
{
	int in = indent;

	fprintf(f, "{\n");
	fprintf(f, "%*s\"offered_pps\": %llu,\n", in + 2, "", (unsigned long long)m->offered_pps);
	fprintf(f, "%*s\"duration_s\": %.6f,\n", in + 2, "", m->duration_s);
	fprintf(f, "%*s\"sent\": %llu,\n", in + 2, "", (unsigned long long)m->sent);
	fprintf(f, "%*s\"replied\": %llu,\n", in + 2, "", (unsigned long long)m->replied);
	fprintf(f, "%*s\"lost\": %llu,\n", in + 2, "", (unsigned long long)m->lost);
	fprintf(f, "%*s\"invalid\": %llu,\n", in + 2, "", (unsigned long long)m->invalid);
	fprintf(f, "%*s\"invalid_by_reason\": {", in + 2, "");
	for (unsigned int i = 1; i < GENVAL_MAX; i++)
		fprintf(f, "%s\"%s\": %llu", i > 1 ? ", " : "", genval_reason_name(i),
			(unsigned long long)s->invalid[i]);
	fprintf(f, "},\n");
	fprintf(f, "%*s\"loss_pct\": %.6f,\n", in + 2, "", m->loss_pct);
	fprintf(f, "%*s\"tx_pps\": %.1f,\n", in + 2, "", m->tx_pps);
	fprintf(f, "%*s\"reply_pps\": %.1f,\n", in + 2, "", m->reply_pps);
	fprintf(f, "%*s\"latency_us\": {\"min\": %.3f, \"p50\": %.3f, \"p99\": %.3f, \"p999\": %.3f, "
		   "\"max\": %.3f, \"mean\": %.3f},\n",
		in + 2, "", m->lat_min_us, m->lat_p50_us, m->lat_p99_us, m->lat_p999_us, m->lat_max_us,
		m->lat_mean_us);
	fprintf(f, "%*s\"offset_us\": {\"n\": %llu, \"mean\": %.3f, \"stddev\": %.3f, \"min\": %.3f, "
		   "\"max\": %.3f},\n",
		in + 2, "", (unsigned long long)s->off_n, m->off_mean_us, m->off_sd_us, m->off_min_us,
		m->off_max_us);
	fprintf(f, "%*s\"tx_error_us\": {", in + 2, "");
	for (int k = 0; k < 2; k++) {
		const struct gentxerr_summary *t = &m->tx[k];
		fprintf(f, "%s\"%s\": {\"n\": %llu, \"mean\": %.3f, \"stddev\": %.3f, \"min\": %.3f, "
			   "\"p1\": %.3f, \"p10\": %.3f, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
			   "\"max\": %.3f}",
			k ? ", " : "", k ? "interleaved" : "basic", (unsigned long long)t->n, t->mean,
			t->sd, t->min, t->p1, t->p10, t->p50, t->p90, t->p99, t->max);
	}
	fprintf(f, "},\n");
	fprintf(f, "%*s\"tx_refused\": %llu,\n", in + 2, "", (unsigned long long)s->tx_refused);
	fprintf(f, "%*s\"pace_skipped\": %llu,\n", in + 2, "", (unsigned long long)s->pace_skipped);
	fprintf(f, "%*s\"slot_reused\": %llu,\n", in + 2, "", (unsigned long long)s->slot_reused);
	fprintf(f, "%*s\"ignored\": %llu,\n", in + 2, "", (unsigned long long)s->ignored);
	fprintf(f, "%*s\"neigh_answered\": %llu\n", in + 2, "", (unsigned long long)s->neigh_answered);
	fprintf(f, "%*s}", in, "");
}
