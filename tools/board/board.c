/* board: board profiles to EAL arguments and system settings (see board.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "ealargs.h"

static void fail(char *err, size_t errlen, const char *name, const config_setting_t *s,
		 const char *what, const char *why)
{
	snprintf(err, errlen, "%s:%d: board.%s: %s", name, s ? config_setting_source_line(s) : 0,
		 what, why);
}

static int get_str(const config_setting_t *g, const char *key, char *dst, size_t len,
		   int required, const char *name, char *err, size_t errlen)
{
	config_setting_t *s = config_setting_get_member(g, key);
	if (!s) {
		if (required) {
			fail(err, errlen, name, g, key, "missing");
			return -EINVAL;
		}
		return 0;
	}
	const char *v = config_setting_get_string(s);
	if (!v) {
		fail(err, errlen, name, s, key, "must be a string");
		return -EINVAL;
	}
	if (strlen(v) >= len) {
		fail(err, errlen, name, s, key, "too long");
		return -EINVAL;
	}
	strcpy(dst, v);
	return 0;
}

static int get_uint(const config_setting_t *g, const char *key, unsigned int *dst,
		    unsigned int lo, unsigned int hi, int required, const char *name, char *err,
		    size_t errlen, const char *path)
{
	config_setting_t *s = config_setting_get_member(g, key);
	if (!s) {
		if (required) {
			fail(err, errlen, name, g, path, "missing");
			return -EINVAL;
		}
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_INT) {
		fail(err, errlen, name, s, path, "must be an integer");
		return -EINVAL;
	}
	long long v = config_setting_get_int(s);
	if (v < lo || v > hi) {
		char why[64];
		snprintf(why, sizeof(why), "%lld out of range (%u..%u)", v, lo, hi);
		fail(err, errlen, name, s, path, why);
		return -EINVAL;
	}
	*dst = (unsigned int)v;
	return 0;
}

static int get_bool(const config_setting_t *g, const char *key, int *dst, const char *name,
		    char *err, size_t errlen, const char *path)
{
	config_setting_t *s = config_setting_get_member(g, key);
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		fail(err, errlen, name, s, path, "must be true or false");
		return -EINVAL;
	}
	*dst = config_setting_get_bool(s);
	return 0;
}

/* Unknown keys are errors, as in linetime.conf: a typo must not fall back. */
static int known_keys(const config_setting_t *g, const char *const *keys, const char *prefix,
		      const char *name, char *err, size_t errlen)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		config_setting_t *s = config_setting_get_elem(g, (unsigned int)i);
		const char *k = config_setting_name(s);
		int ok = 0;
		for (const char *const *p = keys; *p; p++)
			ok |= k && strcmp(k, *p) == 0;
		if (!ok) {
			char what[96];
			snprintf(what, sizeof(what), "%s%s", prefix, k ? k : "?");
			fail(err, errlen, name, s, what, "unknown setting");
			return -EINVAL;
		}
	}
	return 0;
}

static int parse(config_t *cf, const char *name, struct board *b, char *err, size_t errlen)
{
	static const char *const top[] = {"name", "description", "cpus", "isolate", "hugepages",
					  "bind", "kernel_cmdline", NULL};
	static const char *const huge[] = {"size_kb", "count", "mount", NULL};
	static const char *const bind[] = {"driver", "noiommu", NULL};
	struct board n = {0};

	config_setting_t *g = config_lookup(cf, "board");
	if (!g || !config_setting_is_group(g)) {
		snprintf(err, errlen, "%s: board: missing group", name);
		return -EINVAL;
	}
	if (config_setting_length(config_root_setting(cf)) != 1) {
		snprintf(err, errlen, "%s: only a board group belongs in board.conf", name);
		return -EINVAL;
	}
	if (known_keys(g, top, "", name, err, errlen) ||
	    get_str(g, "name", n.name, sizeof(n.name), 1, name, err, errlen) ||
	    get_str(g, "description", n.description, sizeof(n.description), 0, name, err, errlen) ||
	    get_uint(g, "cpus", &n.cpus, 1, 4 * LT_CFG_MAX_LCORES, 1, name, err, errlen, "cpus") ||
	    get_bool(g, "isolate", &n.isolate, name, err, errlen, "isolate"))
		return -EINVAL;

	config_setting_t *h = config_setting_get_member(g, "hugepages");
	if (h) {
		if (!config_setting_is_group(h)) {
			fail(err, errlen, name, h, "hugepages", "must be a group");
			return -EINVAL;
		}
		if (known_keys(h, huge, "hugepages.", name, err, errlen) ||
		    get_uint(h, "size_kb", &n.huge_size_kb, 2048, 1048576, 1, name, err, errlen,
			     "hugepages.size_kb") ||
		    get_uint(h, "count", &n.huge_count, 0, 1u << 20, 1, name, err, errlen,
			     "hugepages.count") ||
		    get_str(h, "mount", n.huge_mount, sizeof(n.huge_mount), 1, name, err, errlen))
			return -EINVAL;
		if (n.huge_size_kb != 2048 && n.huge_size_kb != 1048576) {
			fail(err, errlen, name, config_setting_get_member(h, "size_kb"),
			     "hugepages.size_kb", "must be 2048 (2 MiB) or 1048576 (1 GiB)");
			return -EINVAL;
		}
		if (n.huge_mount[0] != '/') {
			fail(err, errlen, name, config_setting_get_member(h, "mount"), "hugepages.mount",
			     "must be an absolute path");
			return -EINVAL;
		}
	}
	config_setting_t *bd = config_setting_get_member(g, "bind");
	if (bd) {
		if (!config_setting_is_group(bd)) {
			fail(err, errlen, name, bd, "bind", "must be a group");
			return -EINVAL;
		}
		if (known_keys(bd, bind, "bind.", name, err, errlen) ||
		    get_str(bd, "driver", n.bind_driver, sizeof(n.bind_driver), 1, name, err, errlen) ||
		    get_bool(bd, "noiommu", &n.noiommu, name, err, errlen, "bind.noiommu"))
			return -EINVAL;
		if (strcmp(n.bind_driver, "vfio-pci") && strcmp(n.bind_driver, "uio_pci_generic") &&
		    n.bind_driver[0]) {
			fail(err, errlen, name, config_setting_get_member(bd, "driver"), "bind.driver",
			     "must be \"vfio-pci\", \"uio_pci_generic\" or \"\"");
			return -EINVAL;
		}
		if (n.noiommu && strcmp(n.bind_driver, "vfio-pci")) {
			fail(err, errlen, name, config_setting_get_member(bd, "noiommu"), "bind.noiommu",
			     "only with driver \"vfio-pci\"");
			return -EINVAL;
		}
	}
	config_setting_t *k = config_setting_get_member(g, "kernel_cmdline");
	if (k) {
		if (!config_setting_is_array(k)) {
			fail(err, errlen, name, k, "kernel_cmdline", "must be an array of strings");
			return -EINVAL;
		}
		if (config_setting_length(k) > BOARD_MAX_CMDLINE) {
			fail(err, errlen, name, k, "kernel_cmdline", "too many entries");
			return -EINVAL;
		}
		for (int i = 0; i < config_setting_length(k); i++) {
			const char *v = config_setting_get_string_elem(k, i);
			if (!v || !*v || strlen(v) >= BOARD_STR_MAX || strpbrk(v, " \t\n\"'")) {
				fail(err, errlen, name, k, "kernel_cmdline",
				     "entries must be single words without quotes");
				return -EINVAL;
			}
			strcpy(n.cmdline[n.n_cmdline++], v);
		}
	}
	*b = n;
	return 0;
}

int board_parse_string(const char *text, const char *name, struct board *b, char *err,
		       size_t errlen)
{
	config_t cf;
	config_init(&cf);
	int rc = 0;
	if (!config_read_string(&cf, text)) {
		snprintf(err, errlen, "%s:%d: %s", name, config_error_line(&cf), config_error_text(&cf));
		rc = -EINVAL;
	} else {
		rc = parse(&cf, name, b, err, errlen);
	}
	config_destroy(&cf);
	return rc;
}

int board_parse_file(const char *path, struct board *b, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	config_t cf;
	config_init(&cf);
	int rc = 0;
	if (!config_read(&cf, f)) {
		snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cf), config_error_text(&cf));
		rc = -EINVAL;
	} else {
		rc = parse(&cf, path, b, err, errlen);
	}
	config_destroy(&cf);
	fclose(f);
	return rc;
}

/* ---- derived settings ----------------------------------------------- */

static int is_worker(const struct lt_config *c, unsigned int cpu)
{
	for (unsigned int i = 0; i < c->n_lcores; i++)
		if (c->lcores[i] == cpu)
			return 1;
	return 0;
}

/* The value following flag in dataplane.eal, or NULL. */
static const char *eal_value(const struct lt_config *c, const char *flag)
{
	for (unsigned int i = 0; i + 1 < c->n_eal_args; i++)
		if (strcmp(c->eal_args[i], flag) == 0)
			return c->eal_args[i + 1];
	return NULL;
}

static int eal_has(const struct lt_config *c, const char *flag)
{
	for (unsigned int i = 0; i < c->n_eal_args; i++)
		if (strcmp(c->eal_args[i], flag) == 0)
			return 1;
	return 0;
}

static const char *port_driver(const struct board *b, const struct lt_cfg_port *p)
{
	if (ealargs_is_vdev(p->device))
		return "(virtual device)";
	return b->bind_driver[0] ? b->bind_driver : "(none)";
}

int board_check(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	int n = 0;
#define PROBLEM(...)                                                                               \
	do {                                                                                       \
		sbuf_printf(out, __VA_ARGS__);                                                     \
		sbuf_putc(out, '\n');                                                              \
		n++;                                                                               \
	} while (0)

	if (c->main_lcore >= b->cpus)
		PROBLEM("dataplane.main_lcore %u: the board has CPUs 0..%u", c->main_lcore, b->cpus - 1);
	if (c->n_lcores == 0)
		PROBLEM("dataplane.lcores: no worker lcores");
	for (unsigned int i = 0; i < c->n_lcores; i++) {
		if (c->lcores[i] >= b->cpus)
			PROBLEM("dataplane.lcores: %u: the board has CPUs 0..%u", c->lcores[i],
				b->cpus - 1);
		if (c->lcores[i] == c->main_lcore)
			PROBLEM("dataplane.lcores: %u is also the main lcore", c->lcores[i]);
		for (unsigned int j = 0; j < i; j++)
			if (c->lcores[j] == c->lcores[i])
				PROBLEM("dataplane.lcores: %u listed twice", c->lcores[i]);
	}
	if (c->n_ports == 0)
		PROBLEM("dataplane.ports: no ports");
	for (unsigned int i = 0; i < c->n_ports; i++)
		if (!ealargs_is_vdev(c->ports[i].device) && !b->bind_driver[0])
			PROBLEM("dataplane.ports.[%u] %s: PCI device %s but the board binds no driver "
				"(board.bind.driver)",
				i, c->ports[i].name, c->ports[i].device);
	int no_huge = eal_has(c, "--no-huge");
	if (b->huge_count == 0 && !no_huge)
		PROBLEM("dataplane.eal: the board reserves no hugepages, so EAL needs --no-huge");
	if (b->huge_count > 0) {
		if (no_huge)
			PROBLEM("dataplane.eal: --no-huge although the board reserves %u hugepages",
				b->huge_count);
		const char *dir = eal_value(c, "--huge-dir");
		if (!dir || strcmp(dir, b->huge_mount) != 0)
			PROBLEM("dataplane.eal: --huge-dir must be %s (board.hugepages.mount)",
				b->huge_mount);
		const char *m = eal_value(c, "-m");
		unsigned long long have = (unsigned long long)b->huge_count * b->huge_size_kb / 1024;
		if (m && strtoull(m, NULL, 10) > have)
			PROBLEM("dataplane.eal: -m %s MiB is more than the %llu MiB of hugepages reserved",
				m, have);
	}
	if (b->bind_driver[0] && eal_has(c, "--no-pci"))
		PROBLEM("dataplane.eal: --no-pci although the board binds ports to %s", b->bind_driver);
	return n;
#undef PROBLEM
}

static void put_quoted(struct sbuf *out, const char *s)
{
	if (*s && !strpbrk(s, " \t\n'\"\\$`*?;&|<>(){}[]#~")) {
		sbuf_puts(out, s);
		return;
	}
	sbuf_putc(out, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sbuf_puts(out, "'\\''");
		else
			sbuf_putc(out, *s);
	}
	sbuf_putc(out, '\'');
}

int board_eal(const struct lt_config *c, struct sbuf *out)
{
	char *argv[LT_CFG_MAX_EAL_ARGS + 2 * LT_CFG_MAX_PORTS + 8];
	char bufs[512];
	int argc = ealargs_build(c, 0, NULL, argv, (int)(sizeof(argv) / sizeof(argv[0])), bufs,
				 sizeof(bufs));
	if (argc < 0)
		return argc;
	for (int i = 0; i < argc; i++) {
		if (i)
			sbuf_putc(out, ' ');
		put_quoted(out, argv[i]);
	}
	sbuf_putc(out, '\n');
	return 0;
}

void board_lcores(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	for (unsigned int cpu = 0; cpu < b->cpus; cpu++) {
		sbuf_printf(out, "cpu %u: ", cpu);
		if (cpu == c->main_lcore) {
			sbuf_puts(out, "housekeeping: Linux, linetimed, EAL main lcore\n");
			continue;
		}
		unsigned int w;
		for (w = 0; w < c->n_lcores && c->lcores[w] != cpu; w++)
			;
		if (w == c->n_lcores) {
			sbuf_puts(out, "housekeeping: Linux\n");
			continue;
		}
		sbuf_printf(out, "worker %u, polls", w);
		/* worker_assign_queues(): every port's queues in order, round robin. */
		unsigned int k = 0, any = 0;
		for (unsigned int p = 0; p < c->n_ports; p++)
			for (unsigned int q = 0; q < c->ports[p].rx_queues; q++, k++)
				if (k % c->n_lcores == w) {
					sbuf_printf(out, " %s/rx%u", c->ports[p].name, q);
					any = 1;
				}
		sbuf_puts(out, any ? "" : " nothing (more workers than queues)");
		sbuf_puts(out, b->isolate ? ", isolated\n" : "\n");
	}
}

static const char *ts_name(enum lt_ts_mode m)
{
	return m == LT_TS_HARDWARE ? "hardware" : m == LT_TS_SOFTWARE ? "software" : "auto";
}

void board_ports(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	for (unsigned int i = 0; i < c->n_ports; i++) {
		const struct lt_cfg_port *p = &c->ports[i];
		int vdev = ealargs_is_vdev(p->device);
		sbuf_printf(out, "%s %s %s driver=%s queues=%u timestamping=%s", p->name, p->device,
			    vdev ? "vdev" : "pci", port_driver(b, p), p->rx_queues,
			    ts_name(p->timestamping));
		for (unsigned int a = 0; a < p->n_addrs; a++) {
			char txt[INET6_ADDRSTRLEN];
			const struct lt_cfg_addr *ad = &p->addrs[a];
			inet_ntop(ad->family == 4 ? AF_INET : AF_INET6, ad->addr, txt, sizeof(txt));
			sbuf_printf(out, " %s/%u", txt, ad->prefixlen);
		}
		sbuf_putc(out, '\n');
	}
}

/* "1-3" or "1,3" for the worker CPUs, sorted, ranges merged. */
static void cpu_list(const struct lt_config *c, struct sbuf *out)
{
	int first = 1;
	for (unsigned int cpu = 0; cpu < 4 * LT_CFG_MAX_LCORES; cpu++) {
		if (!is_worker(c, cpu))
			continue;
		unsigned int end = cpu;
		while (is_worker(c, end + 1))
			end++;
		sbuf_printf(out, first ? "%u" : ",%u", cpu);
		if (end > cpu)
			sbuf_printf(out, "-%u", end);
		first = 0;
		cpu = end;
	}
}

void board_cmdline(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	const char *sep = "";
	if (b->isolate && c->n_lcores) {
		/* No scheduler load balancing, no tick, no RCU callbacks and no
		 * managed IRQs on the poll-mode CPUs; every other IRQ on main. */
		sbuf_puts(out, "isolcpus=managed_irq,domain,");
		cpu_list(c, out);
		sbuf_puts(out, " nohz_full=");
		cpu_list(c, out);
		sbuf_puts(out, " rcu_nocbs=");
		cpu_list(c, out);
		sbuf_printf(out, " irqaffinity=%u", c->main_lcore);
		sep = " ";
	}
	if (b->huge_count) {
		const char *sz = b->huge_size_kb == 2048 ? "2M" : "1G";
		sbuf_printf(out, "%sdefault_hugepagesz=%s hugepagesz=%s hugepages=%u", sep, sz, sz,
			    b->huge_count);
		sep = " ";
	}
	if (b->noiommu) {
		sbuf_printf(out, "%svfio.enable_unsafe_noiommu_mode=1", sep);
		sep = " ";
	}
	for (unsigned int i = 0; i < b->n_cmdline; i++) {
		sbuf_printf(out, "%s%s", sep, b->cmdline[i]);
		sep = " ";
	}
	sbuf_putc(out, '\n');
}

void board_sysctl(const struct board *b, struct sbuf *out)
{
	/* 2 MiB pages can still be found after boot; 1 GiB ones only on the
	 * command line, so they get no sysctl. */
	if (b->huge_count && b->huge_size_kb == 2048)
		sbuf_printf(out, "vm.nr_hugepages = %u\n", b->huge_count);
}

void board_bind_list(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	if (!b->bind_driver[0])
		return;
	for (unsigned int i = 0; i < c->n_ports; i++)
		if (!ealargs_is_vdev(c->ports[i].device))
			sbuf_printf(out, "%s %s\n", c->ports[i].device, b->bind_driver);
}

void board_env(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	sbuf_printf(out, "LT_BOARD=%s\n", b->name);
	sbuf_printf(out, "LT_HUGEPAGE_KB=%u\n", b->huge_size_kb);
	sbuf_printf(out, "LT_HUGEPAGES=%u\n", b->huge_count);
	sbuf_printf(out, "LT_HUGE_MOUNT=%s\n", b->huge_mount);
	sbuf_printf(out, "LT_BIND_DRIVER=%s\n", b->bind_driver);
	sbuf_printf(out, "LT_NOIOMMU=%d\n", b->noiommu);
	sbuf_puts(out, "LT_BIND_DEVICES='");
	int first = 1;
	for (unsigned int i = 0; b->bind_driver[0] && i < c->n_ports; i++)
		if (!ealargs_is_vdev(c->ports[i].device)) {
			sbuf_printf(out, first ? "%s" : " %s", c->ports[i].device);
			first = 0;
		}
	sbuf_puts(out, "'\n");
}

void board_summary(const struct board *b, const struct lt_config *c, struct sbuf *out)
{
	sbuf_printf(out, "board: %s%s%s\n", b->name, b->description[0] ? " - " : "",
		    b->description);
	sbuf_puts(out, "\nEAL arguments:\n  ");
	board_eal(c, out);
	sbuf_puts(out, "\nlcore map:\n");
	struct sbuf t = {0};
	board_lcores(b, c, &t);
	for (char *l = t.p; l && *l;) {
		char *e = strchr(l, '\n');
		sbuf_puts(out, "  ");
		sbuf_put(out, l, (size_t)(e - l + 1));
		l = e + 1;
	}
	free(t.p);
	sbuf_puts(out, "\nports:\n");
	t = (struct sbuf){0};
	board_ports(b, c, &t);
	for (char *l = t.p; l && *l;) {
		char *e = strchr(l, '\n');
		sbuf_puts(out, "  ");
		sbuf_put(out, l, (size_t)(e - l + 1));
		l = e + 1;
	}
	free(t.p);
	sbuf_puts(out, "\nsystem:\n");
	if (b->huge_count)
		sbuf_printf(out, "  hugepages: %u x %u KiB, hugetlbfs on %s\n", b->huge_count,
			    b->huge_size_kb, b->huge_mount);
	else
		sbuf_puts(out, "  hugepages: none (EAL --no-huge)\n");
	sbuf_printf(out, "  bind: %s%s\n", b->bind_driver[0] ? b->bind_driver : "nothing",
		    b->noiommu ? " (no-IOMMU mode)" : "");
	sbuf_puts(out, "  kernel command line: ");
	board_cmdline(b, c, out);
}
