/*
 * metrics: the admin reports in the Prometheus text exposition format
 * (see metrics.h and docs/METRICS.md).
 *
 * A small writer keeps the format's rules so the code that walks the
 * reports need not: a family's HELP and TYPE go out with its first sample
 * (a family with no sample leaves no trace), a family written once cannot
 * be written again (its samples stay contiguous), and a label set already
 * written in a family is refused (no duplicate series). Values keep their
 * JSON type: integers print as integers, so a uint64 counter past 2^53 is
 * exact; doubles print in the shortest form that reads back the same.
 *
 * The sets a one-hot family runs over (clock modes, source states, signd
 * states, selection outcomes) come from the producers' own name functions,
 * so a state added there shows up here.
 */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "counters.h"
#include "sbuf.h"
#include "signd.h"
#include "srcselect.h"
#include "sync.h"

#define COUNTER "counter"
#define GAUGE "gauge"
#define MAX_LABELS 6
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), 0 if there is none. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Text with the format's escapes: backslash and newline always, the double
 * quote in label values only. Prometheus rejects text that is not UTF-8, so
 * a byte that is not part of a valid sequence becomes U+FFFD.
 */
static void sb_escaped(struct sbuf *b, const char *text, int quote)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t n = strlen(text);

	while (n) {
		size_t k = utf8_seq(s, n);

		if (k == 0) {
			sbuf_puts(b, "\xef\xbf\xbd");
			k = 1;
		} else if (*s == '\\') {
			sbuf_puts(b, "\\\\");
		} else if (*s == '\n') {
			sbuf_puts(b, "\\n");
		} else if (*s == '"' && quote) {
			sbuf_puts(b, "\\\"");
		} else {
			sbuf_put(b, (const char *)s, k);
		}
		s += k;
		n -= k;
	}
}

/* --- a set of strings (label sets of a family, families written) ---------- */

struct strset {
	char **s;
	size_t n, cap;
};

static int strset_has(const struct strset *set, const char *s)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->s[i], s) == 0)
			return 1;
	return 0;
}

static int strset_add(struct strset *set, const char *s)
{
	if (set->n == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 32;
		char **p = realloc(set->s, cap * sizeof(*p));

		if (!p)
			return -1;
		set->s = p;
		set->cap = cap;
	}
	set->s[set->n] = strdup(s);
	if (!set->s[set->n])
		return -1;
	set->n++;
	return 0;
}

static void strset_clear(struct strset *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->s[i]);
	set->n = 0;
}

static void strset_free(struct strset *set)
{
	strset_clear(set);
	free(set->s);
	set->s = NULL;
	set->cap = 0;
}

/* --- values ------------------------------------------------------------- */

enum vtype { V_NONE = 0, V_U64, V_I64, V_DBL };

struct val {
	enum vtype t;
	uint64_t u;
	int64_t i;
	double d;
};

static struct val v_u64(uint64_t u)
{
	return (struct val){.t = V_U64, .u = u};
}

static struct val v_i64(int64_t i)
{
	return i >= 0 ? v_u64((uint64_t)i) : (struct val){.t = V_I64, .i = i};
}

static struct val v_dbl(double d)
{
	return (struct val){.t = V_DBL, .d = d};
}

static double v_double(const struct val *v)
{
	switch (v->t) {
	case V_U64:
		return (double)v->u;
	case V_I64:
		return (double)v->i;
	case V_DBL:
		return v->d;
	default:
		return NAN;
	}
}

/* Shortest %g that reads back as d; the format's spellings of NaN and Inf. */
static void fmt_double(double d, char *buf, size_t size)
{
	if (isnan(d)) {
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, "%s", d > 0 ? "+Inf" : "-Inf");
		return;
	}
	/* Whole numbers as integers ("60", not "6e+01"), while exact. */
	if (d == trunc(d) && fabs(d) < 9007199254740992.0) {
		snprintf(buf, size, "%.0f", d);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			return;
	}
}

static void fmt_val(const struct val *v, char *buf, size_t size)
{
	switch (v->t) {
	case V_U64:
		snprintf(buf, size, "%" PRIu64, v->u);
		break;
	case V_I64:
		snprintf(buf, size, "%" PRId64, v->i);
		break;
	default:
		fmt_double(v->d, buf, size);
		break;
	}
}

/* --- the exposition writer ---------------------------------------------- */

struct mw {
	struct sbuf out;
	struct sbuf labels;      /* one sample's label set, "{...}" or "" */
	char name[128];          /* the family being written */
	char *help;
	const char *type;
	int header_done;
	int refused;             /* no family open, or it cannot be written */
	struct strset seen;      /* label sets written in this family */
	struct strset done;      /* families written */
};

static int valid_name(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == ':'))
			return 0;
	return 1;
}

static void oom(struct mw *w)
{
	w->out.oom = 1;
}

/* Open family name; its header is written with its first sample. */
static void fam(struct mw *w, const char *name, const char *type, const char *help)
{
	size_t n = strlen(name);

	strset_clear(&w->seen);
	free(w->help);
	w->help = NULL;
	w->header_done = 0;
	w->refused = 1;
	if (n >= sizeof(w->name) || !valid_name(name) || strset_has(&w->done, name))
		return;
	memcpy(w->name, name, n + 1);
	w->help = strdup(help);
	if (!w->help) {
		oom(w);
		return;
	}
	w->type = type;
	w->refused = 0;
}

/* One sample of the open family, its name followed by suffix ("_count" of
 * a summary, else ""); kv is NULL or name, value, ..., NULL. */
static void sample_sfx(struct mw *w, const char *suffix, const char *const *kv, struct val v)
{
	char num[40];

	if (w->refused || v.t == V_NONE)
		return;
	/* The suffix and the label set, which make the series in the family. */
	w->labels.len = 0;
	sbuf_puts(&w->labels, suffix);
	if (kv && kv[0]) {
		sbuf_putc(&w->labels, '{');
		for (size_t i = 0; kv[i] && kv[i + 1]; i += 2) {
			if (i)
				sbuf_putc(&w->labels, ',');
			sbuf_puts(&w->labels, kv[i]);
			sbuf_puts(&w->labels, "=\"");
			sb_escaped(&w->labels, kv[i + 1], 1);
			sbuf_putc(&w->labels, '"');
		}
		sbuf_putc(&w->labels, '}');
	}
	if (w->labels.oom) {
		oom(w);
		return;
	}
	if (strset_has(&w->seen, w->labels.p))
		return;
	if (strset_add(&w->seen, w->labels.p) != 0) {
		oom(w);
		return;
	}
	if (!w->header_done) {
		sbuf_puts(&w->out, "# HELP ");
		sbuf_puts(&w->out, w->name);
		sbuf_putc(&w->out, ' ');
		sb_escaped(&w->out, w->help, 0);
		sbuf_puts(&w->out, "\n# TYPE ");
		sbuf_puts(&w->out, w->name);
		sbuf_putc(&w->out, ' ');
		sbuf_puts(&w->out, w->type);
		sbuf_putc(&w->out, '\n');
		if (strset_add(&w->done, w->name) != 0)
			oom(w);
		w->header_done = 1;
	}
	fmt_val(&v, num, sizeof(num));
	sbuf_puts(&w->out, w->name);
	sbuf_put(&w->out, w->labels.p, w->labels.len);
	sbuf_putc(&w->out, ' ');
	sbuf_puts(&w->out, num);
	sbuf_putc(&w->out, '\n');
}

static void sample(struct mw *w, const char *const *kv, struct val v)
{
	sample_sfx(w, "", kv, v);
}

/* A family of one sample without labels. */
static void single(struct mw *w, const char *name, const char *type, const char *help, struct val v)
{
	fam(w, name, type, help);
	sample(w, NULL, v);
}

/* base's labels and one more pair, in out (2 * MAX_LABELS + 1 slots). */
static const char *const *labels_plus(const char *const *base, const char *k, const char *v,
				      const char **out)
{
	size_t n = 0;

	for (; base && base[n] && base[n + 1] && n < 2 * (MAX_LABELS - 1); n += 2) {
		out[n] = base[n];
		out[n + 1] = base[n + 1];
	}
	out[n] = k;
	out[n + 1] = v;
	out[n + 2] = NULL;
	return out;
}

/* One sample per name in known (1 for current, 0 for the others), and one
 * for current if it is not among them; labels are base plus lname. */
static void one_hot(struct mw *w, const char *const *base, const char *lname,
		    const char *const *known, size_t n, const char *current)
{
	const char *kv[2 * MAX_LABELS + 1];
	int found = 0;

	for (size_t i = 0; i < n; i++) {
		int on = current && strcmp(current, known[i]) == 0;

		found |= on;
		sample(w, labels_plus(base, lname, known[i], kv), v_u64((uint64_t)on));
	}
	if (current && *current && !found)
		sample(w, labels_plus(base, lname, current, kv), v_u64(1));
}

/* --- reading the reports ------------------------------------------------ */

static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !v || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key, json_type_string);

	return v ? json_object_get_string(v) : NULL;
}

/* A number or a boolean; V_NONE for anything else. */
static struct val jval(struct json_object *j)
{
	int64_t i;

	switch (json_object_get_type(j)) {
	case json_type_int:
		i = json_object_get_int64(j);
		/* json-c clamps a uint64 above INT64_MAX to INT64_MAX as an int64. */
		return i == INT64_MAX ? v_u64(json_object_get_uint64(j)) : v_i64(i);
	case json_type_double:
		return v_dbl(json_object_get_double(j));
	case json_type_boolean:
		return v_u64(json_object_get_boolean(j) ? 1 : 0);
	default:
		return (struct val){.t = V_NONE};
	}
}

static struct val num(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return (struct val){.t = V_NONE};
	return jval(v);
}

enum conv {
	C_NUM = 0,
	C_BOOL,      /* true/nonzero -> 1 */
	C_POW2,      /* log2 s -> s */
	C_US,        /* us -> s */
	C_MBPS,      /* Mb/s -> bytes/s */
	C_AGE,       /* s, negative (never) -> +Inf */
	C_NS,        /* ns -> s */
};

static struct val convert(struct val v, enum conv c)
{
	double d = v_double(&v);

	if (v.t == V_NONE)
		return v;
	switch (c) {
	case C_BOOL:
		return v_u64(d != 0);
	case C_POW2:
		return v_dbl(exp2(d));
	case C_US:
		return v_dbl(d / 1e6);
	case C_NS:
		return v_dbl(d / 1e9);
	case C_MBPS:
		if (v.t == V_U64 && v.u <= UINT64_MAX / 125000)
			return v_u64(v.u * 125000);
		return v_dbl(d * 125000);
	case C_AGE:
		return d < 0 ? v_dbl(INFINITY) : v;
	default:
		return v;
	}
}

/* A JSON member shown as a family. */
struct field {
	const char *key;
	const char *name;
	const char *type;
	const char *help;
	enum conv conv;
};

/* Each field of o as a family of one sample with labels kv. */
static void emit_fields(struct mw *w, struct json_object *o, const char *const *kv,
			const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fam(w, f[i].name, f[i].type, f[i].help);
		sample(w, kv, convert(num(o, f[i].key), f[i].conv));
	}
}

/* The objects of an array, each with the labels that name it. */
struct elem {
	struct json_object *o;
	const char *kv[2 * MAX_LABELS + 1];
	char idx[24];
};

struct elems {
	struct elem *e;
	size_t n;
};

/* Fill e's labels from e->o (the i-th element); 0 to keep it. */
typedef int label_fn(struct elem *e, size_t i);

static void elems_from(struct mw *w, struct json_object *arr, label_fn *fn, struct elems *es)
{
	size_t n;

	es->e = NULL;
	es->n = 0;
	if (!json_object_is_type(arr, json_type_array) || (n = json_object_array_length(arr)) == 0)
		return;
	es->e = calloc(n, sizeof(*es->e));
	if (!es->e) {
		oom(w);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct elem *e = &es->e[es->n];

		e->o = json_object_array_get_idx(arr, i);
		if (json_object_is_type(e->o, json_type_object) && fn(e, i) == 0)
			es->n++;
		else
			memset(e, 0, sizeof(*e));
	}
}

static void elems_free(struct elems *es)
{
	free(es->e);
	es->e = NULL;
	es->n = 0;
}

/* Each field as a family with one sample per element. */
static void emit_each(struct mw *w, const struct elems *es, const struct field *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fam(w, f[i].name, f[i].type, f[i].help);
		for (size_t k = 0; k < es->n; k++)
			sample(w, es->e[k].kv, convert(num(es->e[k].o, f[i].key), f[i].conv));
	}
}

static int port_labels(struct elem *e, size_t i)
{
	const char *name = str(e->o, "name");

	(void)i;
	if (!name || !*name)
		return -1;
	e->kv[0] = "port";
	e->kv[1] = name;
	return 0;
}

static int worker_labels(struct elem *e, size_t i)
{
	struct val v = num(e->o, "index");

	if (v.t == V_U64)
		snprintf(e->idx, sizeof(e->idx), "%" PRIu64, v.u);
	else
		snprintf(e->idx, sizeof(e->idx), "%zu", i);
	e->kv[0] = "worker";
	e->kv[1] = e->idx;
	return 0;
}

/* A source is known by its configured name (a pool member's is its
 * address), which stays while the address it resolves to may change. */
static int source_labels(struct elem *e, size_t i)
{
	const char *name = str(e->o, "name"), *addr = str(e->o, "address");

	(void)i;
	if (!addr)
		addr = "";
	if (!name || !*name)
		name = addr;
	if (!*name)
		return -1;
	e->kv[0] = "source";
	e->kv[1] = name;
	e->kv[2] = "address";
	e->kv[3] = addr;
	return 0;
}

/* Names from a producer's name function, for values 0 up to the first that
 * has no name ("?" or "unknown"). */
static size_t names_of(const char *(*name)(int), const char **out, size_t max)
{
	size_t n = 0;

	for (int k = 0; n < max; k++) {
		const char *s = name(k);

		if (!s || strcmp(s, "?") == 0 || strcmp(s, "unknown") == 0)
			break;
		out[n++] = s;
	}
	return n;
}

static const char *sync_mode_k(int k)
{
	return sync_mode_name((enum sync_mode)k);
}

static const char *srcsel_status_k(int k)
{
	return srcselect_status_name((enum srcselect_status)k);
}

static const char *srcsel_outcome_k(int k)
{
	return srcselect_outcome_name((enum srcselect_outcome)k);
}

static const char *signd_state_k(int k)
{
	return k < SIGND_STATE_COUNT ? signd_state_name((enum signd_state)k) : NULL;
}

/* --- the families ------------------------------------------------------- */

static void emit_build(struct mw *w, const char *version)
{
	const char *kv[] = {"version", version, NULL};

	if (!version)
		return;
	fam(w, "linetime_build_info", GAUGE, "Build of linetimed: always 1, the version as a label.");
	sample(w, kv, v_u64(1));
}

static const struct field status_fields[] = {
	{"stratum", "linetime_clock_stratum", GAUGE, "Stratum served to clients.", C_NUM},
	{"leap", "linetime_clock_leap", GAUGE,
	 "Leap indicator served: 0 none, 1 insert, 2 delete, 3 unsynchronised.", C_NUM},
	{"precision", "linetime_clock_precision_seconds", GAUGE,
	 "Precision served, in seconds (2 to the power of the NTP precision field).", C_POW2},
	{"tsc_hz", "linetime_clock_tsc_hz", GAUGE, "TSC rate control measured, in Hz.", C_NUM},
	{"holdover_s", "linetime_clock_holdover_seconds", GAUGE,
	 "How long the dataplane keeps serving the last clock map without control.", C_NUM},
	{"clock_generation", "linetime_clock_generation", GAUGE,
	 "Generation of the clock map published to the dataplane (grows with every publication).",
	 C_NUM},
	{"clock_window_resets", "linetime_clock_window_resets_total", COUNTER,
	 "Restarts of the TSC rate estimation window.", C_NUM},
	{"policy_generation", "linetime_policy_generation", GAUGE,
	 "Generation of the access and rate-limit policy published to the dataplane.", C_NUM},
	{"reloads", "linetime_reloads_total", COUNTER, "Configuration reloads applied.", C_NUM},
	{"reloads_failed", "linetime_reloads_failed_total", COUNTER,
	 "Configuration reloads rejected (the running configuration was kept).", C_NUM},
};

static const struct field proc_fields[] = {
	{"started_unix", "linetime_process_start_time_seconds", GAUGE,
	 "When the process last started, seconds since 1970.", C_NUM},
	{"epoch", "linetime_process_starts_total", COUNTER,
	 "Starts of the process since the shared region was created.", C_NUM},
	{"heartbeat", "linetime_process_heartbeats_total", COUNTER,
	 "Heartbeats of the process (about 10 a second while it runs).", C_NUM},
};

static void emit_status(struct mw *w, struct json_object *st)
{
	struct json_object *dp = member(st, "dataplane", json_type_object);
	struct elem procs[2] = {
		{.o = dp, .kv = {"process", "dataplane", NULL}},
		{.o = member(st, "control", json_type_object), .kv = {"process", "control", NULL}},
	};
	struct elems es = {.e = procs, .n = 2};
	const char *modes[16] = {"system"};
	size_t n_modes;

	if (!st)
		return;
	fam(w, "linetime_dataplane_up", GAUGE,
	    "1 while control sees the dataplane's heartbeat, 0 once it has stopped for a second.");
	sample(w, NULL, convert(num(dp, "alive"), C_BOOL));
	emit_each(w, &es, proc_fields, ARRAY_LEN(proc_fields));

	n_modes = 1 + names_of(sync_mode_k, modes + 1, ARRAY_LEN(modes) - 1);
	fam(w, "linetime_clock_mode", GAUGE,
	    "Where the time served comes from: 1 for the current mode (system: the host clock, no "
	    "servers configured; upstream; holdover; local), 0 for the others.");
	if (str(st, "mode"))
		one_hot(w, NULL, "mode", modes, n_modes, str(st, "mode"));
	emit_fields(w, st, NULL, status_fields, ARRAY_LEN(status_fields));
}

static int counter_id(const char *name)
{
	for (unsigned int c = 0; c < LT_CTR_MAX; c++)
		if (strcmp(counters_name(c), name) == 0)
			return (int)c;
	return -1;
}

static int counter_is_drop(const char *name)
{
	int id = counter_id(name);

	return id >= 0 ? strcmp(counters_kind((unsigned int)id), "drop") == 0
		       : strncmp(name, "drop_", 5) == 0;
}

/* A port's counter: the report lists only the nonzero ones, so absent is
 * 0 (a series must not vanish while its port is there). */
static struct val port_counter(const struct elem *port, const char *name)
{
	struct json_object *pc = member(port->o, "counters", json_type_object);

	if (!pc)
		return (struct val){.t = V_NONE};
	return json_object_object_get_ex(pc, name, NULL) ? num(pc, name) : v_u64(0);
}

/* The dataplane counters: drops by port and reason, the others by port.
 * The names are those of the report's totals: the ones this build knows
 * in counters.h order, then any others (a newer dataplane). */
static void emit_dataplane(struct mw *w, struct json_object *ss)
{
	struct json_object *totals = member(ss, "counters", json_type_object);
	const char **names = NULL;
	size_t n = 0;
	struct elems ports;
	char name[128], help[256];

	elems_from(w, member(ss, "ports", json_type_array), port_labels, &ports);
	if (!totals || ports.n == 0)
		goto out;
	names = calloc(LT_CTR_MAX + (size_t)json_object_object_length(totals), sizeof(*names));
	if (!names) {
		oom(w);
		goto out;
	}
	for (unsigned int c = 0; c < LT_CTR_MAX; c++)
		if (json_object_object_get_ex(totals, counters_name(c), NULL))
			names[n++] = counters_name(c);
	json_object_object_foreach(totals, key, val) {
		(void)val;
		if (counter_id(key) < 0)
			names[n++] = key;
	}

	fam(w, "linetime_dataplane_drops_total", COUNTER,
	    "Frames the dataplane dropped, by port and reason (the drop_<reason> counters of "
	    "linetimectl serverstats; reasons in docs/METRICS.md).");
	for (size_t i = 0; i < n; i++) {
		const char *reason = names[i];

		if (!counter_is_drop(names[i]))
			continue;
		if (strncmp(reason, "drop_", 5) == 0 && reason[5])
			reason += 5;
		for (size_t p = 0; p < ports.n; p++) {
			const char *kv[2 * MAX_LABELS + 1];

			sample(w, labels_plus(ports.e[p].kv, "reason", reason, kv),
			       port_counter(&ports.e[p], names[i]));
		}
	}
	for (size_t i = 0; i < n; i++) {
		int id = counter_id(names[i]);

		if (counter_is_drop(names[i]))
			continue;
		if (snprintf(name, sizeof(name), "linetime_dataplane_%s_total", names[i]) >=
		    (int)sizeof(name))
			continue;
		snprintf(help, sizeof(help), "Dataplane counter %s, per port: %s.", names[i],
			 id >= 0 ? counters_help((unsigned int)id) : "see linetimectl serverstats");
		fam(w, name, COUNTER, help);
		for (size_t p = 0; p < ports.n; p++)
			sample(w, ports.e[p].kv, port_counter(&ports.e[p], names[i]));
	}
out:
	free(names);
	elems_free(&ports);
}

static const struct field worker_fields[] = {
	{"polls", "linetime_dataplane_worker_polls_total", COUNTER, "Poll rounds of the worker.", C_NUM},
	{"busy_polls", "linetime_dataplane_worker_busy_polls_total", COUNTER,
	 "Poll rounds of the worker that received at least one frame.", C_NUM},
	{"rx_frames", "linetime_dataplane_worker_rx_frames_total", COUNTER,
	 "Frames the worker received, over all ports.", C_NUM},
};

static const struct field control_fields[] = {
	{"punt_received", "linetime_control_punt_received_total", COUNTER,
	 "Messages linetimed read from the punt ring.", C_NUM},
	{"punt_udp", "linetime_control_punt_udp_total", COUNTER,
	 "Of those, UDP datagrams (MS-SNTP requests, upstream replies).", C_NUM},
	{"tx_stamps", "linetime_control_tx_stamps_total", COUNTER,
	 "Transmit timestamps the dataplane reported back.", C_NUM},
	{"inject_sent", "linetime_control_inject_sent_total", COUNTER,
	 "Messages linetimed put on the inject ring.", C_NUM},
	{"inject_ring_full", "linetime_control_inject_ring_full_total", COUNTER,
	 "Inject attempts that found the ring full.", C_NUM},
};

static const struct field clientlog_fields[] = {
	{"tables", "linetime_clientlog_tables", GAUGE, "Client log tables (one per worker).", C_NUM},
	{"entries", "linetime_clientlog_entries", GAUGE, "Client log capacity, entries over all tables.",
	 C_NUM},
	{"used", "linetime_clientlog_used", GAUGE, "Client log entries in use.", C_NUM},
	{"evictions", "linetime_clientlog_evictions_total", COUNTER,
	 "Client log entries evicted to make room for a new client.", C_NUM},
};

static void emit_serverstats(struct mw *w, struct json_object *ss)
{
	struct elems workers;

	if (!ss)
		return;
	emit_dataplane(w, ss);
	elems_from(w, member(ss, "workers", json_type_array), worker_labels, &workers);
	emit_each(w, &workers, worker_fields, ARRAY_LEN(worker_fields));
	elems_free(&workers);
	emit_fields(w, member(ss, "control", json_type_object), NULL, control_fields,
		    ARRAY_LEN(control_fields));
	emit_fields(w, member(ss, "clientlog", json_type_object), NULL, clientlog_fields,
		    ARRAY_LEN(clientlog_fields));
}

static const struct field port_fields[] = {
	{"link_up", "linetime_port_link_up", GAUGE, "1 if the port's link is up.", C_BOOL},
	{"speed_mbps", "linetime_port_speed_bytes_per_second", GAUGE,
	 "Link speed in bytes per second (0 if unknown).", C_MBPS},
	{"rx_queues", "linetime_port_rx_queues", GAUGE, "RX queues configured.", C_NUM},
	{"tx_queues", "linetime_port_tx_queues", GAUGE, "TX queues configured.", C_NUM},
	{"rx_checksum_offload", "linetime_port_rx_checksum_offload", GAUGE,
	 "1 if the NIC verifies received IPv4 and UDP checksums.", C_BOOL},
	{"tx_correction_ns", "linetime_port_tx_correction_seconds", GAUGE,
	 "Correction added to every departure time served in interleaved mode (tx_correction_ns).",
	 C_NS},
	{"ipackets", "linetime_port_nic_received_packets_total", COUNTER,
	 "Packets the NIC received (rte_eth_stats ipackets).", C_NUM},
	{"opackets", "linetime_port_nic_sent_packets_total", COUNTER,
	 "Packets the NIC sent (opackets).", C_NUM},
	{"ibytes", "linetime_port_nic_received_bytes_total", COUNTER,
	 "Bytes the NIC received (ibytes).", C_NUM},
	{"obytes", "linetime_port_nic_sent_bytes_total", COUNTER, "Bytes the NIC sent (obytes).", C_NUM},
	{"imissed", "linetime_port_nic_missed_total", COUNTER,
	 "Frames the NIC dropped because the RX ring was full (imissed).", C_NUM},
	{"ierrors", "linetime_port_nic_rx_errors_total", COUNTER, "Receive errors (ierrors).", C_NUM},
	{"oerrors", "linetime_port_nic_tx_errors_total", COUNTER, "Transmit errors (oerrors).", C_NUM},
	{"rx_nombuf", "linetime_port_nic_rx_nombuf_total", COUNTER,
	 "Receive buffer allocation failures (rx_nombuf).", C_NUM},
};

static void emit_ports(struct mw *w, struct json_object *pr)
{
	static const char *const info[] = {"device", "driver", "mac", "timestamping", "tx_departure"};
	struct elems ports;

	elems_from(w, member(pr, "ports", json_type_array), port_labels, &ports);
	fam(w, "linetime_port_info", GAUGE,
	    "Dataplane port: always 1; EAL device, DPDK driver, MAC, RX timestamp source "
	    "(nic, tsc, none) and departure anchor (before_burst, after_burst) as labels.");
	for (size_t p = 0; p < ports.n; p++) {
		const char *kv[2 * MAX_LABELS + 1] = {"port", ports.e[p].kv[1]};
		size_t n = 2;

		for (size_t i = 0; i < ARRAY_LEN(info); i++) {
			const char *s = str(ports.e[p].o, info[i]);

			kv[n++] = info[i];
			kv[n++] = s ? s : "";
		}
		kv[n] = NULL;
		sample(w, kv, v_u64(1));
	}
	emit_each(w, &ports, port_fields, ARRAY_LEN(port_fields));
	elems_free(&ports);
}

static const struct field tracking_fields[] = {
	{"synchronised", "linetime_tracking_synchronised", GAUGE,
	 "1 while the time served comes from upstream sources (modes upstream and holdover).", C_BOOL},
	{"stratum", "linetime_tracking_stratum", GAUGE, "Stratum served (the system peer's plus one).",
	 C_NUM},
	{"ref_time_unix", "linetime_tracking_ref_time_seconds", GAUGE,
	 "When the clock was last updated, seconds since 1970 (0: never).", C_NUM},
	{"system_time_offset", "linetime_tracking_system_time_offset_seconds", GAUGE,
	 "Served clock minus the host's system clock.", C_NUM},
	{"last_offset", "linetime_tracking_last_offset_seconds", GAUGE,
	 "Offset corrected at the last clock update.", C_NUM},
	{"rms_offset", "linetime_tracking_rms_offset_seconds", GAUGE,
	 "Long-term RMS of the offsets corrected.", C_NUM},
	{"frequency_ppm", "linetime_tracking_frequency_ppm", GAUGE,
	 "Frequency error of the oscillator the discipline corrects, ppm (positive: fast).", C_NUM},
	{"residual_freq_ppm", "linetime_tracking_residual_frequency_ppm", GAUGE,
	 "Reference's frequency minus the one in use, ppm.", C_NUM},
	{"skew_ppm", "linetime_tracking_skew_ppm", GAUGE, "Error bound of the frequency, ppm.", C_NUM},
	{"root_delay", "linetime_tracking_root_delay_seconds", GAUGE,
	 "Round-trip delay to the stratum-1 source.", C_NUM},
	{"root_dispersion", "linetime_tracking_root_dispersion_seconds", GAUGE,
	 "Dispersion accumulated to the stratum-1 source.", C_NUM},
	{"update_interval", "linetime_tracking_update_interval_seconds", GAUGE,
	 "Interval between the last two clock updates.", C_NUM},
	{"updates", "linetime_tracking_updates_total", COUNTER,
	 "Clock updates since linetimed started.", C_NUM},
	{"steps", "linetime_tracking_steps_total", COUNTER,
	 "Clock updates that stepped the clock.", C_NUM},
	{"good_sources", "linetime_tracking_good_sources", GAUGE,
	 "Truechimers of the last selection (0 if none was selected).", C_NUM},
};

static void emit_selection(struct mw *w, const char *outcome)
{
	const char *known[16];
	size_t n = names_of(srcsel_outcome_k, known, ARRAY_LEN(known));

	fam(w, "linetime_tracking_selection", GAUGE,
	    "Outcome of the last source selection: 1 for the current one (ok, no_sources, "
	    "no_majority, minsources), 0 for the others.");
	if (outcome)
		one_hot(w, NULL, "outcome", known, n, outcome);
}

static void emit_tracking(struct mw *w, struct json_object *tr, struct json_object *sources)
{
	const char *lp = str(tr, "leap_pending");

	emit_fields(w, tr, NULL, tracking_fields, ARRAY_LEN(tracking_fields));
	fam(w, "linetime_tracking_leap_pending", GAUGE,
	    "Leap second scheduled for the end of this day (UTC): 1 insert, -1 delete, 0 none.");
	if (lp && strcmp(lp, "insert") == 0)
		sample(w, NULL, v_i64(1));
	else if (lp && strcmp(lp, "delete") == 0)
		sample(w, NULL, v_i64(-1));
	else if (lp && strcmp(lp, "none") == 0)
		sample(w, NULL, v_i64(0));
	if (tr || sources)
		emit_selection(w, str(tr, "selection") ? str(tr, "selection") : str(sources, "outcome"));
}

static const struct field source_fields[] = {
	{"stratum", "linetime_source_stratum", GAUGE, "Stratum of the source (0 until it has answered).",
	 C_NUM},
	{"poll", "linetime_source_poll_seconds", GAUGE, "Polling interval of the source.", C_POW2},
	{"reach", "linetime_source_reach", GAUGE,
	 "Reach register, 0 to 255 (the last 8 polls, newest in bit 0).", C_NUM},
	{"reach", "linetime_source_reachable", GAUGE,
	 "1 if the source answered at least one of the last 8 polls.", C_BOOL},
	{"last_rx_ago", "linetime_source_last_rx_age_seconds", GAUGE,
	 "Time since the last good reply from the source (+Inf: none yet).", C_AGE},
	{"offset", "linetime_source_offset_seconds", GAUGE,
	 "Last sample's offset, source minus local clock (positive: source ahead).", C_NUM},
	{"offset_sd", "linetime_source_offset_sd_seconds", GAUGE,
	 "Estimated error (standard deviation) of the offset.", C_NUM},
	{"delay", "linetime_source_delay_seconds", GAUGE, "Last sample's round-trip delay.", C_NUM},
	{"jitter", "linetime_source_jitter_seconds", GAUGE, "RMS scatter of the samples' offsets.", C_NUM},
	{"root_distance", "linetime_source_root_distance_seconds", GAUGE,
	 "Last sample's root distance (its error bound).", C_NUM},
	{"sent", "linetime_source_requests_total", COUNTER, "Requests sent to the source.", C_NUM},
	{"replies", "linetime_source_replies_total", COUNTER, "Replies received from the source.", C_NUM},
	{"accepted", "linetime_source_replies_accepted_total", COUNTER,
	 "Replies accepted as samples.", C_NUM},
	{"bogus", "linetime_source_replies_bogus_total", COUNTER,
	 "Replies rejected as bogus (not an answer to our request).", C_NUM},
	{"key_id", "linetime_source_key_id", GAUGE,
	 "Symmetric key the source is authenticated with (0: none).", C_NUM},
	{"auth_ok", "linetime_source_replies_authenticated_total", COUNTER,
	 "Replies whose MAC verified under the source's key.", C_NUM},
	{"auth_fail", "linetime_source_replies_auth_bad_mac_total", COUNTER,
	 "Replies rejected: a MAC under the source's key ID with a wrong digest.", C_NUM},
	{"auth_keyid", "linetime_source_replies_auth_bad_keyid_total", COUNTER,
	 "Replies rejected: a MAC under another key ID.", C_NUM},
	{"auth_missing", "linetime_source_replies_auth_missing_total", COUNTER,
	 "Replies rejected: no MAC from a source with a key.", C_NUM},
	{"crypto_nak", "linetime_source_replies_crypto_nak_total", COUNTER,
	 "Crypto-NAKs from the source (it does not have our key).", C_NUM},
};

static void emit_sources(struct mw *w, struct json_object *so)
{
	const char *states[40];
	size_t n = names_of(srcsel_status_k, states, ARRAY_LEN(states) - 2);
	struct elems es;

	states[n++] = "kod_deny";
	states[n++] = "unresolved";
	elems_from(w, member(so, "sources", json_type_array), source_labels, &es);
	fam(w, "linetime_source_state", GAUGE,
	    "State of the upstream source: 1 for the current one, 0 for the others.");
	for (size_t k = 0; k < es.n; k++) {
		const char *st = str(es.e[k].o, "state");

		if (st)
			one_hot(w, es.e[k].kv, "state", states, n, st);
	}
	emit_each(w, &es, source_fields, ARRAY_LEN(source_fields));
	elems_free(&es);
}

static const struct field sourcestats_fields[] = {
	{"np", "linetime_sourcestats_samples", GAUGE, "Samples held for the source.", C_NUM},
	{"nr", "linetime_sourcestats_samples_used", GAUGE,
	 "Of those, samples the fit used after the runs test.", C_NUM},
	{"span", "linetime_sourcestats_span_seconds", GAUGE,
	 "Time from the oldest sample held to the newest.", C_NUM},
	{"frequency_ppm", "linetime_sourcestats_frequency_ppm", GAUGE,
	 "Slope of the offset over time, ppm (positive: local clock slow).", C_NUM},
	{"skew_ppm", "linetime_sourcestats_skew_ppm", GAUGE, "Error bound of that frequency, ppm.", C_NUM},
	{"offset", "linetime_sourcestats_offset_seconds", GAUGE,
	 "Estimated offset of the source now, source minus local clock.", C_NUM},
	{"offset_sd", "linetime_sourcestats_offset_sd_seconds", GAUGE,
	 "Standard deviation of the samples about the fit.", C_NUM},
};

static void emit_sourcestats(struct mw *w, struct json_object *ss)
{
	struct elems es;

	elems_from(w, member(ss, "sources", json_type_array), source_labels, &es);
	emit_each(w, &es, sourcestats_fields, ARRAY_LEN(sourcestats_fields));
	elems_free(&es);
}

/* A key is labelled by its identifier and type; the id is text, as labels are. */
static int key_labels(struct elem *e, size_t i)
{
	const char *type = str(e->o, "type");
	struct val id = num(e->o, "id");

	(void)i;
	if (id.t == V_NONE)
		return -1;
	snprintf(e->idx, sizeof(e->idx), "%.0f", v_double(&id));
	e->kv[0] = "key";
	e->kv[1] = e->idx;
	e->kv[2] = "type";
	e->kv[3] = type ? type : "";
	return 0;
}

static const struct field key_fields[] = {
	{"ok", "linetime_key_requests_ok_total", COUNTER,
	 "Authenticated requests whose MAC verified under the key (answered with a MAC).", C_NUM},
	{"bad_mac", "linetime_key_requests_bad_mac_total", COUNTER,
	 "Requests naming the key whose MAC did not verify.", C_NUM},
};

static void emit_keys(struct mw *w, struct json_object *k)
{
	struct elems es;

	if (!k)
		return;
	single(w, "linetime_keys", GAUGE, "Symmetric keys in force (keyfile).",
	       v_u64(json_object_array_length(member(k, "keys", json_type_array))));
	elems_from(w, member(k, "keys", json_type_array), key_labels, &es);
	emit_each(w, &es, key_fields, ARRAY_LEN(key_fields));
	elems_free(&es);
}

static const struct field signd_fields[] = {
	{"enabled", "linetime_signd_enabled", GAUGE,
	 "1 if MS-SNTP signing is configured (ntpsigndsocket).", C_BOOL},
	{"state_for_s", "linetime_signd_state_seconds", GAUGE,
	 "Time the connection to Samba has been in its current state.", C_NUM},
	{"connects", "linetime_signd_connects_total", COUNTER, "Connections made to Samba's ntp_signd.",
	 C_NUM},
	{"disconnects", "linetime_signd_disconnects_total", COUNTER, "Connections to Samba lost.", C_NUM},
	{"requests", "linetime_signd_requests_total", COUNTER,
	 "MS-SNTP requests the dataplane passed up.", C_NUM},
	{"submitted", "linetime_signd_submitted_total", COUNTER, "Replies submitted to Samba for signing.",
	 C_NUM},
	{"signed", "linetime_signd_signed_total", COUNTER, "Replies Samba signed.", C_NUM},
	{"sent", "linetime_signd_sent_total", COUNTER, "Signed replies sent back to clients.", C_NUM},
};

static const struct field signd_queue_fields[] = {
	{"depth", "linetime_signd_queue_depth", GAUGE, "Jobs queued or in flight to Samba.", C_NUM},
	{"in_flight", "linetime_signd_queue_in_flight", GAUGE, "Jobs written to Samba, not yet answered.",
	 C_NUM},
	{"max", "linetime_signd_queue_max", GAUGE, "Queue capacity.", C_NUM},
};

static void emit_signd(struct mw *w, struct json_object *sd)
{
	static const char *const quantiles[][2] = {
		{"p50", "0.5"}, {"p90", "0.9"}, {"p99", "0.99"}, {"max", "1"}};
	const char *states[SIGND_STATE_COUNT + 1];
	size_t n = names_of(signd_state_k, states, ARRAY_LEN(states));
	struct json_object *failed = member(sd, "failed", json_type_object);
	struct json_object *lat = member(sd, "latency_us", json_type_object);

	if (!sd)
		return;
	emit_fields(w, sd, NULL, signd_fields, 1);
	fam(w, "linetime_signd_state", GAUGE,
	    "State of the connection to Samba's ntp_signd: 1 for the current one, 0 for the others.");
	if (str(sd, "state"))
		one_hot(w, NULL, "state", states, n, str(sd, "state"));
	emit_fields(w, sd, NULL, signd_fields + 1, ARRAY_LEN(signd_fields) - 1);
	emit_fields(w, member(sd, "queue", json_type_object), NULL, signd_queue_fields,
		    ARRAY_LEN(signd_queue_fields));
	fam(w, "linetime_signd_failures_total", COUNTER,
	    "MS-SNTP requests dropped unsigned, by reason (see docs/SIGND.md).");
	if (failed) {
		json_object_object_foreach(failed, key, val) {
			const char *kv[] = {"reason", key, NULL};

			sample(w, kv, jval(val));
		}
	}
	/* A summary without _sum: signd keeps a histogram, not a total. */
	fam(w, "linetime_signd_latency_seconds", "summary",
	    "Submit-to-signed latency since linetimed started: quantiles 0.5, 0.9, 0.99 and 1 (the "
	    "maximum) as histogram bucket upper bounds (at most 1/8 high); _count is replies signed.");
	for (size_t i = 0; lat && i < ARRAY_LEN(quantiles); i++) {
		const char *kv[] = {"quantile", quantiles[i][1], NULL};

		sample(w, kv, convert(num(lat, quantiles[i][0]), C_US));
	}
	sample_sfx(w, "_count", NULL, num(lat, "count"));
}

/* OK 0, WARNING 1, CRITICAL 2, anything else 3 (UNKNOWN, as Nagios). */
static struct val health_code(struct json_object *o, const char *key)
{
	static const char *const names[] = {"OK", "WARNING", "CRITICAL"};
	const char *s = str(o, key);

	if (!s)
		return num(o, key);
	for (size_t i = 0; i < ARRAY_LEN(names); i++)
		if (strcmp(s, names[i]) == 0)
			return v_u64(i);
	return v_u64(3);
}

static int check_labels(struct elem *e, size_t i)
{
	const char *name = str(e->o, "name");

	(void)i;
	if (!name || !*name)
		return -1;
	e->kv[0] = "check";
	e->kv[1] = name;
	return 0;
}

/* Perfdata in seconds where its unit is a time; others keep their unit. */
static int perf_labels(struct elem *e, size_t i)
{
	const char *label = str(e->o, "label"), *uom = str(e->o, "uom");

	(void)i;
	if (!label || !*label)
		return -1;
	if (uom && (strcmp(uom, "ms") == 0 || strcmp(uom, "us") == 0))
		uom = "s";
	e->kv[0] = "label";
	e->kv[1] = label;
	e->kv[2] = "uom";
	e->kv[3] = uom ? uom : "";
	return 0;
}

static struct val perf_scaled(struct json_object *o, struct val v)
{
	const char *uom = str(o, "uom");

	if (v.t != V_NONE && uom && strcmp(uom, "ms") == 0)
		return v_dbl(v_double(&v) / 1e3);
	if (v.t != V_NONE && uom && strcmp(uom, "us") == 0)
		return v_dbl(v_double(&v) / 1e6);
	return v;
}

/*
 * A threshold of the perfdata: a number, or a Nagios range as text of the
 * two simple forms, "N" (alert above N: *upper 1) and "N:" (alert below N:
 * *upper 0). "" (the level is off) and the other range forms give V_NONE.
 */
static struct val perf_threshold(struct json_object *o, const char *key, int *upper)
{
	const char *s = str(o, key);
	char *end;
	double d;

	*upper = 1;
	if (!s)
		return perf_scaled(o, num(o, key));
	d = strtod(s, &end);
	if (end == s || !isfinite(d) || (*end && strcmp(end, ":") != 0))
		return (struct val){.t = V_NONE};
	*upper = *end == '\0';
	return perf_scaled(o, v_dbl(d));
}

static void emit_health(struct mw *w, struct json_object *h)
{
	static const struct {
		const char *key, *name, *help;
	} levels[] = {
		{"warn", "linetime_health_perfdata_warning",
		 "Warning threshold of the performance data: alerts above it (bound upper) or below "
		 "it (bound lower); absent when off."},
		{"crit", "linetime_health_perfdata_critical",
		 "Critical threshold of the performance data: alerts above it (bound upper) or below "
		 "it (bound lower); absent when off."},
	};
	struct elems checks, pd;

	if (!h)
		return;
	single(w, "linetime_health_status", GAUGE,
	       "Health verdict as linetimectl health exits: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
	       json_object_object_get_ex(h, "code", NULL) ? num(h, "code") : health_code(h, "status"));
	elems_from(w, member(h, "checks", json_type_array), check_labels, &checks);
	fam(w, "linetime_health_check_status", GAUGE,
	    "State of each health check: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
	for (size_t i = 0; i < checks.n; i++)
		sample(w, checks.e[i].kv, health_code(checks.e[i].o, "status"));
	elems_free(&checks);

	elems_from(w, member(h, "perfdata", json_type_array), perf_labels, &pd);
	fam(w, "linetime_health_perfdata", GAUGE,
	    "Measurements behind the health checks (Nagios perfdata; times in seconds).");
	for (size_t i = 0; i < pd.n; i++)
		sample(w, pd.e[i].kv, perf_scaled(pd.e[i].o, num(pd.e[i].o, "value")));
	for (size_t f = 0; f < ARRAY_LEN(levels); f++) {
		fam(w, levels[f].name, GAUGE, levels[f].help);
		for (size_t i = 0; i < pd.n; i++) {
			const char *kv[2 * MAX_LABELS + 1];
			int upper;
			struct val v = perf_threshold(pd.e[i].o, levels[f].key, &upper);

			sample(w, labels_plus(pd.e[i].kv, "bound", upper ? "upper" : "lower", kv), v);
		}
	}
	elems_free(&pd);
}

int metrics_render(const struct metrics_input *in, char **text, size_t *len)
{
	struct mw w = {.refused = 1};
	int rc = 0;

	if (!text || !len)
		return -EINVAL;
	sbuf_reserve(&w.out, 0);
	if (in) {
		emit_build(&w, in->version);
		emit_status(&w, in->status);
		emit_serverstats(&w, in->serverstats);
		emit_ports(&w, in->ports);
		emit_tracking(&w, in->tracking, in->sources);
		emit_sources(&w, in->sources);
		emit_sourcestats(&w, in->sourcestats);
		emit_signd(&w, in->signd);
		emit_keys(&w, in->keys);
		emit_health(&w, in->health);
	}
	if (w.out.oom || w.labels.oom) {
		free(w.out.p);
		w.out.p = NULL;
		w.out.len = 0;
		rc = -ENOMEM;
	}
	*text = w.out.p;
	*len = w.out.len;
	free(w.labels.p);
	free(w.help);
	strset_free(&w.seen);
	strset_free(&w.done);
	return rc;
}
