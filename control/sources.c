/* sources: the upstream servers, their polls and their replies. */
#include "sources.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"

#define BURST_INTERVAL 2.0      /* s between the requests of a burst (chrony) */
#define RESOLVE_MIN 8.0         /* s: first retry of a failed resolution */
#define RESOLVE_MAX 1024.0      /* s: longest wait between retries */
#define UNREACH_POLLS 8         /* polls unanswered before a name is resolved
				 * again, or a pool member replaced */
#define KOD_MAX_POLL 17         /* RATE raises the poll up to this */
#define MAX_DELAY 16.0          /* s: a round trip this long is no measurement */

struct pool {
	int used;
	struct lt_cfg_pool cfg;
	double next_resolve;
	double backoff;
};

struct source {
	int used;
	char name[LT_CFG_HOST_MAX];
	int pool;                /* -1: a server */
	int literal;             /* name is an address: never resolved again */
	struct lt_cfg_poll pcfg;
	int family;
	uint8_t addr[16];
	enum source_state state;
	struct srcfilter *filt;
	double next_poll;
	double next_resolve, backoff;
	unsigned int missed;     /* polls since the last reply */
	unsigned int burst_left;
	int kod_poll;            /* floor on the poll after KoD RATE, or INT_MIN */
	int unsync;              /* the last reply said leap 3 / stratum 16 */
	char kod[5];
	int inflight, have_t1;
	uint64_t nonce, cookie;
	double t1;
	double last_rx_mono;
	struct srcfilter_sample last;
	uint32_t last_refid;
	int have_last;
	uint32_t key_id;         /* 0: unauthenticated */
	struct ntp_mac_key key;  /* key_id's, prepared; type NONE if missing */
	enum ntpclient_verdict last_auth; /* last authentication result, for the log */
	struct source_counters ctr;
};

struct sources {
	struct sources_config cfg;
	ntp_ts_t epoch;
	struct source src[SOURCES_MAX];
	struct pool pool[LT_CFG_MAX_POOLS];
	uint64_t seq;
};

static int parse_literal(const char *name, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, name, addr) == 1) {
		*family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, name, addr) == 1) {
		*family = 6;
		return 0;
	}
	return -1;
}

static const char *addr_text(int family, const uint8_t addr[16], char *buf, unsigned int len)
{
	if (family == 4)
		inet_ntop(AF_INET, addr, buf, len);
	else if (family == 6)
		inet_ntop(AF_INET6, addr, buf, len);
	else
		snprintf(buf, len, "%s", "");
	return buf;
}

const char *sources_addr_text(const struct source_info *si, char *buf, unsigned int len)
{
	return addr_text(si->family, si->addr, buf, len);
}

/* Does the operator's name for a source (its name or its address) mean x?
 * Host names are case-insensitive, and so are IPv6 addresses' hex digits. */
static int named(const struct source *x, const char *name)
{
	char buf[INET6_ADDRSTRLEN];

	return strcasecmp(x->name, name) == 0 ||
	       strcasecmp(addr_text(x->family, x->addr, buf, sizeof(buf)), name) == 0;
}

struct sources *sources_new(const struct sources_config *cfg, ntp_ts_t epoch)
{
	struct sources *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->epoch = epoch;
	return s;
}

static void slot_clear(struct source *x)
{
	srcfilter_fini(x->filt);
	explicit_bzero(x, sizeof(*x));
}

void sources_free(struct sources *s)
{
	if (!s)
		return;
	for (unsigned int i = 0; i < SOURCES_MAX; i++)
		if (s->src[i].used)
			slot_clear(&s->src[i]);
	free(s);
}

static struct srcfilter *new_filter(const struct sources *s, const struct lt_cfg_poll *p)
{
	struct srcfilter_config fc = {
		.minpoll = p->minpoll,
		.maxpoll = p->maxpoll,
		.iburst = p->iburst,
		.precision = s->cfg.precision,
	};

	return srcfilter_init(&fc);
}

static int same_addr(const struct source *x, int family, const uint8_t addr[16])
{
	return x->used && x->family == family && memcmp(x->addr, addr, family == 4 ? 4 : 16) == 0;
}

static int find_addr(const struct sources *s, int family, const uint8_t addr[16])
{
	for (unsigned int i = 0; i < SOURCES_MAX; i++)
		if (same_addr(&s->src[i], family, addr))
			return (int)i;
	return -1;
}

static void set_address(struct sources *s, struct source *x, int family, const uint8_t addr[16],
			double mono)
{
	x->family = family;
	memcpy(x->addr, addr, 16);
	x->state = SOURCE_ACTIVE;
	x->next_poll = mono;
	x->missed = 0;
	x->inflight = 0;
	/* A new address is a new server: forget the old one's samples and
	 * start again with iburst if configured. */
	struct srcfilter *f = new_filter(s, &x->pcfg);
	if (f) {
		srcfilter_fini(x->filt);
		x->filt = f;
	}
}

static int add_slot(struct sources *s, const char *name, int pool, const struct lt_cfg_poll *poll,
		    double mono)
{
	int family;
	uint8_t addr[16];

	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		struct source *x = &s->src[i];
		if (x->used)
			continue;
		memset(x, 0, sizeof(*x));
		x->filt = new_filter(s, poll);
		if (!x->filt)
			return -EINVAL;
		x->used = 1;
		snprintf(x->name, sizeof(x->name), "%s", name);
		x->pool = pool;
		x->pcfg = *poll;
		x->kod_poll = -100;
		x->last_rx_mono = -1;
		x->state = SOURCE_UNRESOLVED;
		x->next_resolve = mono;
		x->backoff = RESOLVE_MIN;
		if (parse_literal(name, &family, addr) == 0) {
			x->literal = 1;
			set_address(s, x, family, addr, mono);
		}
		return (int)i;
	}
	return -ENOSPC;
}

int sources_add_server(struct sources *s, const char *name, const struct lt_cfg_poll *poll, double mono)
{
	int family;
	uint8_t addr[16];

	if (!name || !*name || strlen(name) >= LT_CFG_HOST_MAX || poll->minpoll > poll->maxpoll)
		return -EINVAL;
	for (unsigned int i = 0; i < SOURCES_MAX; i++)
		if (s->src[i].used && strcasecmp(s->src[i].name, name) == 0)
			return -EEXIST;
	if (parse_literal(name, &family, addr) == 0 && find_addr(s, family, addr) >= 0)
		return -EEXIST;
	return add_slot(s, name, -1, poll, mono);
}

int sources_add_pool(struct sources *s, const struct lt_cfg_pool *p, double mono)
{
	for (unsigned int i = 0; i < LT_CFG_MAX_POOLS; i++) {
		struct pool *q = &s->pool[i];
		if (q->used)
			continue;
		q->used = 1;
		q->cfg = *p;
		q->next_resolve = mono;
		q->backoff = RESOLVE_MIN;
		return 0;
	}
	return -ENOSPC;
}

static unsigned int pool_members(const struct sources *s, int pool)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < SOURCES_MAX; i++)
		if (s->src[i].used && s->src[i].pool == pool && s->src[i].state == SOURCE_ACTIVE)
			n++;
	return n;
}

/* Drop a pool member; its pool looks for a replacement at once. */
static void drop_member(struct sources *s, unsigned int i, double mono)
{
	int pool = s->src[i].pool;

	log_msg(LOG_NOTICE, "source %s (pool %s) dropped; looking for a replacement", s->src[i].name,
		s->pool[pool].cfg.name);
	slot_clear(&s->src[i]);
	s->pool[pool].next_resolve = mono;
	s->pool[pool].backoff = RESOLVE_MIN;
}

int sources_delete(struct sources *s, const char *name)
{
	int found = 0;

	for (unsigned int p = 0; p < LT_CFG_MAX_POOLS; p++) {
		if (!s->pool[p].used || strcasecmp(s->pool[p].cfg.name, name) != 0)
			continue;
		for (unsigned int i = 0; i < SOURCES_MAX; i++)
			if (s->src[i].used && s->src[i].pool == (int)p)
				slot_clear(&s->src[i]);
		memset(&s->pool[p], 0, sizeof(s->pool[p]));
		found = 1;
	}
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		if (s->src[i].used && named(&s->src[i], name)) {
			slot_clear(&s->src[i]);
			found = 1;
		}
	}
	return found ? 0 : -ENOENT;
}

static const struct lt_cfg_server *find_server(const struct lt_cfg_sync *y, const char *address)
{
	for (unsigned int i = 0; i < y->n_servers; i++)
		if (strcasecmp(y->servers[i].address, address) == 0)
			return &y->servers[i];
	return NULL;
}

static const struct lt_cfg_pool *find_pool(const struct lt_cfg_sync *y, const char *name)
{
	for (unsigned int i = 0; i < y->n_pools; i++)
		if (strcasecmp(y->pools[i].name, name) == 0)
			return &y->pools[i];
	return NULL;
}

static int same_poll(const struct lt_cfg_poll *a, const struct lt_cfg_poll *b)
{
	return a->minpoll == b->minpoll && a->maxpoll == b->maxpoll && a->iburst == b->iburst &&
	       a->prefer == b->prefer && a->noselect == b->noselect;
}

/* Same options: another key identifier is another source, as chrony has
 * it (a new secret under the same identifier is not: sources_set_keys). */
static int same_server(const struct lt_cfg_server *a, const struct lt_cfg_server *b)
{
	return same_poll(&a->poll, &b->poll) && a->key == b->key;
}

void sources_reconfigure(struct sources *s, const struct lt_cfg_sync *old,
			 const struct lt_cfg_sync *next, double mono, struct sources_changes *out)
{
	memset(out, 0, sizeof(*out));
	/* Gone or changed: removed (a changed one comes back below). */
	for (unsigned int i = 0; i < old->n_servers; i++) {
		const struct lt_cfg_server *o = &old->servers[i], *n = find_server(next, o->address);

		if (n && same_server(o, n))
			continue;
		if (sources_delete(s, o->address) == 0 && !n)
			out->removed++;
	}
	for (unsigned int i = 0; i < old->n_pools; i++) {
		const struct lt_cfg_pool *o = &old->pools[i], *n = find_pool(next, o->name);

		if (n && same_poll(&o->poll, &n->poll) && n->maxsources == o->maxsources)
			continue;
		if (sources_delete(s, o->name) == 0 && !n)
			out->removed++;
	}
	/* New or changed: added, with their options. */
	for (unsigned int i = 0; i < next->n_servers; i++) {
		const struct lt_cfg_server *n = &next->servers[i], *o = find_server(old, n->address);
		int rc;

		if (o && same_server(o, n))
			continue;
		rc = sources_add_server(s, n->address, &n->poll, mono);
		if (rc >= 0)
			o ? out->changed++ : out->added++;
		else if (rc != -EEXIST) /* an operator's "add server" of the same name stays */
			out->failed++;
	}
	for (unsigned int i = 0; i < next->n_pools; i++) {
		const struct lt_cfg_pool *n = &next->pools[i], *o = find_pool(old, n->name);

		if (o && same_poll(&o->poll, &n->poll) && n->maxsources == o->maxsources)
			continue;
		if (sources_add_pool(s, n, mono) == 0)
			o ? out->changed++ : out->added++;
		else
			out->failed++;
	}
}

int sources_set_key(struct sources *s, unsigned int i, uint32_t id, const struct ntp_mac_key *key)
{
	if (i >= SOURCES_MAX || !s->src[i].used)
		return -ENOENT;
	struct source *x = &s->src[i];
	int was_missing = x->key_id && x->key.type == NTP_MAC_NONE;

	if (id != x->key_id || (id && (key == NULL) != was_missing)) {
		if (!id)
			log_msg(LOG_INFO, "source %s: unauthenticated", x->name);
		else if (key)
			log_msg(LOG_INFO, "source %s: authenticated with key %u (%s)", x->name, id,
				ntp_mac_type_name(key->type));
		else
			log_msg(LOG_ERR, "source %s: key %u is not in the keyfile; not polled", x->name, id);
	}
	explicit_bzero(&x->key, sizeof(x->key));
	x->key_id = id;
	if (id && key)
		x->key = *key;
	x->key.id = id;
	return 0;
}

void sources_set_keys(struct sources *s, const struct lt_cfg_sync *y, const struct ntp_mac_key *keys,
		      unsigned int n)
{
	for (unsigned int k = 0; k < y->n_servers; k++) {
		const struct lt_cfg_server *sv = &y->servers[k];
		const struct ntp_mac_key *key = NULL;

		for (unsigned int i = 0; sv->key && i < n; i++)
			if (keys[i].id == sv->key)
				key = &keys[i];
		for (unsigned int i = 0; i < SOURCES_MAX; i++)
			if (s->src[i].used && s->src[i].pool < 0 &&
			    strcasecmp(s->src[i].name, sv->address) == 0)
				sources_set_key(s, i, sv->key, key);
	}
}

unsigned int sources_slots(const struct sources *s)
{
	(void)s;
	return SOURCES_MAX;
}

int sources_find(const struct sources *s, int family, const uint8_t addr[16])
{
	return find_addr(s, family, addr);
}

int sources_used(const struct sources *s, unsigned int i)
{
	return i < SOURCES_MAX && s->src[i].used;
}

int sources_want_resolve(const struct sources *s, double mono, const char **name, int *pool)
{
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		const struct source *x = &s->src[i];
		if (x->used && !x->literal && x->pool < 0 && x->state == SOURCE_UNRESOLVED &&
		    mono >= x->next_resolve) {
			*name = x->name;
			*pool = -1;
			return (int)i;
		}
	}
	for (unsigned int p = 0; p < LT_CFG_MAX_POOLS; p++) {
		const struct pool *q = &s->pool[p];
		if (q->used && mono >= q->next_resolve && pool_members(s, (int)p) < q->cfg.maxsources) {
			*name = q->cfg.name;
			*pool = (int)p;
			return 0;
		}
	}
	return -1;
}

static double backoff_next(double *b)
{
	double d = *b;

	*b = fmin(*b * 2, RESOLVE_MAX);
	return d;
}

void sources_resolved(struct sources *s, int index, int pool, const int *family,
		      const uint8_t (*addr)[16], unsigned int n, double mono)
{
	if (pool < 0) {
		struct source *x = index >= 0 && index < SOURCES_MAX ? &s->src[index] : NULL;
		if (!x || !x->used)
			return;
		for (unsigned int k = 0; k < n; k++) {
			int other = find_addr(s, family[k], addr[k]);
			if (other >= 0 && other != index)
				continue;   /* another source has it already */
			if (!same_addr(x, family[k], addr[k]))
				set_address(s, x, family[k], addr[k], mono);
			x->state = SOURCE_ACTIVE;
			x->backoff = RESOLVE_MIN;
			return;
		}
		x->state = SOURCE_UNRESOLVED;
		x->next_resolve = mono + backoff_next(&x->backoff);
		return;
	}
	if (pool >= LT_CFG_MAX_POOLS || !s->pool[pool].used)
		return;
	struct pool *q = &s->pool[pool];
	for (unsigned int k = 0; k < n && pool_members(s, pool) < q->cfg.maxsources; k++) {
		char text[INET6_ADDRSTRLEN];
		if (find_addr(s, family[k], addr[k]) >= 0)
			continue;
		addr_text(family[k], addr[k], text, sizeof(text));
		if (add_slot(s, text, pool, &q->cfg.poll, mono) < 0)
			break;
	}
	if (pool_members(s, pool) < q->cfg.maxsources)
		q->next_resolve = mono + backoff_next(&q->backoff);
	else
		q->backoff = RESOLVE_MIN;
}

static double poll_interval(const struct source *x)
{
	double iv = srcfilter_poll_interval(x->filt);

	if (x->kod_poll > -100)
		iv = fmax(iv, ldexp(1.0, x->kod_poll));
	return iv;
}

static void send_one(struct sources *s, unsigned int i, double mono)
{
	struct source *x = &s->src[i];
	uint8_t pkt[NTPCLIENT_REQUEST_MAX];
	unsigned int len;

	if (x->key_id && x->key.type == NTP_MAC_NONE) {
		/* Never unauthenticated in its stead. */
		x->ctr.no_key++;
		x->next_poll = mono + poll_interval(x);
		return;
	}
	if (x->inflight)
		x->missed++;
	srcfilter_polled(x->filt);
	do
		x->nonce = s->cfg.random(s->cfg.arg);
	while (x->nonce == 0);
	x->cookie = ((uint64_t)(i + 1) << 56) | (++s->seq & 0x00ffffffffffffffULL);
	x->inflight = 1;
	x->have_t1 = 0;
	len = ntpclient_request_auth(pkt, (int8_t)srcfilter_poll(x->filt), s->cfg.precision_log2,
				     x->nonce, x->key_id ? &x->key : NULL);
	if (s->cfg.send(s->cfg.arg, x->family, x->addr, pkt, len, x->cookie) == 0)
		x->ctr.sent++;
	else
		x->ctr.send_failed++;
	if (x->burst_left)
		x->burst_left--;
	x->next_poll = mono + (x->burst_left ? BURST_INTERVAL : poll_interval(x));
}

void sources_poll(struct sources *s, double mono)
{
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		struct source *x = &s->src[i];
		if (!x->used || x->state != SOURCE_ACTIVE || mono < x->next_poll)
			continue;
		/* The request still in flight is the last of UNREACH_POLLS unanswered. */
		if (x->missed + (unsigned int)x->inflight >= UNREACH_POLLS) {
			if (x->pool >= 0) {
				drop_member(s, i, mono);
				continue;
			}
			if (!x->literal) {
				/* The name may point elsewhere now. */
				log_msg(LOG_NOTICE, "source %s unreachable; resolving it again", x->name);
				x->state = SOURCE_UNRESOLVED;
				x->next_resolve = mono;
				x->missed = 0;
				continue;
			}
		}
		send_one(s, i, mono);
	}
}

double sources_next_due(const struct sources *s, double mono)
{
	double next = INFINITY;

	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		const struct source *x = &s->src[i];
		if (!x->used)
			continue;
		if (x->state == SOURCE_ACTIVE)
			next = fmin(next, x->next_poll);
		else if (x->state == SOURCE_UNRESOLVED && !x->literal && x->pool < 0)
			next = fmin(next, x->next_resolve);
	}
	for (unsigned int p = 0; p < LT_CFG_MAX_POOLS; p++)
		if (s->pool[p].used && pool_members(s, (int)p) < s->pool[p].cfg.maxsources)
			next = fmin(next, s->pool[p].next_resolve);
	return fmax(next - mono, 0);
}

void sources_tx_stamp(struct sources *s, uint64_t cookie, double t1)
{
	unsigned int i = (unsigned int)(cookie >> 56);

	if (i == 0 || i > SOURCES_MAX)
		return;
	struct source *x = &s->src[i - 1];
	if (x->used && x->inflight && x->cookie == cookie) {
		x->t1 = t1;
		x->have_t1 = 1;
	}
}

static double ntp_local(const struct sources *s, ntp_ts_t t)
{
	return ntp_interval_to_double(ntp_ts_diff(t, s->epoch));
}

int sources_reply(struct sources *s, int family, const uint8_t addr[16], const uint8_t *payload,
		  unsigned int len, double t4, double mono, enum srcfilter_verdict *verdict)
{
	struct ntpclient_reply r;
	int i = find_addr(s, family, addr);

	if (i < 0)
		return -1;
	struct source *x = &s->src[i];
	enum ntpclient_verdict v = ntpclient_check_auth(payload, len, x->inflight ? x->nonce : 0,
							x->key_id ? &x->key : NULL, &r);
	x->ctr.replies++;
	x->ctr.verdict[v]++;
	if (v == NTPCLIENT_SHORT || v == NTPCLIENT_NOT_REPLY || v == NTPCLIENT_BOGUS)
		return -1;
	if (v >= NTPCLIENT_AUTH_MISSING) {
		/* Not from the server we share the key with, as far as we can
		 * tell: the request stays in flight for the real reply. Logged
		 * when the reason changes, not per packet. */
		if (v != x->last_auth)
			log_msg(LOG_WARNING, "source %s: reply failed authentication with key %u (%s)",
				x->name, x->key_id, ntpclient_verdict_name(v));
		x->last_auth = v;
		return -1;
	}
	if (x->key_id) {
		x->ctr.auth_ok++;
		if (x->last_auth != NTPCLIENT_OK)
			log_msg(LOG_NOTICE, "source %s: replies authenticate with key %u again", x->name,
				x->key_id);
		x->last_auth = NTPCLIENT_OK;
	}
	/* The answer to the request in flight: a second copy is bogus. */
	x->inflight = 0;
	x->missed = 0;
	switch (v) {
	case NTPCLIENT_KOD_RATE:
		memcpy(x->kod, r.kiss, sizeof(x->kod));
		x->kod_poll = x->kod_poll > -100 ? x->kod_poll + 1 : srcfilter_poll(x->filt) + 1;
		if (x->kod_poll > KOD_MAX_POLL)
			x->kod_poll = KOD_MAX_POLL;
		x->burst_left = 0;
		x->next_poll = mono + ldexp(1.0, x->kod_poll);
		log_msg(LOG_WARNING, "source %s sent KoD RATE: polling every %g s or slower", x->name,
			ldexp(1.0, x->kod_poll));
		return -1;
	case NTPCLIENT_KOD_DENY:
		memcpy(x->kod, r.kiss, sizeof(x->kod));
		log_msg(LOG_WARNING, "source %s sent KoD %s: no longer polled", x->name, r.kiss);
		x->state = SOURCE_KOD_STOPPED;
		return -1;
	case NTPCLIENT_KOD_OTHER:
	case NTPCLIENT_BAD_TIME:
		return -1;
	case NTPCLIENT_UNSYNC:
		x->unsync = 1;
		srcfilter_reached(x->filt);
		x->last_rx_mono = mono;
		return -1;
	default:
		break;
	}
	x->unsync = 0;
	x->last_rx_mono = mono;
	if (!x->have_t1) {
		/* Without its transmit time an exchange measures nothing. */
		x->ctr.no_tx_stamp++;
		srcfilter_reached(x->filt);
		return -1;
	}
	struct srcfilter_sample smp;
	srcfilter_make_sample(x->t1, ntp_local(s, r.rx), ntp_local(s, r.tx), t4, s->cfg.precision, &smp);
	smp.root_delay = r.root_delay;
	smp.root_dispersion = r.root_dispersion;
	smp.stratum = r.stratum;
	smp.leap = r.leap;
	if (!(t4 >= x->t1) || smp.delay > MAX_DELAY) {
		x->ctr.late++;
		srcfilter_reached(x->filt);
		return -1;
	}
	enum srcfilter_verdict fv = srcfilter_add(x->filt, &smp);
	x->ctr.filter[fv]++;
	x->last = smp;
	x->last_refid = r.refid;
	x->have_last = 1;
	if (fv == SRCFILTER_ACCEPTED || fv == SRCFILTER_STEP)
		x->ctr.accepted++;
	*verdict = fv;
	return i;
}

void sources_adjust(struct sources *s, double when, double dphase, double dfreq)
{
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		struct source *x = &s->src[i];
		if (!x->used)
			continue;
		srcfilter_adjust(x->filt, when, dphase, dfreq);
		if (x->have_last) {
			double d = dphase + dfreq * (x->last.local - when);
			x->last.offset -= d;
			x->last.local += d;
		}
		if (!x->inflight)
			continue;
		if (x->have_t1)
			x->t1 += dphase + dfreq * (x->t1 - when);
		else
			x->inflight = 0;
	}
}

void sources_estimates(const struct sources *s, double local, struct srcselect_source *out)
{
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		const struct source *x = &s->src[i];
		memset(&out[i], 0, sizeof(out[i]));
		if (!x->used || x->state != SOURCE_ACTIVE)
			continue;
		srcfilter_estimate(x->filt, local, &out[i].est);
		if (x->unsync)
			out[i].est.leap = NTP_LEAP_UNSYNC;
		out[i].prefer = x->pcfg.prefer;
		out[i].noselect = x->pcfg.noselect;
	}
}

int sources_burst(struct sources *s, const char *name, unsigned int total, double mono)
{
	int n = 0;

	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		struct source *x = &s->src[i];

		if (!x->used || x->state != SOURCE_ACTIVE || (name && !named(x, name)))
			continue;
		x->burst_left = total;
		x->next_poll = mono;
		n++;
	}
	return n;
}

int sources_info(const struct sources *s, unsigned int i, struct source_info *out)
{
	if (i >= SOURCES_MAX || !s->src[i].used)
		return -ENOENT;
	const struct source *x = &s->src[i];
	memset(out, 0, sizeof(*out));
	out->name = x->name;
	out->pool = x->pool >= 0 ? s->pool[x->pool].cfg.name : "";
	out->family = x->family;
	memcpy(out->addr, x->addr, 16);
	out->state = x->state;
	out->poll_cfg = x->pcfg;
	out->poll = srcfilter_poll(x->filt);
	memcpy(out->kod, x->kod, sizeof(out->kod));
	out->last_rx_mono = x->last_rx_mono;
	out->last = x->last;
	out->last_refid = x->last_refid;
	out->have_last = x->have_last;
	out->filter = x->filt;
	out->unsync = x->unsync;
	out->key_id = x->key_id;
	out->key_type = x->key_id ? x->key.type : NTP_MAC_NONE;
	out->ctr = x->ctr;
	return 0;
}

void sources_activity(const struct sources *s, unsigned int *online, unsigned int *offline,
		      unsigned int *unresolved, unsigned int *kod)
{
	*online = *offline = *unresolved = *kod = 0;
	for (unsigned int i = 0; i < SOURCES_MAX; i++) {
		const struct source *x = &s->src[i];
		if (!x->used)
			continue;
		if (x->state == SOURCE_UNRESOLVED)
			(*unresolved)++;
		else if (x->state == SOURCE_KOD_STOPPED)
			(*kod)++;
		else if (srcfilter_reach(x->filt))
			(*online)++;
		else
			(*offline)++;
	}
	for (unsigned int p = 0; p < LT_CFG_MAX_POOLS; p++)
		if (s->pool[p].used && pool_members(s, (int)p) == 0)
			(*unresolved)++;
}
