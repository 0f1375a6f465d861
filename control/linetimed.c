/*
 * linetimed: the control process. Owns time and policy: parses the config,
 * creates or attaches the shared region, publishes the clock the dataplane
 * serves (local mode: the system clock at the configured stratum), drains
 * the punt ring, watches the dataplane's heartbeat and serves the admin
 * socket. One thread, one poll() loop.
 */
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin.h"
#include "authkeys.h"
#include "clients.h"
#include "cmdline.h"
#include "config.h"
#include "counters.h"
#include "health.h"
#include "httpmetrics.h"
#include "localclock.h"
#include "log.h"
#include "metrics.h"
#include "mssntp.h"
#include "ntp_packet.h"
#include "policy.h"
#include "privdrop.h"
#include "punt.h"
#include "report.h"
#include "sandbox.h"
#include "shm.h"
#include "sources.h"
#include "sync.h"
#include "tsc.h"
#include "upstream.h"

#define TICK_MS 10          /* punt ring drain */
#define TICK_SIGND_MS 1     /* ... with MS-SNTP on: a signed reply waits at most this */
#define HEARTBEAT_MS 100
#define CLOCK_MS 1000       /* clock map publish */
#define DP_DEAD_MS 1000     /* no dataplane heartbeat for this long: report it down */

static volatile sig_atomic_t stop, hup;

struct control {
	struct lt_config cfg;
	struct lt_region *region;
	struct localclock clock;
	struct mssntp *mssntp;
	struct upstream *upstream;    /* NULL: no servers, serve the system clock */
	struct httpmetrics *http;     /* NULL: no metrics.listen */
	struct privdrop_user user;    /* cfg.user, looked up at start */
	const struct shm_owner *owner;/* the region's owner: the user, or NULL */
	struct shm_owner owner_ids;
	uint64_t dp_epoch_seen;
	uint64_t dp_beat_seen;
	uint64_t dp_beat_ms;
	int dp_alive;
	uint32_t policy_generation;
	struct lt_policy published;   /* the policy last published */
	struct authkeys keys;         /* cfg.keyfile's keys in force */
	uint64_t reloads;
	uint64_t reloads_failed;
	uint64_t started_ns;
	/* Frames lost on the rings between the processes, sampled each second:
	 * punts the dataplane could not queue (a region counter, reset with the
	 * region) and injects control could not (control's own). */
	struct health_window punt_drops, inject_drops;
	/* For health too: signing requests Samba let time out, and statistics
	 * log lines the disk refused. */
	struct health_window signd_timeouts, log_lost;
};

/* One sample a second of the counters health judges by their last minute. */
static void sample_windows(struct control *c, uint64_t now_s)
{
	static struct signd_stats st;
	static struct sync_status sync;

	mssntp_stats(c->mssntp, &st, NULL);
	health_window_add(&c->signd_timeouts, now_s, st.failed[SIGND_FAIL_TIMEOUT]);
	if (c->upstream) {
		upstream_status(c->upstream, &sync);
		health_window_add(&c->log_lost, now_s, sync.log_lines_lost);
	}
	health_window_add(&c->punt_drops, now_s,
			  report_counter_total(shm_stats(c->region), LT_CTR_drop_punt_full));
	health_window_add(&c->inject_drops, now_s, punt_counters()->inject_ring_full);
}

static uint64_t ring_drops_last_minute(const struct control *c, uint64_t now_s)
{
	return health_window_rise(&c->punt_drops, now_s, 60) +
	       health_window_rise(&c->inject_drops, now_s, 60);
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop = 1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

/* Punted UDP datagrams: MS-SNTP requests go to be signed, upstream
 * replies to sync. */
static int on_punt_udp(void *arg, const struct lt_msg *m)
{
	struct control *c = arg;
	struct lt_clock_snapshot snap;

	if (!mssntp_is_request(m))
		return c->upstream ? upstream_on_udp(c->upstream, m) : 0;
	shm_clock_read(shm_clock(c->region), &snap);
	mssntp_request(c->mssntp, m, &snap, tsc_read(), mono_ns());
	return 1;
}

/* Transmit times of our upstream requests. */
static void on_punt_stamp(void *arg, const struct lt_msg *m)
{
	struct control *c = arg;

	if (c->upstream)
		upstream_on_stamp(c->upstream, m);
}

/* health: one verdict for monitoring, with its checks; args override the
 * config's thresholds for this call. */
static int cmd_health(void *ctx, struct json_object *args, struct json_object *data, char *err,
		      size_t errlen)
{
	struct control *c = ctx;
	static struct lt_ports_block ports;
	static struct signd_stats signd;
	static struct sync_status sync;
	struct lt_clock_snapshot snap;
	struct lt_cfg_health limits = c->cfg.health;

	if (health_limits_from_args(&limits, args, err, errlen) != 0)
		return -EINVAL;
	uint64_t now_ms = mono_ms();
	sample_windows(c, now_ms / 1000);
	shm_clock_read(shm_clock(c->region), &snap);
	shm_ports_read(shm_ports(c->region), &ports);
	mssntp_stats(c->mssntp, &signd, NULL);
	struct health_inputs in = {
		.limits = &limits,
		.dp_alive = c->dp_alive,
		.dp_heartbeat_age = c->dp_beat_ms ? (double)(now_ms - c->dp_beat_ms) / 1e3
						  : (double)(mono_ns() - c->started_ns) / 1e9,
		.ring_drops = ring_drops_last_minute(c, now_ms / 1000),
		.clock = &snap,
		.now_tsc = tsc_read(),
		.ports = &ports,
		.signd_enabled = mssntp_enabled(c->mssntp),
		.signd = &signd,
		.now_ns = mono_ns(),
		.upstream_configured = c->upstream != NULL,
		.uptime_s = (double)(mono_ns() - c->started_ns) / 1e9,
		.signd_timeouts = health_window_rise(&c->signd_timeouts, now_ms / 1000, 60),
	};
	if (c->upstream) {
		upstream_status(c->upstream, &sync);
		in.upstream_mode = sync_mode_name(sync.mode);
		in.upstream_reference = sync.reference;
		in.upstream_stratum = sync.stratum;
		in.upstream_distance = sync.root_delay / 2 + sync.root_dispersion;
		in.upstream_offset = sync.ever_synced ? sync.last_offset : NAN;
		in.good_sources = sync.good_sources;
		in.logs_on = sync.logs_on;
		in.logdir = c->cfg.sync.logdir;
		in.log_lines_lost = health_window_rise(&c->log_lost, now_ms / 1000, 60);
		in.log_errno = sync.log_errno;
	}
	health_report(&in, data);
	return 0;
}

/* Signed replies leave through the inject ring of the region attached now. */
static int send_signed(void *arg, const struct lt_msg *m)
{
	struct control *c = arg;

	return punt_inject(c->region, m);
}

static int cmd_signd(void *ctx, struct json_object *args, struct json_object *data, char *err,
		     size_t errlen)
{
	struct control *c = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	mssntp_report(c->mssntp, mono_ns(), data);
	return 0;
}

static int cmd_serverstats(void *ctx, struct json_object *args, struct json_object *data,
			   char *err, size_t errlen)
{
	struct control *c = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	report_serverstats(data, shm_stats(c->region), shm_ports(c->region), punt_counters());
	struct json_object *cl = json_object_new_object();
	clients_summary(cl, c->region);
	json_object_object_add(data, "clientlog", cl);
	return 0;
}

static int cmd_clients(void *ctx, struct json_object *args, struct json_object *data, char *err,
		       size_t errlen)
{
	struct control *c = ctx;

	return clients_report(data, c->region, args, tsc_read(), err, errlen);
}

static const char *rule_text(const struct lt_cfg_access *a, char *buf, size_t len)
{
	char addr[64];
	struct lt_cfg_addr ca = {.family = a->family, .prefixlen = a->prefixlen};

	memcpy(ca.addr, a->addr, sizeof(ca.addr));
	if (a->family == 0)
		snprintf(addr, sizeof(addr), "%s", "");
	else
		config_addr_str(&ca, addr, sizeof(addr));
	snprintf(buf, len, "%s%s%s%s", a->allow ? "allow" : "deny", a->all ? " all" : "",
		 *addr ? " " : "", addr);
	return buf;
}

/* ratelimit: the policy the dataplane enforces now, and its client tables. */
static int cmd_ratelimit(void *ctx, struct json_object *args, struct json_object *data, char *err,
			 size_t errlen)
{
	struct control *c = ctx;
	static struct lt_policy p;
	char buf[128];

	(void)args;
	(void)err;
	(void)errlen;
	uint32_t gen = policy_read(shm_policy(c->region), &p);
	json_object_object_add(data, "generation", json_object_new_int64(gen));
	struct json_object *rules = json_object_new_array();
	for (unsigned int i = 0; i < p.n_access && i < LT_CFG_MAX_ACCESS; i++)
		json_object_array_add(rules, json_object_new_string(rule_text(&p.access[i], buf, sizeof(buf))));
	json_object_object_add(data, "access", rules);
	json_object_object_add(data, "default", json_object_new_string(p.n_access ? "deny" : "allow"));
	json_object_object_add(data, "kod_deny", json_object_new_boolean(p.kod_deny));
	struct json_object *rl = json_object_new_object();
	json_object_object_add(rl, "enabled", json_object_new_boolean(p.rl_enabled));
	json_object_object_add(rl, "interval", json_object_new_int(p.rl_interval));
	json_object_object_add(rl, "burst", json_object_new_int((int)p.rl_burst));
	json_object_object_add(rl, "leak", json_object_new_int(p.rl_leak));
	json_object_object_add(rl, "kod", json_object_new_int(p.rl_kod));
	json_object_object_add(rl, "ipv4_prefix", json_object_new_int(p.rl_ipv4_prefix));
	json_object_object_add(rl, "ipv6_prefix", json_object_new_int(p.rl_ipv6_prefix));
	json_object_object_add(data, "ratelimit", rl);
	struct json_object *cl = json_object_new_object();
	clients_summary(cl, c->region);
	json_object_object_add(data, "clientlog", cl);
	return 0;
}

/* keys: the symmetric keys in force and their counters (never a secret). */
static int cmd_keys(void *ctx, struct json_object *args, struct json_object *data, char *err,
		    size_t errlen)
{
	struct control *c = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	authkeys_report(&c->keys, c->region, c->cfg.crypto_nak, data);
	return 0;
}

static int cmd_ports(void *ctx, struct json_object *args, struct json_object *data, char *err,
		     size_t errlen)
{
	struct control *c = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	report_ports(data, shm_ports(c->region));
	return 0;
}

static json_object *proc_json(const struct lt_proc_info *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "pid", json_object_new_int64((int64_t)p->pid));
	json_object_object_add(o, "epoch", json_object_new_int64((int64_t)p->epoch));
	json_object_object_add(o, "heartbeat", json_object_new_int64((int64_t)p->heartbeat));
	json_object_object_add(o, "started_unix", json_object_new_int64((int64_t)p->started_unix));
	return o;
}

/* status: both processes' liveness and the clock being served. */
static int cmd_status(void *ctx, struct json_object *args, struct json_object *data, char *err,
		      size_t errlen)
{
	struct control *c = ctx;
	struct lt_region_hdr *h = shm_hdr(c->region);
	const struct lt_clock_snapshot *s = &c->clock.snap;
	char refid[5];

	(void)args;
	(void)err;
	(void)errlen;
	json_object *dp = proc_json(&h->dp);
	json_object_object_add(dp, "alive", json_object_new_boolean(c->dp_alive));
	json_object_object_add(data, "dataplane", dp);
	json_object_object_add(data, "control", proc_json(&h->ctl));
	json_object_object_add(data, "region", json_object_new_string(shm_path(c->region)));
	json_object_object_add(data, "mode", json_object_new_string(c->upstream ? upstream_mode(c->upstream)
										: "system"));
	json_object_object_add(data, "stratum", json_object_new_int(s->p.stratum));
	json_object_object_add(data, "leap", json_object_new_int(s->p.leap));
	json_object_object_add(data, "precision", json_object_new_int(s->p.precision));
	for (int i = 0; i < 4; i++) {
		char ch = (char)(s->p.refid >> (24 - 8 * i));
		refid[i] = ch >= 32 && ch < 127 ? ch : '.';
	}
	refid[4] = '\0';
	json_object_object_add(data, "refid", json_object_new_string(refid));
	json_object_object_add(data, "tsc_hz", json_object_new_double(c->clock.hz));
	json_object_object_add(data, "holdover_s", json_object_new_double(c->clock.holdover));
	json_object_object_add(data, "clock_generation",
			       json_object_new_int64(shm_clock(c->region)->generation));
	json_object_object_add(data, "clock_window_resets", json_object_new_int64((int64_t)c->clock.resets));
	json_object_object_add(data, "config", json_object_new_string(c->cfg.path));
	json_object_object_add(data, "policy_generation", json_object_new_int64(c->policy_generation));
	json_object_object_add(data, "reloads", json_object_new_int64((int64_t)c->reloads));
	json_object_object_add(data, "reloads_failed", json_object_new_int64((int64_t)c->reloads_failed));
	return 0;
}

/* Settings a reload cannot change in a running appliance: note each one
 * that differs so the operator knows a restart is needed. */
static void restart_only(const struct lt_config *a, const struct lt_config *b, struct json_object *out)
{
	int ports_differ = a->n_ports != b->n_ports ||
			   memcmp(a->ports, b->ports, sizeof(a->ports[0]) * a->n_ports) != 0;
	int eal_differ = a->n_eal_args != b->n_eal_args;

	for (unsigned int i = 0; !eal_differ && i < a->n_eal_args; i++)
		eal_differ = strcmp(a->eal_args[i], b->eal_args[i]) != 0;
#define DIFF(cond, name)                                                                           \
	do {                                                                                       \
		if (cond) {                                                                        \
			json_object_array_add(out, json_object_new_string(name));                  \
			log_msg(LOG_WARNING, "reload: %s changed; restart to apply it", name);     \
		}                                                                                  \
	} while (0)
	DIFF(ports_differ, "dataplane.ports");
	DIFF(eal_differ, "dataplane.eal");
	DIFF(a->n_lcores != b->n_lcores || memcmp(a->lcores, b->lcores, sizeof(a->lcores)) != 0,
	     "dataplane.lcores");
	DIFF(a->main_lcore != b->main_lcore, "dataplane.main_lcore");
	DIFF(a->idle_sleep_us != b->idle_sleep_us, "dataplane.idle_sleep_us");
	DIFF(a->mbufs != b->mbufs, "dataplane.mbufs");
	DIFF(strcmp(a->region_path, b->region_path) != 0, "region");
	DIFF(strcmp(a->admin_socket, b->admin_socket) != 0, "admin.socket");
	DIFF(strcmp(a->admin_group, b->admin_group) != 0, "admin.group");
	DIFF(strcmp(a->pidfile_dir, b->pidfile_dir) != 0, "pidfile_dir");
	DIFF(a->clientloglimit != b->clientloglimit, "clientloglimit");
	DIFF(a->sync.steer_system_clock != b->sync.steer_system_clock, "steer_system_clock");
	DIFF(strcmp(a->user, b->user) != 0, "user");
	DIFF(a->seccomp != b->seccomp, "seccomp");
#undef DIFF
}

static void applied_add(struct json_object *applied, const char *what)
{
	json_object_array_add(applied, json_object_new_string(what));
}

static int render_metrics(void *ctx, char **text, size_t *len);

/* metrics.listen: (re)start the HTTP listener on that address ("" closes
 * it). The new one is opened before the old closes, unless it needs the
 * old one's port. On failure the old one keeps serving if it could be left
 * open; c->http says what runs. */
static int apply_metrics_listen(struct control *c, const char *listen)
{
	char err[256];
	struct httpmetrics *h = NULL;

	if (listen[0]) {
		h = httpmetrics_start(listen, render_metrics, c, err, sizeof(err));
		if (!h && c->http) {
			httpmetrics_stop(c->http);
			c->http = NULL;
			h = httpmetrics_start(listen, render_metrics, c, err, sizeof(err));
		}
		if (!h) {
			log_msg(LOG_ERR, "metrics: %s", err);
			return -1;
		}
		log_msg(LOG_INFO, "metrics: serving http://%s/metrics", listen);
	} else if (c->http) {
		log_msg(LOG_INFO, "metrics: HTTP listener closed");
	}
	httpmetrics_stop(c->http);
	c->http = h;
	return 0;
}

/* Servers or pools appeared in, or left, the config (already in c->cfg):
 * start or stop following them. Without them the system clock is served
 * again. */
static int switch_upstream(struct control *c)
{
	if (!c->upstream) {
		c->upstream = upstream_new(&c->cfg, &c->clock, c->region, &c->keys);
		if (!c->upstream)
			return -1;
		upstream_register_commands(c->upstream);
		log_msg(LOG_NOTICE, "reload: upstream servers configured; synchronising to them");
		return 0;
	}
	upstream_free(c->upstream);
	c->upstream = NULL;
	localclock_update(&c->clock, shm_clock(c->region), shm_ports(c->region));
	log_msg(LOG_NOTICE, "reload: no upstream servers left; serving the system clock");
	return 0;
}

/* The upstream section changed (c->cfg.sync holds the new one): apply it
 * and name each part that changed. */
static void apply_sync(struct control *c, const struct lt_config *next, struct json_object *applied)
{
	struct sources_changes ch;
	char what[96];
	unsigned int bits;

	if (!c->upstream != !upstream_configured(next)) {
		if (switch_upstream(c) == 0)
			applied_add(applied, c->upstream ? "servers/pools (upstream sync started)"
							 : "servers/pools (upstream sync stopped)");
		return;
	}
	if (!c->upstream)
		return;
	bits = upstream_configure(c->upstream, next, &ch);
	if (bits & SYNC_RECONF_SOURCES) {
		snprintf(what, sizeof(what), "servers/pools (%u added, %u removed, %u changed%s)",
			 ch.added, ch.removed, ch.changed, ch.failed ? ", some failed" : "");
		applied_add(applied, what);
	}
	if (bits & SYNC_RECONF_SELECTION)
		applied_add(applied, "minsources/maxdistance");
	if (bits & SYNC_RECONF_DISCIPLINE)
		applied_add(applied, "makestep/maxslewrate/maxupdateskew/maxdrift/corrtimeratio/leapsecmode/smoothtime");
	if (bits & SYNC_RECONF_LOGS)
		applied_add(applied, "logdir/log/logchange");
	if (bits & SYNC_RECONF_LEAPSECTZ)
		applied_add(applied, "leapsectz");
	if (bits & SYNC_RECONF_DRIFTFILE)
		applied_add(applied, "driftfile");
}

/* The policy for cfg with the keys in force. */
static void build_policy(const struct control *c, const struct lt_config *cfg, struct lt_policy *p)
{
	policy_from_config(cfg, p);
	authkeys_to_policy(&c->keys, p);
}

static void publish_policy(struct control *c, const struct lt_policy *p)
{
	c->policy_generation = policy_publish(shm_policy(c->region), p);
	memcpy(&c->published, p, sizeof(*p));
}

/* chrony "server ADDR key ID" names a key the keyfile must have. */
static int check_server_keys(const struct lt_config *cfg, const struct authkeys *keys, char *err,
			     size_t errlen)
{
	for (unsigned int i = 0; i < cfg->sync.n_servers; i++) {
		const struct lt_cfg_server *sv = &cfg->sync.servers[i];

		if (sv->key && !authkeys_find(keys, sv->key)) {
			snprintf(err, errlen, "%s:%u: servers.[%u].key: %u: not in keyfile %s",
				 cfg->path, sv->line, i, sv->key, cfg->keyfile);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Re-read the config file, validate it whole, and apply what can change
 * while running: access rules, rate limits, KoD, signd, upstream sources
 * and discipline, logs, local stratum, holdover, precision, log level,
 * health thresholds, metrics listener, write group. An invalid file
 * changes nothing. The dataplane is never restarted: it picks up the new
 * policy generation between two poll rounds.
 */
static int reload(struct control *c, struct json_object *data, char *err, size_t errlen)
{
	static struct lt_config next;
	static struct lt_policy newp;
	static struct authkeys keys;
	struct json_object *applied = json_object_new_array(), *restart = json_object_new_array();
	int steer = c->cfg.sync.steer_system_clock;

	if (config_load_file(c->cfg.path, &next, err, errlen) != 0) {
		c->reloads_failed++;
		log_msg(LOG_ERR, "reload rejected, running configuration unchanged: %s", err);
		json_object_put(applied);
		json_object_put(restart);
		return -EINVAL;
	}
	/* The keys next to the config: a bad keyfile rejects the reload. */
	memcpy(&keys, &c->keys, sizeof(keys));
	if (authkeys_load(&keys, next.keyfile, c->region, err, errlen) != 0 ||
	    check_server_keys(&next, &keys, err, errlen) != 0) {
		c->keys.load_errors++;
		authkeys_clear(&keys);
		c->reloads_failed++;
		log_msg(LOG_ERR, "reload rejected, running configuration unchanged: %s", err);
		config_free(&next);
		json_object_put(applied);
		json_object_put(restart);
		return -EINVAL;
	}
	memcpy(&c->keys, &keys, sizeof(keys));
	authkeys_clear(&keys);
	restart_only(&c->cfg, &next, restart);
	/* Before the policy: whether MS-SNTP is punted follows what signd got. */
	if (strcmp(next.ntpsigndsocket, c->cfg.ntpsigndsocket) != 0) {
		if (mssntp_configure(c->mssntp, &next) == 0)
			applied_add(applied, "ntpsigndsocket");
		else
			snprintf(next.ntpsigndsocket, sizeof(next.ntpsigndsocket), "%s",
				 c->cfg.ntpsigndsocket);
	}
	build_policy(c, &next, &newp);
	uint8_t nak = newp.crypto_nak;
	newp.crypto_nak = c->published.crypto_nak;
	if (memcmp(&c->published, &newp, offsetof(struct lt_policy, n_keys)) != 0)
		applied_add(applied, "access/ratelimit/kod_deny");
	int keys_changed = c->published.n_keys != newp.n_keys ||
			   memcmp(c->published.keys, newp.keys, newp.n_keys * sizeof(newp.keys[0])) != 0;
	if (nak != c->published.crypto_nak || keys_changed)
		applied_add(applied, "keyfile/crypto_nak");
	newp.crypto_nak = nak;
	if (memcmp(&c->published, &newp, sizeof(newp)) != 0)
		publish_policy(c, &newp);
	int local_changed = next.local_stratum != c->cfg.local_stratum ||
			    next.holdover != c->cfg.holdover || next.precision != c->cfg.precision ||
			    next.local_distance != c->cfg.local_distance ||
			    next.local_orphan != c->cfg.local_orphan;
	if (local_changed) {
		localclock_configure(&c->clock, &next);
		/* Before the upstream section: a sync started below reads them. */
		c->cfg.local_stratum = next.local_stratum;
		c->cfg.local_distance = next.local_distance;
		c->cfg.local_orphan = next.local_orphan;
		c->cfg.holdover = next.holdover;
		c->cfg.precision = next.precision;
		applied_add(applied, "local/holdover/precision");
	}
	/* New keys reach the sources through apply_sync too (a new secret
	 * under the same key identifier). */
	if (local_changed || keys_changed || memcmp(&next.sync, &c->cfg.sync, sizeof(next.sync)) != 0) {
		c->cfg.sync = next.sync;
		/* steer_system_clock needs a restart: keep the running value. */
		c->cfg.sync.steer_system_clock = steer;
		apply_sync(c, &next, applied);
	}
	if (next.log_level != c->cfg.log_level) {
		log_set_level(next.log_level);
		applied_add(applied, "log.level");
	}
	if (memcmp(&next.health, &c->cfg.health, sizeof(next.health)) != 0)
		applied_add(applied, "health");
	if (strcmp(next.metrics_listen, c->cfg.metrics_listen) != 0) {
		if (apply_metrics_listen(c, next.metrics_listen) == 0)
			applied_add(applied, "metrics.listen");
		else if (c->http) /* the old listener still runs */
			memcpy(next.metrics_listen, c->cfg.metrics_listen, sizeof(next.metrics_listen));
		else
			next.metrics_listen[0] = '\0';
	}
	if (strcmp(next.admin_write_group, c->cfg.admin_write_group) != 0) {
		if (admin_set_write_group(next.admin_write_group) == 0)
			applied_add(applied, "admin.write_group");
		else
			memcpy(next.admin_write_group, c->cfg.admin_write_group,
			       sizeof(next.admin_write_group));
	}
	/* Adopt the other reloadable settings; keep the running ones that need a restart. */
	c->cfg.log_level = next.log_level;
	memcpy(c->cfg.access, next.access, sizeof(next.access));
	c->cfg.n_access = next.n_access;
	c->cfg.kod_deny = next.kod_deny;
	c->cfg.crypto_nak = next.crypto_nak;
	memcpy(c->cfg.keyfile, next.keyfile, sizeof(next.keyfile));
	c->cfg.ratelimit = next.ratelimit;
	memcpy(c->cfg.ntpsigndsocket, next.ntpsigndsocket, sizeof(next.ntpsigndsocket));
	c->cfg.health = next.health;
	memcpy(c->cfg.metrics_listen, next.metrics_listen, sizeof(next.metrics_listen));
	memcpy(c->cfg.admin_write_group, next.admin_write_group, sizeof(next.admin_write_group));
	config_free(&next);
	c->reloads++;
	log_msg(LOG_NOTICE, "reloaded %s: %zu change(s) applied, %zu need a restart; policy generation %u",
		c->cfg.path, json_object_array_length(applied), json_object_array_length(restart),
		c->policy_generation);
	if (data) {
		json_object_object_add(data, "applied", applied);
		json_object_object_add(data, "restart_needed", restart);
		json_object_object_add(data, "policy_generation", json_object_new_int64(c->policy_generation));
	} else {
		json_object_put(applied);
		json_object_put(restart);
	}
	return 0;
}

/* The page behind linetimectl metrics and GET /metrics: the read commands'
 * answers, rendered as Prometheus text. */
static int render_metrics(void *ctx, char **text, size_t *len)
{
	static const char *const names[] = { "serverstats", "ports", "status", "signd",
					     "health", "tracking", "sources", "sourcestats", "keys" };
	struct json_object *obj[sizeof(names) / sizeof(names[0])];
	int rc;

	(void)ctx;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		obj[i] = json_object_new_object();
		/* No upstream: no tracking, sources or sourcestats commands. */
		if (admin_call(names[i], NULL, obj[i]) != 0) {
			json_object_put(obj[i]);
			obj[i] = NULL;
		}
	}
	struct metrics_input in = {
		.serverstats = obj[0],
		.ports = obj[1],
		.status = obj[2],
		.signd = obj[3],
		.health = obj[4],
		.tracking = obj[5],
		.sources = obj[6],
		.sourcestats = obj[7],
		.keys = obj[8],
		.version = LT_VERSION,
	};
	rc = metrics_render(&in, text, len);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		json_object_put(obj[i]);
	return rc;
}

static int cmd_metrics(void *ctx, struct json_object *args, struct json_object *data, char *err,
		       size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	(void)args;
	rc = render_metrics(ctx, &text, &len);
	if (rc != 0) {
		snprintf(err, errlen, "cannot render the metrics: %s", strerror(-rc));
		return rc;
	}
	json_object_object_add(data, "text", json_object_new_string_len(text, (int)len));
	free(text);
	return 0;
}

static int cmd_reload(void *ctx, struct json_object *args, struct json_object *data, char *err,
		      size_t errlen)
{
	(void)args;
	return reload(ctx, data, err, errlen);
}

static void watch_dataplane(struct control *c, uint64_t now)
{
	struct lt_region_hdr *h = shm_hdr(c->region);
	uint64_t epoch = __atomic_load_n(&h->dp.epoch, __ATOMIC_ACQUIRE);
	uint64_t beat = __atomic_load_n(&h->dp.heartbeat, __ATOMIC_ACQUIRE);

	if (epoch != c->dp_epoch_seen) {
		if (c->dp_epoch_seen)
			log_msg(LOG_NOTICE, "dataplane restarted (pid %llu, epoch %llu)",
				(unsigned long long)h->dp.pid, (unsigned long long)epoch);
		c->dp_epoch_seen = epoch;
	}
	if (beat != c->dp_beat_seen) {
		c->dp_beat_seen = beat;
		c->dp_beat_ms = now;
		if (!c->dp_alive)
			log_msg(LOG_INFO, "dataplane is up (pid %llu)", (unsigned long long)h->dp.pid);
		c->dp_alive = 1;
	} else if (c->dp_alive && now - c->dp_beat_ms > DP_DEAD_MS) {
		log_msg(LOG_WARNING, "dataplane heartbeat stopped (pid %llu); waiting for it to return",
			(unsigned long long)h->dp.pid);
		c->dp_alive = 0;
	}
}

static int attach_region(struct control *c)
{
	char err[LT_CFG_ERR_MAX];
	struct shm_geometry geo;
	static struct lt_policy pol;

	policy_geometry(&c->cfg, &geo);
	if (shm_attach(c->cfg.region_path, &geo, c->owner, &c->region, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "shared region: %s", err);
		return -1;
	}
	shm_proc_start(&shm_hdr(c->region)->ctl);
	/* Our ends of the rings, as a linetimed killed mid-operation left them. */
	unsigned int stale = shm_ring_recover_producer(shm_inject_ring(c->region)) +
			     shm_ring_recover_consumer(shm_punt_ring(c->region));
	if (stale)
		log_msg(LOG_WARNING, "rings: %u slot(s) left half done by the previous linetimed, reclaimed",
			stale);
	c->dp_epoch_seen = 0;
	/* The keys, once: a restarted linetimed keeps the slots it finds. */
	if (!c->keys.loaded && c->cfg.keyfile[0]) {
		if (authkeys_load(&c->keys, c->cfg.keyfile, c->region, err, sizeof(err)) != 0 ||
		    check_server_keys(&c->cfg, &c->keys, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "%s", err);
			return -1;
		}
		log_msg(LOG_INFO, "keyfile %s: %u key(s)", c->cfg.keyfile, c->keys.n);
	}
	/* Our config is the policy from now on (it may differ from what a
	 * previous control published before a restart). */
	build_policy(c, &c->cfg, &pol);
	publish_policy(c, &pol);
	return 0;
}

/* Look the user up (if any), and create the directories linetimed writes
 * in later (logdir, the driftfile's) while it still may, as the user's.
 * Existing directories are left as they are. */
static int prepare_user(struct control *c)
{
	char err[LT_CFG_ERR_MAX], dir[LT_CFG_PATH_MAX];
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (c->cfg.user[0]) {
		if (privdrop_lookup(c->cfg.user, &c->user, err, sizeof(err)) != 0) {
			log_msg(LOG_ERR, "%s: user: %s", c->cfg.path, err);
			return -1;
		}
		c->owner_ids = (struct shm_owner){.uid = c->user.uid, .gid = c->user.gid};
		c->owner = &c->owner_ids;
		uid = c->user.uid;
		gid = c->user.gid;
	}
	if (c->cfg.sync.logdir[0] &&
	    privdrop_make_dir(c->cfg.sync.logdir, 0755, uid, gid, err, sizeof(err)))
		log_msg(LOG_WARNING, "logdir: %s", err);
	snprintf(dir, sizeof(dir), "%s", c->cfg.sync.driftfile);
	if (c->cfg.sync.driftfile[0] && privdrop_make_dir(dirname(dir), 0755, uid, gid, err, sizeof(err)))
		log_msg(LOG_WARNING, "driftfile: %s", err);
	return 0;
}

/* After the drop: say so now if the user cannot write where it will. */
static void check_writable(const char *what, const char *path, int is_dir, const char *user)
{
	char dir[LT_CFG_PATH_MAX];

	if (!path[0])
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	if (access(is_dir ? dir : dirname(dir), W_OK | X_OK) != 0)
		log_msg(LOG_WARNING, "%s %s: user %s cannot write there (%s); give it the directory",
			what, path, user, strerror(errno));
}

/* Everything root-only is open: become the user, keeping CAP_SYS_TIME
 * only to steer the system clock. */
static int drop_privileges(struct control *c)
{
	char err[LT_CFG_ERR_MAX], caps[128];

	if (!c->cfg.user[0])
		return 0;
	if (privdrop_become(&c->user, c->cfg.sync.steer_system_clock, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	log_msg(LOG_INFO, "running as user %s (uid %u, gid %u), capabilities: %s", c->user.name,
		(unsigned int)c->user.uid, (unsigned int)c->user.gid,
		privdrop_caps_text(caps, sizeof(caps)));
	check_writable("logdir", c->cfg.sync.logdir, 1, c->user.name);
	check_writable("driftfile", c->cfg.sync.driftfile, 0, c->user.name);
	return 0;
}

/* The system-call filter, last thing before the event loop. */
static int lock_down(struct control *c)
{
	enum sandbox_profile p = c->cfg.sync.steer_system_clock ? SANDBOX_CONTROL_STEER : SANDBOX_CONTROL;
	char err[LT_CFG_ERR_MAX], buf[4096];
	struct passwd pw, *pwp;
	struct group gr, *grp;

	if (!c->cfg.seccomp) {
		log_msg(LOG_WARNING, "seccomp = false: running without a system-call filter");
		return 0;
	}
	/* Load the user database's modules (NSS) for the admin group checks
	 * now rather than at the first client's connection. */
	getpwuid_r(getuid(), &pw, buf, sizeof(buf), &pwp);
	getgrgid_r(getgid(), &gr, buf, sizeof(buf), &grp);
	if (sandbox_apply(p, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return -1;
	}
	log_msg(LOG_INFO, "seccomp: %s filter loaded", sandbox_profile_name(p));
	return 0;
}

int main(int argc, char **argv)
{
	static struct control c;
	struct cmdline cl;
	int status = cmdline_start(argc, argv, "linetimed", "", &cl, &c.cfg);

	if (status >= 0)
		return status;
	c.started_ns = mono_ns();
	/* As root: what needs it. */
	if (prepare_user(&c) != 0)
		return 1;
	if (attach_region(&c) != 0)
		return 1;
	if (admin_init(c.cfg.admin_socket, c.cfg.admin_group, c.owner ? c.user.uid : (uid_t)-1) != 0)
		return 1;
	if (c.cfg.metrics_listen[0] && apply_metrics_listen(&c, c.cfg.metrics_listen) != 0)
		return 1;
	/* As the user from here on: what it opens, it can open again on reload. */
	if (drop_privileges(&c) != 0)
		return 1;
	c.mssntp = mssntp_new(&c.cfg, send_signed, &c);
	if (!c.mssntp)
		return 1;
	if (localclock_init(&c.clock, &c.cfg) != 0)
		return 1;
	if (upstream_configured(&c.cfg)) {
		c.upstream = upstream_new(&c.cfg, &c.clock, c.region, &c.keys);
		if (!c.upstream)
			return 1;
	} else {
		localclock_update(&c.clock, shm_clock(c.region), shm_ports(c.region));
	}

	admin_register("serverstats", ADMIN_READ, cmd_serverstats, &c,
		       "dataplane counters by reason, per port and per worker");
	admin_register("ports", ADMIN_READ, cmd_ports, &c, "dataplane ports, link and timestamp source");
	admin_register("status", ADMIN_READ, cmd_status, &c,
		       "liveness of both processes and the clock being served");
	admin_register("clients", ADMIN_READ, cmd_clients, &c,
		       "clients seen by the dataplane: hits, rate-limited, KoD, last seen");
	admin_register("ratelimit", ADMIN_READ, cmd_ratelimit, &c,
		       "access rules and rate limit in force, client table usage");
	admin_register("keys", ADMIN_READ, cmd_keys, &c,
		       "symmetric keys (keyfile) in force: id, type, authenticated and bad-MAC requests");
	admin_register("reload", ADMIN_WRITE, cmd_reload, &c,
		       "re-read the configuration and apply what changed (like SIGHUP)");
	admin_register("health", ADMIN_READ, cmd_health, &c,
		       "one verdict for monitoring (OK/WARNING/CRITICAL) and the checks behind it");
	admin_register("signd", ADMIN_READ, cmd_signd, &c,
		       "MS-SNTP signing through Samba: socket state, queue, signed, failures, latency");
	admin_register("metrics", ADMIN_READ, cmd_metrics, &c,
		       "every counter and gauge in Prometheus text format, as \"text\"");
	if (admin_set_write_group(c.cfg.admin_write_group) != 0)
		return 1;
	if (c.upstream)
		upstream_register_commands(c.upstream);

	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (lock_down(&c) != 0)
		return 1;
	if (c.upstream)
		log_msg(LOG_INFO, "synchronising to upstream servers; admin socket %s", c.cfg.admin_socket);
	else
		log_msg(LOG_INFO, "serving the system clock at stratum %u; admin socket %s",
			c.cfg.local_stratum, c.cfg.admin_socket);

	uint64_t next_beat = 0, next_clock = mono_ms() + CLOCK_MS;
	while (!stop) {
		struct pollfd fds[66];
		int n = admin_pollfds(fds, 64);
		int has_signd = mssntp_pollfd(c.mssntp, &fds[n]);
		int has_http = httpmetrics_pollfd(c.http, &fds[n + has_signd]);
		int timeout = mssntp_enabled(c.mssntp) ? TICK_SIGND_MS : TICK_MS;
		int st = mssntp_timeout_ms(c.mssntp, mono_ns());
		if (st >= 0 && st < timeout)
			timeout = st;
		if (c.upstream) {
			int ut = upstream_timeout_ms(c.upstream);
			if (ut < timeout)
				timeout = ut;
		}
		int ht = httpmetrics_timeout_ms(c.http);
		if (ht >= 0 && ht < timeout)
			timeout = ht;
		int rc = poll(fds, (nfds_t)(n + has_signd + has_http), timeout);
		if (rc < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (rc > 0)
			admin_dispatch(fds, n);
		mssntp_poll(c.mssntp, has_signd && rc > 0 ? fds[n].revents : 0, mono_ns());
		if (has_http)
			httpmetrics_run(c.http);
		if (hup) {
			char rerr[LT_CFG_ERR_MAX];
			hup = 0;
			reload(&c, NULL, rerr, sizeof(rerr));
		}
		punt_drain(c.region, 4096, on_punt_udp, on_punt_stamp, &c);
		if (c.upstream)
			upstream_run(c.upstream);

		uint64_t now = mono_ms();
		if (now >= next_beat) {
			next_beat = now + HEARTBEAT_MS;
			shm_proc_beat(&shm_hdr(c.region)->ctl, tsc_read());
			watch_dataplane(&c, now);
			sample_windows(&c, now / 1000);
		}
		if (now >= next_clock) {
			next_clock = now + CLOCK_MS;
			if (shm_replaced(c.region)) {
				log_msg(LOG_WARNING, "region %s was replaced; re-attaching", c.cfg.region_path);
				shm_detach(c.region);
				if (attach_region(&c) != 0)
					break;
				if (c.upstream)
					upstream_set_region(c.upstream, c.region);
			}
			if (!c.upstream)
				localclock_update(&c.clock, shm_clock(c.region), shm_ports(c.region));
		}
	}
	log_msg(LOG_INFO, "stopping; the dataplane keeps serving for %.0f s of holdover",
		c.cfg.holdover);
	httpmetrics_stop(c.http);
	admin_fini();
	upstream_free(c.upstream);
	mssntp_free(c.mssntp);
	shm_detach(c.region);
	config_free(&c.cfg);
	return stop ? 0 : 1;
}
