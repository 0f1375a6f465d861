/*
 * fuzz_config: linetime.conf text through the config loader, and its lines
 * through the two small parsers the admin protocol and the loader share
 * (config_access_rule, config_parse_listen).
 *
 * The contract of config.h checked on every input:
 * - config_load_string() and config_load_file() of the same bytes (a memfd,
 *   read by its /proc path) agree on the result and on the message;
 * - a failure leaves the struct untouched and its message names the file;
 * - a success holds only what the header promises: counts within their
 *   arrays, ranges as documented, strings terminated, rules with their host
 *   bits cleared;
 * - a rule or a listen address that parses comes back the same when it is
 *   written out again and parsed a second time.
 * Inputs with "@include" are skipped: libconfig would read whatever file
 * they name, and the fuzzer must not roam the file system.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

#define LINES_MAX 4
#define LINE_MAX_LEN 300

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	memfd = memfd_create("fuzz_config", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d", memfd);
	return 0;
}

#define TERMINATED(field) FUZZ_CHECK(strnlen(field, sizeof(field)) < sizeof(field), #field " not terminated")

static void check_addr(const struct lt_cfg_addr *a, int plain)
{
	FUZZ_CHECK(a->family == 4 || a->family == 6, "address family %d", a->family);
	if (plain)
		FUZZ_CHECK(a->prefixlen == 0, "gateway with a prefix");
	else
		FUZZ_CHECK(a->prefixlen >= 1 && a->prefixlen <= (a->family == 4 ? 32 : 128),
			   "prefix length %u", a->prefixlen);
}

static void check_rule(const struct lt_cfg_access *r)
{
	unsigned int max = r->family == 4 ? 32 : r->family == 6 ? 128 : 0;

	FUZZ_CHECK(r->allow <= 1 && r->all <= 1, "rule flags %u %u", r->allow, r->all);
	FUZZ_CHECK(r->family == 0 || r->family == 4 || r->family == 6, "rule family %u", r->family);
	FUZZ_CHECK(r->prefixlen <= max, "rule prefix /%u for family %u", r->prefixlen, r->family);
	for (unsigned int i = r->prefixlen; i < 128; i++)
		FUZZ_CHECK(!((r->addr[i / 8] >> (7 - i % 8)) & 1), "rule with host bit %u set", i);
}

static void check_poll(const struct lt_cfg_poll *p)
{
	FUZZ_CHECK(p->minpoll >= -6 && p->minpoll <= p->maxpoll && p->maxpoll <= 24,
		   "poll %d..%d", p->minpoll, p->maxpoll);
}

/* What config.h promises of a loaded config. */
static void check_config(const struct lt_config *c)
{
	const struct lt_cfg_ratelimit *rl = &c->ratelimit;

	TERMINATED(c->path);
	TERMINATED(c->ntpsigndsocket);
	TERMINATED(c->region_path);
	TERMINATED(c->admin_socket);
	TERMINATED(c->admin_group);
	TERMINATED(c->admin_write_group);
	TERMINATED(c->metrics_listen);
	TERMINATED(c->pidfile_dir);
	TERMINATED(c->sync.driftfile);
	TERMINATED(c->sync.leapsectz);
	TERMINATED(c->sync.logdir);
	FUZZ_CHECK(c->local_stratum >= 1 && c->local_stratum <= 15, "local stratum %u",
		   c->local_stratum);
	FUZZ_CHECK(c->n_access <= LT_CFG_MAX_ACCESS, "%u rules", c->n_access);
	for (unsigned int i = 0; i < c->n_access; i++)
		check_rule(&c->access[i]);
	FUZZ_CHECK(rl->interval >= -19 && rl->interval <= 12 && rl->burst >= 1 && rl->burst <= 255 &&
		   rl->leak <= 4 && rl->ipv4_prefix >= 8 && rl->ipv4_prefix <= 32 &&
		   rl->ipv6_prefix >= 16 && rl->ipv6_prefix <= 128,
		   "ratelimit interval %d burst %u leak %u prefixes %u %u", rl->interval, rl->burst,
		   rl->leak, rl->ipv4_prefix, rl->ipv6_prefix);
	FUZZ_CHECK(c->sync.n_servers <= LT_CFG_MAX_SERVERS && c->sync.n_pools <= LT_CFG_MAX_POOLS,
		   "%u servers, %u pools", c->sync.n_servers, c->sync.n_pools);
	for (unsigned int i = 0; i < c->sync.n_servers; i++) {
		TERMINATED(c->sync.servers[i].address);
		FUZZ_CHECK(c->sync.servers[i].address[0], "server without an address");
		check_poll(&c->sync.servers[i].poll);
	}
	for (unsigned int i = 0; i < c->sync.n_pools; i++) {
		TERMINATED(c->sync.pools[i].name);
		FUZZ_CHECK(c->sync.pools[i].maxsources >= 1 && c->sync.pools[i].maxsources <= 16,
			   "pool maxsources %u", c->sync.pools[i].maxsources);
		check_poll(&c->sync.pools[i].poll);
	}
	FUZZ_CHECK(c->sync.minsources >= 1 && c->sync.minsources <= 16, "minsources %u",
		   c->sync.minsources);
	FUZZ_CHECK(c->n_lcores <= LT_CFG_MAX_LCORES && c->n_eal_args <= LT_CFG_MAX_EAL_ARGS,
		   "%u lcores, %u EAL arguments", c->n_lcores, c->n_eal_args);
	for (unsigned int i = 0; i < c->n_eal_args; i++)
		FUZZ_CHECK(c->eal_args[i], "EAL argument %u missing", i);
	FUZZ_CHECK(c->n_ports <= LT_CFG_MAX_PORTS, "%u ports", c->n_ports);
	for (unsigned int i = 0; i < c->n_ports; i++) {
		const struct lt_cfg_port *pt = &c->ports[i];

		TERMINATED(pt->name);
		TERMINATED(pt->device);
		FUZZ_CHECK(pt->n_addrs <= LT_CFG_MAX_ADDRS && pt->rx_queues >= 1,
			   "port with %u addresses, %u queues", pt->n_addrs, pt->rx_queues);
		for (unsigned int k = 0; k < pt->n_addrs; k++)
			check_addr(&pt->addrs[k], 0);
		if (pt->gw4.family)
			check_addr(&pt->gw4, 1);
		if (pt->gw6.family)
			check_addr(&pt->gw6, 1);
	}
}

static void load_text(const char *text, size_t len)
{
	static struct lt_config a, b, untouched;
	char err_s[LT_CFG_ERR_MAX], err_f[LT_CFG_ERR_MAX];
	int rs, rf;

	memset(&a, 0x5a, sizeof(a));
	memset(&untouched, 0x5a, sizeof(untouched));
	err_s[0] = err_f[0] = '\0';
	rs = config_load_string(text, memfd_path, &a, err_s, sizeof(err_s));
	if (rs == 0) {
		FUZZ_CHECK(strcmp(a.path, memfd_path) == 0, "path \"%s\"", a.path);
		check_config(&a);
	} else {
		/* "c is only written on success", and errors name the file. */
		FUZZ_CHECK(memcmp(&a, &untouched, sizeof(a)) == 0, "failed load changed the struct");
		FUZZ_CHECK(strncmp(err_s, memfd_path, strlen(memfd_path)) == 0 &&
			   err_s[strlen(memfd_path)] == ':', "error without the file: \"%s\"", err_s);
	}
	if (fuzz_verbose())
		fprintf(stderr, "config_load_string: %d %s\n", rs, rs ? err_s : "");

	/* The file loader sees the same bytes; a NUL makes the two differ by design. */
	if (!memchr(text, '\0', len) && ftruncate(memfd, 0) == 0 &&
	    pwrite(memfd, text, len, 0) == (ssize_t)len) {
		memset(&b, 0x5a, sizeof(b));
		rf = config_load_file(memfd_path, &b, err_f, sizeof(err_f));
		FUZZ_CHECK(rs == rf && (rs != 0 || strcmp(err_s, err_f) == 0),
			   "string and file loaders differ: %d \"%s\" vs %d \"%s\"", rs, err_s, rf,
			   err_f);
		if (rf == 0)
			config_free(&b);
	}
	if (rs == 0)
		config_free(&a);
}

/* A rule written back in chrony's words parses to the same rule. */
static void rule_roundtrip(const char *line)
{
	struct lt_cfg_access r, again;
	char why[512], text[128], host[INET6_ADDRSTRLEN];

	if (config_access_rule(line, &r, why, sizeof(why)) != 0)
		return;
	check_rule(&r);
	if (r.family)
		inet_ntop(r.family == 4 ? AF_INET : AF_INET6, r.addr, host, sizeof(host));
	snprintf(text, sizeof(text), "%s%s%s%s/%u", r.allow ? "allow" : "deny", r.all ? " all" : "",
		 r.family ? " " : "", r.family ? host : "", r.prefixlen);
	if (!r.family)
		*strchr(text, '/') = '\0';
	FUZZ_CHECK(config_access_rule(text, &again, why, sizeof(why)) == 0,
		   "\"%s\" (from \"%s\") refused: %s", text, line, why);
	FUZZ_CHECK(again.allow == r.allow && again.all == r.all && again.family == r.family &&
		   again.prefixlen == r.prefixlen && memcmp(again.addr, r.addr, 16) == 0,
		   "\"%s\" differs from \"%s\"", text, line);
}

static void listen_roundtrip(const char *line)
{
	char why[512], text[LT_CFG_LISTEN_MAX + 16], host[INET6_ADDRSTRLEN];
	uint8_t addr[16], addr2[16];
	uint16_t port, port2;
	int family, family2;

	if (config_parse_listen(line, &family, addr, &port, why, sizeof(why)) != 0)
		return;
	FUZZ_CHECK((family == 4 || family == 6) && port >= 1, "family %d port %u", family, port);
	inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, host, sizeof(host));
	snprintf(text, sizeof(text), family == 4 ? "%s:%u" : "[%s]:%u", host, port);
	FUZZ_CHECK(config_parse_listen(text, &family2, addr2, &port2, why, sizeof(why)) == 0,
		   "\"%s\" (from \"%s\") refused: %s", text, line, why);
	FUZZ_CHECK(family2 == family && port2 == port && memcmp(addr, addr2, 16) == 0,
		   "\"%s\" differs from \"%s\"", text, line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	const char *p;
	unsigned int n = 0;

	if (memmem(data, size, "@include", 8))
		return -1;
	text = fuzz_strdup(data, size);
	load_text(text, size);

	/* The first lines, each as a rule and as a listen address. */
	for (p = text; *p && n < LINES_MAX; n++) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char line[LINE_MAX_LEN + 1];

		if (l > LINE_MAX_LEN)
			l = LINE_MAX_LEN;
		memcpy(line, p, l);
		line[l] = '\0';
		rule_roundtrip(line);
		listen_roundtrip(line);
		if (!nl)
			break;
		p = nl + 1;
	}
	free(text);
	return 0;
}
