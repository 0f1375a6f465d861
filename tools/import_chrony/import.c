/*
 * import: chrony directives to linetime.conf text and warnings (see import.h).
 *
 * One pass over the directives fills a model (sources, access rules, one
 * slot per setting, the last directive winning as in chronyd) and warns
 * about what cannot be carried over; a second step checks what only the
 * whole shows (too many sources, logs without logdir, a smear) and writes
 * the text. The limits below are the ones platform/config.c enforces: a
 * value outside them is a warning, never a line linetimed would refuse.
 */
#include "import.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "sbuf.h"

/* What platform/config.c accepts. */
#define POLL_MIN (-6)
#define POLL_MAX 24
#define POOL_MAXSOURCES_DEFAULT 4
#define STRATUM_DEFAULT 10
#define PATH_LEN_MAX 255
#define SIGND_DIR_MAX 100       /* the directory, leaving room for "/socket" in sun_path */
#define ADMIN_SOCKET_MAX 107    /* sun_path */
#define TZ_NAME_MAX 63
#define SMEAR_WINDOW_MIN 60.0
#define SMEAR_WINDOW_MAX 172800.0
#define CLIENTLOG_HEADER 64     /* per worker, then 128-byte entries (docs/CONFIG.md) */
#define CLIENTLOG_ENTRY 128

#define WHY_NTS "linetime has no NTS (Network Time Security) yet"
#define WHY_AUTH "linetime has no symmetric-key authentication (no NTP MACs)"
#define WHY_RTC "linetime does not manage the real-time clock; run `hwclock --systohc` " \
		"from a timer if the RTC matters"
#define WHY_ADMIN "linetime's admin interface is a Unix socket only (admin.socket), " \
		  "reached by linetimectl on this machine"
#define WHY_ACQ "linetime queries its servers through the dataplane ports"
#define WHY_DELAY "linetime's source filter has no delay limits or corrections"
#define WHY_FIXED "not configurable in linetime (docs/DISCIPLINE.md lists the values it uses)"
#define WHY_OFFLINE "linetime polls every source all the time (no offline state)"
#define WHY_OBSOLETE "obsolete; chronyd ignores it too"

/* --- text and warnings --------------------------------------------------- */

/* s in libconfig's double quotes. */
static void sb_quote(struct sbuf *b, const char *s)
{
	sbuf_printf(b, "\"");
	for (; *s; s++)
		sbuf_printf(b, *s == '"' || *s == '\\' ? "\\%c" : "%c", *s);
	sbuf_printf(b, "\"");
}

/* --- the model ----------------------------------------------------------- */

struct source {
	const struct chrony_directive *d;
	int pool;
	const char *host;
	int iburst, prefer, noselect;
	int minpoll, maxpoll, have_minpoll, have_maxpoll;
	unsigned int maxsources;
	int have_maxsources;
	int dropped;
};

struct rule {
	const struct chrony_directive *d;
	int allow, all;
	int family;            /* 0 (every address), 4 or 6 */
	uint8_t addr[16];
	unsigned int plen;
	char text[96];         /* as written in access */
};

/* The settings one directive sets, the last one counting. */
enum slot {
	S_MINSOURCES,
	S_MAXDISTANCE,
	S_MAKESTEP,
	S_MAXSLEWRATE,
	S_MAXUPDATESKEW,
	S_MAXDRIFT,
	S_CORRTIMERATIO,
	S_DRIFTFILE,
	S_LEAPSECTZ,
	S_LOGDIR,
	S_LOGCHANGE,
	S_LOCAL,
	S_PRECISION,
	S_RATELIMIT,
	S_CLIENTLOGLIMIT,
	S_NTPSIGNDSOCKET,
	S_ADMIN,
	S_COUNT,
};

struct setting {
	const struct chrony_directive *d;    /* NULL: not given */
	const struct chrony_directive *over; /* an earlier one it replaced */
	char value[320];                     /* as written in linetime.conf; "" = nothing */
	char note[320];                      /* a comment above it, or "" */
};

struct imp {
	const struct chrony_conf *conf;
	const char *source;
	struct sbuf out;
	char **warnings;
	unsigned int n_warnings;
	int oom;

	struct source src[LT_CFG_MAX_SERVERS + LT_CFG_MAX_POOLS];
	unsigned int n_servers, n_pools;
	struct rule rules[LT_CFG_MAX_ACCESS];
	unsigned int n_rules;
	int any_allow;
	struct setting set[S_COUNT];
	const struct chrony_directive *log_d[3];   /* measurements, statistics, tracking */
	const struct chrony_directive *leapsecmode_d, *smoothtime_d;
	double smooth_freq, smooth_wander;
	int smooth_leaponly;
	const struct chrony_directive *leap_d;     /* what leapsecmode comes from */
	char leap_mode[16], leap_smooth[96];       /* as written; "" = not set */
	const struct chrony_directive *bindaddr[8], *hwts[8];
	unsigned int n_bindaddr, n_hwts;
	const char *section;   /* header still to write before the next line */
};

static const char *const log_names[3] = { "measurements", "statistics", "tracking" };

__attribute__((format(printf, 3, 0)))
static void vwarn(struct imp *m, const struct chrony_directive *d, const char *fmt, va_list ap)
{
	struct sbuf b = { 0 };
	char **bigger;

	if (d)
		sbuf_printf(&b, "%s:%u: %s: ", d->file, d->line, d->name);
	else
		sbuf_printf(&b, "%s: ", m->source);
	sbuf_vprintf(&b, fmt, ap);
	if (b.oom || !(bigger = realloc(m->warnings, (m->n_warnings + 1) * sizeof(*bigger)))) {
		free(b.p);
		m->oom = 1;
		return;
	}
	m->warnings = bigger;
	m->warnings[m->n_warnings++] = b.p;
}

/* "FILE:LINE: DIRECTIVE: message". */
__attribute__((format(printf, 3, 4)))
static void warn(struct imp *m, const struct chrony_directive *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(m, d, fmt, ap);
	va_end(ap);
}

/* "FILE: SUBJECT: message", for what no one line says. */
__attribute__((format(printf, 2, 3)))
static void warn_file(struct imp *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(m, NULL, fmt, ap);
	va_end(ap);
}

static int is_named(const struct chrony_directive *d, const char *name)
{
	return !strcasecmp(d->name, name);
}

/* A setting's slot, taken by d; an earlier directive is recorded as replaced. */
static struct setting *take(struct imp *m, enum slot s, const struct chrony_directive *d)
{
	struct setting *st = &m->set[s];

	if (st->d)
		st->over = st->d;
	st->d = d;
	st->value[0] = st->note[0] = '\0';
	return st;
}

/* --- values -------------------------------------------------------------- */

/* A decimal number, the whole word, finite (chronyd reads them with %lf). */
static int parse_num(const char *w, double *v)
{
	char *end;

	if (!*w || strspn(w, "0123456789.eE+-") != strlen(w))
		return 0;
	errno = 0;
	*v = strtod(w, &end);
	return !*end && !errno && isfinite(*v);
}

static int parse_int(const char *w, long *v)
{
	char *end;

	if (!*w || strspn(w, "0123456789+-") != strlen(w))
		return 0;
	errno = 0;
	*v = strtol(w, &end, 10);
	return !*end && !errno && *v >= INT32_MIN && *v <= INT32_MAX;
}

/*
 * v as libconfig reads it back: whole numbers in plain digits ("100", not
 * "1e+02"), with ".0" past 32 bits, which libconfig 1.5 would cut; others in
 * the shortest form that reads back exactly.
 */
static void fmt_num(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, fabs(v) > INT32_MAX ? "%.1f" : "%.0f", v);
		return;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, len, "%.*g", p, v);
		if (strtod(buf, NULL) == v)
			break;
	}
}

/*
 * chrony's own directories hold chrony's files: linetime gets its own, the
 * same path under linetime's name ("/var/lib/chrony/drift" becomes
 * "/var/lib/linetime/drift", the command socket "chronyd.sock" becomes
 * "admin.sock"). Returns 1 if the path was moved.
 */
static int move_path(const char *in, char *out, size_t len)
{
	static const struct {
		const char *from, *to;
	} moves[] = {
		{ "/var/lib/chrony", "/var/lib/linetime" },
		{ "/var/log/chrony", "/var/log/linetime" },
		{ "/var/run/chrony", "/run/linetime" },
		{ "/run/chrony", "/run/linetime" },
	};

	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		size_t n = strlen(moves[i].from);
		const char *rest = in + n;
		if (strncmp(in, moves[i].from, n) || (*rest && *rest != '/'))
			continue;
		if (!strcmp(rest, "/chronyd.sock"))
			rest = "/admin.sock";
		snprintf(out, len, "%s%s", moves[i].to, rest);
		return 1;
	}
	snprintf(out, len, "%s", in);
	return 0;
}

/* Why p cannot be a path setting (absolute, at most max characters), or NULL. */
static const char *path_problem(const char *p, size_t max, char *why, size_t whylen)
{
	if (p[0] != '/')
		return "not an absolute path, which linetime requires";
	if (strlen(p) > max) {
		snprintf(why, whylen, "longer than the %zu characters linetime takes", max);
		return why;
	}
	return NULL;
}

/* --- addresses and names (what config.c's host_problem accepts) ---------- */

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static int ip_parse(const char *text, uint8_t *addr)
{
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		return 4;
	if (inet_pton(AF_INET6, text, addr) == 1)
		return 6;
	return 0;
}

/* 1 if text is a host name as RFC 1123 has them (not an address). */
static int is_hostname(const char *text)
{
	size_t n = strlen(text);
	const char *t, *end;
	int all_digits = 1;

	if (!n || n >= LT_CFG_HOST_MAX)
		return 0;
	for (t = text; *t; t++)
		if (!is_alnum(*t) && *t != '-' && *t != '.')
			return 0;
	n -= text[n - 1] == '.';
	end = text + n;
	for (t = text;; t++) {
		const char *dot = memchr(t, '.', (size_t)(end - t));
		if (!dot)
			dot = end;
		if (dot == t || dot - t > 63 || t[0] == '-' || dot[-1] == '-')
			return 0;
		for (all_digits = 1; t < dot; t++)
			all_digits &= is_digit(*t);
		if (dot == end)
			break;
	}
	return !all_digits;
}

/* Why a server or pool cannot be host, or NULL. */
static const char *host_problem(const char *host)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t zero[16], v6loopback[16] = { [15] = 1 };
	uint8_t a[16];
	int family = ip_parse(host, a);

	if (family == 4) {
		if (a[0] == 0)
			return "an unspecified (0.0.0.0/8) address";
		if (a[0] == 127)
			return "a loopback address (the queries leave through the dataplane ports)";
		if (a[0] >= 224)
			return "a multicast or reserved address";
		return NULL;
	}
	if (family == 6) {
		if (!memcmp(a, zero, 16))
			return "the unspecified address";
		if (!memcmp(a, v6loopback, 16))
			return "a loopback address (the queries leave through the dataplane ports)";
		if (a[0] == 0xff)
			return "a multicast address";
		if (!memcmp(a, v4mapped, 12))
			return "an IPv4-mapped address (write the IPv4 address)";
		return NULL;
	}
	if (strchr(host, '%'))
		return "an address with a %zone, which linetime does not take";
	if (!is_hostname(host))
		return "neither an IP address nor a host name";
	return NULL;
}

/* The same server: equal addresses, or names equal but for case and a final '.'. */
static int same_host(const char *x, const char *y)
{
	uint8_t ax[16], ay[16];
	int fx = ip_parse(x, ax), fy = ip_parse(y, ay);
	size_t lx = strlen(x), ly = strlen(y);

	if (fx || fy)
		return fx == fy && !memcmp(ax, ay, 16);
	lx -= lx && x[lx - 1] == '.';
	ly -= ly && y[ly - 1] == '.';
	return lx == ly && !strncasecmp(x, y, lx);
}

/* Why a leapsectz name would be refused, or NULL (config.c's tz_problem). */
static const char *tz_problem(const char *v)
{
	if (strlen(v) > TZ_NAME_MAX)
		return "longer than the 63 characters linetime takes";
	if (v[0] == '/')
		return "an absolute path; linetime takes a name under the zoneinfo directory "
		       "(e.g. right/UTC)";
	if (strstr(v, ".."))
		return "contains \"..\"";
	for (const char *t = v; *t; t++) {
		if (!is_alnum(*t) && !strchr("/_-+.", *t))
			return "has characters a time zone name does not";
		if (*t == '/' && (t[1] == '/' || !t[1]))
			return "has an empty component";
	}
	return NULL;
}

/* --- time sources ---------------------------------------------------------- */

static const struct src_opt {
	const char *name;
	int has_value;
	const char *why;    /* NULL: taken */
} src_opts[] = {
	{ "iburst", 0, NULL },
	{ "prefer", 0, NULL },
	{ "noselect", 0, NULL },
	{ "minpoll", 1, NULL },
	{ "maxpoll", 1, NULL },
	{ "maxsources", 1, NULL },
	{ "burst", 0, "linetime sends no burst at each poll (linetimectl burst sends one on demand)" },
	{ "key", 1, WHY_AUTH },
	{ "nts", 0, WHY_NTS },
	{ "certset", 1, WHY_NTS },
	{ "ntsport", 1, WHY_NTS },
	{ "xleave", 0, "linetime has no interleaved mode; the server is polled in basic mode" },
	{ "maxdelay", 1, WHY_DELAY },
	{ "maxdelayratio", 1, WHY_DELAY },
	{ "maxdelaydevratio", 1, WHY_DELAY },
	{ "maxdelayquant", 1, WHY_DELAY },
	{ "mindelay", 1, WHY_DELAY },
	{ "asymmetry", 1, WHY_DELAY },
	{ "offset", 1, "linetime does not correct a source by a known offset" },
	{ "minsamples", 1, WHY_FIXED },
	{ "maxsamples", 1, WHY_FIXED },
	{ "filter", 1, "linetime has no median filter option" },
	{ "polltarget", 1, WHY_FIXED },
	{ "offline", 0, WHY_OFFLINE },
	{ "auto_offline", 0, WHY_OFFLINE },
	{ "trust", 0, "linetime trusts no source blindly: every one goes through the falseticker "
		      "check" },
	{ "require", 0, "linetime has no require; minsources sets how many sources must agree" },
	{ "port", 1, "linetime queries its servers on port 123 only" },
	{ "presend", 1, "linetime has no presend" },
	{ "minstratum", 1, "linetime has no minstratum" },
	{ "version", 1, "linetime sends NTPv4 requests" },
	{ "copy", 0, "linetime has no copy option" },
	{ "extfield", 1, "linetime sends no extension fields" },
};

static const struct src_opt *find_src_opt(const char *name)
{
	for (size_t i = 0; i < sizeof(src_opts) / sizeof(src_opts[0]); i++)
		if (!strcasecmp(src_opts[i].name, name))
			return &src_opts[i];
	return NULL;
}

/* The poll, selection and pool options of a server or pool into s. */
static void source_options(struct imp *m, const struct chrony_directive *d, struct source *s)
{
	for (unsigned int i = 1; i < d->n_args; i++) {
		const char *name = d->args[i];
		const struct src_opt *o = find_src_opt(name);
		const char *val = NULL;
		long v;

		if (!o) {
			warn(m, d, "%s: unknown option, dropped", name);
			continue;
		}
		if (o->has_value) {
			if (i + 1 >= d->n_args) {
				warn(m, d, "%s: no value (chronyd refuses that): dropped", name);
				continue;
			}
			val = d->args[++i];
		}
		/* The values linetime uses anyway need no warning. */
		if ((!strcasecmp(o->name, "port") && !strcmp(val, "123")) ||
		    (!strcasecmp(o->name, "version") && !strcmp(val, "4")))
			continue;
		if (o->why) {
			warn(m, d, "%s%s%s: dropped: %s", name, val ? " " : "", val ? val : "",
			     o->why);
			continue;
		}
		if (!strcasecmp(o->name, "iburst")) {
			s->iburst = 1;
		} else if (!strcasecmp(o->name, "prefer")) {
			s->prefer = 1;
		} else if (!strcasecmp(o->name, "noselect")) {
			s->noselect = 1;
		} else if (!strcasecmp(o->name, "maxsources")) {
			if (!s->pool)
				warn(m, d, "maxsources %s: dropped: it applies to pool only", val);
			else if (!parse_int(val, &v) || v < 1 || v > LT_CFG_MAX_SERVERS)
				warn(m, d, "maxsources %s: dropped: linetime takes 1..%d (default 4)",
				     val, LT_CFG_MAX_SERVERS);
			else
				s->maxsources = (unsigned int)v, s->have_maxsources = 1;
		} else {
			int is_min = !strcasecmp(o->name, "minpoll");
			if (!parse_int(val, &v) || v < POLL_MIN || v > POLL_MAX) {
				warn(m, d, "%s %s: dropped: linetime takes %d..%d (default %d)", name,
				     val, POLL_MIN, POLL_MAX, is_min ? 6 : 10);
			} else if (is_min) {
				s->minpoll = (int)v, s->have_minpoll = 1;
			} else {
				s->maxpoll = (int)v, s->have_maxpoll = 1;
			}
		}
	}
	if (s->have_minpoll && s->have_maxpoll && s->maxpoll < s->minpoll) {
		warn(m, d, "maxpoll %d: raised to minpoll %d, as chronyd does", s->maxpoll,
		     s->minpoll);
		s->maxpoll = s->minpoll;
	}
}

static void do_source(struct imp *m, const struct chrony_directive *d)
{
	int pool = is_named(d, "pool");
	unsigned int *n = pool ? &m->n_pools : &m->n_servers;
	unsigned int max = pool ? LT_CFG_MAX_POOLS : LT_CFG_MAX_SERVERS;
	struct source s = { .d = d, .pool = pool, .maxsources = POOL_MAXSOURCES_DEFAULT };
	const char *bad;

	if (!d->n_args) {
		warn(m, d, "no %s given: dropped", pool ? "pool name" : "server");
		return;
	}
	s.host = d->args[0];
	if ((bad = host_problem(s.host))) {
		warn(m, d, "%s: dropped: %s", s.host, bad);
		return;
	}
	for (unsigned int i = 0; i < m->n_servers + m->n_pools; i++) {
		const struct source *o = &m->src[i];
		if (o->pool == pool && same_host(o->host, s.host)) {
			warn(m, d, "%s: dropped: the same %s as %s:%u", s.host, pool ? "pool" : "server",
			     o->d->file, o->d->line);
			return;
		}
	}
	if (*n >= max) {
		warn(m, d, "%s: dropped: linetime takes at most %u %s", s.host, max,
		     pool ? "pools" : "servers");
		return;
	}
	source_options(m, d, &s);
	m->src[m->n_servers + m->n_pools] = s;
	(*n)++;
}

static void do_peer(struct imp *m, const struct chrony_directive *d)
{
	warn(m, d, "%s: not carried over: linetime has no symmetric mode; make it a server on "
		   "both machines instead (chrony's own advice)", d->n_args ? d->args[0] : "");
}

/* --- access rules ------------------------------------------------------------ */

/* SUBNET of allow/deny into r, read by linetime's own rule parser (which
 * takes chrony's forms, shorthand included); NULL, or why not. */
static const char *rule_subnet(const char *word, struct rule *r, int *expanded, char *why,
			       size_t whylen)
{
	struct lt_cfg_access a;
	char text[96];
	uint8_t probe[16];

	*expanded = 0;
	if (!strchr(word, '/') && !ip_parse(word, probe) && is_hostname(word) &&
	    strspn(word, "0123456789.") != strlen(word))
		return "a host name; chronyd resolved it once at start, linetime takes "
		       "addresses only: write the address";
	if (strlen(word) + sizeof("allow ") > sizeof(text))
		return "neither an address nor a subnet";
	snprintf(text, sizeof(text), "allow %s", word);
	if (config_access_rule(text, &a, why, whylen) != 0)
		return why;
	r->family = a.family;
	memcpy(r->addr, a.addr, sizeof(r->addr));
	r->plen = a.prefixlen;
	/* chrony's "192.168" shorthand is written out as 192.168.0.0/16. */
	char host[64];
	size_t hlen = strcspn(word, "/");
	if (hlen < sizeof(host)) {
		memcpy(host, word, hlen);
		host[hlen] = '\0';
		*expanded = a.family == 4 && !ip_parse(host, probe);
	}
	return NULL;
}

static void do_access(struct imp *m, const struct chrony_directive *d)
{
	struct rule r = { .d = d, .allow = is_named(d, "allow") };
	const char *verb = r.allow ? "allow" : "deny";
	unsigned int i = 0;
	int expanded = 0;
	char host[INET6_ADDRSTRLEN], why[160];

	if (i < d->n_args && !strcasecmp(d->args[i], "all"))
		r.all = 1, i++;
	if (d->n_args > i + 1) {
		warn(m, d, "%s: dropped: more than one subnet (chronyd refuses that)", d->args[i + 1]);
		return;
	}
	if (i < d->n_args) {
		const char *bad = rule_subnet(d->args[i], &r, &expanded, why, sizeof(why));
		if (bad) {
			warn(m, d, "%s: dropped: %s%s", d->args[i], bad,
			     r.allow ? "" : " (the converted rules do not deny those clients)");
			return;
		}
	}
	if (m->n_rules >= LT_CFG_MAX_ACCESS) {
		warn(m, d, "dropped: linetime takes at most %d rules", LT_CFG_MAX_ACCESS);
		return;
	}
	if (i == d->n_args)
		snprintf(r.text, sizeof(r.text), "%s%s", verb, r.all ? " all" : "");
	else if (expanded)
		snprintf(r.text, sizeof(r.text), "%s%s %s/%u", verb, r.all ? " all" : "",
			 inet_ntop(AF_INET, r.addr, host, sizeof(host)), r.plen);
	else
		snprintf(r.text, sizeof(r.text), "%s%s %s", verb, r.all ? " all" : "", d->args[i]);
	m->any_allow |= r.allow;
	m->rules[m->n_rules++] = r;
}

static unsigned int level(unsigned int plen)
{
	return (plen + 3) / 4;
}

/* 1 if rule o (earlier, more specific) lies inside rule n. */
static int covers(const struct rule *n, const struct rule *o)
{
	if (n->family && n->family != o->family)
		return 0;
	for (unsigned int b = 0; b < n->plen; b++)
		if (((n->addr[b / 8] ^ o->addr[b / 8]) >> (7 - b % 8)) & 1)
			return 0;
	return 1;
}

/*
 * chronyd keeps its rules in tables of 4-bit steps: a later, shorter prefix
 * in the same step overwrites an earlier, longer one. linetime lets the
 * longer prefix decide in any order (docs/CONFIG.md, access). Say where the
 * two disagree.
 */
static void access_order_check(struct imp *m)
{
	for (unsigned int j = 1; j < m->n_rules; j++) {
		const struct rule *n = &m->rules[j];
		if (n->all)
			continue;   /* "all" removes the earlier rule in linetime too */
		for (unsigned int i = 0; i < j; i++) {
			const struct rule *o = &m->rules[i];
			int more_specific = o->plen > n->plen ||
					    (o->plen == n->plen && o->family && !n->family);
			if (o->allow == n->allow || !more_specific || level(o->plen) != level(n->plen) ||
			    !covers(n, o))
				continue;
			warn(m, n->d, "\"%s\" overrides \"%s\" (%s:%u) in chronyd, whose tables "
				      "have 4-bit steps; in linetime the longer prefix decides in any "
				      "order: rewrite the rules if chronyd's result was meant",
			     n->text, o->text, o->d->file, o->d->line);
		}
	}
}

/* --- other directives -------------------------------------------------------- */

/* One argument expected; warns and returns NULL otherwise. */
static const char *one_arg(struct imp *m, const struct chrony_directive *d)
{
	if (d->n_args != 1) {
		warn(m, d, "dropped: expected one value, got %u (chronyd refuses that)", d->n_args);
		return NULL;
	}
	return d->args[0];
}

static const struct num_spec {
	const char *name;       /* chrony */
	const char *setting;    /* linetime */
	enum slot slot;
	int integer;
	double min;
	int min_open;           /* min itself is out */
	double max;
	const char *range;
} nums[] = {
	{ "minsources", "minsources", S_MINSOURCES, 1, 1, 0, LT_CFG_MAX_SERVERS, "1..16" },
	{ "maxdistance", "maxdistance", S_MAXDISTANCE, 0, 0, 1, 1000,
	  "more than 0, at most 1000 seconds" },
	{ "maxslewrate", "maxslewrate", S_MAXSLEWRATE, 0, 1, 0, 500000, "1..500000 ppm" },
	{ "maxupdateskew", "maxupdateskew", S_MAXUPDATESKEW, 0, 0, 1, HUGE_VAL, "more than 0 ppm" },
	{ "maxdrift", "maxdrift", S_MAXDRIFT, 0, 1, 0, 500000, "1..500000 ppm" },
	{ "corrtimeratio", "corrtimeratio", S_CORRTIMERATIO, 0, 0.1, 0, 1000, "0.1..1000" },
	{ "logchange", "logchange", S_LOGCHANGE, 0, 0, 1, HUGE_VAL, "more than 0 seconds" },
	{ "clockprecision", "precision", S_PRECISION, 0, 0, 0, 1, "1e-9..1 seconds" },
	{ "clientloglimit", "clientloglimit", S_CLIENTLOGLIMIT, 1, 4096, 0, 1073741824,
	  "4096..1073741824 bytes" },
};

static void do_number(struct imp *m, const struct chrony_directive *d, const struct num_spec *n)
{
	const char *w = one_arg(m, d);
	double v = 0;
	long iv = 0;

	if (!w)
		return;
	if (n->integer ? !parse_int(w, &iv) : !parse_num(w, &v)) {
		warn(m, d, "%s: dropped: not %s", w, n->integer ? "an integer" : "a number");
		return;
	}
	if (n->integer)
		v = (double)iv;
	if ((n->min_open ? v <= n->min : v < n->min) || v > n->max ||
	    (n->slot == S_PRECISION && v < 1e-9)) {
		warn(m, d, "%s: dropped: linetime takes %s", w, n->range);
		return;
	}
	struct setting *st = take(m, n->slot, d);
	fmt_num(v, st->value, sizeof(st->value));
	if (n->slot == S_CLIENTLOGLIMIT) {
		/* Both log 128-byte entries in powers of two; linetime's first takes a header. */
		unsigned long lt = ((unsigned long)iv - CLIENTLOG_HEADER) / CLIENTLOG_ENTRY, ch = iv / 128;
		unsigned long lt2 = 1, ch2 = 1;
		while (lt2 * 2 <= lt)
			lt2 *= 2;
		while (ch2 * 2 <= ch)
			ch2 *= 2;
		snprintf(st->note, sizeof(st->note),
			 "%lu clients with one dataplane worker (chronyd: %lu); with more, each "
			 "worker gets its share (clientloglimit in docs/CONFIG.md)", lt2, ch2);
	}
}

static void do_makestep(struct imp *m, const struct chrony_directive *d)
{
	char thr[32];
	double t;
	long limit;

	if (d->n_args != 2) {
		warn(m, d, "dropped: expected a threshold and a limit (chronyd refuses that)");
		return;
	}
	if (!parse_num(d->args[0], &t) || t < 0) {
		warn(m, d, "%s: dropped: the threshold is a number of seconds, at least 0",
		     d->args[0]);
		return;
	}
	if (!parse_int(d->args[1], &limit)) {
		warn(m, d, "%s: dropped: the limit is an integer", d->args[1]);
		return;
	}
	struct setting *st = take(m, S_MAKESTEP, d);
	fmt_num(t, thr, sizeof(thr));
	if (limit == 0) {
		/* chronyd never steps with limit 0: neither does linetime without the group. */
		snprintf(st->note, sizeof(st->note),
			 "makestep %s 0 never steps: no makestep group, the same", d->args[0]);
		return;
	}
	snprintf(st->value, sizeof(st->value), "{ threshold = %s; limit = %ld; }", thr,
		 limit < 0 ? -1 : limit);
}

static void do_leapsecmode(struct imp *m, const struct chrony_directive *d)
{
	const char *w = one_arg(m, d);

	if (!w)
		return;
	if (strcasecmp(w, "system") && strcasecmp(w, "step") && strcasecmp(w, "slew") &&
	    strcasecmp(w, "ignore")) {
		warn(m, d, "%s: dropped: not a chrony leap second mode", w);
		return;
	}
	m->leapsecmode_d = d;
}

static void do_smoothtime(struct imp *m, const struct chrony_directive *d)
{
	double f, w;

	if (d->n_args < 2 || d->n_args > 3 || (d->n_args == 3 && strcasecmp(d->args[2], "leaponly")) ||
	    !parse_num(d->args[0], &f) || !parse_num(d->args[1], &w) || f <= 0 || w <= 0) {
		warn(m, d, "dropped: expected MAX-FREQ MAX-WANDER [leaponly], both above 0");
		return;
	}
	m->smoothtime_d = d;
	m->smooth_freq = f;
	m->smooth_wander = w;
	m->smooth_leaponly = d->n_args == 3;
}

static void do_leapsectz(struct imp *m, const struct chrony_directive *d)
{
	const char *w = one_arg(m, d), *bad;

	if (!w)
		return;
	if ((bad = tz_problem(w))) {
		warn(m, d, "%s: dropped: %s", w, bad);
		return;
	}
	struct setting *st = take(m, S_LEAPSECTZ, d);
	snprintf(st->value, sizeof(st->value), "%s", w);
}

/* driftfile, logdir: a path, moved out of chrony's directories. */
static void do_path(struct imp *m, const struct chrony_directive *d)
{
	int drift = is_named(d, "driftfile");
	const char *w, *bad;
	char moved[PATH_LEN_MAX + 64], why[96];

	if (drift && d->n_args == 3 && !strcasecmp(d->args[1], "interval")) {
		warn(m, d, "interval %s: dropped: linetime takes no interval for the drift file",
		     d->args[2]);
	} else if (d->n_args != 1) {
		warn(m, d, "dropped: expected one path, got %u", d->n_args);
		return;
	}
	w = d->args[0];
	int was_moved = move_path(w, moved, sizeof(moved));
	if ((bad = path_problem(moved, PATH_LEN_MAX, why, sizeof(why)))) {
		warn(m, d, "%s: dropped: %s", w, bad);
		return;
	}
	struct setting *st = take(m, drift ? S_DRIFTFILE : S_LOGDIR, d);
	snprintf(st->value, sizeof(st->value), "%s", moved);
	if (was_moved)
		snprintf(st->note, sizeof(st->note), "chronyd's was %s", w);
}

static void do_ntpsigndsocket(struct imp *m, const struct chrony_directive *d)
{
	const char *w = one_arg(m, d), *bad;
	char why[96];

	if (!w)
		return;
	if ((bad = path_problem(w, SIGND_DIR_MAX, why, sizeof(why)))) {
		warn(m, d, "%s: dropped: %s", w, bad);
		return;
	}
	struct setting *st = take(m, S_NTPSIGNDSOCKET, d);
	snprintf(st->value, sizeof(st->value), "%s", w);
}

static void do_bindcmdaddress(struct imp *m, const struct chrony_directive *d)
{
	const char *w = one_arg(m, d), *bad;
	char moved[PATH_LEN_MAX + 64], why[96];

	if (!w)
		return;
	if (w[0] != '/') {
		warn(m, d, "%s: not carried over: %s; it has no UDP command port", w, WHY_ADMIN);
		return;
	}
	if (!strcmp(w, "/")) {
		warn(m, d, "/: not carried over: chronyd's command socket was off; linetime's admin "
			   "socket is always there, for root only unless admin.group is set");
		return;
	}
	int was_moved = move_path(w, moved, sizeof(moved));
	if ((bad = path_problem(moved, ADMIN_SOCKET_MAX, why, sizeof(why)))) {
		warn(m, d, "%s: dropped: %s", w, bad);
		return;
	}
	struct setting *st = take(m, S_ADMIN, d);
	snprintf(st->value, sizeof(st->value), "%s", moved);
	if (was_moved)
		snprintf(st->note, sizeof(st->note), "chronyc's was %s", w);
}

static void do_local(struct imp *m, const struct chrony_directive *d)
{
	long stratum = STRATUM_DEFAULT;
	char dist[32] = "";
	int orphan = 0;
	double v;

	for (unsigned int i = 0; i < d->n_args; i++) {
		const char *o = d->args[i];
		long iv;

		if (!strcasecmp(o, "orphan")) {
			orphan = 1;
		} else if (!strcasecmp(o, "stratum") || !strcasecmp(o, "distance")) {
			const char *val = i + 1 < d->n_args ? d->args[++i] : NULL;
			if (!val)
				warn(m, d, "%s: no value: dropped", o);
			else if (!strcasecmp(o, "stratum") && (!parse_int(val, &iv) || iv < 1 || iv > 15))
				warn(m, d, "stratum %s: dropped: linetime takes 1..15 (default 10)", val);
			else if (!strcasecmp(o, "stratum"))
				stratum = iv;
			else if (!parse_num(val, &v) || v < 0 || v > 1000)
				warn(m, d, "distance %s: dropped: linetime takes 0..1000 seconds "
					   "(default 1)", val);
			else
				fmt_num(v, dist, sizeof(dist));
		} else if (!strcasecmp(o, "activate") && i + 1 < d->n_args) {
			warn(m, d, "activate %s: dropped: linetime has no activate; its local clock "
				   "takes over at local.distance", d->args[++i]);
		} else {
			warn(m, d, "%s: dropped: linetime's local takes stratum, distance and orphan", o);
		}
	}
	struct setting *st = take(m, S_LOCAL, d);
	snprintf(st->value, sizeof(st->value), "{ stratum = %ld;%s%s%s%s }", stratum,
		 dist[0] ? " distance = " : "", dist, dist[0] ? ";" : "",
		 orphan ? " orphan = true;" : "");
}

static void do_ratelimit(struct imp *m, const struct chrony_directive *d)
{
	static const struct {
		const char *name;
		long min, max;
	} opts[] = { { "interval", -19, 12 }, { "burst", 1, 255 }, { "leak", 1, 4 } };
	/* An option given twice is set twice, the last value winning, as chronyd
	 * reads it; written once each, or linetime would refuse a duplicate. */
	long vals[sizeof(opts) / sizeof(opts[0])];
	int have[sizeof(opts) / sizeof(opts[0])] = { 0 };
	struct sbuf b = { 0 };

	for (unsigned int i = 0; i < d->n_args; i++) {
		const char *o = d->args[i], *val = i + 1 < d->n_args ? d->args[i + 1] : NULL;
		size_t k = 0;
		long v;

		while (k < sizeof(opts) / sizeof(opts[0]) && strcasecmp(opts[k].name, o))
			k++;
		if (!strcasecmp(o, "kod") && val) {
			/* Not in chrony 4.3; a later chronyd's kod may not mean linetime's. */
			warn(m, d, "kod %s: dropped: set ratelimit.kod by hand (in linetime, 1 in 2^kod "
				   "of the limited requests not leaked gets a KoD RATE)", val);
			i++;
			continue;
		}
		if (k == sizeof(opts) / sizeof(opts[0])) {
			warn(m, d, "%s: unknown option, dropped", o);
			continue;
		}
		i++;
		if (!val)
			warn(m, d, "%s: no value: dropped", o);
		else if (!parse_int(val, &v) || v < opts[k].min || v > opts[k].max)
			warn(m, d, "%s %s: dropped: linetime takes %ld..%ld", o, val, opts[k].min,
			     opts[k].max);
		else
			vals[k] = v, have[k] = 1;
	}
	sbuf_printf(&b, "{");
	for (size_t k = 0; k < sizeof(opts) / sizeof(opts[0]); k++)
		if (have[k])
			sbuf_printf(&b, " %s = %ld;", opts[k].name, vals[k]);
	sbuf_printf(&b, " }");
	if (b.oom) {
		m->oom = 1;
	} else {
		struct setting *st = take(m, S_RATELIMIT, d);
		snprintf(st->value, sizeof(st->value), "%s", b.p);
		snprintf(st->note, sizeof(st->note),
			 "linetime counts each IPv6 /64 as one client (chronyd: each address): add "
			 "ipv6_prefix = 128; to limit each address");
	}
	free(b.p);
}

static void do_log(struct imp *m, const struct chrony_directive *d)
{
	for (unsigned int i = 0; i < d->n_args; i++) {
		const char *o = d->args[i];
		unsigned int k = 0;

		while (k < 3 && strcasecmp(log_names[k], o))
			k++;
		if (k < 3)
			m->log_d[k] = d;
		else if (!strcasecmp(o, "rawmeasurements"))
			warn(m, d, "rawmeasurements: dropped: linetime logs the accepted samples only "
				   "(log measurements)");
		else if (!strcasecmp(o, "selection") || !strcasecmp(o, "rtc") ||
			 !strcasecmp(o, "refclocks") || !strcasecmp(o, "tempcomp"))
			warn(m, d, "%s: dropped: linetime has no %s log (it has measurements, "
				   "statistics and tracking)", o, o);
		else
			warn(m, d, "%s: unknown log, dropped", o);
	}
}

static void do_port(struct imp *m, const struct chrony_directive *d)
{
	const char *w = one_arg(m, d);

	if (!w || !strcmp(w, "123"))
		return;
	if (!strcmp(w, "0"))
		warn(m, d, "0: not carried over: chronyd served no client; linetime serves NTP on "
			   "every dataplane port: access = [ \"deny\" ]; serves nobody");
	else
		warn(m, d, "%s: not carried over: linetime serves NTP on port 123 only", w);
}

static void do_bindaddress(struct imp *m, const struct chrony_directive *d)
{
	if (m->n_bindaddr < sizeof(m->bindaddr) / sizeof(m->bindaddr[0]))
		m->bindaddr[m->n_bindaddr++] = d;
	warn(m, d, "%s: not carried over: the addresses linetime serves on go in dataplane.ports "
		   "(addresses, with the prefix length)", d->n_args ? d->args[0] : "");
}

static void do_hwtimestamp(struct imp *m, const struct chrony_directive *d)
{
	const char *ifname = d->n_args ? d->args[0] : "";

	if (m->n_hwts < sizeof(m->hwts) / sizeof(m->hwts[0]))
		m->hwts[m->n_hwts++] = d;
	if (!strcmp(ifname, "*"))
		warn(m, d, "*: not carried over: set timestamping = \"auto\" (the default) on the "
			   "dataplane ports, which uses NIC timestamps where the driver has them");
	else
		warn(m, d, "%s: not carried over: set timestamping = \"hardware\" on the dataplane "
			   "port that replaces %s", ifname, ifname);
}

static void do_cmdaccess(struct imp *m, const struct chrony_directive *d)
{
	warn(m, d, "not carried over: %s; admin.group names the group that may run read-only "
		   "commands, admin.write_group the group that may also change things (root always "
		   "may)", WHY_ADMIN);
}

static void do_sourcedir(struct imp *m, const struct chrony_directive *d)
{
	unsigned int n = 0, first = (unsigned int)(d - m->conf->d) + 1;

	for (unsigned int i = first; i < m->conf->n && (m->conf->d[i].flags & CHRONY_D_SOURCES); i++)
		n++;
	if (!d->n_files)
		warn(m, d, "no .sources file there now, so nothing was converted; linetime has no "
			   "sourcedir: servers written there later (e.g. by DHCP) are not followed");
	else
		warn(m, d, "%u directive%s from %u .sources file%s converted as they are now; "
			   "linetime has no sourcedir: later changes there (e.g. by DHCP) are not "
			   "followed", n, n == 1 ? "" : "s", d->n_files, d->n_files == 1 ? "" : "s");
}

/* include and confdir: the reader has followed them. */
static void do_followed(struct imp *m, const struct chrony_directive *d)
{
	if (!d->n_args)
		warn(m, d, "no directory given (chronyd refuses that): nothing read");
}

static const struct handler {
	const char *name;
	void (*fn)(struct imp *m, const struct chrony_directive *d);
} handlers[] = {
	{ "server", do_source },
	{ "pool", do_source },
	{ "peer", do_peer },
	{ "allow", do_access },
	{ "deny", do_access },
	{ "makestep", do_makestep },
	{ "leapsecmode", do_leapsecmode },
	{ "smoothtime", do_smoothtime },
	{ "leapsectz", do_leapsectz },
	{ "driftfile", do_path },
	{ "logdir", do_path },
	{ "ntpsigndsocket", do_ntpsigndsocket },
	{ "bindcmdaddress", do_bindcmdaddress },
	{ "local", do_local },
	{ "ratelimit", do_ratelimit },
	{ "log", do_log },
	{ "port", do_port },
	{ "bindaddress", do_bindaddress },
	{ "hwtimestamp", do_hwtimestamp },
	{ "cmdallow", do_cmdaccess },
	{ "cmddeny", do_cmdaccess },
	{ "sourcedir", do_sourcedir },
	{ "include", do_followed },
	{ "confdir", do_followed },
};

/* Directives linetime has no counterpart for, and why. */
static const struct dropped {
	const char *name;
	const char *why;
} dropped[] = {
	{ "keyfile", WHY_AUTH },
	{ "authselectmode", WHY_AUTH },
	{ "refclock", "linetime has no reference clocks; use an NTP server that has one" },
	{ "rtcfile", WHY_RTC },
	{ "rtcsync", WHY_RTC },
	{ "rtconutc", WHY_RTC },
	{ "rtcautotrim", WHY_RTC },
	{ "rtcdevice", WHY_RTC },
	{ "hwclockfile", WHY_RTC },
	{ "user", "the users linetime's processes run as are set by their service units" },
	{ "pidfile", "linetime runs two processes and names their directory: pidfile_dir "
		     "(default \"/run/linetime\")" },
	{ "dumpdir", "linetime saves no measurement history across restarts (the driftfile "
		     "keeps the frequency)" },
	{ "dumponexit", WHY_OBSOLETE },
	{ "lock_all", "linetime has no memory-locking setting" },
	{ "sched_priority", "linetime has no scheduling setting; the dataplane has its own lcores "
			    "(dataplane.lcores)" },
	{ "nosystemcert", WHY_NTS },
	{ "nocerttimecheck", WHY_NTS },
	{ "maxntsconnections", WHY_NTS },
	{ "initstepslew", "deprecated in chrony too; makestep = { threshold = T; limit = 1; } "
			  "steps at start" },
	{ "manual", "linetime takes no manual time input" },
	{ "acquisitionport", WHY_ACQ },
	{ "bindacqaddress", WHY_ACQ },
	{ "bindacqdevice", WHY_ACQ },
	{ "binddevice", "the interfaces linetime serves on are the dataplane ports "
			"(dataplane.ports, device)" },
	{ "bindcmddevice", WHY_ADMIN },
	{ "cmdport", WHY_ADMIN },
	{ "cmdratelimit", WHY_ADMIN },
	{ "dscp", "linetime does not set DSCP" },
	{ "maxsamples", WHY_FIXED },
	{ "minsamples", WHY_FIXED },
	{ "combinelimit", WHY_FIXED },
	{ "maxjitter", WHY_FIXED },
	{ "reselectdist", WHY_FIXED },
	{ "stratumweight", WHY_FIXED },
	{ "maxclockerror", WHY_FIXED },
	{ "fallbackdrift", "linetime has no fallback drift" },
	{ "maxchange", "linetime has no maxchange; makestep and maxslewrate bound its corrections" },
	{ "tempcomp", "linetime has no temperature compensation" },
	{ "broadcast", "linetime sends no broadcast NTP" },
	{ "noclientlog", "linetime always keeps the client log (rate limiting needs it); "
			 "clientloglimit bounds its memory" },
	{ "mailonchange", "linetime sends no mail; corrections above logchange go to syslog" },
	{ "logbanner", "linetime writes its log banners as it does" },
	{ "ptpport", "linetime has no NTP over PTP" },
	{ "commandkey", WHY_OBSOLETE },
	{ "generatecommandkey", WHY_OBSOLETE },
	{ "linux_hz", WHY_OBSOLETE },
	{ "linux_freq_scale", WHY_OBSOLETE },
};

static void one_directive(struct imp *m, const struct chrony_directive *d)
{
	const char *name = d->name;

	if (d->flags & CHRONY_D_SOURCES) {
		if (d->flags & CHRONY_D_UNTERMINATED) {
			warn(m, d, "ignored: the last line of a .sources file has no newline, and "
				   "chronyd ignores such a line too: end it to have it converted");
			return;
		}
		if (!is_named(d, "server") && !is_named(d, "pool") && !is_named(d, "peer")) {
			warn(m, d, "ignored: a .sources file holds server, pool and peer only; "
				   "chronyd ignores it too");
			return;
		}
	}
	for (size_t i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
		if (!strcasecmp(handlers[i].name, name)) {
			handlers[i].fn(m, d);
			return;
		}
	for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++)
		if (!strcasecmp(nums[i].name, name)) {
			do_number(m, d, &nums[i]);
			return;
		}
	for (size_t i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		if (!strcasecmp(dropped[i].name, name)) {
			warn(m, d, "not carried over: %s", dropped[i].why);
			return;
		}
	if (!strncasecmp(name, "nts", 3)) {
		warn(m, d, "not carried over: %s", WHY_NTS);
		return;
	}
	warn(m, d, "unknown directive, not carried over");
}

/* --- what only the whole shows ---------------------------------------------- */

static void check_sources(struct imp *m)
{
	unsigned int total = m->n_servers, n = m->n_servers + m->n_pools;

	/* As config.c counts: the servers, then each pool's maxsources in order. */
	for (unsigned int i = 0; i < n; i++) {
		struct source *s = &m->src[i];
		if (!s->pool)
			continue;
		if (total + s->maxsources <= LT_CFG_MAX_SERVERS) {
			total += s->maxsources;
		} else if (total < LT_CFG_MAX_SERVERS) {
			warn(m, s->d, "%s: maxsources %u reduced to %u: linetime tracks at most %d "
				      "sources (servers plus each pool's maxsources)",
			     s->host, s->maxsources, LT_CFG_MAX_SERVERS - total, LT_CFG_MAX_SERVERS);
			s->maxsources = LT_CFG_MAX_SERVERS - total;
			s->have_maxsources = 1;
			total = LT_CFG_MAX_SERVERS;
		} else {
			warn(m, s->d, "%s: dropped: linetime tracks at most %d sources, and the servers "
				      "and pools before it have them all", s->host, LT_CFG_MAX_SERVERS);
			s->dropped = 1;
		}
	}
	struct setting *ms = &m->set[S_MINSOURCES];
	if (ms->d && total && strtod(ms->value, NULL) > total) {
		warn(m, ms->d, "%s: dropped: more than the %u sources converted, so the clock would "
			       "never be updated (default 1)", ms->value, total);
		ms->d = NULL;
	}
}

static void check_logs(struct imp *m)
{
	if (m->set[S_LOGDIR].d)
		return;
	for (unsigned int k = 0; k < 3; k++)
		if (m->log_d[k]) {
			warn(m, m->log_d[k], "%s: dropped: there is no logdir, so chronyd wrote no "
					     "such log either; set logdir to have it", log_names[k]);
			m->log_d[k] = NULL;
		}
}

/* chrony's leap smear (smoothtime ... leaponly) and leapsecmode as linetime's. */
static void check_leap(struct imp *m)
{
	const struct chrony_directive *d = m->leapsecmode_d;

	if (m->smoothtime_d && m->smooth_leaponly) {
		/*
		 * chronyd's smoothing is a quadratic spline: it accelerates at
		 * max-wander (ppm/s) up to max-freq (ppm) and back, taking
		 * sqrt(4/w) for 1 s when max-freq does not cap it, f/w + 1/f
		 * when it does.
		 */
		double f = m->smooth_freq * 1e-6, w = m->smooth_wander * 1e-6;
		double t = round(sqrt(w) <= f ? 2 / sqrt(w) : f / w + 1 / f);
		double win = fmin(fmax(t, SMEAR_WINDOW_MIN), SMEAR_WINDOW_MAX);
		m->leap_d = m->smoothtime_d;
		snprintf(m->leap_mode, sizeof(m->leap_mode), "smear");
		snprintf(m->leap_smooth, sizeof(m->leap_smooth),
			 "{ window = %.0f; shape = \"quadratic\"; }", win);
		warn(m, m->smoothtime_d,
		     "leap smear converted to a %.0f s window%s, but chronyd's starts at the leap and "
		     "linetime's is centred on it: do not mix the two for one set of clients",
		     win, win != t ? " (the nearest linetime takes)" : "");
		return;
	}
	if (m->smoothtime_d)
		warn(m, m->smoothtime_d, "not carried over: linetime smooths nothing but leap "
					 "seconds (smoothtime ... leaponly, leapsecmode = \"smear\")");
	if (!d)
		return;
	if (!strcasecmp(d->args[0], "ignore")) {
		warn(m, d, "ignore: dropped: linetime always corrects a leap second; the default "
			   "\"step\" applies, \"slew\" is the closest");
		return;
	}
	m->leap_d = d;
	snprintf(m->leap_mode, sizeof(m->leap_mode), "%s",
		 !strcasecmp(d->args[0], "slew") ? "slew" : "step");
}

/* --- the text ----------------------------------------------------------------- */

static void section(struct imp *m, const char *title)
{
	m->section = title;
}

static void head(struct imp *m)
{
	if (m->section) {
		sbuf_printf(&m->out, "\n# --- %s ---\n", m->section);
		m->section = NULL;
	}
}

static void from(struct imp *m, const struct chrony_directive *d,
		 const struct chrony_directive *over)
{
	sbuf_printf(&m->out, "# from %s:%u", d->file, d->line);
	if (over)
		sbuf_printf(&m->out, " (overrides %s:%u)", over->file, over->line);
	sbuf_printf(&m->out, "\n");
}

/* A comment of several lines, broken at spaces before column 78. */
static void comment(struct imp *m, const char *text)
{
	const char *t = text;

	head(m);
	while (*t) {
		size_t n = strlen(t);
		if (n > 76) {
			n = 76;
			while (n && t[n] != ' ')
				n--;
			if (!n)
				n = strcspn(t, " ");
		}
		sbuf_printf(&m->out, "# %.*s\n", (int)n, t);
		t += n;
		while (*t == ' ')
			t++;
	}
}

/* name = value; with its note and origin. quote: value is a string. */
static void emit(struct imp *m, const char *name, const struct setting *st, int quote)
{
	if (!st->d)
		return;
	head(m);
	if (st->note[0])
		comment(m, st->note);
	if (!st->value[0]) {
		from(m, st->d, st->over);
		return;
	}
	sbuf_printf(&m->out, "%s = ", name);
	if (quote)
		sb_quote(&m->out, st->value);
	else
		sbuf_printf(&m->out, "%s", st->value);
	sbuf_printf(&m->out, ";  ");
	from(m, st->d, st->over);
}

static void emit_sources(struct imp *m, int pool)
{
	unsigned int n = m->n_servers + m->n_pools, count = 0, done = 0;

	for (unsigned int i = 0; i < n; i++)
		count += m->src[i].pool == pool && !m->src[i].dropped;
	if (!count)
		return;
	head(m);
	sbuf_printf(&m->out, "%s = (\n", pool ? "pools" : "servers");
	for (unsigned int i = 0; i < n; i++) {
		const struct source *s = &m->src[i];
		if (s->pool != pool || s->dropped)
			continue;
		sbuf_printf(&m->out, "  { %s = ", pool ? "name" : "address");
		sb_quote(&m->out, s->host);
		sbuf_printf(&m->out, ";");
		if (pool && s->have_maxsources)
			sbuf_printf(&m->out, " maxsources = %u;", s->maxsources);
		if (s->iburst)
			sbuf_printf(&m->out, " iburst = true;");
		if (s->have_minpoll)
			sbuf_printf(&m->out, " minpoll = %d;", s->minpoll);
		if (s->have_maxpoll)
			sbuf_printf(&m->out, " maxpoll = %d;", s->maxpoll);
		if (s->prefer)
			sbuf_printf(&m->out, " prefer = true;");
		if (s->noselect)
			sbuf_printf(&m->out, " noselect = true;");
		sbuf_printf(&m->out, " }%s  ", ++done < count ? "," : "");
		from(m, s->d, NULL);
	}
	sbuf_printf(&m->out, ");\n");
}

static void emit_access(struct imp *m)
{
	head(m);
	if (!m->n_rules)
		comment(m, "chronyd serves no client that no allow directive names, and this "
			   "chrony.conf has none. An empty access list would serve everybody here, "
			   "so the list says \"deny\": add an allow rule for each network to serve.");
	else if (!m->any_allow)
		comment(m, "chronyd serves no client that no allow directive names, and this "
			   "chrony.conf has none. Neither do these rules (a list with rules denies "
			   "what none allows): add an allow rule for each network to serve.");
	if (!m->n_rules) {
		sbuf_printf(&m->out, "access = [ \"deny\" ];\n");
		return;
	}
	sbuf_printf(&m->out, "access = [\n");
	for (unsigned int i = 0; i < m->n_rules; i++) {
		const struct rule *r = &m->rules[i];
		char item[128];
		struct sbuf words = { 0 };

		snprintf(item, sizeof(item), "  \"%s\"%s", r->text, i + 1 < m->n_rules ? "," : "");
		sbuf_printf(&m->out, "%-36s  # from %s:%u", item, r->d->file, r->d->line);
		sbuf_printf(&words, "%s", r->d->name);
		for (unsigned int k = 0; k < r->d->n_args; k++)
			sbuf_printf(&words, " %s", r->d->args[k]);
		if (words.p && strcmp(words.p, r->text))
			sbuf_printf(&m->out, " (%s)", words.p);
		if (words.oom)
			m->oom = 1;
		free(words.p);
		sbuf_printf(&m->out, "\n");
	}
	sbuf_printf(&m->out, "];\n");
}

static void emit_log(struct imp *m)
{
	if (!m->log_d[0] && !m->log_d[1] && !m->log_d[2])
		return;
	head(m);
	sbuf_printf(&m->out, "log = {");
	for (unsigned int k = 0; k < 3; k++)
		if (m->log_d[k])
			sbuf_printf(&m->out, " %s = true;", log_names[k]);
	sbuf_printf(&m->out, " };  # from");
	for (unsigned int k = 0; k < 3; k++) {
		int again = 0;
		for (unsigned int j = 0; j < k; j++)
			again |= m->log_d[j] == m->log_d[k];
		if (m->log_d[k] && !again)
			sbuf_printf(&m->out, " %s:%u", m->log_d[k]->file, m->log_d[k]->line);
	}
	sbuf_printf(&m->out, "\n");
}

static void emit_dataplane(struct imp *m)
{
	section(m, "dataplane: the ports are not converted");
	comment(m, "chronyd answered on the kernel's interfaces; linetime-dp drives NIC ports of "
		   "its own through DPDK, and chrony.conf does not say which. Fill in and "
		   "uncomment (dataplane in docs/CONFIG.md, etc/linetime.conf.example):");
	for (unsigned int i = 0; i < m->n_bindaddr; i++)
		sbuf_printf(&m->out, "# chronyd's bindaddress %s (%s:%u): one of the ports' addresses\n",
		       m->bindaddr[i]->n_args ? m->bindaddr[i]->args[0] : "", m->bindaddr[i]->file,
		       m->bindaddr[i]->line);
	for (unsigned int i = 0; i < m->n_hwts; i++)
		sbuf_printf(&m->out, "# chronyd's hwtimestamp %s (%s:%u): that port's timestamping\n",
		       m->hwts[i]->n_args ? m->hwts[i]->args[0] : "", m->hwts[i]->file,
		       m->hwts[i]->line);
	sbuf_printf(&m->out,
	       "#dataplane = {\n"
	       "#  lcores = [ 1 ];                          # worker cores (isolcpus=)\n"
	       "#  ports = (\n"
	       "#    { name = \"lan0\";\n"
	       "#      device = \"0000:01:00.0\";            # dpdk-devbind.py --status\n"
	       "#      addresses = [ \"192.0.2.10/24\" ];    # its own, with the prefix length\n"
	       "#      gateway = [ \"192.0.2.1\" ];\n"
	       "#      timestamping = \"auto\";\n"
	       "#    }\n"
	       "#  );\n"
	       "#};\n");
}

static void write_text(struct imp *m)
{
	static const struct {
		const char *name;
		enum slot slot;
		int quote;
	} sync_order[] = {
		{ "minsources", S_MINSOURCES, 0 },
		{ "maxdistance", S_MAXDISTANCE, 0 },
		{ "makestep", S_MAKESTEP, 0 },
		{ "maxslewrate", S_MAXSLEWRATE, 0 },
		{ "maxupdateskew", S_MAXUPDATESKEW, 0 },
		{ "maxdrift", S_MAXDRIFT, 0 },
		{ "corrtimeratio", S_CORRTIMERATIO, 0 },
		{ "driftfile", S_DRIFTFILE, 1 },
	};
	struct setting st;

	sbuf_printf(&m->out,
	       "# linetime.conf converted by linetime-import-chrony from\n"
	       "#   %s\n"
	       "#\n"
	       "# Check it before use (linetimed -t -c FILE); docs/CONFIG.md describes every\n"
	       "# setting. Each one names the chrony directive it came from. The warnings,\n"
	       "# what was not carried over and why, are listed at the end. The dataplane\n"
	       "# ports cannot be converted: fill in the template at the end.\n",
	       m->source);

	section(m, "upstream servers and the clock discipline");
	emit_sources(m, 0);
	emit_sources(m, 1);
	for (size_t i = 0; i < sizeof(sync_order) / sizeof(sync_order[0]); i++)
		emit(m, sync_order[i].name, &m->set[sync_order[i].slot], sync_order[i].quote);
	if (!m->set[S_MAXDRIFT].d)
		comment(m, "chronyd's default maxdrift is 500000 ppm, linetime's 500 ppm, "
			   "beyond any crystal that works (maxdrift in docs/CONFIG.md).");

	memset(&st, 0, sizeof(st));
	if ((st.d = m->leap_d)) {
		snprintf(st.value, sizeof(st.value), "%s", m->leap_mode);
		emit(m, "leapsecmode", &st, 1);
	}
	if (m->leap_smooth[0]) {
		snprintf(st.value, sizeof(st.value), "%s", m->leap_smooth);
		emit(m, "smoothtime", &st, 0);
	}
	emit(m, "leapsectz", &m->set[S_LEAPSECTZ], 1);
	comment(m, "chronyd also steered this machine's system clock (unless it ran with -x). "
		   "linetime steers only the clock it serves unless steer_system_clock = true; "
		   "set that if linetime replaces chronyd here, and run no other time daemon.");
	emit(m, "logdir", &m->set[S_LOGDIR], 1);
	emit(m, "logchange", &m->set[S_LOGCHANGE], 0);
	emit_log(m);

	section(m, "serving");
	if (m->set[S_LOCAL].d)
		emit(m, "local", &m->set[S_LOCAL], 0);
	else
		comment(m, "chrony.conf has no local directive: chronyd told clients it was "
			   "unsynchronised while no source was selectable. linetime then serves its "
			   "own clock at local.stratum (default 10); it cannot be turned off, so keep "
			   "the stratum high.");
	emit(m, "precision", &m->set[S_PRECISION], 0);
	emit_access(m);
	emit(m, "ratelimit", &m->set[S_RATELIMIT], 0);
	emit(m, "clientloglimit", &m->set[S_CLIENTLOGLIMIT], 0);
	emit(m, "ntpsigndsocket", &m->set[S_NTPSIGNDSOCKET], 1);
	if (m->set[S_ADMIN].d) {
		st = m->set[S_ADMIN];
		head(m);
		if (st.note[0])
			comment(m, st.note);
		sbuf_printf(&m->out, "admin = { socket = ");
		sb_quote(&m->out, st.value);
		sbuf_printf(&m->out, "; };  ");
		from(m, st.d, st.over);
	}

	emit_dataplane(m);

	section(m, "warnings (also printed on stderr)");
	for (unsigned int i = 0; i < m->n_warnings; i++) {
		head(m);
		sbuf_printf(&m->out, "# %s\n", m->warnings[i]);
	}
}

void import_result_free(struct import_result *r)
{
	for (unsigned int i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->text);
	memset(r, 0, sizeof(*r));
}

int import_chrony(const struct chrony_conf *conf, const char *source, struct import_result *out)
{
	struct imp *m = calloc(1, sizeof(*m));

	memset(out, 0, sizeof(*out));
	if (!m)
		return -ENOMEM;
	m->conf = conf;
	m->source = source;
	for (unsigned int i = 0; i < conf->n; i++)
		one_directive(m, &conf->d[i]);

	check_sources(m);
	check_logs(m);
	check_leap(m);
	access_order_check(m);
	if (!m->any_allow)
		warn_file(m, "allow: no allow directive, so chronyd served no client; the converted "
			     "access list serves nobody either: add an allow rule for each network "
			     "to serve");
	unsigned int lost = m->n_warnings;
	warn_file(m, "dataplane: the ports are not converted (chronyd used the kernel's "
		     "interfaces): fill in dataplane.ports from the template at the end of the "
		     "output");
	write_text(m);

	out->warnings = m->warnings;
	out->n_warnings = m->n_warnings;
	out->n_lost = lost;
	out->text = m->out.p;
	if (m->oom || m->out.oom || !out->text) {
		import_result_free(out);
		free(m);
		return -ENOMEM;
	}
	free(m);
	return 0;
}
