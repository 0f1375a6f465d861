/* simclock: deterministic upstream-sync simulation. */
#include "simclock.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ntp_packet.h"

#define SERVER_PROCESSING 20e-6
#define LEAP_GUARD 5.0   /* s: samples this close to a leap are dropped, as chrony does */

struct sim {
	struct sim_config cfg;
	uint64_t rng[4];
	double t;            /* true time */
	double c;            /* cooked client clock, s from epoch */
	double e;            /* oscillator error */
	double freq;         /* correction in force */
	double next_tick;
	double next_poll[SIM_MAX_SERVERS];
	struct srcfilter *filt[SIM_MAX_SERVERS];
	struct srcselect *sel;
	struct discipline *disc;
	struct srcselect_result res;
	unsigned long steps;
	struct sim_point *trace;
	unsigned int n_trace, cap_trace;
	ntp_ts_t leap_at;    /* true-time instant the servers' UTC jumps */
};

/* xoshiro256** seeded through splitmix64: fast, and the same everywhere. */
static uint64_t splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next_u64(struct sim *s)
{
	uint64_t *r = s->rng, res = rotl(r[1] * 5, 7) * 9, t = r[1] << 17;
	r[2] ^= r[0];
	r[3] ^= r[1];
	r[1] ^= r[2];
	r[0] ^= r[3];
	r[2] ^= t;
	r[3] = rotl(r[3], 45);
	return res;
}

/* Uniform in (0, 1). */
static double uniform(struct sim *s)
{
	return ((double)(next_u64(s) >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(struct sim *s)
{
	return sqrt(-2.0 * log(uniform(s))) * cos(2.0 * M_PI * uniform(s));
}

static double expo(struct sim *s)
{
	return -log(uniform(s));
}

static double nd(ntp_ts_t a, ntp_ts_t b)
{
	return ntp_interval_to_double(ntp_ts_diff(a, b));
}

static ntp_ts_t tn(const struct sim *s, double x)
{
	return s->cfg.epoch + (ntp_ts_t)ntp_interval_from_double(x);
}

struct sim *sim_new(const struct sim_config *cfg)
{
	struct sim *s;
	uint64_t seed;

	if (!cfg || cfg->n_servers == 0 || cfg->n_servers > SIM_MAX_SERVERS || !(cfg->duration > 0))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	if (s->cfg.tick <= 0)
		s->cfg.tick = 1.0;
	seed = cfg->seed;
	for (int i = 0; i < 4; i++)
		s->rng[i] = splitmix(&seed);
	s->cap_trace = (unsigned int)(s->cfg.duration / s->cfg.tick) + 2;
	s->trace = calloc(s->cap_trace, sizeof(*s->trace));
	s->sel = srcselect_init(&cfg->select);
	s->disc = discipline_init(&cfg->disc, cfg->epoch);
	for (unsigned int i = 0; i < cfg->n_servers; i++) {
		s->filt[i] = srcfilter_init(&cfg->filter);
		if (!s->filt[i])
			goto fail;
		/* Stagger the first polls a little, as real start-up does. */
		s->next_poll[i] = 0.1 * i;
	}
	if (!s->trace || !s->sel || !s->disc)
		goto fail;
	if (cfg->driftfile) {
		double f, k;
		if (discipline_driftfile_read(cfg->driftfile, &f, &k) != 0)
			goto fail;
		discipline_set_freq(s->disc, f, k);
		s->freq = f * 1e-6;
	}
	s->c = cfg->init_offset;
	s->e = cfg->osc_freq;
	s->leap_at = cfg->leap_midnight;
	if (cfg->leap_type == NTP_LEAP_DELETE)
		s->leap_at -= 1ULL << 32;
	return s;
fail:
	sim_free(s);
	return NULL;
}

void sim_free(struct sim *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < SIM_MAX_SERVERS; i++)
		srcfilter_fini(s->filt[i]);
	srcselect_fini(s->sel);
	discipline_fini(s->disc);
	free(s->trace);
	free(s);
}

/* True UTC (s from epoch, NTP labelling) at true time t. */
static double utc_true(const struct sim *s, double t)
{
	if (s->cfg.leap_type != NTP_LEAP_INSERT && s->cfg.leap_type != NTP_LEAP_DELETE)
		return t;
	if (nd(tn(s, t), s->leap_at) < 0)
		return t;
	return s->cfg.leap_type == NTP_LEAP_INSERT ? t - 1 : t + 1;
}

static int server_leap(const struct sim *s, double t)
{
	double dt;

	if (s->cfg.leap_type != NTP_LEAP_INSERT && s->cfg.leap_type != NTP_LEAP_DELETE)
		return NTP_LEAP_NONE;
	dt = nd(s->leap_at, tn(s, t));
	return dt > 0 && dt <= s->cfg.leap_announce ? s->cfg.leap_type : NTP_LEAP_NONE;
}

/* Cooked clock at true time t >= s->t. */
static double clock_at(const struct sim *s, double t)
{
	return s->c + (t - s->t) * (1 + s->e) * (1 + s->freq);
}

/* A cooked reading as the UTC-scale local time measurements use. */
static double local_utc(const struct sim *s, double c)
{
	return nd(discipline_utc(discipline_leap(s->disc), tn(s, c)), s->cfg.epoch);
}

static void advance(struct sim *s, double t)
{
	double dt = t - s->t;

	if (dt <= 0)
		return;
	s->c = clock_at(s, t);
	s->t = t;
	if (s->cfg.osc_wander > 0)
		s->e += s->cfg.osc_wander * sqrt(dt) * gauss(s);
}

static double path(struct sim *s, const struct sim_server *v, double base)
{
	double d = base;

	if (v->jitter > 0)
		d += v->jitter * gauss(s);
	if (v->queue > 0)
		d += v->queue * expo(s);
	return fmax(d, 1e-6);
}

static void update(struct sim *s, unsigned int from)
{
	struct srcselect_source src[SIM_MAX_SERVERS];
	struct disc_action act;
	double now = local_utc(s, s->c);

	memset(src, 0, sizeof(src));
	for (unsigned int j = 0; j < s->cfg.n_servers; j++) {
		srcfilter_estimate(s->filt[j], now, &src[j].est);
		src[j].prefer = s->cfg.srv[j].prefer;
	}
	if (srcselect_run(s->sel, src, s->cfg.n_servers, &s->res) != SRCSELECT_OK)
		return;
	if (s->res.status[from] != SRCSEL_SYSPEER && s->res.status[from] != SRCSEL_COMBINED)
		return;
	struct disc_estimate e = {
		.offset = s->res.offset, .offset_sd = s->res.offset_sd,
		.freq = s->res.freq, .skew = s->res.skew, .leap = s->res.leap,
	};
	if (discipline_update(s->disc, s->c, &e, &act))
		s->steps++;
	s->c += act.dphase;
	s->freq = act.freq_ppm * 1e-6;
	for (unsigned int j = 0; j < s->cfg.n_servers; j++)
		srcfilter_adjust(s->filt[j], now, act.dphase, act.dfreq);
}

static void exchange(struct sim *s, unsigned int i);

/* One poll; the next is scheduled once the reply (or its absence) has
 * been taken in, since a held sample shortens the interval. */
static void poll_server(struct sim *s, unsigned int i)
{
	srcfilter_polled(s->filt[i]);
	exchange(s, i);
	s->next_poll[i] = s->t + srcfilter_poll_interval(s->filt[i]);
}

static void exchange(struct sim *s, unsigned int i)
{
	struct sim_server *v = &s->cfg.srv[i];
	struct srcfilter_sample smp;

	if (v->down || (v->loss > 0 && uniform(s) < v->loss))
		return;
	double T1 = s->t;
	double T2 = T1 + path(s, v, v->delay_out);
	double T3 = T2 + SERVER_PROCESSING;
	double T4 = T3 + path(s, v, v->delay_in);
	if (v->loss > 0 && uniform(s) < v->loss)
		return;
	/* The exchange lasts milliseconds; nothing else happens meanwhile. */
	if (discipline_leap_near(discipline_leap(s->disc), tn(s, s->c), LEAP_GUARD) ||
	    discipline_leap_near(discipline_leap(s->disc), tn(s, clock_at(s, T4)), LEAP_GUARD))
		return;
	double t1 = local_utc(s, s->c), t4 = local_utc(s, clock_at(s, T4));
	double t2 = utc_true(s, T2) + v->offset, t3 = utc_true(s, T3) + v->offset;
	srcfilter_make_sample(t1, t2, t3, t4, s->cfg.precision, &smp);
	smp.root_delay = v->root_delay;
	smp.root_dispersion = v->root_dispersion;
	smp.stratum = v->stratum ? v->stratum : 1;
	smp.leap = server_leap(s, T2);
	enum srcfilter_verdict vd = srcfilter_add(s->filt[i], &smp);
	if (vd == SRCFILTER_ACCEPTED || vd == SRCFILTER_STEP)
		update(s, i);
}

static void tick(struct sim *s)
{
	double step;
	uint8_t li;

	if (discipline_leap_tick(s->disc, s->c, &step))
		s->c += step;
	double p = s->c - discipline_slew_remaining(s->disc, s->c);
	ntp_ts_t served = discipline_serve(discipline_leap(s->disc), tn(s, p), &li);
	if (s->n_trace < s->cap_trace) {
		struct sim_point *pt = &s->trace[s->n_trace++];
		double sv = nd(served, s->cfg.epoch);
		pt->t = s->t;
		pt->err = sv - utc_true(s, s->t);
		pt->served = sv - s->t;
		pt->freq_err = ((1 + s->e) * (1 + s->freq) - 1) * 1e6;
		pt->li = li;
		pt->outcome = (uint8_t)s->res.outcome;
	}
}

void sim_run(struct sim *s, double until)
{
	for (;;) {
		double next = s->next_tick;
		int which = -1;
		for (unsigned int i = 0; i < s->cfg.n_servers; i++)
			if (s->next_poll[i] < next) {
				next = s->next_poll[i];
				which = (int)i;
			}
		if (next > until) {
			advance(s, until);
			return;
		}
		advance(s, next);
		if (which >= 0) {
			poll_server(s, (unsigned int)which);
		} else {
			tick(s);
			s->next_tick += s->cfg.tick;
		}
	}
}

struct sim_server *sim_server(struct sim *s, unsigned int i)
{
	return i < s->cfg.n_servers ? &s->cfg.srv[i] : NULL;
}

const struct sim_point *sim_trace(const struct sim *s, unsigned int *n)
{
	*n = s->n_trace;
	return s->trace;
}

struct discipline *sim_discipline(struct sim *s)
{
	return s->disc;
}

struct srcfilter *sim_filter(struct sim *s, unsigned int i)
{
	return i < s->cfg.n_servers ? s->filt[i] : NULL;
}

const struct srcselect_result *sim_selection(const struct sim *s)
{
	return &s->res;
}

unsigned long sim_steps(const struct sim *s)
{
	return s->steps;
}

static double converge(const struct sim *s, double tol, double from, int freq)
{
	double last_bad = -INFINITY;

	for (unsigned int k = 0; k < s->n_trace; k++) {
		const struct sim_point *p = &s->trace[k];
		if (p->t >= from && fabs(freq ? p->freq_err : p->err) > tol)
			last_bad = p->t;
	}
	if (!s->n_trace || last_bad >= s->trace[s->n_trace - 1].t)
		return INFINITY;
	return last_bad == -INFINITY ? from : last_bad + s->cfg.tick;
}

double sim_converge_time(const struct sim *s, double tol, double from)
{
	return converge(s, tol, from, 0);
}

double sim_freq_converge_time(const struct sim *s, double tol_ppm, double from)
{
	return converge(s, tol_ppm, from, 1);
}

double sim_max_err(const struct sim *s, double from, double to)
{
	double m = 0;

	for (unsigned int k = 0; k < s->n_trace; k++)
		if (s->trace[k].t >= from && s->trace[k].t <= to)
			m = fmax(m, fabs(s->trace[k].err));
	return m;
}

double sim_mean_err(const struct sim *s, double from, double to)
{
	double sum = 0;
	unsigned int n = 0;

	for (unsigned int k = 0; k < s->n_trace; k++)
		if (s->trace[k].t >= from && s->trace[k].t <= to) {
			sum += s->trace[k].err;
			n++;
		}
	return n ? sum / n : NAN;
}

double sim_rms_err(const struct sim *s, double from, double to)
{
	double sum = 0;
	unsigned int n = 0;

	for (unsigned int k = 0; k < s->n_trace; k++)
		if (s->trace[k].t >= from && s->trace[k].t <= to) {
			sum += s->trace[k].err * s->trace[k].err;
			n++;
		}
	return n ? sqrt(sum / n) : NAN;
}

double sim_max_rate(const struct sim *s, double from, double to)
{
	double m = 0;

	for (unsigned int k = 1; k < s->n_trace; k++) {
		const struct sim_point *a = &s->trace[k - 1], *b = &s->trace[k];
		if (a->t >= from && b->t <= to)
			m = fmax(m, fabs((b->served - a->served) / (b->t - a->t)));
	}
	return m;
}

int sim_verbose(void)
{
	const char *v = getenv("LT_SIM_VERBOSE");

	return v && strcmp(v, "1") == 0;
}
