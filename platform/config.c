/*
 * config: linetime.conf parsed with libconfig into a validated struct
 * lt_config (the format is documented in docs/CONFIG.md).
 *
 * Parsing goes into a private struct that is copied out only when every
 * check has passed, so a failed reload leaves the running config as it was.
 * Each group is checked against the list of names it may hold before its
 * values are read: a misspelt setting is an error, never a silent default.
 * libconfig 1.5 cuts integers written without the L suffix to 32 bits, so
 * integers are checked against the text they came from (wrapped_literal):
 * 4294971392 is refused as out of range, not taken for 4096.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <syslog.h>

#include "inet.h"

/* DPDK's default RTE_MAX_LCORE; lcore ids at or above it cannot exist. */
#define LCORE_LIMIT 128
/* sockaddr_un.sun_path holds 108 bytes including the terminating NUL. */
#define SUN_PATH_MAX 107
#define QUEUES_MAX 16
#define IDLE_SLEEP_MAX_US 10000
#define MBUFS_MIN 1023
#define MBUFS_MAX 1048575
#define HOLDOVER_MAX 86400
#define NAME_MAX_LEN 31
/* An access rule is one short line: "allow all 2001:db8::/32". */
#define RULE_MAX 256
#define CLIENTLOG_MIN 4096
#define CLIENTLOG_MAX 1073741824
#define CLIENTLOG_DEFAULT 524288
/* A linetime.conf is a few KiB; anything this big is not one. */
#define FILE_MAX (16 << 20)
/* Poll exponents: chrony's range and defaults. */
#define POLL_MIN (-6)
#define POLL_MAX 24
#define MINPOLL_DEFAULT 6
#define MAXPOLL_DEFAULT 10
#define MAXSOURCES_DEFAULT 4
#define DISTANCE_MAX 1000.0
#define MAXSLEWRATE_MAX 500000.0
#define MAXDRIFT_MAX 500000.0
#define SMEAR_WINDOW_MIN 60.0
#define SMEAR_WINDOW_MAX 172800.0
#define TZ_NAME_MAX 63

_Static_assert(SUN_PATH_MAX < sizeof(((struct lt_config *)0)->admin_socket),
	       "admin_socket holds a Unix socket path");

struct parse {
	const char *file; /* for settings libconfig has no file name for */
	const char *text; /* that file's text, to read integers back from */
	char *inc_file;   /* the @include file last read back, and its text */
	char *inc_text;
	char *err;
	size_t errlen;
};

struct choice {
	const char *name;
	int value;
};

static const struct choice log_levels[] = {
	{ "error", LOG_ERR },
	{ "warning", LOG_WARNING },
	{ "notice", LOG_NOTICE },
	{ "info", LOG_INFO },
	{ "debug", LOG_DEBUG },
	{ NULL, 0 },
};

static const struct choice ts_modes[] = {
	{ "auto", LT_TS_AUTO },
	{ "software", LT_TS_SOFTWARE },
	{ "hardware", LT_TS_HARDWARE },
	{ NULL, 0 },
};

static const struct choice tx_anchors[] = {
	{ "auto", LT_TX_AUTO },
	{ "after_burst", LT_TX_AFTER },
	{ "before_burst", LT_TX_BEFORE },
	{ NULL, 0 },
};

static const struct choice leapsecmodes[] = {
	{ "step", LT_LEAPSECMODE_STEP },
	{ "slew", LT_LEAPSECMODE_SLEW },
	{ "smear", LT_LEAPSECMODE_SMEAR },
	{ NULL, 0 },
};

static const struct choice smear_shapes[] = {
	{ "quadratic", 1 },
	{ "linear", 0 },
	{ NULL, 0 },
};

/* The names each group may hold; anything else is reported as unknown. */
static const char *const top_names[] = {
	"local", "holdover", "precision", "access", "kod_deny", "ratelimit", "clientloglimit",
	"region", "pidfile_dir", "admin", "log", "dataplane", "ntpsigndsocket",
	"servers", "pools", "minsources", "maxdistance", "makestep", "maxslewrate",
	"maxupdateskew", "maxdrift", "corrtimeratio", "driftfile", "leapsecmode", "smoothtime",
	"leapsectz", "steer_system_clock", "logdir", "logchange", "health", "metrics",
	"user", "seccomp", "keyfile", "crypto_nak", NULL,
};
static const char *const local_names[] = { "stratum", "distance", "orphan", NULL };
static const char *const server_names[] = {
	"address", "iburst", "minpoll", "maxpoll", "prefer", "noselect", "key", NULL,
};
static const char *const pool_names[] = {
	"name", "maxsources", "iburst", "minpoll", "maxpoll", "prefer", "noselect", NULL,
};
static const char *const makestep_names[] = { "threshold", "limit", NULL };
static const char *const smoothtime_names[] = { "window", "shape", NULL };
static const char *const ratelimit_names[] = {
	"interval", "burst", "leak", "kod", "ipv4_prefix", "ipv6_prefix", NULL,
};
static const char *const admin_names[] = { "socket", "group", "write_group", NULL };
static const char *const health_names[] = {
	"offset_warning", "offset_critical", "sources_warning", "sources_critical",
	"stratum_warning", "stratum_critical", "ring_drops_warning", "ring_drops_critical",
	"heartbeat_warning", "heartbeat_critical", NULL,
};
static const char *const metrics_names[] = { "listen", NULL };
static const char *const log_names[] = {
	"level", "measurements", "statistics", "tracking", NULL,
};
static const char *const dp_names[] = {
	"main_lcore", "lcores", "eal", "idle_sleep_us", "mbufs", "ports", NULL,
};
static const char *const port_names[] = {
	"name", "device", "addresses", "gateway", "queues", "timestamping", "tx_departure",
	"tx_correction_ns", NULL,
};

/* --- messages ------------------------------------------------------------ */

/* Append the dotted path of s ("dataplane.ports.[0].addresses") to buf. */
static void path_append(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *parent = config_setting_parent(s);

	if (!parent)
		return;
	if (config_setting_parent(parent)) {
		path_append(parent, buf, len);
		strncat(buf, ".", len - strlen(buf) - 1);
	}
	const char *name = config_setting_name(s);
	if (name) {
		strncat(buf, name, len - strlen(buf) - 1);
	} else {
		char idx[16];
		snprintf(idx, sizeof(idx), "[%d]", config_setting_index(s));
		strncat(buf, idx, len - strlen(buf) - 1);
	}
}

/*
 * Write "FILE:LINE: PATH: message". The line is line if not 0, else from
 * line_s or, where libconfig has none (the root), its nearest ancestor that
 * has one; the file from that setting; the path from path_s, with child
 * appended for a setting that is missing.
 */
__attribute__((format(printf, 6, 0)))
static int vfail(struct parse *p, const config_setting_t *line_s, unsigned int line,
		 const config_setting_t *path_s, const char *child, const char *fmt, va_list ap)
{
	char path[256] = "";
	char msg[LT_CFG_ERR_MAX];
	const config_setting_t *l = line_s;
	const char *file;

	if (!p->err || !p->errlen)
		return -EINVAL;
	path_append(path_s, path, sizeof(path));
	if (child) {
		if (path[0])
			strncat(path, ".", sizeof(path) - strlen(path) - 1);
		strncat(path, child, sizeof(path) - strlen(path) - 1);
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);

	while (l && !config_setting_source_line(l))
		l = config_setting_parent(l);
	file = l && config_setting_source_file(l) ? config_setting_source_file(l) : p->file;
	if (!line && l)
		line = config_setting_source_line(l);
	if (line)
		snprintf(p->err, p->errlen, "%s:%u: %s: %s", file, line, path, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s: %s", file, path, msg);
	return -EINVAL;
}

__attribute__((format(printf, 3, 4)))
static int fail(struct parse *p, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(p, s, 0, s, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* A problem with one element of an array: the array's path, the element's line. */
__attribute__((format(printf, 4, 5)))
static int fail_elem(struct parse *p, const config_setting_t *arr, const config_setting_t *elem,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(p, elem, 0, arr, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* A problem with s at a line found in the text (see element_lines). */
__attribute__((format(printf, 4, 5)))
static int fail_line(struct parse *p, const config_setting_t *s, unsigned int line,
		     const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(p, s, line, s, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

/* A required setting that is absent: reported at its group's line. */
__attribute__((format(printf, 4, 5)))
static int fail_missing(struct parse *p, const config_setting_t *grp, const char *name,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vfail(p, grp, 0, grp, name, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *type_name(const config_setting_t *s)
{
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a floating-point number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	default:
		return "nothing";
	}
}

/* --- unknown settings ---------------------------------------------------- */

/* Edit distance, for suggesting the intended name of a misspelt setting. */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int row[64];
	size_t la = strlen(a), lb = strlen(b);

	if (la >= 64 || lb >= 64)
		return 64;
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned int)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned int diag = row[0];
		row[0] = (unsigned int)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned int up = row[j];
			unsigned int best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int check_known(struct parse *p, const config_setting_t *grp, const char *const *names)
{
	int n = config_setting_length(grp);

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, (unsigned int)i);
		const char *name = config_setting_name(s);
		const char *guess = NULL;
		unsigned int best = 3;
		int found = 0;

		for (const char *const *k = names; *k; k++) {
			if (!strcmp(*k, name)) {
				found = 1;
				break;
			}
			unsigned int d = distance(*k, name);
			if (d < best) {
				best = d;
				guess = *k;
			}
		}
		if (found)
			continue;
		/* chrony's directives of the same name are rules inside access. */
		if (!config_setting_parent(grp) && (!strcmp(name, "allow") || !strcmp(name, "deny")))
			return fail(p, s, "unknown setting (chrony's %s rules go in access, e.g. "
				    "access = [ \"%s 192.0.2.0/24\" ];)", name, name);
		/* chrony's one-line server and pool become entries of a list. */
		if (!config_setting_parent(grp) && !strcmp(name, "server"))
			return fail(p, s, "unknown setting (use servers = ( { address = "
				    "\"ntp1.example.net\"; iburst = true; } );)");
		if (!config_setting_parent(grp) && !strcmp(name, "pool"))
			return fail(p, s, "unknown setting (use pools = ( { name = "
				    "\"pool.example.net\"; iburst = true; } );)");
		if (guess)
			return fail(p, s, "unknown setting (did you mean \"%s\"?)", guess);
		return fail(p, s, "unknown setting");
	}
	return 0;
}

/* --- integers wider than 32 bits ----------------------------------------- */

/* Read all of f into a NUL-terminated buffer. Returns 0 or a negative errno. */
static int read_all(FILE *f, char **out, size_t *outlen)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t got = fread(buf + len, 1, cap - 1 - len, f);
		len += got;
		if (len < cap - 1) {
			if (ferror(f)) {
				free(buf);
				return -EIO;
			}
			break;
		}
		if (cap >= FILE_MAX) {
			free(buf);
			return -EFBIG;
		}
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
		cap *= 2;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	return 0;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static int is_xdigit(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static int is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '*' ||
	       ch == '-' || ch == '_';
}

/* "e5", "E-3": the exponent of a float. */
static int is_exponent(const char *t)
{
	return (t[0] == 'e' || t[0] == 'E') &&
	       (is_digit(t[1]) || ((t[1] == '-' || t[1] == '+') && is_digit(t[2])));
}

/*
 * A token of libconfig's syntax, enough to read the text back: comments are
 * skipped, and strings, names (true and false among them) and floats are
 * whole tokens, so no digit inside them is taken for an integer.
 */
enum tok_kind { TOK_END, TOK_NAME, TOK_NUM, TOK_STR, TOK_PUNCT };

struct tok {
	enum tok_kind kind;
	const char *start;
	size_t len;
	unsigned int line;  /* where it starts */
	int plain_int;      /* an integer without the L suffix */
	int hex;
};

static void next_tok(const char **tp, unsigned int *ln, struct tok *k)
{
	const char *t = *tp;

	for (;;) {
		if (*t == '\n') {
			(*ln)++;
			t++;
		} else if (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\f') {
			t++;
		} else if (t[0] == '/' && t[1] == '*') {
			for (t += 2; *t && !(t[0] == '*' && t[1] == '/'); t++)
				*ln += *t == '\n';
			t += *t ? 2 : 0;
		} else if (*t == '#' || (t[0] == '/' && t[1] == '/')) {
			while (*t && *t != '\n')
				t++;
		} else {
			break;
		}
	}

	memset(k, 0, sizeof(*k));
	k->start = t;
	k->line = *ln;
	if (!*t) {
		k->kind = TOK_END;
	} else if (*t == '"') {
		/* Strings may span lines; "\\" and "\"" are the escapes that matter. */
		k->kind = TOK_STR;
		for (t++; *t && *t != '"'; t++) {
			if (*t == '\\' && t[1])
				t++;
			*ln += *t == '\n';
		}
		t += *t ? 1 : 0;
	} else if ((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') || *t == '*') {
		k->kind = TOK_NAME;
		while (is_name_char(*t))
			t++;
	} else if (is_digit(*t) || *t == '.' ||
		   ((*t == '-' || *t == '+') && (is_digit(t[1]) || t[1] == '.'))) {
		k->kind = TOK_NUM;
		if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X') && is_xdigit(t[2])) {
			k->hex = 1;
			for (t += 2; is_xdigit(*t); t++)
				;
		} else {
			t += *t == '-' || *t == '+';
			while (is_digit(*t))
				t++;
			if (*t == '.' || is_exponent(t)) {
				t += *t == '.';
				while (is_digit(*t))
					t++;
				if (is_exponent(t))
					for (t += 2; is_digit(*t); t++)
						;
				goto done; /* a float */
			}
		}
		if (*t == 'L')
			t += t[1] == 'L' ? 2 : 1;
		else
			k->plain_int = 1;
	} else {
		k->kind = TOK_PUNCT;
		t++;
	}
done:
	k->len = (size_t)(t - k->start);
	*tp = t;
}

/*
 * libconfig 1.5 keeps an integer written without the L suffix in 32 bits
 * (atoi/strtoul): "clientloglimit = 4294971392;" reads as 4096, which a range
 * check cannot tell from the real thing. Find, on the given line of text, an
 * integer literal that does not fit and that wraps to low; copy it to lit.
 * Matching is by line and wrapped value, so with two integers on one line
 * the wrong one of them may be named; the file is refused either way, at the
 * right line.
 */
static int wide_literal(const char *text, unsigned int line, uint32_t low, char *lit,
			size_t litlen)
{
	unsigned int ln = 1;
	struct tok k;

	for (next_tok(&text, &ln, &k); k.kind != TOK_END && k.line <= line;
	     next_tok(&text, &ln, &k)) {
		char num[64];

		if (k.kind != TOK_NUM || !k.plain_int || k.line != line || k.len >= sizeof(num))
			continue;
		memcpy(num, k.start, k.len);
		num[k.len] = '\0';
		/* What libconfig 1.5 made of it: strtol or strtoul, cut to 32 bits. */
		errno = 0;
		long long v = k.hex ? 0 : strtoll(num, NULL, 10);
		unsigned long long u = k.hex ? strtoull(num, NULL, 16) : 0;
		int wide = k.hex ? u > 0xffffffffULL
				 : errno == ERANGE || v < INT32_MIN || v > INT32_MAX;
		if (wide && (k.hex ? (uint32_t)u : (uint32_t)v) == low) {
			snprintf(lit, litlen, "%s", num);
			return 1;
		}
	}
	return 0;
}

/* After the opening bracket: the line each of the n elements starts on. */
static int list_lines(const char *t, unsigned int ln, unsigned int n, unsigned int *lines)
{
	unsigned int i = 0;
	int depth = 1, want = 1;
	struct tok k;

	for (next_tok(&t, &ln, &k); k.kind != TOK_END; next_tok(&t, &ln, &k)) {
		int open = k.kind == TOK_PUNCT && strchr("{[(", *k.start);
		int close = k.kind == TOK_PUNCT && strchr("}])", *k.start);

		if (close && depth == 1)
			return i == n;
		if (want) {
			if (i == n)
				return 0;
			lines[i++] = k.line;
			want = 0;
		}
		if (k.kind == TOK_PUNCT && *k.start == ',' && depth == 1)
			want = 1;
		depth += open - close;
	}
	return 0;
}

/*
 * libconfig dates an array element by the token after it, so the last rule
 * of a list closed by "];" on the next line would get that line. Find the
 * top-level list `name` in text and give each of its n elements the line it
 * starts on. Returns 1 if it was found with n elements, else 0.
 */
static int element_lines(const char *text, const char *name, unsigned int n, unsigned int *lines)
{
	unsigned int ln = 1;
	int depth = 0;
	struct tok k, prev = { .kind = TOK_END }, prev2 = prev;

	for (next_tok(&text, &ln, &k); k.kind != TOK_END; next_tok(&text, &ln, &k)) {
		int open = k.kind == TOK_PUNCT && strchr("{[(", *k.start);
		int close = k.kind == TOK_PUNCT && strchr("}])", *k.start);

		if (open && *k.start != '{' && !depth && prev.kind == TOK_PUNCT &&
		    (*prev.start == '=' || *prev.start == ':') && prev2.kind == TOK_NAME &&
		    prev2.len == strlen(name) && !memcmp(prev2.start, name, prev2.len))
			return list_lines(text, ln, n, lines);
		depth += open - close;
		prev2 = prev;
		prev = k;
	}
	return 0;
}

/*
 * The text s came from: the file being loaded, or an @include file read back
 * (the last one is kept). NULL in *out if there is none; -EINVAL (message in
 * p) if an @include file cannot be read back.
 */
static int source_text(struct parse *p, const config_setting_t *s, const char **out)
{
	const char *file = config_setting_source_file(s);

	*out = p->text;
	if (!file)
		return 0;
	if (!p->inc_file || strcmp(p->inc_file, file)) {
		FILE *f = fopen(file, "r");
		size_t len;
		int rc;

		free(p->inc_file);
		free(p->inc_text);
		p->inc_file = p->inc_text = NULL;
		rc = f ? read_all(f, &p->inc_text, &len) : -errno;
		if (f)
			fclose(f);
		if (!rc && !(p->inc_file = strdup(file)))
			rc = -ENOMEM;
		if (rc)
			return fail(p, s, "cannot read %s back to check it: %s", file, strerror(-rc));
	}
	*out = p->inc_text;
	return 0;
}

/*
 * If s is an integer that libconfig wrapped to 32 bits, copy the literal as
 * written to lit and return 1; 0 if its value is what was written; -EINVAL
 * (message in p) if its @include file cannot be read back.
 */
static int wrapped_literal(struct parse *p, const config_setting_t *s, char *lit, size_t litlen)
{
	unsigned int line = config_setting_source_line(s);
	const char *text;
	int rc;

	if (config_setting_type(s) != CONFIG_TYPE_INT || !line)
		return 0;
	if ((rc = source_text(p, s, &text)) || !text)
		return rc;
	return wide_literal(text, line, (uint32_t)config_setting_get_int64(s), lit, litlen);
}

/* --- typed values -------------------------------------------------------- */

static int is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

/*
 * An integer in min..max (unit, if not NULL, follows the range in messages);
 * path_s names it in messages (an array for elements). Read as 64 bits, so
 * an INT64 setting ("4096L") is range-checked like any other; one that
 * libconfig wrapped to 32 bits is out of range by construction.
 */
static int int_range(struct parse *p, const config_setting_t *path_s, const config_setting_t *s,
		     long long min, long long max, const char *unit, long long *out)
{
	char shown[64];
	long long v;
	int rc;

	if (!is_int(s))
		return fail_elem(p, path_s, s, "expected an integer, got %s", type_name(s));
	v = config_setting_get_int64(s);
	snprintf(shown, sizeof(shown), "%lld", v);
	if ((rc = wrapped_literal(p, s, shown, sizeof(shown))) < 0)
		return rc;
	if (rc || v < min || v > max)
		return fail_elem(p, path_s, s, "%s: out of range (%lld..%lld%s%s)", shown, min, max,
				 unit ? " " : "", unit ? unit : "");
	*out = v;
	return 0;
}

static int int_value(struct parse *p, const config_setting_t *path_s, const config_setting_t *s,
		     long long min, long long max, unsigned int *out)
{
	long long v = 0;
	int rc = int_range(p, path_s, s, min, max, NULL, &v);

	if (!rc)
		*out = (unsigned int)v;
	return rc;
}

static int get_uint(struct parse *p, const config_setting_t *grp, const char *name, long long min,
		    long long max, unsigned int *out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	return s ? int_value(p, s, s, min, max, out) : 0;
}

/* The same for a range that goes below zero. */
static int get_int(struct parse *p, const config_setting_t *grp, const char *name, long long min,
		   long long max, int *out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	long long v = 0;
	int rc;

	if (!s)
		return 0;
	if ((rc = int_range(p, s, s, min, max, NULL, &v)))
		return rc;
	*out = (int)v;
	return 0;
}

static int get_bool(struct parse *p, const config_setting_t *grp, const char *name, int *out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return fail(p, s, "expected a boolean (true or false), got %s", type_name(s));
	*out = config_setting_get_bool(s);
	return 0;
}

/* A number; integers are accepted too, "holdover = 60;" reads naturally. */
static int get_double(struct parse *p, const config_setting_t *grp, const char *name,
		      const config_setting_t **where, double *out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	char lit[64];
	int rc = 0;

	*where = s;
	if (!s)
		return 0;
	if (is_int(s) && (rc = wrapped_literal(p, s, lit, sizeof(lit))) < 0)
		return rc;
	if (rc)
		*out = strtod(lit, NULL); /* the number written, not its 32-bit remainder */
	else if (is_int(s))
		*out = (double)config_setting_get_int64(s);
	else if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		*out = config_setting_get_float(s);
	else
		return fail(p, s, "expected a number, got %s", type_name(s));
	if (!isfinite(*out))
		return fail(p, s, "not a finite number");
	return 0;
}

/*
 * A number in min..max, or above min if min_open (max HUGE_VAL: no upper
 * bound); unit, if not NULL, follows the range in messages.
 */
static int get_number(struct parse *p, const config_setting_t *grp, const char *name, double min,
		      int min_open, double max, const char *unit, double *out)
{
	const config_setting_t *s;
	char range[96];
	double v = 0;
	int rc = get_double(p, grp, name, &s, &v);

	if (rc || !s)
		return rc;
	if ((min_open ? v > min : v >= min) && v <= max) {
		*out = v;
		return 0;
	}
	if (max == HUGE_VAL)
		snprintf(range, sizeof(range), "%s %g", min_open ? "more than" : "at least", min);
	else if (min_open)
		snprintf(range, sizeof(range), "more than %g, at most %g", min, max);
	else
		snprintf(range, sizeof(range), "%g..%g", min, max);
	return fail(p, s, "%.10g: out of range (%s%s%s)", v, range, unit ? " " : "",
		    unit ? unit : "");
}

enum str_rule {
	STR_ANY = 0,
	STR_NONEMPTY = 1,
	STR_ABSPATH = 2,
};

static int str_value(struct parse *p, const config_setting_t *path_s, const config_setting_t *s,
		     size_t cap, enum str_rule rule, const char **out)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail_elem(p, path_s, s, "expected a string, got %s", type_name(s));
	const char *v = config_setting_get_string(s);
	size_t len = strlen(v);
	if (len >= cap)
		return fail_elem(p, path_s, s, "too long (%zu characters, at most %zu)", len,
				 cap - 1);
	if (rule != STR_ANY && !len)
		return fail_elem(p, path_s, s, "must not be empty");
	if (rule == STR_ABSPATH && v[0] != '/')
		return fail_elem(p, path_s, s, "\"%s\": must be an absolute path", v);
	*out = v;
	return 0;
}

/* Copy a string setting into buf (cap bytes) if present. */
static int get_str(struct parse *p, const config_setting_t *grp, const char *name, char *buf,
		   size_t cap, enum str_rule rule)
{
	const config_setting_t *s = config_setting_get_member(grp, name);
	const char *v;
	int rc;

	if (!s)
		return 0;
	rc = str_value(p, s, s, cap, rule, &v);
	if (rc)
		return rc;
	memcpy(buf, v, strlen(v) + 1);
	return 0;
}

static int choice_value(struct parse *p, const config_setting_t *s, const struct choice *tab,
			int *out)
{
	char list[128] = "";
	const char *v;
	int rc = str_value(p, s, s, 256, STR_ANY, &v);

	if (rc)
		return rc;
	for (const struct choice *c = tab; c->name; c++) {
		if (!strcmp(c->name, v)) {
			*out = c->value;
			return 0;
		}
		if (list[0])
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, c->name, sizeof(list) - strlen(list) - 1);
	}
	return fail(p, s, "\"%s\": expected one of %s", v, list);
}

/* A group member that must itself be a group; *out is NULL if absent. */
static int get_group(struct parse *p, const config_setting_t *grp, const char *name,
		     const char *const *names, const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	*out = NULL;
	if (!s)
		return 0;
	if (!config_setting_is_group(s))
		return fail(p, s, "expected a group { ... }, got %s", type_name(s));
	*out = s;
	return check_known(p, s, names);
}

/* A sequence of scalars: [ ... ] or ( ... ) both read as a list of values. */
static int get_seq(struct parse *p, const config_setting_t *grp, const char *name,
		   const config_setting_t **out)
{
	const config_setting_t *s = config_setting_get_member(grp, name);

	*out = NULL;
	if (!s)
		return 0;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return fail(p, s, "expected an array [ ... ], got %s", type_name(s));
	*out = s;
	return 0;
}

/* --- addresses ----------------------------------------------------------- */

static int addr_parse(const char *text, int want_prefix, struct lt_cfg_addr *a, char *why,
		      size_t whylen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(text, '/');
	size_t hlen = slash ? (size_t)(slash - text) : strlen(text);

	memset(a, 0, sizeof(*a));
	if (slash && !want_prefix) {
		snprintf(why, whylen, "a gateway is a plain address, without /prefix");
		return -1;
	}
	if (!slash && want_prefix) {
		snprintf(why, whylen, "missing /prefix length (e.g. /24 or /64)");
		return -1;
	}
	if (hlen >= sizeof(host)) {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return -1;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, a->addr) == 1) {
		a->family = 4;
	} else if (inet_pton(AF_INET6, host, a->addr) == 1) {
		a->family = 6;
	} else {
		snprintf(why, whylen, "not an IPv4 or IPv6 address");
		return -1;
	}
	if (!slash)
		return 0;

	unsigned int maxlen = a->family == 4 ? 32 : 128;
	unsigned long len = 0;
	const char *d = slash + 1;
	if (!*d || strlen(d) > 3)
		goto bad_prefix;
	for (; *d; d++) {
		if (*d < '0' || *d > '9')
			goto bad_prefix;
		len = len * 10 + (unsigned long)(*d - '0');
	}
	if (len < 1 || len > maxlen)
		goto bad_prefix;
	a->prefixlen = (uint8_t)len;
	return 0;

bad_prefix:
	snprintf(why, whylen, "prefix length out of range (1..%u)", maxlen);
	return -1;
}

static int bit(const uint8_t *b, unsigned int i)
{
	return (b[i / 8] >> (7 - i % 8)) & 1;
}

/* 1 if the bits after the first plen are all equal to v. */
static int host_bits_all(const struct lt_cfg_addr *a, unsigned int plen, int v)
{
	unsigned int total = a->family == 4 ? 32 : 128;

	for (unsigned int i = plen; i < total; i++)
		if (bit(a->addr, i) != v)
			return 0;
	return 1;
}

static int is_v6_linklocal(const struct lt_cfg_addr *a)
{
	return a->family == 6 && a->addr[0] == 0xfe && (a->addr[1] & 0xc0) == 0x80;
}

/* fe80::/64, the prefix of the link-local address every IPv6 port has. */
static int in_ll64(const struct lt_cfg_addr *a)
{
	static const uint8_t ll[8] = { 0xfe, 0x80 };
	return a->family == 6 && !memcmp(a->addr, ll, sizeof(ll));
}

/* Why a can neither be a port's address nor a gateway, or NULL if it can. */
static const char *addr_unusable(const struct lt_cfg_addr *a)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t v6loopback[16] = { [15] = 1 };
	const uint8_t *b = a->addr;

	if (a->family == 4) {
		if (b[0] == 0)
			return "unspecified (0.0.0.0/8) address";
		if (b[0] == 127)
			return "loopback address";
		if (b[0] >= 224 && b[0] < 240)
			return "multicast address";
		if (b[0] >= 240)
			return "reserved or broadcast (240.0.0.0/4) address";
		return NULL;
	}
	if (host_bits_all(a, 0, 0))
		return "unspecified address";
	if (!memcmp(b, v6loopback, sizeof(v6loopback)))
		return "loopback address";
	if (b[0] == 0xff)
		return "multicast address";
	if (!memcmp(b, v4mapped, sizeof(v4mapped)))
		return "IPv4-mapped address (write the IPv4 address itself)";
	return NULL;
}

/* --- access rules -------------------------------------------------------- */

/*
 * chrony's shortened IPv4 network: 1 to 3 decimal octets, "198.18" for
 * 198.18.0.0/16. Returns the number of octets, 0 if text is not one.
 */
static unsigned int ipv4_shorthand(const char *text, uint8_t *addr)
{
	unsigned int n = 0;
	const char *t = text;

	memset(addr, 0, 4);
	for (;;) {
		unsigned int v = 0, digits = 0;
		for (; *t >= '0' && *t <= '9' && digits < 4; t++, digits++)
			v = v * 10 + (unsigned int)(*t - '0');
		if (!digits || digits > 3 || v > 255 || n == 3)
			return 0;
		addr[n++] = (uint8_t)v;
		if (!*t)
			return n;
		if (*t++ != '.')
			return 0;
	}
}

/* Zero every bit after the first plen (chrony accepts "198.18.0.7/16" too). */
static void clear_host_bits(uint8_t *addr, unsigned int plen)
{
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = plen > i * 8 ? plen - i * 8 : 0;
		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

/* The SUBNET of a rule: an address, chrony's IPv4 shorthand, either with /len. */
static int rule_subnet(const char *net, struct lt_cfg_access *r, char *why, size_t whylen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(net, '/');
	size_t hlen = slash ? (size_t)(slash - net) : strlen(net);
	unsigned int octets = 0, maxlen, plen;

	if (hlen >= sizeof(host))
		goto bad_addr;
	memcpy(host, net, hlen);
	host[hlen] = '\0';
	if (inet_pton(AF_INET, host, r->addr) == 1)
		r->family = 4;
	else if (inet_pton(AF_INET6, host, r->addr) == 1)
		r->family = 6;
	else if ((octets = ipv4_shorthand(host, r->addr)))
		r->family = 4;
	else
		goto bad_addr;

	/* No /len: a host, or as many bits as the shorthand's octets. */
	maxlen = r->family == 4 ? 32 : 128;
	plen = octets ? octets * 8 : maxlen;
	if (slash) {
		const char *d = slash + 1;
		plen = 0;
		if (!*d || strlen(d) > 3)
			goto bad_prefix;
		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				goto bad_prefix;
			plen = plen * 10 + (unsigned int)(*d - '0');
		}
		if (plen > maxlen)
			goto bad_prefix;
	}
	r->prefixlen = (uint8_t)plen;
	clear_host_bits(r->addr, plen);
	return 0;

bad_addr:
	snprintf(why, whylen, "\"%s\": not an IPv4 or IPv6 address", net);
	return -1;
bad_prefix:
	snprintf(why, whylen, "prefix length out of range (0..%u)", maxlen);
	return -1;
}

/*
 * One rule in chrony's words: "allow|deny [all] [SUBNET]". No SUBNET means
 * every address of both families (family 0, prefix length 0).
 */
int config_access_rule(const char *text, struct lt_cfg_access *r, char *why, size_t whylen)
{
	static const char ws[] = " \t\r\n\f\v";
	char buf[RULE_MAX];
	char *save = NULL, *w;

	memset(r, 0, sizeof(*r));
	snprintf(buf, sizeof(buf), "%s", text);
	w = strtok_r(buf, ws, &save);
	if (!w || (strcmp(w, "allow") && strcmp(w, "deny"))) {
		snprintf(why, whylen, "expected \"allow\" or \"deny\"%s%s%s", w ? ", got \"" : "",
			 w ? w : "", w ? "\"" : "");
		return -1;
	}
	r->allow = !strcmp(w, "allow");
	w = strtok_r(NULL, ws, &save);
	if (w && !strcmp(w, "all")) {
		r->all = 1;
		w = strtok_r(NULL, ws, &save);
	}
	if (!w)
		return 0;
	if (!strcmp(w, "all")) {
		snprintf(why, whylen, "\"all\" given twice");
		return -1;
	}
	if (rule_subnet(w, r, why, whylen))
		return -1;
	if ((w = strtok_r(NULL, ws, &save))) {
		snprintf(why, whylen, "unexpected \"%s\" after the address", w);
		return -1;
	}
	return 0;
}

/* The line s came from, or the nearest ancestor's that libconfig knows. */
static unsigned int line_of(const config_setting_t *s)
{
	while (s && !config_setting_source_line(s))
		s = config_setting_parent(s);
	return s ? config_setting_source_line(s) : 0;
}

/* --- sections ------------------------------------------------------------ */

const struct lt_cfg_health config_health_defaults = {
	.offset_warning = 0.01,
	.offset_critical = 0.1,
	.sources_warning = 1,
	.ring_drops_warning = 1,
	.heartbeat_warning = 0.5,
	.heartbeat_critical = 1.0,
};

int config_parse_listen(const char *text, int *family, uint8_t addr[16], uint16_t *port,
			char *why, size_t whylen)
{
	char host[LT_CFG_LISTEN_MAX];
	const char *colon, *h = text;
	size_t hlen;
	char *end;

	if (text[0] == '[') {
		const char *close = strchr(text, ']');
		if (!close || close[1] != ':' || (size_t)(close - text) >= LT_CFG_LISTEN_MAX) {
			snprintf(why, whylen, "an IPv6 address goes in brackets: \"[2001:db8::1]:9123\"");
			return -EINVAL;
		}
		h = text + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || strchr(text, ':') != colon) {
			snprintf(why, whylen, "expected ADDRESS:PORT (\"127.0.0.1:9123\", "
				 "\"[::1]:9123\")");
			return -EINVAL;
		}
		hlen = (size_t)(colon - text);
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(why, whylen, "no address before the port");
		return -EINVAL;
	}
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	long v = strtol(colon + 1, &end, 10);
	if (colon[1] < '0' || colon[1] > '9' || *end || errno || v < 1 || v > 65535) {
		snprintf(why, whylen, "port \"%s\" is not a number in 1..65535", colon + 1);
		return -EINVAL;
	}
	memset(addr, 0, 16);
	if (text[0] == '[' ? inet_pton(AF_INET6, host, addr) == 1 : inet_pton(AF_INET, host, addr) == 1) {
		*family = text[0] == '[' ? 6 : 4;
		*port = (uint16_t)v;
		return 0;
	}
	snprintf(why, whylen, "\"%s\" is not an IP%s address (names are not resolved here)", host,
		 text[0] == '[' ? "v6" : "v4");
	return -EINVAL;
}

/* health thresholds and the metrics listener. */
static int parse_monitoring(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	struct lt_cfg_health *h = &c->health;
	const config_setting_t *g, *s;
	int rc;

	if ((rc = get_group(p, root, "health", health_names, &g)))
		return rc;
	if (g && ((rc = get_number(p, g, "offset_warning", 0, 0, 86400, "seconds", &h->offset_warning)) ||
		  (rc = get_number(p, g, "offset_critical", 0, 0, 86400, "seconds", &h->offset_critical)) ||
		  (rc = get_uint(p, g, "sources_warning", 0, LT_CFG_MAX_SERVERS, &h->sources_warning)) ||
		  (rc = get_uint(p, g, "sources_critical", 0, LT_CFG_MAX_SERVERS, &h->sources_critical)) ||
		  (rc = get_uint(p, g, "stratum_warning", 0, 16, &h->stratum_warning)) ||
		  (rc = get_uint(p, g, "stratum_critical", 0, 16, &h->stratum_critical)) ||
		  (rc = get_uint(p, g, "ring_drops_warning", 0, 1000000000, &h->ring_drops_warning)) ||
		  (rc = get_uint(p, g, "ring_drops_critical", 0, 1000000000, &h->ring_drops_critical)) ||
		  (rc = get_number(p, g, "heartbeat_warning", 0, 0, 3600, "seconds",
				   &h->heartbeat_warning)) ||
		  (rc = get_number(p, g, "heartbeat_critical", 0, 0, 3600, "seconds",
				   &h->heartbeat_critical))))
		return rc;

	if ((rc = get_group(p, root, "metrics", metrics_names, &g)))
		return rc;
	if (g && (s = config_setting_get_member(g, "listen"))) {
		char why[160];
		uint8_t addr[16];
		uint16_t port;
		int family;

		if ((rc = get_str(p, g, "listen", c->metrics_listen, sizeof(c->metrics_listen), STR_ANY)))
			return rc;
		if (c->metrics_listen[0] &&
		    config_parse_listen(c->metrics_listen, &family, addr, &port, why, sizeof(why)) != 0)
			return fail(p, s, "\"%s\": %s", c->metrics_listen, why);
	}
	return 0;
}

/*
 * A user name as useradd takes it: letters, digits, '_', '.', '-', not
 * starting with '-' and not all digits (that would read as a uid).
 */
static int user_name_ok(const char *s)
{
	int digits = 1;

	if (!s[0] || s[0] == '-')
		return 0;
	for (const char *q = s; *q; q++) {
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
		      *q == '_' || *q == '.' || *q == '-'))
			return 0;
		digits &= *q >= '0' && *q <= '9';
	}
	return !digits;
}

/* user and seccomp: how little linetimed keeps once it runs. */
static int parse_privilege(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	const config_setting_t *s;
	int rc;

	if ((rc = get_str(p, root, "user", c->user, sizeof(c->user), STR_ANY)))
		return rc;
	s = config_setting_get_member(root, "user");
	if (c->user[0] && !user_name_ok(c->user))
		return fail(p, s, "\"%s\": not a user name (letters, digits, '_', '.', '-')", c->user);
	if (!strcmp(c->user, "root"))
		return fail(p, s, "\"root\": leave user out (or \"\") to keep running as started");
	return get_bool(p, root, "seccomp", &c->seccomp);
}

static int parse_top(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	const config_setting_t *g, *s;
	int rc;

	if ((rc = get_group(p, root, "local", local_names, &g)))
		return rc;
	if (g && ((rc = get_uint(p, g, "stratum", 1, 15, &c->local_stratum)) ||
		  (rc = get_number(p, g, "distance", 0, 0, DISTANCE_MAX, "seconds",
				   &c->local_distance)) ||
		  (rc = get_bool(p, g, "orphan", &c->local_orphan))))
		return rc;

	if ((rc = get_double(p, root, "holdover", &s, &c->holdover)))
		return rc;
	if (s && (c->holdover < 1 || c->holdover > HOLDOVER_MAX))
		return fail(p, s, "%g: out of range (1..%d seconds)", c->holdover, HOLDOVER_MAX);

	if ((rc = get_double(p, root, "precision", &s, &c->precision)))
		return rc;
	if (s && c->precision != 0 && (c->precision < 1e-9 || c->precision > 1))
		return fail(p, s, "%g: out of range (0 to measure, or 1e-9..1 seconds)",
			    c->precision);

	if ((rc = get_str(p, root, "region", c->region_path, sizeof(c->region_path),
			  STR_ABSPATH)))
		return rc;
	if ((rc = get_str(p, root, "pidfile_dir", c->pidfile_dir, sizeof(c->pidfile_dir),
			  STR_ABSPATH)))
		return rc;

	/* The directory must leave room for "/socket" in sun_path. */
	if ((rc = get_str(p, root, "ntpsigndsocket", c->ntpsigndsocket,
			  SUN_PATH_MAX + 1 - sizeof("/socket") + 1, STR_ABSPATH)))
		return rc;

	if ((rc = get_group(p, root, "admin", admin_names, &g)))
		return rc;
	if (g) {
		if ((rc = get_str(p, g, "socket", c->admin_socket, SUN_PATH_MAX + 1,
				  STR_ABSPATH)))
			return rc;
		if ((rc = get_str(p, g, "group", c->admin_group, sizeof(c->admin_group),
				  STR_ANY)))
			return rc;
		if ((rc = get_str(p, g, "write_group", c->admin_write_group,
				  sizeof(c->admin_write_group), STR_ANY)))
			return rc;
		/* The socket is group-owned by group: without one, only root reaches it. */
		if (c->admin_write_group[0] && !c->admin_group[0])
			return fail(p, config_setting_get_member(g, "write_group"),
				    "needs admin.group (the socket's group, which write_group's "
				    "members must also belong to)");
	}
	if ((rc = parse_monitoring(p, root, c)))
		return rc;
	if ((rc = parse_privilege(p, root, c)))
		return rc;

	if ((rc = get_group(p, root, "log", log_names, &g)))
		return rc;
	if (g && (s = config_setting_get_member(g, "level")) &&
	    (rc = choice_value(p, s, log_levels, &c->log_level)))
		return rc;
	if (g && ((rc = get_bool(p, g, "measurements", &c->sync.log_measurements)) ||
		  (rc = get_bool(p, g, "statistics", &c->sync.log_statistics)) ||
		  (rc = get_bool(p, g, "tracking", &c->sync.log_tracking))))
		return rc;
	return 0;
}

/* Who may be served and how often: access, kod_deny, ratelimit, clientloglimit. */
static int parse_policy(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	const config_setting_t *arr, *g, *s;
	char why[RULE_MAX + 64];
	long long v = 0;
	int rc;

	if ((rc = get_seq(p, root, "access", &arr)))
		return rc;
	if (arr) {
		unsigned int n = (unsigned int)config_setting_length(arr);
		unsigned int lines[LT_CFG_MAX_ACCESS];
		const char *src;
		if (n > LT_CFG_MAX_ACCESS)
			return fail(p, arr, "%u rules: at most %d", n, LT_CFG_MAX_ACCESS);
		if ((rc = source_text(p, arr, &src)))
			return rc;
		int exact = src && element_lines(src, "access", n, lines);
		/* Rules are named by position ("access.[3]"): their order matters. */
		for (unsigned int i = 0; i < n; i++) {
			const config_setting_t *e = config_setting_get_elem(arr, i);
			unsigned int line = exact ? lines[i] : line_of(e);
			const char *text;
			size_t len;
			if (config_setting_type(e) != CONFIG_TYPE_STRING)
				return fail_line(p, e, line, "expected a string, got %s",
						 type_name(e));
			text = config_setting_get_string(e);
			if (!(len = strlen(text)))
				return fail_line(p, e, line, "must not be empty");
			if (len >= RULE_MAX)
				return fail_line(p, e, line, "too long (%zu characters, at most %d)",
						 len, RULE_MAX - 1);
			if (config_access_rule(text, &c->access[i], why, sizeof(why)))
				return fail_line(p, e, line, "\"%s\": %s", text, why);
			c->access[i].line = line;
			c->n_access = i + 1;
		}
	}

	if ((rc = get_bool(p, root, "kod_deny", &c->kod_deny)))
		return rc;

	/* Symmetric keys (RFC 5905 MACs): chrony's keyfile, read by linetimed. */
	if ((rc = get_str(p, root, "keyfile", c->keyfile, sizeof(c->keyfile), STR_ABSPATH)) ||
	    (rc = get_bool(p, root, "crypto_nak", &c->crypto_nak)))
		return rc;

	if ((rc = get_group(p, root, "ratelimit", ratelimit_names, &g)))
		return rc;
	if (g) {
		struct lt_cfg_ratelimit *rl = &c->ratelimit;
		rl->enabled = 1;
		if ((rc = get_int(p, g, "interval", -19, 12, &rl->interval)) ||
		    (rc = get_uint(p, g, "burst", 1, 255, &rl->burst)) ||
		    (rc = get_uint(p, g, "leak", 1, 4, &rl->leak)) ||
		    (rc = get_uint(p, g, "kod", 0, 8, &rl->kod)) ||
		    (rc = get_uint(p, g, "ipv4_prefix", 8, 32, &rl->ipv4_prefix)) ||
		    (rc = get_uint(p, g, "ipv6_prefix", 16, 128, &rl->ipv6_prefix)))
			return rc;
	}

	if ((s = config_setting_get_member(root, "clientloglimit"))) {
		if ((rc = int_range(p, s, s, CLIENTLOG_MIN, CLIENTLOG_MAX, "bytes", &v)))
			return rc;
		c->clientloglimit = (unsigned long)v;
	}
	return 0;
}

/* --- upstream sources and the clock discipline --------------------------- */

/* text as an IPv4 or IPv6 address in a (family 0 if it is neither). */
static int host_addr(const char *text, struct lt_cfg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, text, a->addr) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, text, a->addr) == 1)
		a->family = 6;
	return a->family;
}

static int is_alnum(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/*
 * Why text cannot name an upstream server, or NULL if it can: an address a
 * server can have, or a host name as RFC 1123 2.1 has them (labels of
 * letters, digits and '-', 1..63 characters, no '-' at either end, the last
 * not all digits), with an optional final '.'. linetimed resolves names.
 */
static const char *host_problem(const char *text)
{
	struct lt_cfg_addr a;
	size_t n = strlen(text);
	const char *t = text, *end;
	int all_digits;

	if (host_addr(text, &a))
		return addr_unusable(&a);
	if (strchr(text, ':') && strspn(text, "0123456789abcdefABCDEF:.") == n)
		return "not an IPv6 address";
	for (; *t; t++)
		if (!is_alnum(*t) && *t != '-' && *t != '.')
			return "not an IP address or a host name (a host name has only letters, "
			       "digits, '-' and '.')";
	n -= n && text[n - 1] == '.';
	end = text + n;
	for (t = text;; t++) {
		const char *dot = memchr(t, '.', (size_t)(end - t));
		if (!dot)
			dot = end;
		if (dot == t)
			return "empty label in the host name (a leading '.' or \"..\")";
		if (dot - t > 63)
			return "a label of the host name is longer than 63 characters";
		if (t[0] == '-' || dot[-1] == '-')
			return "a label of the host name starts or ends with '-'";
		for (all_digits = 1; t < dot; t++)
			all_digits &= is_digit(*t);
		if (dot == end)
			break;
	}
	if (all_digits)
		return "not an IPv4 address (and not a host name: its last label is all digits)";
	return NULL;
}

/* The same server: equal addresses, or names equal but for case and a final '.'. */
static int same_host(const char *x, const char *y)
{
	struct lt_cfg_addr ax, ay;
	int fx = host_addr(x, &ax), fy = host_addr(y, &ay);
	size_t lx = strlen(x), ly = strlen(y);

	if (fx || fy)
		return fx == fy && !memcmp(ax.addr, ay.addr, sizeof(ax.addr));
	lx -= lx && x[lx - 1] == '.';
	ly -= ly && y[ly - 1] == '.';
	return lx == ly && !strncasecmp(x, y, lx);
}

/* The address or name of a server or pool entry e, into out (LT_CFG_HOST_MAX). */
static int parse_host(struct parse *p, const config_setting_t *e, const char *key,
		      const char *example, char *out)
{
	const config_setting_t *s = config_setting_get_member(e, key);
	const char *v, *bad;
	int rc;

	if (!s)
		return fail_missing(p, e, key, "missing (e.g. %s = \"%s\";)", key, example);
	if ((rc = str_value(p, s, s, LT_CFG_HOST_MAX, STR_NONEMPTY, &v)))
		return rc;
	if ((bad = host_problem(v)))
		return fail(p, s, "\"%s\": %s", v, bad);
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

/* A second entry for a server or pool already listed is a mistake. */
static int check_twice(struct parse *p, const config_setting_t *e, const char *key,
		       const char *list, const char *v, const char *earlier, unsigned int j)
{
	const config_setting_t *s = config_setting_get_member(e, key);

	if (!same_host(v, earlier))
		return 0;
	if (!strcmp(v, earlier))
		return fail(p, s, "\"%s\": listed twice (also %s.[%u])", v, list, j);
	return fail(p, s, "\"%s\": the same as %s.[%u] (\"%s\")", v, list, j, earlier);
}

/*
 * chrony's poll options. One bound given alone moves the other's default
 * out of its way, as chronyd does; both given must be in order.
 */
static int parse_poll(struct parse *p, const config_setting_t *e, struct lt_cfg_poll *poll)
{
	const config_setting_t *min_s = config_setting_get_member(e, "minpoll");
	const config_setting_t *max_s = config_setting_get_member(e, "maxpoll");
	int rc;

	poll->minpoll = MINPOLL_DEFAULT;
	poll->maxpoll = MAXPOLL_DEFAULT;
	if ((rc = get_int(p, e, "minpoll", POLL_MIN, POLL_MAX, &poll->minpoll)) ||
	    (rc = get_int(p, e, "maxpoll", POLL_MIN, POLL_MAX, &poll->maxpoll)))
		return rc;
	if (min_s && !max_s && poll->maxpoll < poll->minpoll)
		poll->maxpoll = poll->minpoll;
	if (max_s && !min_s && poll->minpoll > poll->maxpoll)
		poll->minpoll = poll->maxpoll;
	if (poll->maxpoll < poll->minpoll)
		return fail(p, max_s, "%d: below minpoll (%d)", poll->maxpoll, poll->minpoll);
	if ((rc = get_bool(p, e, "iburst", &poll->iburst)) ||
	    (rc = get_bool(p, e, "prefer", &poll->prefer)) ||
	    (rc = get_bool(p, e, "noselect", &poll->noselect)))
		return rc;
	return 0;
}

/* A top-level list of groups; *out is NULL if absent. */
static int get_entries(struct parse *p, const config_setting_t *root, const char *name,
		       const char *key, const config_setting_t **out)
{
	const config_setting_t *list = config_setting_get_member(root, name);

	*out = NULL;
	if (!list)
		return 0;
	if (!config_setting_is_list(list))
		return fail(p, list, "expected a list ( { %s = ...; }, ... ), got %s", key,
			    type_name(list));
	unsigned int n = (unsigned int)config_setting_length(list);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		unsigned int lines[LT_CFG_MAX_SERVERS];
		const char *src;
		int rc;

		if (config_setting_is_group(e))
			continue;
		/* A scalar is dated by the token after it: find its own line. */
		if ((rc = source_text(p, list, &src)))
			return rc;
		int exact = src && n <= LT_CFG_MAX_SERVERS && element_lines(src, name, n, lines);
		return fail_line(p, e, exact ? lines[i] : line_of(e),
				 "expected a group { %s = ...; ... }, got %s", key, type_name(e));
	}
	*out = list;
	return 0;
}

static int parse_servers(struct parse *p, const config_setting_t *root, struct lt_cfg_sync *y)
{
	const config_setting_t *list;
	int rc;

	if ((rc = get_entries(p, root, "servers", "address", &list)) || !list)
		return rc;
	unsigned int n = (unsigned int)config_setting_length(list);
	if (n > LT_CFG_MAX_SERVERS)
		return fail(p, list, "%u servers: the appliance tracks at most %d sources", n,
			    LT_CFG_MAX_SERVERS);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		struct lt_cfg_server *sv = &y->servers[i];

		if ((rc = check_known(p, e, server_names)) ||
		    (rc = parse_host(p, e, "address", "ntp1.example.net", sv->address)))
			return rc;
		for (unsigned int j = 0; j < i; j++)
			if ((rc = check_twice(p, e, "address", "servers", sv->address,
					      y->servers[j].address, j)))
				return rc;
		if ((rc = parse_poll(p, e, &sv->poll)))
			return rc;
		/* chrony "server ADDR key ID": the key must be in the keyfile. */
		if ((rc = get_uint(p, e, "key", 1, 4294967295LL, &sv->key)))
			return rc;
		if (sv->key && !config_setting_get_member(root, "keyfile"))
			return fail(p, config_setting_get_member(e, "key"),
				    "%u: needs a keyfile to take the key from", sv->key);
		sv->line = line_of(e);
		y->n_servers = i + 1;
	}
	return 0;
}

/* After the servers: each pool adds up to maxsources sources to them. */
static int parse_pools(struct parse *p, const config_setting_t *root, struct lt_cfg_sync *y)
{
	const config_setting_t *list;
	unsigned int total = y->n_servers;
	int rc;

	if ((rc = get_entries(p, root, "pools", "name", &list)) || !list)
		return rc;
	unsigned int n = (unsigned int)config_setting_length(list);
	if (n > LT_CFG_MAX_POOLS)
		return fail(p, list, "%u pools: at most %d", n, LT_CFG_MAX_POOLS);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(list, i);
		const config_setting_t *ms = config_setting_get_member(e, "maxsources");
		struct lt_cfg_pool *pl = &y->pools[i];

		if ((rc = check_known(p, e, pool_names)) ||
		    (rc = parse_host(p, e, "name", "pool.example.net", pl->name)))
			return rc;
		for (unsigned int j = 0; j < i; j++)
			if ((rc = check_twice(p, e, "name", "pools", pl->name, y->pools[j].name, j)))
				return rc;
		pl->maxsources = MAXSOURCES_DEFAULT;
		if ((rc = get_uint(p, e, "maxsources", 1, LT_CFG_MAX_SERVERS, &pl->maxsources)))
			return rc;
		/* srcselect holds LT_CFG_MAX_SERVERS sources; a pool may fill its share. */
		if (total + pl->maxsources > LT_CFG_MAX_SERVERS)
			return fail(p, ms ? ms : e,
				    "%s%u%s: %u sources in all (servers plus each pool's "
				    "maxsources): the appliance tracks at most %d",
				    ms ? "" : "maxsources ", pl->maxsources,
				    ms ? "" : " (the default)", total + pl->maxsources,
				    LT_CFG_MAX_SERVERS);
		total += pl->maxsources;
		if ((rc = parse_poll(p, e, &pl->poll)))
			return rc;
		pl->line = line_of(e);
		y->n_pools = i + 1;
	}
	return 0;
}

/*
 * A tz database name such as "right/UTC": looked up under the zoneinfo
 * directory by linetimed, so it must stay inside it.
 */
static const char *tz_problem(const char *v)
{
	if (v[0] == '/')
		return "must be a time zone name (e.g. \"right/UTC\"), not an absolute path";
	if (strstr(v, ".."))
		return "must not contain \"..\"";
	for (const char *t = v; *t; t++) {
		if (!is_alnum(*t) && !strchr("/_-+.", *t))
			return "a time zone name has only letters, digits, '/', '_', '-', '+' "
			       "and '.'";
		if (*t == '/' && (t[1] == '/' || !t[1]))
			return "empty component in the time zone name";
	}
	return NULL;
}

static int parse_sync(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	struct lt_cfg_sync *y = &c->sync;
	const config_setting_t *g, *s;
	const char *bad;
	int rc, v;

	if ((rc = parse_servers(p, root, y)) || (rc = parse_pools(p, root, y)))
		return rc;

	if ((rc = get_uint(p, root, "minsources", 1, LT_CFG_MAX_SERVERS, &y->minsources)))
		return rc;
	unsigned int sources = y->n_servers;
	for (unsigned int i = 0; i < y->n_pools; i++)
		sources += y->pools[i].maxsources;
	/* More than can ever be selectable: the clock would never be updated. */
	if ((s = config_setting_get_member(root, "minsources")) && sources &&
	    y->minsources > sources)
		return fail(p, s, "%u: more than the %u sources configured (servers plus each "
			    "pool's maxsources)", y->minsources, sources);
	if ((rc = get_number(p, root, "maxdistance", 0, 1, DISTANCE_MAX, "seconds",
			     &y->maxdistance)))
		return rc;

	/* chrony has no default makestep; without the group the clock only slews. */
	if ((rc = get_group(p, root, "makestep", makestep_names, &g)))
		return rc;
	if (g) {
		long long limit;
		y->makestep_threshold = 1.0;
		y->makestep_limit = 3;
		if ((rc = get_number(p, g, "threshold", 0, 0, HUGE_VAL, "seconds",
				     &y->makestep_threshold)))
			return rc;
		if ((s = config_setting_get_member(g, "limit"))) {
			if ((rc = int_range(p, s, s, -1, INT32_MAX, "updates", &limit)))
				return rc;
			if (!limit)
				return fail(p, s, "0: out of range (-1 for no limit, or 1..%d "
					    "updates)", INT32_MAX);
			y->makestep_limit = (int)limit;
		}
	}

	if ((rc = get_number(p, root, "maxslewrate", 1, 0, MAXSLEWRATE_MAX, "ppm",
			     &y->maxslewrate)) ||
	    (rc = get_number(p, root, "maxupdateskew", 0, 1, HUGE_VAL, "ppm",
			     &y->maxupdateskew)) ||
	    (rc = get_number(p, root, "maxdrift", 1, 0, MAXDRIFT_MAX, "ppm", &y->maxdrift)) ||
	    (rc = get_number(p, root, "corrtimeratio", 0.1, 0, 1000, NULL, &y->corrtimeratio)))
		return rc;
	if ((rc = get_str(p, root, "driftfile", y->driftfile, sizeof(y->driftfile),
			  STR_ABSPATH)))
		return rc;

	if ((s = config_setting_get_member(root, "leapsecmode"))) {
		if (config_setting_type(s) == CONFIG_TYPE_STRING &&
		    !strcmp(config_setting_get_string(s), "system"))
			return fail(p, s, "\"system\": linetime has no kernel leap mode; "
				    "\"step\" does the same to the time it serves");
		if ((rc = choice_value(p, s, leapsecmodes, &v)))
			return rc;
		y->leapsecmode = (enum lt_leapsecmode)v;
	}
	if ((rc = get_group(p, root, "smoothtime", smoothtime_names, &g)))
		return rc;
	if (g) {
		/* Without the smear the group would do nothing: say so. */
		if (y->leapsecmode != LT_LEAPSECMODE_SMEAR)
			return fail(p, g, "applies only with leapsecmode = \"smear\"");
		if ((rc = get_number(p, g, "window", SMEAR_WINDOW_MIN, 0, SMEAR_WINDOW_MAX,
				     "seconds", &y->smear_window)))
			return rc;
		if ((s = config_setting_get_member(g, "shape"))) {
			if ((rc = choice_value(p, s, smear_shapes, &y->smear_quadratic)))
				return rc;
		}
	}
	if ((s = config_setting_get_member(root, "leapsectz"))) {
		const char *tz;
		if ((rc = str_value(p, s, s, TZ_NAME_MAX + 1, STR_NONEMPTY, &tz)))
			return rc;
		if ((bad = tz_problem(tz)))
			return fail(p, s, "\"%s\": %s", tz, bad);
		memcpy(y->leapsectz, tz, strlen(tz) + 1);
	}

	if ((rc = get_bool(p, root, "steer_system_clock", &y->steer_system_clock)))
		return rc;
	if ((rc = get_str(p, root, "logdir", y->logdir, sizeof(y->logdir), STR_ABSPATH)) ||
	    (rc = get_number(p, root, "logchange", 0, 1, HUGE_VAL, "seconds", &y->logchange)))
		return rc;
	/* A statistics log with no directory to go to would be lost in silence. */
	if (!y->logdir[0] && (g = config_setting_get_member(root, "log"))) {
		static const char *const files[] = { "measurements", "statistics", "tracking" };
		for (unsigned int i = 0; i < 3; i++) {
			s = config_setting_get_member(g, files[i]);
			if (s && config_setting_get_bool(s))
				return fail(p, s, "true, but logdir is not set (the directory for "
					    "%s.log)", files[i]);
		}
	}
	return 0;
}

static int parse_lcores(struct parse *p, const config_setting_t *dp, struct lt_config *c)
{
	const config_setting_t *main_s = config_setting_get_member(dp, "main_lcore");
	const config_setting_t *arr;
	int rc;

	if ((rc = get_uint(p, dp, "main_lcore", 0, LCORE_LIMIT - 1, &c->main_lcore)))
		return rc;
	if ((rc = get_seq(p, dp, "lcores", &arr)))
		return rc;
	if (!arr) {
		/* One worker, on the lowest lcore the main lcore leaves free. */
		c->lcores[0] = c->main_lcore == 0 ? 1 : 0;
		c->n_lcores = 1;
		return 0;
	}

	unsigned int n = (unsigned int)config_setting_length(arr);
	if (n < 1 || n > LT_CFG_MAX_LCORES)
		return fail(p, arr, "%u worker lcores: need 1..%d", n, LT_CFG_MAX_LCORES);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, i);
		unsigned int v;
		if ((rc = int_value(p, arr, e, 0, LCORE_LIMIT - 1, &v)))
			return rc;
		if (v == c->main_lcore)
			return fail_elem(p, arr, e, "%u: is the main lcore%s", v,
					 main_s ? "" : " (dataplane.main_lcore defaults to 0)");
		for (unsigned int j = 0; j < i; j++)
			if (c->lcores[j] == v)
				return fail_elem(p, arr, e, "%u: listed twice", v);
		c->lcores[i] = v;
	}
	c->n_lcores = n;
	return 0;
}

static int parse_eal(struct parse *p, const config_setting_t *dp, struct lt_config *c)
{
	const config_setting_t *arr;
	int rc;

	if ((rc = get_seq(p, dp, "eal", &arr)))
		return rc;
	if (!arr)
		return 0;
	unsigned int n = (unsigned int)config_setting_length(arr);
	if (n > LT_CFG_MAX_EAL_ARGS)
		return fail(p, arr, "%u arguments: at most %d", n, LT_CFG_MAX_EAL_ARGS);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, i);
		const char *v;
		if ((rc = str_value(p, arr, e, 4096, STR_NONEMPTY, &v)))
			return rc;
		/*
		 * The lcore map belongs to main_lcore and lcores, which linetime-dp
		 * turns into EAL options itself; a second copy here would conflict.
		 */
		if ((v[0] == '-' && (v[1] == 'l' || v[1] == 'c')) ||
		    !strncmp(v, "--lcores", 8) || !strncmp(v, "--main-lcore", 12) ||
		    !strncmp(v, "--master-lcore", 14))
			return fail_elem(p, arr, e,
					 "\"%s\": set dataplane.main_lcore and dataplane.lcores "
					 "instead",
					 v);
		c->eal_args[i] = strdup(v);
		if (!c->eal_args[i])
			return fail_elem(p, arr, e, "out of memory");
		c->n_eal_args = i + 1;
	}
	return 0;
}

static int valid_port_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > NAME_MAX_LEN)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return 0;
	return 1;
}

/* The port (of the first n_ports, or pt itself) that already has address a. */
static const struct lt_cfg_port *addr_owner(const struct lt_config *c, const struct lt_cfg_port *pt,
			      const struct lt_cfg_addr *a)
{
	for (unsigned int i = 0; i <= c->n_ports; i++) {
		const struct lt_cfg_port *q = i < c->n_ports ? &c->ports[i] : pt;
		for (unsigned int j = 0; j < q->n_addrs; j++)
			if (q->addrs[j].family == a->family &&
			    !memcmp(q->addrs[j].addr, a->addr, a->family == 4 ? 4 : 16))
				return q;
	}
	return NULL;
}

static int parse_addresses(struct parse *p, const config_setting_t *ps, const struct lt_config *c,
			   struct lt_cfg_port *pt)
{
	const config_setting_t *arr;
	char why[96];
	int rc;

	if ((rc = get_seq(p, ps, "addresses", &arr)))
		return rc;
	if (!arr)
		return fail_missing(p, ps, "addresses",
				    "missing (the port's own addresses, e.g. [ \"198.18.0.1/24\" ])");
	unsigned int n = (unsigned int)config_setting_length(arr);
	if (n < 1 || n > LT_CFG_MAX_ADDRS)
		return fail(p, arr, "%u addresses: need 1..%d", n, LT_CFG_MAX_ADDRS);

	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, i);
		struct lt_cfg_addr a;
		const struct lt_cfg_port *owner;
		const char *v, *bad;

		if ((rc = str_value(p, arr, e, 64, STR_NONEMPTY, &v)))
			return rc;
		if (addr_parse(v, 1, &a, why, sizeof(why)))
			return fail_elem(p, arr, e, "\"%s\": %s", v, why);
		if ((bad = addr_unusable(&a)))
			return fail_elem(p, arr, e, "\"%s\": %s", v, bad);
		if (is_v6_linklocal(&a))
			return fail_elem(p, arr, e,
					 "\"%s\": link-local address (the port derives its "
					 "own from its MAC)",
					 v);
		/* Host bits may be set, but not to the subnet's own reserved values. */
		if (a.family == 4 && a.prefixlen <= 30 && host_bits_all(&a, a.prefixlen, 0))
			return fail_elem(p, arr, e, "\"%s\": network address of its subnet, "
					 "not a host address", v);
		if (a.family == 4 && a.prefixlen <= 30 && host_bits_all(&a, a.prefixlen, 1))
			return fail_elem(p, arr, e, "\"%s\": broadcast address of its subnet, "
					 "not a host address", v);
		if (a.family == 6 && a.prefixlen <= 126 && host_bits_all(&a, a.prefixlen, 0))
			return fail_elem(p, arr, e, "\"%s\": subnet-router anycast address "
					 "(RFC 4291 2.6.1), not a host address", v);
		pt->n_addrs = i;
		if ((owner = addr_owner(c, pt, &a)) == pt)
			return fail_elem(p, arr, e, "\"%s\": listed twice", v);
		if (owner)
			return fail_elem(p, arr, e, "\"%s\": already an address of port %s", v,
					 owner->name);
		pt->addrs[i] = a;
	}
	pt->n_addrs = n;
	return 0;
}

static int parse_gateway(struct parse *p, const config_setting_t *ps, struct lt_cfg_port *pt)
{
	const config_setting_t *arr;
	char why[96];
	int rc;

	if ((rc = get_seq(p, ps, "gateway", &arr)))
		return rc;
	if (!arr)
		return 0;
	unsigned int n = (unsigned int)config_setting_length(arr);
	for (unsigned int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(arr, i);
		struct lt_cfg_addr a;
		const char *v, *bad;
		int onlink = 0;

		if ((rc = str_value(p, arr, e, 64, STR_NONEMPTY, &v)))
			return rc;
		if (addr_parse(v, 0, &a, why, sizeof(why)))
			return fail_elem(p, arr, e, "\"%s\": %s", v, why);
		if ((bad = addr_unusable(&a)))
			return fail_elem(p, arr, e, "\"%s\": %s", v, bad);
		struct lt_cfg_addr *gw = a.family == 4 ? &pt->gw4 : &pt->gw6;
		if (gw->family)
			return fail_elem(p, arr, e, "\"%s\": second IPv%d gateway (at most one "
					 "per family)", v, a.family);
		for (unsigned int j = 0; j < pt->n_addrs; j++) {
			const struct lt_cfg_addr *own = &pt->addrs[j];
			if (own->family != a.family)
				continue;
			if (!memcmp(own->addr, a.addr, a.family == 4 ? 4 : 16))
				return fail_elem(p, arr, e, "\"%s\": is the port's own address",
						 v);
			/* A port with IPv6 also has a link-local address: fe80::/64 is on-link. */
			if (inet_prefix_match(own->addr, a.addr, own->prefixlen) || in_ll64(&a))
				onlink = 1;
		}
		if (!onlink)
			return fail_elem(p, arr, e, "\"%s\": not on-link for any of the port's "
					 "IPv%d addresses", v, a.family);
		*gw = a;
	}
	return 0;
}

static int parse_port(struct parse *p, const config_setting_t *ps, const struct lt_config *c,
		      struct lt_cfg_port *pt)
{
	const config_setting_t *s;
	int rc, ts;

	if (!config_setting_is_group(ps))
		return fail(p, ps, "expected a group { name = ...; device = ...; ... }, got %s",
			    type_name(ps));
	if ((rc = check_known(p, ps, port_names)))
		return rc;

	if (!(s = config_setting_get_member(ps, "name")))
		return fail_missing(p, ps, "name", "missing (the port's name, e.g. \"lan0\")");
	if ((rc = get_str(p, ps, "name", pt->name, sizeof(pt->name), STR_NONEMPTY)))
		return rc;
	if (!valid_port_name(pt->name))
		return fail(p, s, "\"%s\": use 1..%d of a-z, 0-9, _ and -", pt->name,
			    NAME_MAX_LEN);
	for (unsigned int i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i].name, pt->name))
			return fail(p, s, "\"%s\": a port by that name already exists",
				    pt->name);

	if (!(s = config_setting_get_member(ps, "device")))
		return fail_missing(p, ps, "device",
				    "missing (a PCI address or a DPDK virtual device)");
	if ((rc = get_str(p, ps, "device", pt->device, sizeof(pt->device), STR_NONEMPTY)))
		return rc;
	for (unsigned int i = 0; i < c->n_ports; i++)
		if (!strcmp(c->ports[i].device, pt->device))
			return fail(p, s, "\"%s\": already the device of port %s", pt->device,
				    c->ports[i].name);

	if ((rc = parse_addresses(p, ps, c, pt)))
		return rc;
	if ((rc = parse_gateway(p, ps, pt)))
		return rc;

	pt->rx_queues = 1;
	if ((rc = get_uint(p, ps, "queues", 1, QUEUES_MAX, &pt->rx_queues)))
		return rc;
	pt->timestamping = LT_TS_AUTO;
	if ((s = config_setting_get_member(ps, "timestamping"))) {
		if ((rc = choice_value(p, s, ts_modes, &ts)))
			return rc;
		pt->timestamping = (enum lt_ts_mode)ts;
	}
	pt->tx_departure = LT_TX_AUTO;
	if ((s = config_setting_get_member(ps, "tx_departure"))) {
		if ((rc = choice_value(p, s, tx_anchors, &ts)))
			return rc;
		pt->tx_departure = (enum lt_tx_anchor)ts;
	}
	pt->tx_correction_ns = 0;
	if ((rc = get_int(p, ps, "tx_correction_ns", -LT_CFG_TX_CORRECTION_MAX_NS,
			  LT_CFG_TX_CORRECTION_MAX_NS, &pt->tx_correction_ns)))
		return rc;
	return 0;
}

static int parse_dataplane(struct parse *p, const config_setting_t *root, struct lt_config *c)
{
	const config_setting_t *dp, *ports;
	int rc;

	if ((rc = get_group(p, root, "dataplane", dp_names, &dp)))
		return rc;
	if (!dp)
		return 0;
	if ((rc = parse_lcores(p, dp, c)))
		return rc;
	if ((rc = parse_eal(p, dp, c)))
		return rc;
	if ((rc = get_uint(p, dp, "idle_sleep_us", 0, IDLE_SLEEP_MAX_US, &c->idle_sleep_us)))
		return rc;
	if ((rc = get_uint(p, dp, "mbufs", MBUFS_MIN, MBUFS_MAX, &c->mbufs)))
		return rc;

	if (!(ports = config_setting_get_member(dp, "ports")))
		return 0;
	if (!config_setting_is_list(ports))
		return fail(p, ports, "expected a list ( { ... }, ... ), got %s",
			    type_name(ports));
	unsigned int n = (unsigned int)config_setting_length(ports);
	if (n > LT_CFG_MAX_PORTS)
		return fail(p, ports, "%u ports: at most %d", n, LT_CFG_MAX_PORTS);
	for (unsigned int i = 0; i < n; i++) {
		if ((rc = parse_port(p, config_setting_get_elem(ports, i), c, &c->ports[i])))
			return rc;
		c->n_ports = i + 1;
	}
	return 0;
}

/* --- entry points -------------------------------------------------------- */

void config_defaults(struct lt_config *c)
{
	memset(c, 0, sizeof(*c));
	c->sync = (struct lt_cfg_sync){
		.minsources = 1,
		.maxdistance = 3.0,
		.makestep_threshold = 0.0, /* no makestep group: never step */
		.makestep_limit = 0,
		.maxslewrate = 1e6 / 12,   /* chrony's 83333.333 ppm */
		.maxupdateskew = 1000.0,
		.maxdrift = 500.0,
		.corrtimeratio = 3.0,
		.leapsecmode = LT_LEAPSECMODE_STEP,
		.smear_window = 86400.0,
		.smear_quadratic = 1,
		.steer_system_clock = 0,
		.logchange = 1.0,
	};
	c->local_stratum = 10;
	c->local_distance = 1.0;
	c->local_orphan = 0;
	c->holdover = 60.0;
	c->precision = 0.0;
	c->n_access = 0;                   /* no rules: every client is served */
	c->kod_deny = 0;
	c->crypto_nak = 1;
	c->ratelimit = (struct lt_cfg_ratelimit){
		.enabled = 0, /* the defaults below apply once a ratelimit group is given */
		.interval = 3,
		.burst = 8,
		.leak = 2,
		.kod = 0,
		.ipv4_prefix = 32,
		.ipv6_prefix = 64,
	};
	c->clientloglimit = CLIENTLOG_DEFAULT;
	snprintf(c->region_path, sizeof(c->region_path), "/dev/shm/linetime.region");
	snprintf(c->admin_socket, sizeof(c->admin_socket), "/run/linetime/admin.sock");
	snprintf(c->pidfile_dir, sizeof(c->pidfile_dir), "/run/linetime");
	c->log_level = LOG_INFO;
	c->seccomp = 1;
	c->health = config_health_defaults;
	c->main_lcore = 0;
	c->lcores[0] = 1;
	c->n_lcores = 1;
	c->idle_sleep_us = 0;
	c->mbufs = 8191;
}

void config_free(struct lt_config *c)
{
	for (unsigned int i = 0; i < LT_CFG_MAX_EAL_ARGS; i++) {
		free(c->eal_args[i]);
		c->eal_args[i] = NULL;
	}
	c->n_eal_args = 0;
}

/* Validate what libconfig read into cfg; copy to c only if all of it is good. */
static int load(config_t *cfg, const char *name, const char *text, struct lt_config *c, char *err,
		size_t errlen)
{
	struct parse p = { .file = name, .text = text, .err = err, .errlen = errlen };
	const config_setting_t *root = config_root_setting(cfg);
	struct lt_config *tmp = malloc(sizeof(*tmp));
	int rc;

	if (!tmp) {
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", name);
		return -ENOMEM;
	}
	config_defaults(tmp);
	snprintf(tmp->path, sizeof(tmp->path), "%s", name);
	rc = check_known(&p, root, top_names);
	if (!rc)
		rc = parse_top(&p, root, tmp);
	if (!rc)
		rc = parse_sync(&p, root, tmp);
	if (!rc)
		rc = parse_policy(&p, root, tmp);
	if (!rc)
		rc = parse_dataplane(&p, root, tmp);
	if (rc)
		config_free(tmp);
	else
		*c = *tmp;
	free(tmp);
	free(p.inc_file);
	free(p.inc_text);
	return rc;
}

static int syntax_error(config_t *cfg, const char *name, char *err, size_t errlen)
{
	const char *file = config_error_file(cfg) ? config_error_file(cfg) : name;

	if (err && errlen)
		snprintf(err, errlen, "%s:%d: syntax error: %s", file, config_error_line(cfg),
			 config_error_text(cfg));
	return -EINVAL;
}

static int name_fits(const char *name, char *err, size_t errlen)
{
	if (strlen(name) < LT_CFG_PATH_MAX)
		return 0;
	if (err && errlen)
		snprintf(err, errlen, "%.64s...: file name too long (at most %d characters)",
			 name, LT_CFG_PATH_MAX - 1);
	return -ENAMETOOLONG;
}

/* Parse text (the whole file, so integers can be read back from it) and validate. */
static int load_text(const char *text, const char *name, struct lt_config *c, char *err,
		     size_t errlen)
{
	config_t cfg;
	int rc;

	config_init(&cfg);
	if (!config_read_string(&cfg, text))
		rc = syntax_error(&cfg, name, err, errlen);
	else
		rc = load(&cfg, name, text, c, err, errlen);
	config_destroy(&cfg);
	return rc;
}

int config_load_file(const char *path, struct lt_config *c, char *err, size_t errlen)
{
	struct stat st;
	const char *nul;
	char *text;
	size_t len;
	FILE *f;
	int rc;

	if ((rc = name_fits(path, err, errlen)))
		return rc;
	f = fopen(path, "r");
	if (!f || fstat(fileno(f), &st) || S_ISDIR(st.st_mode)) {
		rc = !f ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		if (f)
			fclose(f);
		return rc;
	}
	rc = read_all(f, &text, &len);
	fclose(f);
	if (rc) {
		if (err && errlen)
			snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	/* Read from memory, the text would end at a NUL; libconfig's file reader refuses it. */
	if ((nul = memchr(text, '\0', len))) {
		unsigned int line = 1;
		for (const char *t = text; t < nul; t++)
			line += *t == '\n';
		if (err && errlen)
			snprintf(err, errlen, "%s:%u: syntax error: NUL byte", path, line);
		free(text);
		return -EINVAL;
	}
	rc = load_text(text, path, c, err, errlen);
	free(text);
	return rc;
}

int config_load_string(const char *text, const char *name, struct lt_config *c, char *err,
		       size_t errlen)
{
	int rc;

	if (!name)
		name = "<string>";
	if ((rc = name_fits(name, err, errlen)))
		return rc;
	return load_text(text, name, c, err, errlen);
}

const char *config_addr_str(const struct lt_cfg_addr *a, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!len)
		return buf;
	if ((a->family != 4 && a->family != 6) ||
	    !inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->addr, host, sizeof(host))) {
		snprintf(buf, len, "none");
		return buf;
	}
	if (a->prefixlen)
		snprintf(buf, len, "%s/%u", host, a->prefixlen);
	else
		snprintf(buf, len, "%s", host);
	return buf;
}
