/* upstream: sync's I/O, publishing and admin commands inside linetimed. */
#include "upstream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>

#include <json-c/json.h>

#include "admin.h"
#include "inet.h"
#include "log.h"
#include "ntp_packet.h"
#include "punt.h"
#include "sync.h"
#include "syncreport.h"
#include "sysclock.h"
#include "tsc.h"

#define PUBLISH_EVERY 1.0      /* s: the map is re-based and the holdover deadline moved on */
#define RESOLVE_MAX_ADDRS 8

struct upstream {
	const struct lt_config *cfg;
	struct localclock *lc;
	struct lt_region *region;
	const struct authkeys *keys;
	struct sync *sync;
	uint64_t next_publish_c;
	uint64_t send_no_route, send_ring_full;
	int steer;                 /* steer_system_clock, and the kernel let us */
	struct sysclock sysclock;
	double sysclock_last;      /* mono of the last measurement */
	int sysclock_failed;
};

int upstream_configured(const struct lt_config *cfg)
{
	return cfg->sync.n_servers + cfg->sync.n_pools > 0;
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * The port and our address to send to dst from: a port with dst on one of
 * its subnets, else the first with a gateway of that family, else the
 * first with an address of that family. Returns the port index or -1.
 */
static int pick_port(const struct lt_config *cfg, int family, const uint8_t dst[16], uint8_t src[16])
{
	int gw = -1, any = -1;
	const uint8_t *gw_src = NULL, *any_src = NULL;

	for (unsigned int p = 0; p < cfg->n_ports; p++) {
		const struct lt_cfg_port *pt = &cfg->ports[p];
		for (unsigned int a = 0; a < pt->n_addrs; a++) {
			const struct lt_cfg_addr *ad = &pt->addrs[a];
			if (ad->family != family)
				continue;
			if (inet_prefix_match(ad->addr, dst, ad->prefixlen)) {
				memcpy(src, ad->addr, 16);
				return (int)p;
			}
			if (any < 0) {
				any = (int)p;
				any_src = ad->addr;
			}
			if (gw < 0 && (family == 4 ? pt->gw4.family : pt->gw6.family)) {
				gw = (int)p;
				gw_src = ad->addr;
			}
		}
	}
	if (gw >= 0) {
		memcpy(src, gw_src, 16);
		return gw;
	}
	if (any >= 0) {
		memcpy(src, any_src, 16);
		return any;
	}
	return -1;
}

static int send_request(void *arg, int family, const uint8_t addr[16], const uint8_t *payload,
			unsigned int len, uint64_t cookie)
{
	struct upstream *u = arg;
	static struct lt_msg m;

	memset(&m, 0, offsetof(struct lt_msg, payload));
	int port = pick_port(u->cfg, family, addr, m.src);
	if (port < 0 || len > LT_MSG_PAYLOAD_MAX) {
		u->send_no_route++;
		return -1;
	}
	m.type = LT_MSG_INJECT_UDP;
	m.port = (uint16_t)port;
	m.len = (uint16_t)len;
	m.family = (uint8_t)family;
	memcpy(m.dst, addr, 16);
	m.sport = NTP_PORT;
	m.dport = NTP_PORT;
	m.cookie = cookie;
	memcpy(m.payload, payload, len);
	if (punt_inject(u->region, &m) != 0) {
		u->send_ring_full++;
		return -1;
	}
	return 0;
}

static uint64_t random64(void *arg)
{
	uint64_t v = 0;

	(void)arg;
	/* getrandom() from the kernel's pool: origin timestamps must not be
	 * guessable by an off-path attacker (chrony does the same). */
	while (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		;
	return v;
}

static int family_served(const struct lt_config *cfg, int family)
{
	for (unsigned int p = 0; p < cfg->n_ports; p++)
		for (unsigned int a = 0; a < cfg->ports[p].n_addrs; a++)
			if (cfg->ports[p].addrs[a].family == family)
				return 1;
	return 0;
}

/* One name due for resolution, through the host's resolver. Blocking, but
 * only control waits: the dataplane keeps serving meanwhile. */
static void resolve_one(struct upstream *u, double mono)
{
	struct sources *src = sync_sources(u->sync);
	const char *name;
	int pool, family[RESOLVE_MAX_ADDRS];
	uint8_t addr[RESOLVE_MAX_ADDRS][16];
	unsigned int n = 0;
	struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;

	int idx = sources_want_resolve(src, mono, &name, &pool);
	if (idx < 0)
		return;
	int rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0)
		log_msg(LOG_WARNING, "cannot resolve %s: %s", name, gai_strerror(rc));
	for (struct addrinfo *a = res; a && n < RESOLVE_MAX_ADDRS; a = a->ai_next) {
		memset(addr[n], 0, 16);
		if (a->ai_family == AF_INET && family_served(u->cfg, 4)) {
			memcpy(addr[n], &((struct sockaddr_in *)a->ai_addr)->sin_addr, 4);
			family[n++] = 4;
		} else if (a->ai_family == AF_INET6 && family_served(u->cfg, 6)) {
			memcpy(addr[n], &((struct sockaddr_in6 *)a->ai_addr)->sin6_addr, 16);
			family[n++] = 6;
		}
	}
	if (res)
		freeaddrinfo(res);
	if (rc == 0 && n == 0)
		log_msg(LOG_WARNING, "%s: no address of a family the dataplane ports have", name);
	else if (n)
		log_msg(LOG_INFO, "%s resolved to %u address(es)", name, n);
	sources_resolved(src, idx, pool, family, (const uint8_t(*)[16])addr, n, mono);
}

/* Served time minus CLOCK_REALTIME (s), from one (TSC, system time) pair
 * taken at *c. 0 or -errno. */
static int system_offset(const struct upstream *u, uint64_t *c, double *off)
{
	struct timespec ts;

	if (tsc_sample(CLOCK_REALTIME, c, &ts, NULL) != 0)
		return -errno;
	*off = ntp_interval_to_double(ntp_ts_diff(sync_served(u->sync, *c), ntp_ts_from_timespec(&ts)));
	return 0;
}

/* Once a second: bring CLOCK_REALTIME to the served clock. */
static void steer_system_clock(struct upstream *u)
{
	struct sysclock_action a;
	struct sync_status st;
	uint64_t c;
	double off, mono = mono_s();

	if (system_offset(u, &c, &off) != 0)
		return;
	sysclock_update(&u->sysclock, off, u->sysclock_last > 0 ? mono - u->sysclock_last : 0, &a);
	u->sysclock_last = mono;
	sync_status(u->sync, c, &st);
	int rc = sysclock_apply(&a, st.mode == SYNC_LOCAL ? -1 : st.root_delay / 2 + st.root_dispersion);
	if (rc && !u->sysclock_failed)
		log_msg(LOG_ERR, "steering the system clock: %s", strerror(-rc));
	else if (!rc && a.step)
		log_msg(LOG_NOTICE, "system clock stepped by %+.6f s", a.step_s);
	u->sysclock_failed = rc != 0;
}

static void publish(struct upstream *u, uint64_t c)
{
	struct lt_clock_snapshot snap;
	static struct lt_ports_block ports;

	uint64_t until = sync_snapshot(u->sync, c, &snap);
	shm_ports_read(shm_ports(u->region), &ports);
	localclock_map_nic(u->lc, &ports, &snap);
	shm_clock_publish(shm_clock(u->region), &snap);
	u->lc->snap = snap;
	uint64_t regular = c + (uint64_t)(PUBLISH_EVERY * u->lc->nominal_hz);
	u->next_publish_c = until < regular ? until : regular;
	if (u->steer && mono_s() - u->sysclock_last >= PUBLISH_EVERY * 0.99)
		steer_system_clock(u);
}

static void steer_start(struct upstream *u)
{
	double r0;
	int rc = sysclock_kernel_freq(&r0);

	if (rc == 0)
		rc = sysclock_kernel_reset();
	if (rc) {
		log_msg(LOG_ERR, "steer_system_clock: cannot adjust the kernel clock (%s); "
			"serving without steering it", strerror(-rc));
		return;
	}
	struct sysclock_config sc = {
		.step_threshold = u->cfg->sync.makestep_threshold,
		.step_limit = u->cfg->sync.makestep_limit,
		.max_ppm = SYSCLOCK_KERNEL_MAX_PPM,
		.time_constant = 16,
	};
	sysclock_init(&u->sysclock, &sc, r0);
	u->steer = 1;
	log_msg(LOG_INFO, "steering the system clock to the served time (kernel frequency %.3f ppm)", r0);
}

struct upstream *upstream_new(const struct lt_config *cfg, struct localclock *lc, struct lt_region *r,
			      const struct authkeys *keys)
{
	struct upstream *u = calloc(1, sizeof(*u));
	struct lt_clock_snapshot prev;
	struct timespec ts;
	uint64_t c;

	if (!u)
		return NULL;
	u->cfg = cfg;
	u->lc = lc;
	u->region = r;
	u->keys = keys;
	shm_clock_read(shm_clock(r), &prev);
	if (tsc_sample(CLOCK_REALTIME, &c, &ts, NULL) != 0) {
		free(u);
		return NULL;
	}
	struct sync_env env = {
		.hz = lc->nominal_hz,
		.precision = lc->precision,
		.send = send_request,
		.random = random64,
		.arg = u,
		.keys = keys->mac,
		.n_keys = keys->n,
	};
	u->sync = sync_new(cfg, &env, c, ntp_ts_from_timespec(&ts), mono_s(), &prev);
	if (!u->sync) {
		log_msg(LOG_ERR, "upstream sync: cannot start (bad discipline settings?)");
		free(u);
		return NULL;
	}
	log_msg(LOG_INFO, "upstream sync: %u server(s), %u pool(s)", cfg->sync.n_servers, cfg->sync.n_pools);
	if (cfg->sync.steer_system_clock)
		steer_start(u);
	publish(u, tsc_read());
	return u;
}

void upstream_free(struct upstream *u)
{
	if (!u)
		return;
	admin_unregister(u);
	sync_free(u->sync);
	free(u);
}

void upstream_set_region(struct upstream *u, struct lt_region *r)
{
	u->region = r;
	publish(u, tsc_read());
}

unsigned int upstream_configure(struct upstream *u, const struct lt_config *next,
				struct sources_changes *changes)
{
	unsigned int bits;

	sync_configure(u->sync, next);
	bits = sync_reconfigure(u->sync, &next->sync, mono_s(), changes);
	sync_set_keys(u->sync, u->keys->mac, u->keys->n);
	return bits;
}

int upstream_on_udp(struct upstream *u, const struct lt_msg *m)
{
	return sync_reply(u->sync, m, tsc_read(), mono_s());
}

void upstream_on_stamp(struct upstream *u, const struct lt_msg *m)
{
	sync_tx_stamp(u->sync, m->cookie, m->ts);
}

void upstream_run(struct upstream *u)
{
	double mono = mono_s();

	resolve_one(u, mono);
	sync_tick(u->sync, tsc_read(), mono);
	uint64_t c = tsc_read();
	if (sync_dirty(u->sync) || c >= u->next_publish_c)
		publish(u, c);
}

int upstream_timeout_ms(struct upstream *u)
{
	double mono = mono_s();
	uint64_t c = tsc_read();
	double t = sync_timeout(u->sync, mono);
	double p = c >= u->next_publish_c ? 0 : (double)(u->next_publish_c - c) / u->lc->nominal_hz;

	t = fmin(t, p);
	return (int)ceil(fmin(t, 1.0) * 1000);
}

void upstream_status(struct upstream *u, struct sync_status *out)
{
	sync_status(u->sync, tsc_read(), out);
}

const char *upstream_mode(struct upstream *u)
{
	struct sync_status st;

	sync_status(u->sync, tsc_read(), &st);
	return sync_mode_name(st.mode);
}

/* --- admin commands --------------------------------------------------- */

static int cmd_tracking(void *ctx, struct json_object *args, struct json_object *data, char *err,
			size_t errlen)
{
	struct upstream *u = ctx;
	uint64_t c;
	double off;

	(void)args;
	int rc = system_offset(u, &c, &off);
	if (rc) {
		snprintf(err, errlen, "cannot read the system clock: %s", strerror(-rc));
		return -EIO;
	}
	syncreport_tracking(u->sync, c, off, data);
	return 0;
}

static int cmd_sources(void *ctx, struct json_object *args, struct json_object *data, char *err,
		       size_t errlen)
{
	struct upstream *u = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	syncreport_sources(u->sync, tsc_read(), mono_s(), data);
	return 0;
}

static int cmd_sourcestats(void *ctx, struct json_object *args, struct json_object *data, char *err,
			   size_t errlen)
{
	struct upstream *u = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	syncreport_sourcestats(u->sync, tsc_read(), data);
	return 0;
}

static int cmd_activity(void *ctx, struct json_object *args, struct json_object *data, char *err,
			size_t errlen)
{
	struct upstream *u = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	syncreport_activity(u->sync, data);
	return 0;
}

static int cmd_authdata(void *ctx, struct json_object *args, struct json_object *data, char *err,
			size_t errlen)
{
	struct upstream *u = ctx;

	(void)args;
	(void)err;
	(void)errlen;
	syncreport_authdata(u->sync, u->keys, data);
	return 0;
}

static int cmd_makestep(void *ctx, struct json_object *args, struct json_object *data, char *err,
			size_t errlen)
{
	struct upstream *u = ctx;
	uint64_t c = tsc_read();
	char msg[96];

	(void)args;
	(void)err;
	(void)errlen;
	double step = sync_makestep(u->sync, c);
	if (step != 0)
		publish(u, c);
	snprintf(msg, sizeof(msg), step != 0 ? "clock stepped by %+.9f s" : "no correction in progress",
		 step);
	json_object_object_add(data, "stepped", json_object_new_boolean(step != 0));
	json_object_object_add(data, "step", json_object_new_double(step));
	json_object_object_add(data, "message", json_object_new_string(msg));
	return 0;
}

static const char *arg_str(struct json_object *args, const char *k)
{
	struct json_object *v;

	if (!args || !json_object_object_get_ex(args, k, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int arg_int(struct json_object *args, const char *k, int def)
{
	struct json_object *v;

	if (!args || !json_object_object_get_ex(args, k, &v))
		return def;
	return json_object_get_int(v);
}

static int cmd_burst(void *ctx, struct json_object *args, struct json_object *data, char *err,
		     size_t errlen)
{
	struct upstream *u = ctx;
	int good = arg_int(args, "good", 4), total = arg_int(args, "total", 8);

	if (good < 1 || total < good || total > 64) {
		snprintf(err, errlen, "burst %d/%d: want 1 <= good <= total <= 64", good, total);
		return -EINVAL;
	}
	int n = sources_burst(sync_sources(u->sync), arg_str(args, "address"), (unsigned int)total,
			      mono_s());
	if (n == 0 && arg_str(args, "address")) {
		snprintf(err, errlen, "no active source %s", arg_str(args, "address"));
		return -ENOENT;
	}
	json_object_object_add(data, "sources", json_object_new_int(n));
	return 0;
}

static int cmd_add_server(void *ctx, struct json_object *args, struct json_object *data, char *err,
			  size_t errlen)
{
	struct upstream *u = ctx;
	const char *name = arg_str(args, "address");
	struct lt_cfg_poll p = {
		.minpoll = arg_int(args, "minpoll", 6),
		.maxpoll = arg_int(args, "maxpoll", 10),
		.iburst = arg_int(args, "iburst", 0),
		.prefer = arg_int(args, "prefer", 0),
		.noselect = arg_int(args, "noselect", 0),
	};

	if (args && !json_object_object_get_ex(args, "maxpoll", NULL) && p.minpoll > p.maxpoll)
		p.maxpoll = p.minpoll;
	if (args && !json_object_object_get_ex(args, "minpoll", NULL) && p.maxpoll < p.minpoll)
		p.minpoll = p.maxpoll;
	if (!name || p.minpoll < -6 || p.maxpoll > 24 || p.minpoll > p.maxpoll) {
		snprintf(err, errlen, "add server: want an address and -6 <= minpoll <= maxpoll <= 24");
		return -EINVAL;
	}
	int rc = sources_add_server(sync_sources(u->sync), name, &p, mono_s());
	if (rc < 0) {
		snprintf(err, errlen, "add server %s: %s", name,
			 rc == -EEXIST ? "already a source" : rc == -ENOSPC ? "16 sources already" : strerror(-rc));
		return rc;
	}
	log_msg(LOG_NOTICE, "source %s added by the operator", name);
	json_object_object_add(data, "name", json_object_new_string(name));
	return 0;
}

static int cmd_delete_source(void *ctx, struct json_object *args, struct json_object *data,
			     char *err, size_t errlen)
{
	struct upstream *u = ctx;
	const char *name = arg_str(args, "address");

	if (!name || sources_delete(sync_sources(u->sync), name) != 0) {
		snprintf(err, errlen, "no source %s", name ? name : "(none given)");
		return -ENOENT;
	}
	log_msg(LOG_NOTICE, "source %s deleted by the operator", name);
	json_object_object_add(data, "name", json_object_new_string(name));
	return 0;
}

static int cmd_cyclelogs(void *ctx, struct json_object *args, struct json_object *data, char *err,
			 size_t errlen)
{
	struct upstream *u = ctx;

	(void)args;
	int n = sync_cyclelogs(u->sync);
	if (n < 0) {
		snprintf(err, errlen, "reopening the logs in %s: %s", u->cfg->sync.logdir, strerror(-n));
		return n;
	}
	json_object_object_add(data, "files", json_object_new_int(n));
	return 0;
}

void upstream_register_commands(struct upstream *u)
{
	admin_register("cyclelogs", ADMIN_WRITE, cmd_cyclelogs, u,
		       "reopen the statistics logs in logdir (after logrotate moved them)");
	admin_register("tracking", ADMIN_READ, cmd_tracking, u,
		       "the served clock against its upstreams: reference, stratum, offsets, frequency");
	admin_register("sources", ADMIN_READ, cmd_sources, u,
		       "upstream sources: state, stratum, poll, reach, last sample");
	admin_register("sourcestats", ADMIN_READ, cmd_sourcestats, u,
		       "per-source regression: samples, span, frequency, skew, offset");
	admin_register("activity", ADMIN_READ, cmd_activity, u, "sources online, offline, unresolved");
	admin_register("authdata", ADMIN_READ, cmd_authdata, u,
		       "per source: symmetric key, type, length, replies authenticated and rejected");
	admin_register("makestep", ADMIN_WRITE, cmd_makestep, u,
		       "end the correction being slewed with a step now");
	admin_register("burst", ADMIN_WRITE, cmd_burst, u, "send a burst of requests to the sources");
	admin_register("add_server", ADMIN_WRITE, cmd_add_server, u, "add an upstream server");
	admin_register("delete_source", ADMIN_WRITE, cmd_delete_source, u, "remove an upstream source");
}
