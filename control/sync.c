/* sync: upstream measurements in, the clock to serve out. */
#include "sync.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "clockmap.h"
#include "log.h"
#include "leapdb.h"
#include "md5.h"
#include "ntp_packet.h"
#include "synclog.h"

#define LEAP_GUARD 5.0         /* s around a leap in which nothing is measured (chrony) */
#define DRIFT_WRITE_EVERY 3600 /* s */
#define RMS_WEIGHT 0.1         /* weight of a new offset in the RMS average */
#define RESELECT_EVERY 1.0     /* s: selection re-run to notice lost sources */

struct sync {
	struct sync_env env;
	struct lt_cfg_sync cfg;
	unsigned int local_stratum;
	double local_distance;
	int orphan;
	uint32_t own_refid;
	double holdover;
	struct clockmodel cm;
	struct discipline *disc;
	struct srcselect *sel;
	struct sources *src;
	struct synclog *log;
	int logs_on;                   /* a file in logdir is being written */
	uint64_t log_lost_seen;        /* s->log's lines_lost when last looked at */
	uint64_t log_lost;             /* lines lost since start, across reopens */
	int log_failing;               /* the last line written was lost */
	int log_errno;
	struct leapdb leapdb;
	int have_leapdb;
	struct srcselect_result res;
	int dirty;
	/* the last update, for what is served and tracking */
	int ever_synced;
	int synced_now;                /* the last selection held */
	int peer_stratum_plus1;
	uint32_t refid;
	char reference[64];
	double root_delay, root_disp;  /* s at the update */
	double upd_local;              /* cooked local time of the update */
	ntp_ts_t ref_time;
	double last_offset, rms2, residual, skew, update_interval;
	double next_select_mono;
	double next_drift_mono;
};

static const char *const mode_names[] = {"local", "upstream", "holdover"};

const char *sync_mode_name(enum sync_mode m)
{
	return m <= SYNC_HOLDOVER ? mode_names[m] : "?";
}

static enum disc_leapmode leapmode(enum lt_leapsecmode m)
{
	switch (m) {
	case LT_LEAPSECMODE_SLEW:
		return DISC_LEAPMODE_SLEW;
	case LT_LEAPSECMODE_SMEAR:
		return DISC_LEAPMODE_SMEAR;
	default:
		return DISC_LEAPMODE_STEP;
	}
}

/* RFC 5905 section 7.3: an IPv4 upstream's address, else the first four
 * octets of the MD5 of the IPv6 address. */
static uint32_t refid_of(int family, const uint8_t addr[16])
{
	uint8_t d[16];

	if (family == 4)
		return bytes_get_be32(addr);
	md5(addr, 16, d);
	return bytes_get_be32(d);
}

/* Our own reference id in orphan mode: from the first port address. */
static uint32_t own_refid(const struct lt_config *cfg)
{
	for (unsigned int p = 0; p < cfg->n_ports; p++)
		if (cfg->ports[p].n_addrs)
			return refid_of(cfg->ports[p].addrs[0].family, cfg->ports[p].addrs[0].addr);
	return 0;
}

void sync_configure(struct sync *s, const struct lt_config *cfg)
{
	s->local_stratum = cfg->local_stratum;
	s->local_distance = cfg->local_distance;
	s->orphan = cfg->local_orphan;
	s->own_refid = own_refid(cfg);
	s->holdover = cfg->holdover;
	s->dirty = 1;
}

/* The loop's and the selection's settings from the config. Zeroed first,
 * padding included, so sync_reconfigure can compare them with memcmp. */
static void disc_config_of(const struct lt_cfg_sync *y, struct disc_config *dc)
{
	memset(dc, 0, sizeof(*dc));
	dc->makestep_threshold = y->makestep_threshold;
	dc->makestep_limit = y->makestep_limit;
	dc->maxslewrate = y->maxslewrate;
	dc->maxupdateskew = y->maxupdateskew;
	dc->maxdrift = y->maxdrift;
	dc->corrtimeratio = y->corrtimeratio;
	dc->leapsecmode = leapmode(y->leapsecmode);
	dc->smear_window = y->smear_window;
	dc->smear_shape = y->smear_quadratic ? DISC_SMEAR_QUADRATIC : DISC_SMEAR_LINEAR;
}

static void select_config_of(const struct lt_cfg_sync *y, struct srcselect_config *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->minsources = y->minsources;
	sc->maxdistance = y->maxdistance;
	sc->stratumweight = 0.001;
	sc->reselectdist = 1e-4;
}

/*
 * After writing to the statistics logs: count the lines the disk refused,
 * and say so once when it starts (disk full) and once when it stops. The
 * lines are lost; nothing else is: the logs never hold up the clock.
 */
static void watch_logs(struct sync *s)
{
	struct synclog_errors e;

	synclog_errors(s->log, &e);
	if (e.lines_lost > s->log_lost_seen) {
		s->log_lost += e.lines_lost - s->log_lost_seen;
		s->log_lost_seen = e.lines_lost;
	}
	if (e.last_errno && !s->log_failing) {
		log_msg(LOG_ERR, "logdir %s: %s; statistics log lines are being dropped", s->cfg.logdir,
			strerror(e.last_errno));
		s->log_failing = 1;
		s->log_errno = e.last_errno;
	} else if (!e.last_errno && s->log_failing) {
		log_msg(LOG_NOTICE, "logdir %s: writing again (%llu statistics log lines lost so far)",
			s->cfg.logdir, (unsigned long long)s->log_lost);
		s->log_failing = 0;
		s->log_errno = 0;
	}
}

/* The statistics logs of s->cfg; without them if logdir cannot be used. */
static void open_logs(struct sync *s)
{
	struct synclog_config lc = {
		.dir = s->cfg.logdir,
		.measurements = s->cfg.log_measurements,
		.statistics = s->cfg.log_statistics,
		.tracking = s->cfg.log_tracking,
		.logchange = s->cfg.logchange,
	};

	s->log = synclog_open(&lc);
	s->logs_on = s->log && lc.dir[0] && (lc.measurements || lc.statistics || lc.tracking);
	if (!s->log) {
		log_msg(LOG_ERR, "logdir %s: %s; statistics logs off", s->cfg.logdir, strerror(errno));
		lc.dir = "";
		s->log = synclog_open(&lc);
	}
	s->log_lost_seen = 0;
	watch_logs(s);
}

static void load_leapdb(struct sync *s)
{
	s->have_leapdb = 0;
	if (s->cfg.leapsectz[0] && leapdb_load(NULL, s->cfg.leapsectz, &s->leapdb) == 0) {
		s->have_leapdb = 1;
		log_msg(LOG_INFO, "leap seconds from %s: %u known", s->cfg.leapsectz, s->leapdb.n);
	}
}

unsigned int sync_reconfigure(struct sync *s, const struct lt_cfg_sync *next, double mono,
			      struct sources_changes *changes)
{
	struct disc_config dc, odc;
	struct srcselect_config sc, osc;
	unsigned int what = 0;

	disc_config_of(next, &dc);
	disc_config_of(&s->cfg, &odc);
	select_config_of(next, &sc);
	select_config_of(&s->cfg, &osc);
	sources_reconfigure(s->src, &s->cfg, next, mono, changes);
	if (changes->added + changes->removed + changes->changed)
		what |= SYNC_RECONF_SOURCES;
	if (memcmp(&dc, &odc, sizeof(dc)) != 0 && discipline_set_config(s->disc, &dc) == 0)
		what |= SYNC_RECONF_DISCIPLINE;
	if (memcmp(&sc, &osc, sizeof(sc)) != 0 && srcselect_set_config(s->sel, &sc) == 0)
		what |= SYNC_RECONF_SELECTION;
	int logs = strcmp(next->logdir, s->cfg.logdir) != 0 ||
		   next->log_measurements != s->cfg.log_measurements ||
		   next->log_statistics != s->cfg.log_statistics ||
		   next->log_tracking != s->cfg.log_tracking || next->logchange != s->cfg.logchange;
	int leaps = strcmp(next->leapsectz, s->cfg.leapsectz) != 0;
	if (strcmp(next->driftfile, s->cfg.driftfile) != 0)
		what |= SYNC_RECONF_DRIFTFILE;
	/* Adopt all of next, then what depends on it. */
	s->cfg = *next;
	if (logs) {
		synclog_close(s->log);
		open_logs(s);
		what |= SYNC_RECONF_LOGS;
	}
	if (leaps) {
		load_leapdb(s);
		what |= SYNC_RECONF_LEAPSECTZ;
	}
	if (what)
		s->dirty = 1;
	return what;
}

void sync_set_keys(struct sync *s, const struct ntp_mac_key *keys, unsigned int n)
{
	sources_set_keys(s->src, &s->cfg, keys, n);
}

/* The measurement timescale: UTC of the cooked clock (see discipline_utc). */
static double meas_local(const struct sync *s, double cooked)
{
	return clockmodel_from_ntp(&s->cm, discipline_utc(discipline_leap(s->disc),
							  clockmodel_ntp(&s->cm, cooked)));
}

struct sync *sync_new(const struct lt_config *cfg, const struct sync_env *env, uint64_t c,
		      ntp_ts_t now, double mono, const struct lt_clock_snapshot *prev)
{
	struct sync *s = calloc(1, sizeof(*s));
	double freq_ppm = 0, skew_ppm = 0;
	int have_drift = 0;

	if (!s)
		return NULL;
	s->env = *env;
	s->env.keys = NULL; /* only sync_new reads them */
	s->env.n_keys = 0;
	s->cfg = cfg->sync;
	sync_configure(s, cfg);
	if (s->cfg.driftfile[0]) {
		int rc = discipline_driftfile_read(s->cfg.driftfile, &freq_ppm, &skew_ppm);
		if (rc == 0) {
			have_drift = 1;
			log_msg(LOG_INFO, "frequency %.3f ppm (+/- %.3f) from %s", freq_ppm, skew_ppm,
				s->cfg.driftfile);
		} else if (rc != -ENOENT) {
			log_msg(LOG_WARNING, "driftfile %s: %s; starting from 0 ppm", s->cfg.driftfile,
				strerror(-rc));
		}
	}
	int adopt = prev && prev->tsc.valid && prev->tsc.mult && c < prev->p.holdover_deadline_tsc;
	if (adopt) {
		/* Continue the time already served, so a restart moves nothing. */
		now = clockmap_apply(&prev->tsc, c);
		if (!have_drift)
			freq_ppm = (clockmap_hz_from_mult(prev->tsc.mult) > 0
					    ? env->hz / clockmap_hz_from_mult(prev->tsc.mult) - 1
					    : 0) * 1e6;
	}
	clockmodel_init(&s->cm, env->hz, c, now, freq_ppm * 1e-6);
	struct disc_config dc;
	struct srcselect_config sc;

	disc_config_of(&s->cfg, &dc);
	select_config_of(&s->cfg, &sc);
	struct sources_config rc = {
		.precision = env->precision,
		.precision_log2 = ntp_precision_from_double(env->precision),
		.send = env->send,
		.random = env->random,
		.arg = env->arg,
	};
	s->disc = discipline_init(&dc, s->cm.epoch);
	s->sel = srcselect_init(&sc);
	s->src = sources_new(&rc, s->cm.epoch);
	if (!s->disc || !s->sel || !s->src) {
		sync_free(s);
		return NULL;
	}
	open_logs(s);
	load_leapdb(s);
	if (have_drift || adopt)
		discipline_set_freq(s->disc, freq_ppm, have_drift ? skew_ppm : 1000);
	for (unsigned int i = 0; i < s->cfg.n_servers; i++) {
		int rc2 = sources_add_server(s->src, s->cfg.servers[i].address, &s->cfg.servers[i].poll, mono);
		if (rc2 < 0)
			log_msg(LOG_WARNING, "server %s: %s", s->cfg.servers[i].address, strerror(-rc2));
	}
	for (unsigned int i = 0; i < s->cfg.n_pools; i++)
		sources_add_pool(s->src, &s->cfg.pools[i], mono);
	sources_set_keys(s->src, &s->cfg, env->keys, env->n_keys);
	if (adopt && prev->p.stratum < s->local_stratum && prev->p.leap != NTP_LEAP_UNSYNC &&
	    prev->p.refid != NTP_REFID_LOCL) {
		/* It was synchronised: hold over with its identity until the
		 * sources are back. */
		s->ever_synced = 1;
		s->peer_stratum_plus1 = prev->p.stratum;
		s->refid = prev->p.refid;
		s->root_delay = ntp_short_to_double(prev->p.root_delay);
		s->root_disp = ntp_short_to_double(prev->p.root_dispersion);
		s->ref_time = prev->p.ref_time;
		s->upd_local = clockmodel_from_ntp(&s->cm, prev->p.ref_time);
		snprintf(s->reference, sizeof(s->reference), "%s", "");
		log_msg(LOG_INFO, "continuing the clock served before the restart (stratum %u)",
			prev->p.stratum);
	}
	s->res.outcome = SRCSELECT_NO_SOURCES;
	s->res.sys_peer = -1;
	s->next_drift_mono = mono + DRIFT_WRITE_EVERY;
	s->dirty = 1;
	return s;
}

void sync_free(struct sync *s)
{
	if (!s)
		return;
	if (s->disc && s->ever_synced)
		sync_write_drift(s);
	sources_free(s->src);
	synclog_close(s->log);
	srcselect_fini(s->sel);
	discipline_fini(s->disc);
	free(s);
}

int sync_write_drift(struct sync *s)
{
	if (!s->cfg.driftfile[0])
		return 0;
	int rc = discipline_driftfile_write(s->cfg.driftfile, discipline_freq_ppm(s->disc),
					    discipline_skew_ppm(s->disc));
	if (rc)
		log_msg(LOG_WARNING, "driftfile %s: %s", s->cfg.driftfile, strerror(-rc));
	return rc;
}

void sync_tx_stamp(struct sync *s, uint64_t cookie, ntp_ts_t t1)
{
	sources_tx_stamp(s->src, cookie, clockmodel_to_local(&s->cm, s->disc, t1));
}

static void select_sources(struct sync *s, double meas)
{
	struct srcselect_source est[SOURCES_MAX];
	enum srcselect_outcome before = s->res.outcome;
	int orphans = 0;

	sources_estimates(s->src, meas, est);
	/* chrony's "local orphan": a source at our local stratum serves its
	 * own clock, not real time; set it aside... */
	for (unsigned int i = 0; s->orphan && i < sources_slots(s->src); i++)
		if (est[i].est.valid && est[i].est.stratum == (int)s->local_stratum && !est[i].noselect) {
			est[i].noselect = 2;
			orphans++;
		}
	srcselect_run(s->sel, est, sources_slots(s->src), &s->res);
	if (orphans && s->res.outcome != SRCSELECT_OK) {
		/* ...unless nothing else is selectable: then the orphan with the
		 * lowest reference id serves the others, so only those below
		 * ours are followed. */
		struct source_info si;
		for (unsigned int i = 0; i < sources_slots(s->src); i++)
			if (est[i].noselect == 2)
				est[i].noselect = !(sources_info(s->src, i, &si) == 0 &&
						    refid_of(si.family, si.addr) < s->own_refid);
		srcselect_run(s->sel, est, sources_slots(s->src), &s->res);
	}
	if (s->res.outcome != before)
		log_msg(s->res.outcome == SRCSELECT_OK ? LOG_INFO : LOG_WARNING, "selection: %s",
			srcselect_outcome_name(s->res.outcome));
}

static double unix_at(const struct sync *s, uint64_t c);

/* With leapsectz, the tz database says whether today ends with a leap, and
 * the sources' vote is not used (chrony does the same). */
static int tz_leap(const struct sync *s, uint64_t c, int voted)
{
	if (!s->have_leapdb)
		return voted;
	return leapdb_leap_at_day_end(&s->leapdb, (int64_t)floor(unix_at(s, c)));
}

/* Before the first selection, wait while a reachable source is still
 * collecting samples: otherwise whichever answers first (a falseticker,
 * perhaps) would be followed alone, and stepped to. As chrony, wait only
 * until a selected source's reach register is full (8 polls), so a source
 * that answers without ever giving a sample cannot hold it off for good. */
static int waiting_for_stats(const struct sync *s)
{
	struct source_info si;
	int waiting = 0;

	for (unsigned int i = 0; i < sources_slots(s->src); i++) {
		if (sources_info(s->src, i, &si) != 0)
			continue;
		uint8_t reach = srcfilter_reach(si.filter);
		enum srcselect_status st = s->res.status[i];
		if (st == SRCSEL_TOO_FEW && reach != 0)
			waiting = 1;
		if ((st == SRCSEL_SYSPEER || st == SRCSEL_COMBINED) && reach == 0xff)
			return 0;
	}
	return waiting;
}

/* A new sample from source i: select and, if i counts, correct the clock. */
static void update(struct sync *s, unsigned int i, uint64_t c)
{
	struct disc_action act;
	struct source_info si;
	double cooked = clockmodel_local(&s->cm, c);
	double meas = meas_local(s, cooked);

	select_sources(s, meas);
	if (s->res.outcome != SRCSELECT_OK)
		return;
	if (!s->synced_now && waiting_for_stats(s))
		return;
	if (s->res.status[i] != SRCSEL_SYSPEER && s->res.status[i] != SRCSEL_COMBINED)
		return;
	struct disc_estimate e = {
		.offset = s->res.offset,
		.offset_sd = s->res.offset_sd,
		.freq = s->res.freq,
		.skew = s->res.skew,
		.leap = tz_leap(s, c, s->res.leap),
	};
	if (discipline_update(s->disc, cooked, &e, &act))
		log_msg(LOG_NOTICE, "clock stepped by %+.6f s", act.step_s);
	clockmodel_apply(&s->cm, c, act.dphase, act.freq_ppm);
	sources_adjust(s->src, meas, act.dphase, act.dfreq);

	if (s->ever_synced) {
		s->update_interval = cooked - s->upd_local;
		s->rms2 = (1 - RMS_WEIGHT) * s->rms2 + RMS_WEIGHT * e.offset * e.offset;
	} else {
		s->rms2 = e.offset * e.offset;
	}
	if (!s->synced_now)
		log_msg(LOG_INFO, "synchronised to %s: offset %+.6f s", s->res.sys_peer >= 0 &&
			sources_info(s->src, (unsigned int)s->res.sys_peer, &si) == 0 ? si.name : "?",
			e.offset);
	s->synced_now = 1;
	s->ever_synced = 1;
	s->upd_local = cooked + act.dphase;
	s->last_offset = e.offset;
	s->residual = e.freq;
	s->skew = e.skew;
	s->root_delay = s->res.root_delay;
	s->root_disp = s->res.root_dispersion;
	s->peer_stratum_plus1 = s->res.stratum;
	if (sources_info(s->src, (unsigned int)s->res.sys_peer, &si) == 0) {
		s->refid = refid_of(si.family, si.addr);
		sources_addr_text(&si, s->reference, sizeof(s->reference));
	}
	s->ref_time = sync_served(s, c);
	s->dirty = 1;
	if (synclog_is_change(s->log, e.offset))
		log_msg(LOG_WARNING, "clock wrong by %+.6f s: %s", e.offset,
			act.step ? "stepped" : "correction started");
	uint8_t li;
	discipline_serve(discipline_leap(s->disc), clockmodel_published(&s->cm, s->disc, c), &li);
	struct synclog_tracking t = {
		.unix_time = unix_at(s, c), .reference = s->reference, .refid = s->refid,
		.stratum = s->peer_stratum_plus1, .freq_ppm = act.freq_ppm,
		.skew_ppm = discipline_skew_ppm(s->disc), .offset = e.offset, .leap = li,
		.n_combined = s->res.n_combined, .offset_sd = e.offset_sd,
		.rem_correction = discipline_slew_remaining(s->disc, clockmodel_local(&s->cm, c)),
		.root_delay = s->root_delay, .root_dispersion = s->root_disp,
		.max_error = s->root_delay / 2 + s->root_disp + fabs(e.offset),
	};
	synclog_tracking(s->log, &t);
	watch_logs(s);
}

int sync_cyclelogs(struct sync *s)
{
	return synclog_cycle(s->log);
}

static double unix_at(const struct sync *s, uint64_t c)
{
	return ntp_ts_to_unix(sync_served(s, c));
}

/* measurements.log and statistics.log for a new sample of source i. */
static void log_sample(struct sync *s, unsigned int i, enum srcfilter_verdict v, uint64_t c)
{
	struct source_info si;
	struct srcfilter_estimate e;
	char addr[64];

	if (sources_info(s->src, i, &si) != 0 || !si.have_last)
		return;
	double now = unix_at(s, c);
	sources_addr_text(&si, addr, sizeof(addr));
	struct synclog_measurement m = {
		.unix_time = now, .source = addr, .leap = si.last.leap, .stratum = si.last.stratum,
		.poll = si.poll, .offset = si.last.offset, .delay = si.last.delay,
		.dispersion = si.last.dispersion, .root_delay = si.last.root_delay,
		.root_dispersion = si.last.root_dispersion, .refid = si.last_refid,
		.verdict = srcfilter_verdict_name(v),
	};
	synclog_measurement(s->log, &m);
	srcfilter_estimate(si.filter, si.last.local, &e);
	struct synclog_statistics st = {
		.unix_time = now, .source = addr, .offset_sd = e.jitter, .offset = e.offset,
		.offset_sd_est = e.offset_sd, .freq_ppm = e.freq * 1e6, .skew_ppm = e.skew * 1e6,
		.n_samples = e.n_samples, .n_used = e.n_used, .span = srcfilter_span(si.filter),
	};
	synclog_statistics(s->log, &st);
	watch_logs(s);
}

int sync_reply(struct sync *s, const struct lt_msg *m, uint64_t c, double mono)
{
	const struct disc_leap *l = discipline_leap(s->disc);

	if (m->sport != NTP_PORT || m->dport != NTP_PORT || sources_find(s->src, m->family, m->src) < 0)
		return 0;
	/* Around a leap second, offsets mean nothing (the two ends may or may
	 * not have applied it): take the reply for reachability only. */
	double t4 = clockmodel_to_local(&s->cm, s->disc, m->ts);
	if (discipline_leap_near(l, m->ts, LEAP_GUARD))
		t4 = NAN;
	enum srcfilter_verdict v;
	int i = sources_reply(s->src, m->family, m->src, m->payload, m->len, t4, mono, &v);
	if (i < 0)
		return 1;
	log_sample(s, (unsigned int)i, v, c);
	if (v == SRCFILTER_ACCEPTED || v == SRCFILTER_STEP)
		update(s, (unsigned int)i, c);
	return 1;
}

/* Root distance served now: what the last update said, grown since then
 * at PHI plus the frequency's uncertainty (RFC 5905 section 11.2). */
static double grown_dispersion(const struct sync *s, double cooked)
{
	double age = fmax(cooked - s->upd_local, 0);

	return s->root_disp + (SRCFILTER_PHI + s->skew) * age;
}

static enum sync_mode mode_at(const struct sync *s, double cooked)
{
	if (!s->ever_synced)
		return SYNC_LOCAL;
	if (s->synced_now)
		return SYNC_UPSTREAM;
	if (s->root_delay / 2 + grown_dispersion(s, cooked) <= s->local_distance)
		return SYNC_HOLDOVER;
	return SYNC_LOCAL;
}

void sync_tick(struct sync *s, uint64_t c, double mono)
{
	double step, cooked = clockmodel_local(&s->cm, c);

	if (discipline_leap_tick(s->disc, cooked, &step)) {
		clockmodel_step(&s->cm, c, step);
		log_msg(LOG_NOTICE, "leap second done: clock folded by %+.0f s", step);
		s->dirty = 1;
	}
	sources_poll(s->src, mono);
	if (s->have_leapdb && discipline_leap(s->disc)->type == NTP_LEAP_NONE) {
		int t = tz_leap(s, c, NTP_LEAP_NONE);
		if (t != NTP_LEAP_NONE && discipline_leap_set(s->disc, t, clockmodel_published(&s->cm, s->disc, c)) == 0) {
			log_msg(LOG_NOTICE, "leap second (%s) at the end of today, from %s",
				t == NTP_LEAP_INSERT ? "insert" : "delete", s->cfg.leapsectz);
			s->dirty = 1;
		}
	}
	if (mono >= s->next_select_mono) {
		enum sync_mode before = mode_at(s, cooked);
		s->next_select_mono = mono + RESELECT_EVERY;
		select_sources(s, meas_local(s, cooked));
		s->synced_now = s->res.outcome == SRCSELECT_OK && s->ever_synced && s->synced_now;
		enum sync_mode after = mode_at(s, cooked);
		if (after != before) {
			log_msg(after == SYNC_UPSTREAM ? LOG_INFO : LOG_WARNING, "serving %s time",
				sync_mode_name(after));
			s->dirty = 1;
		}
	}
	if (mono >= s->next_drift_mono) {
		s->next_drift_mono = mono + DRIFT_WRITE_EVERY;
		if (s->ever_synced)
			sync_write_drift(s);
	}
}

double sync_timeout(const struct sync *s, double mono)
{
	double t = sources_next_due(s->src, mono);

	return fmax(fmin(t, s->next_select_mono - mono), 0);
}

int sync_dirty(const struct sync *s)
{
	return s->dirty;
}

ntp_ts_t sync_served(const struct sync *s, uint64_t c)
{
	return discipline_serve(discipline_leap(s->disc), clockmodel_published(&s->cm, s->disc, c), NULL);
}

/* Who the appliance says it is at cooked time `cooked`, li being the leap
 * indicator the served clock carries: the same for replies and tracking. */
struct identity {
	enum sync_mode mode;
	uint8_t leap, stratum;
	uint32_t refid;
	double root_delay, root_dispersion;   /* s */
};

static void identity_at(const struct sync *s, double cooked, uint8_t li, struct identity *id)
{
	id->mode = mode_at(s, cooked);
	if (id->mode == SYNC_LOCAL) {
		id->leap = NTP_LEAP_NONE;
		id->stratum = (uint8_t)s->local_stratum;
		id->refid = NTP_REFID_LOCL;
		id->root_delay = 0;
		id->root_dispersion = s->env.precision;
		return;
	}
	id->leap = li;
	id->stratum = (uint8_t)(s->peer_stratum_plus1 < 1 ? 1
				: s->peer_stratum_plus1 > 15 ? 15 : s->peer_stratum_plus1);
	id->refid = s->refid;
	id->root_delay = s->root_delay;
	id->root_dispersion = grown_dispersion(s, cooked);
}

uint64_t sync_snapshot(struct sync *s, uint64_t c, struct lt_clock_snapshot *out)
{
	struct identity id;
	uint8_t li;

	memset(out, 0, sizeof(*out));
	uint64_t until = clockmodel_map(&s->cm, s->disc, c, &out->tsc, &li);
	identity_at(s, clockmodel_local(&s->cm, c), li, &id);
	out->p.leap = id.leap;
	out->p.stratum = id.stratum;
	out->p.refid = id.refid;
	out->p.root_delay = ntp_short_from_double(id.root_delay);
	out->p.root_dispersion = ntp_short_from_double(id.root_dispersion);
	out->p.ref_time = id.mode == SYNC_LOCAL ? out->tsc.base_ntp : s->ref_time;
	out->p.precision = ntp_precision_from_double(s->env.precision);
	out->p.holdover_deadline_tsc = c + (uint64_t)(s->holdover * s->env.hz);
	out->p.tsc_hz = (uint64_t)llround(s->env.hz);
	s->dirty = 0;
	return until;
}

void sync_status(const struct sync *s, uint64_t c, struct sync_status *out)
{
	struct identity id;
	uint8_t li;

	memset(out, 0, sizeof(*out));
	discipline_serve(discipline_leap(s->disc), clockmodel_published(&s->cm, s->disc, c), &li);
	identity_at(s, clockmodel_local(&s->cm, c), li, &id);
	out->mode = id.mode;
	out->ever_synced = s->ever_synced;
	out->outcome = s->res.outcome;
	out->good_sources = s->res.outcome == SRCSELECT_OK ? s->res.n_truechimers : 0;
	out->stratum = id.stratum;
	out->refid = id.refid;
	out->leap = id.leap;
	out->root_delay = id.root_delay;
	out->root_dispersion = id.root_dispersion;
	if (id.mode != SYNC_LOCAL)
		snprintf(out->reference, sizeof(out->reference), "%s", s->reference);
	out->ref_time = s->ref_time;
	out->last_offset = s->last_offset;
	out->rms_offset = sqrt(s->rms2);
	out->freq_ppm = discipline_freq_ppm(s->disc);
	out->residual_ppm = s->residual * 1e6;
	out->skew_ppm = s->skew * 1e6;
	out->update_interval = s->update_interval;
	discipline_counts(s->disc, &out->updates, &out->steps);
	out->leap_pending = discipline_leap(s->disc);
	out->leapsecmode = s->cfg.leapsecmode;
	out->logs_on = s->logs_on;
	out->log_lines_lost = s->log_lost;
	out->log_errno = s->log_errno;
}

struct sources *sync_sources(struct sync *s)
{
	return s->src;
}

const struct srcselect_result *sync_selection(const struct sync *s)
{
	return &s->res;
}

double sync_makestep(struct sync *s, uint64_t c)
{
	double step = discipline_cancel_slew(s->disc, clockmodel_local(&s->cm, c));

	if (step != 0) {
		log_msg(LOG_NOTICE, "makestep: clock stepped by %+.6f s", step);
		s->dirty = 1;
	}
	return step;
}
