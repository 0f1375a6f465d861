/* config: linetime.conf parsing and validation, fed as text like a user writes it. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "config.h"
#include "suites.h"

static const char full_conf[] =
	"# a complete config\n"
	"local = { stratum = 12; };\n"
	"holdover = 120.5;\n"
	"precision = 1e-7;\n"
	"region = \"/dev/hugepages/lt.region\";\n"
	"pidfile_dir = \"/run/lt\";\n"
	"admin = { socket = \"/run/lt/admin.sock\"; group = \"timekeepers\"; };\n"
	"log = { level = \"debug\"; };\n"
	"dataplane = {\n"
	"  main_lcore = 2;\n"
	"  lcores = [ 3, 0, 5 ];\n"
	"  eal = [ \"--no-pci\", \"--no-huge\", \"-m\", \"256\" ];\n"
	"  idle_sleep_us = 50;\n"
	"  mbufs = 16383;\n"
	"  ports = (\n"
	"    { name = \"lan0\";\n"
	"      device = \"net_af_packet0,iface=lt-dp0\";\n"
	"      addresses = [ \"198.18.0.1/24\", \"2001:2::1/64\" ];\n"
	"      gateway = [ \"198.18.0.254\", \"2001:2::fe\" ];\n"
	"      queues = 2;\n"
	"      timestamping = \"software\";\n"
	"    },\n"
	"    { name = \"wan_1\";\n"
	"      device = \"0000:02:00.0\";\n"
	"      addresses = [ \"198.19.7.9/31\", \"2001:2:1::9/64\" ];\n"
	"      gateway = [ \"fe80::1\" ];\n"
	"      timestamping = \"hardware\";\n"
	"    }\n"
	"  );\n"
	"};\n";

static const char *addr(const struct lt_cfg_addr *a)
{
	static char buf[64];
	return config_addr_str(a, buf, sizeof(buf));
}

static int load(const char *text, struct lt_config *c, char *err)
{
	return config_load_string(text, "t.conf", c, err, LT_CFG_ERR_MAX);
}

START_TEST(test_full)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load(full_conf, &c, err) == 0, "%s", err);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(c.path, "t.conf");
	ck_assert_uint_eq(c.local_stratum, 12);
	ck_assert_double_eq(c.holdover, 120.5);
	ck_assert_double_eq(c.precision, 1e-7);
	ck_assert_str_eq(c.region_path, "/dev/hugepages/lt.region");
	ck_assert_str_eq(c.pidfile_dir, "/run/lt");
	ck_assert_str_eq(c.admin_socket, "/run/lt/admin.sock");
	ck_assert_str_eq(c.admin_group, "timekeepers");
	ck_assert_int_eq(c.log_level, LOG_DEBUG);
	ck_assert_uint_eq(c.main_lcore, 2);
	ck_assert_uint_eq(c.n_lcores, 3);
	ck_assert_uint_eq(c.lcores[0], 3);
	ck_assert_uint_eq(c.lcores[1], 0);
	ck_assert_uint_eq(c.lcores[2], 5);
	ck_assert_uint_eq(c.n_eal_args, 4);
	ck_assert_str_eq(c.eal_args[0], "--no-pci");
	ck_assert_str_eq(c.eal_args[3], "256");
	ck_assert_ptr_null(c.eal_args[4]);
	ck_assert_uint_eq(c.idle_sleep_us, 50);
	ck_assert_uint_eq(c.mbufs, 16383);

	ck_assert_uint_eq(c.n_ports, 2);
	const struct lt_cfg_port *p = &c.ports[0];
	ck_assert_str_eq(p->name, "lan0");
	ck_assert_str_eq(p->device, "net_af_packet0,iface=lt-dp0");
	ck_assert_uint_eq(p->n_addrs, 2);
	ck_assert_int_eq(p->addrs[0].family, 4);
	ck_assert_uint_eq(p->addrs[0].prefixlen, 24);
	ck_assert_mem_eq(p->addrs[0].addr, "\xc6\x12\x00\x01", 4);
	ck_assert_str_eq(addr(&p->addrs[0]), "198.18.0.1/24");
	ck_assert_int_eq(p->addrs[1].family, 6);
	ck_assert_str_eq(addr(&p->addrs[1]), "2001:2::1/64");
	ck_assert_int_eq(p->gw4.family, 4);
	ck_assert_str_eq(addr(&p->gw4), "198.18.0.254");
	ck_assert_int_eq(p->gw6.family, 6);
	ck_assert_str_eq(addr(&p->gw6), "2001:2::fe");
	ck_assert_uint_eq(p->rx_queues, 2);
	ck_assert_int_eq(p->timestamping, LT_TS_SOFTWARE);

	p = &c.ports[1];
	ck_assert_str_eq(p->name, "wan_1");
	ck_assert_str_eq(p->device, "0000:02:00.0");
	ck_assert_uint_eq(p->n_addrs, 2);
	ck_assert_str_eq(addr(&p->addrs[0]), "198.19.7.9/31");
	ck_assert_str_eq(addr(&p->addrs[1]), "2001:2:1::9/64");
	ck_assert_int_eq(p->gw4.family, 0);
	ck_assert_str_eq(addr(&p->gw6), "fe80::1");
	ck_assert_uint_eq(p->rx_queues, 1);
	ck_assert_int_eq(p->timestamping, LT_TS_HARDWARE);
	config_free(&c);
}
END_TEST

static void assert_defaults_except_ports(const struct lt_config *c)
{
	ck_assert_uint_eq(c->local_stratum, 10);
	ck_assert_double_eq(c->holdover, 60.0);
	ck_assert_double_eq(c->precision, 0.0);
	ck_assert_str_eq(c->region_path, "/dev/shm/linetime.region");
	ck_assert_str_eq(c->admin_socket, "/run/linetime/admin.sock");
	ck_assert_str_eq(c->admin_group, "");
	ck_assert_str_eq(c->pidfile_dir, "/run/linetime");
	ck_assert_int_eq(c->log_level, LOG_INFO);
	ck_assert_uint_eq(c->main_lcore, 0);
	ck_assert_uint_eq(c->n_lcores, 1);
	ck_assert_uint_eq(c->lcores[0], 1);
	ck_assert_uint_eq(c->n_eal_args, 0);
	ck_assert_ptr_null(c->eal_args[0]);
	ck_assert_uint_eq(c->idle_sleep_us, 0);
	ck_assert_uint_eq(c->mbufs, 8191);
}

START_TEST(test_empty_is_defaults)
{
	struct lt_config c, d;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("", &c, err), 0);
	assert_defaults_except_ports(&c);
	ck_assert_uint_eq(c.n_ports, 0);
	ck_assert_str_eq(c.path, "t.conf");

	config_defaults(&d);
	assert_defaults_except_ports(&d);
	ck_assert_uint_eq(d.n_ports, 0);
	config_free(&c);
	config_free(&d);
}
END_TEST

START_TEST(test_optional_omitted)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	const char *text = "dataplane = {\n"
			   "  ports = ( { name = \"p\"; device = \"net_null0\";\n"
			   "              addresses = [ \"198.18.5.5/16\" ]; } );\n"
			   "};\n";

	ck_assert_int_eq(load(text, &c, err), 0);
	assert_defaults_except_ports(&c);
	ck_assert_uint_eq(c.n_ports, 1);
	ck_assert_uint_eq(c.ports[0].rx_queues, 1);
	ck_assert_int_eq(c.ports[0].timestamping, LT_TS_AUTO);
	ck_assert_int_eq(c.ports[0].gw4.family, 0);
	ck_assert_int_eq(c.ports[0].gw6.family, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_empty_groups_and_lists)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("local = {};\nadmin = {};\nlog = {};\n"
			      "dataplane = { eal = []; ports = (); };\n",
			      &c, err),
			 0);
	assert_defaults_except_ports(&c);
	ck_assert_uint_eq(c.n_ports, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_worker_default_follows_main_lcore)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("dataplane = { main_lcore = 1; };\n", &c, err), 0);
	ck_assert_uint_eq(c.main_lcore, 1);
	ck_assert_uint_eq(c.n_lcores, 1);
	ck_assert_uint_eq(c.lcores[0], 0);
	config_free(&c);
}
END_TEST

START_TEST(test_numbers_and_forms)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	/* Integers where a number is wanted, lists for arrays, colons for "=". */
	ck_assert_int_eq(load("holdover = 86400;\nprecision = 1;\n"
			      "admin: { group: \"\"; };\n"
			      "dataplane = { lcores = ( 1, 2 ); mbufs = 1023; idle_sleep_us = 10000; };\n",
			      &c, err),
			 0);
	ck_assert_double_eq(c.holdover, 86400.0);
	ck_assert_double_eq(c.precision, 1.0);
	ck_assert_uint_eq(c.n_lcores, 2);
	ck_assert_uint_eq(c.mbufs, 1023);
	ck_assert_uint_eq(c.idle_sleep_us, 10000);
	config_free(&c);
}
END_TEST

START_TEST(test_address_forms)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	const char *text =
		"dataplane = { ports = ( { name = \"a\"; device = \"net_null0\";\n"
		"  addresses = [ \"198.18.0.0/31\", \"198.18.1.255/32\", \"2001:2:0:1::/127\",\n"
		"                \"2001:2:0:2::7/128\" ];\n"
		"  gateway = [ \"fe80::1\", \"198.18.0.1\" ]; } ); };\n";

	ck_assert_int_eq(load(text, &c, err), 0);
	ck_assert_str_eq(addr(&c.ports[0].addrs[0]), "198.18.0.0/31");
	ck_assert_str_eq(addr(&c.ports[0].addrs[1]), "198.18.1.255/32");
	ck_assert_str_eq(addr(&c.ports[0].addrs[2]), "2001:2:0:1::/127");
	ck_assert_str_eq(addr(&c.ports[0].addrs[3]), "2001:2:0:2::7/128");
	ck_assert_str_eq(addr(&c.ports[0].gw6), "fe80::1");
	ck_assert_str_eq(addr(&c.ports[0].gw4), "198.18.0.1");
	config_free(&c);
}
END_TEST

START_TEST(test_addr_str)
{
	struct lt_cfg_addr a = { .family = 0 };
	char small[8];

	ck_assert_str_eq(addr(&a), "none");
	a.family = 6;
	a.addr[0] = 0x20;
	a.addr[1] = 0x01;
	a.addr[15] = 1;
	a.prefixlen = 128;
	ck_assert_str_eq(addr(&a), "2001::1/128");
	ck_assert_str_eq(config_addr_str(&a, small, sizeof(small)), "2001::1");
}
END_TEST

START_TEST(test_free_is_idempotent)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	config_defaults(&c);
	config_free(&c);
	config_free(&c);
	ck_assert_int_eq(load("dataplane = { eal = [ \"-m\", \"64\" ]; };", &c, err), 0);
	ck_assert_uint_eq(c.n_eal_args, 2);
	config_free(&c);
	ck_assert_uint_eq(c.n_eal_args, 0);
	ck_assert_ptr_null(c.eal_args[0]);
	config_free(&c);
}
END_TEST

/* A failed reload leaves the running config exactly as it was. */
START_TEST(test_failed_reload_keeps_running)
{
	struct lt_config run, before;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("holdover = 30;\ndataplane = { eal = [ \"--no-pci\" ]; };\n", &run,
			      err),
			 0);
	memcpy(&before, &run, sizeof(run));
	ck_assert_int_eq(load("holdover = 30;\ndataplane = { eal = [ \"--no-huge\" ]; mbufs = 5; };\n",
			      &run, err),
			 -EINVAL);
	ck_assert_str_eq(err, "t.conf:2: dataplane.mbufs: 5: out of range (1023..1048575)");
	ck_assert_mem_eq(&run, &before, sizeof(run));
	ck_assert_str_eq(run.eal_args[0], "--no-pci");
	config_free(&run);
}
END_TEST

START_TEST(test_name_defaults_to_string)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(config_load_string("holdover = 0;", NULL, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "<string>:1: holdover: 0: out of range (1..86400 seconds)");
}
END_TEST

START_TEST(test_small_err_buffer)
{
	struct lt_config c;
	char err[12];

	ck_assert_int_eq(config_load_string("holdover = 0;", "t.conf", &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, "t.conf:1: h");
	ck_assert_int_eq(config_load_string("holdover = 0;", "t.conf", &c, NULL, 0), -EINVAL);
}
END_TEST

/* --- invalid configs: the message names file, line and setting ------------ */

struct bad_case {
	const char *text;
	const char *want; /* the message starts with this */
};

/* One port "lan0" whose body starts on line 4. */
#define PORT(body)                                                  \
	"dataplane = {\n"                                           \
	"  ports = (\n"                                             \
	"    { name = \"lan0\"; device = \"net_null0\";\n" body       \
	"    }\n"                                                   \
	"  );\n"                                                    \
	"};\n"
#define ADDRS(list) PORT("      addresses = [ " list " ];\n")

static const struct bad_case bad_cases[] = {
	/* syntax */
	{ "holdover = 60;\nlocal = { stratum = 10 ;\n", "t.conf:3: syntax error: " },
	{ "holdover = 60;\nholdover = 70;\n", "t.conf:2: syntax error: duplicate setting name" },
	{ "dataplane = { lcores = [ 1,\n \"2\" ]; };\n", "t.conf:2: syntax error: " },
	/* unknown settings, at every level */
	{ "server = \"pool.ntp.org\";\n", "t.conf:1: server: unknown setting" },
	{ "holdovr = 60;\n", "t.conf:1: holdovr: unknown setting (did you mean \"holdover\"?)" },
	{ "local = {\n  stratum = 10;\n  orphan = true;\n};\n", "t.conf:3: local.orphan: unknown setting" },
	{ "admin = { sockt = \"/run/a.sock\"; };\n",
	  "t.conf:1: admin.sockt: unknown setting (did you mean \"socket\"?)" },
	{ "log = { lvl = \"info\"; };\n", "t.conf:1: log.lvl: unknown setting" },
	{ "dataplane = {\n  prots = ();\n};\n",
	  "t.conf:2: dataplane.prots: unknown setting (did you mean \"ports\"?)" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      queue = 2;\n"),
	  "t.conf:5: dataplane.ports.[0].queue: unknown setting (did you mean \"queues\"?)" },
	/* wrong types */
	{ "local = 10;\n", "t.conf:1: local: expected a group { ... }, got an integer" },
	{ "local = { stratum = \"10\"; };\n",
	  "t.conf:1: local.stratum: expected an integer, got a string" },
	{ "local = { stratum = 10.0; };\n",
	  "t.conf:1: local.stratum: expected an integer, got a floating-point number" },
	{ "holdover = \"60\";\n", "t.conf:1: holdover: expected a number, got a string" },
	{ "region = 5;\n", "t.conf:1: region: expected a string, got an integer" },
	{ "dataplane = { lcores = 1; };\n",
	  "t.conf:1: dataplane.lcores: expected an array [ ... ], got an integer" },
	{ "dataplane = {\n  ports = { name = \"lan0\"; };\n};\n",
	  "t.conf:2: dataplane.ports: expected a list ( { ... }, ... ), got a group { ... }" },
	{ "dataplane = {\n  ports = ( \"lan0\" );\n};\n",
	  "t.conf:2: dataplane.ports.[0]: expected a group" },
	{ "dataplane = { eal = ( \"--no-pci\",\n 256 ); };\n",
	  "t.conf:2: dataplane.eal: expected a string, got an integer" },
	{ PORT("      addresses = \"198.18.0.1/24\";\n"),
	  "t.conf:4: dataplane.ports.[0].addresses: expected an array [ ... ], got a string" },
	/* ranges */
	{ "local = { stratum = 0; };\n", "t.conf:1: local.stratum: 0: out of range (1..15)" },
	{ "local = { stratum = 16; };\n", "t.conf:1: local.stratum: 16: out of range (1..15)" },
	{ "holdover = 0.5;\n", "t.conf:1: holdover: 0.5: out of range (1..86400 seconds)" },
	{ "holdover = 86401;\n", "t.conf:1: holdover: 86401: out of range" },
	{ "precision = 1e-10;\n", "t.conf:1: precision: 1e-10: out of range" },
	{ "precision = 2.0;\n", "t.conf:1: precision: 2: out of range" },
	{ "precision = -0.001;\n", "t.conf:1: precision: -0.001: out of range" },
	{ "log = { level = \"verbose\"; };\n",
	  "t.conf:1: log.level: \"verbose\": expected one of error, warning, notice, info, debug" },
	{ "dataplane = { idle_sleep_us = 10001; };\n",
	  "t.conf:1: dataplane.idle_sleep_us: 10001: out of range (0..10000)" },
	{ "dataplane = { idle_sleep_us = -1; };\n",
	  "t.conf:1: dataplane.idle_sleep_us: -1: out of range" },
	{ "dataplane = {\n  mbufs = 1022;\n};\n", "t.conf:2: dataplane.mbufs: 1022: out of range" },
	{ "dataplane = { mbufs = 1048576; };\n", "t.conf:1: dataplane.mbufs: 1048576: out of range" },
	/* paths and strings */
	{ "region = \"linetime.region\";\n",
	  "t.conf:1: region: \"linetime.region\": must be an absolute path" },
	{ "pidfile_dir = \"\";\n", "t.conf:1: pidfile_dir: must not be empty" },
	{ "admin = {\n  socket = \"/run/linetime/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\";\n};\n",
	  "t.conf:2: admin.socket: too long (127 characters, at most 107)" },
	{ "admin = { group = \"a-group-name-longer-than-31-chars\"; };\n",
	  "t.conf:1: admin.group: too long (33 characters, at most 31)" },
	/* lcores and EAL */
	{ "dataplane = {\n  main_lcore = 128;\n};\n",
	  "t.conf:2: dataplane.main_lcore: 128: out of range (0..127)" },
	{ "dataplane = {\n  lcores = [ 1,\n 128 ];\n};\n",
	  "t.conf:3: dataplane.lcores: 128: out of range (0..127)" },
	{ "dataplane = {\n  lcores = [ 1, 2,\n 1 ];\n};\n",
	  "t.conf:3: dataplane.lcores: 1: listed twice" },
	{ "dataplane = {\n  main_lcore = 2;\n  lcores = [ 1, 2 ];\n};\n",
	  "t.conf:3: dataplane.lcores: 2: is the main lcore" },
	{ "dataplane = {\n  lcores = [ 0 ];\n};\n",
	  "t.conf:2: dataplane.lcores: 0: is the main lcore (dataplane.main_lcore defaults to 0)" },
	{ "dataplane = {\n  lcores = [ ];\n};\n", "t.conf:2: dataplane.lcores: 0 worker lcores: need 1..16" },
	{ "dataplane = { lcores = [ 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 ]; };\n",
	  "t.conf:1: dataplane.lcores: 17 worker lcores: need 1..16" },
	{ "dataplane = { eal = [ \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
	  "\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", "
	  "\"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\", \"a\" ]; };\n",
	  "t.conf:1: dataplane.eal: 33 arguments: at most 32" },
	{ "dataplane = { eal = [ \"--no-pci\", \"\" ]; };\n",
	  "t.conf:1: dataplane.eal: must not be empty" },
	{ "dataplane = {\n  eal = [ \"--no-pci\",\n \"-l\", \"1-3\" ];\n};\n",
	  "t.conf:3: dataplane.eal: \"-l\": set dataplane.main_lcore and dataplane.lcores instead" },
	{ "dataplane = { eal = [ \"--main-lcore=0\" ]; };\n",
	  "t.conf:1: dataplane.eal: \"--main-lcore=0\": set dataplane.main_lcore" },
	/* ports */
	{ "dataplane = {\n  ports = (\n    { device = \"net_null0\"; }\n  );\n};\n",
	  "t.conf:3: dataplane.ports.[0].name: missing" },
	{ "dataplane = {\n  ports = (\n    { name = \"LAN 0\"; }\n  );\n};\n",
	  "t.conf:3: dataplane.ports.[0].name: \"LAN 0\": use 1..31 of a-z, 0-9, _ and -" },
	{ "dataplane = {\n  ports = (\n    { name = \"a_port_name_that_is_32_chars_lng\"; }\n  );\n};\n",
	  "t.conf:3: dataplane.ports.[0].name: too long (32 characters, at most 31)" },
	{ "dataplane = {\n  ports = (\n    { name = \"lan0\";\n      addresses = [ \"198.18.0.1/24\" ]; }\n  );\n};\n",
	  "t.conf:3: dataplane.ports.[0].device: missing" },
	{ PORT(""), "t.conf:3: dataplane.ports.[0].addresses: missing" },
	{ "dataplane = { ports = (\n"
	  "  { name = \"a\"; device = \"net_null0\"; addresses = [ \"198.18.0.1/24\" ]; },\n"
	  "  { name = \"a\"; device = \"net_null1\"; addresses = [ \"198.18.1.1/24\" ]; } ); };\n",
	  "t.conf:3: dataplane.ports.[1].name: \"a\": a port by that name already exists" },
	{ "dataplane = { ports = (\n"
	  "  { name = \"a\"; device = \"net_null0\"; addresses = [ \"198.18.0.1/24\" ]; },\n"
	  "  { name = \"b\"; device = \"net_null0\"; addresses = [ \"198.18.1.1/24\" ]; } ); };\n",
	  "t.conf:3: dataplane.ports.[1].device: \"net_null0\": already the device of port a" },
	{ "dataplane = { ports = (\n"
	  "  { name = \"a\"; device = \"net_null0\"; addresses = [ \"198.18.0.1/24\" ]; },\n"
	  "  { name = \"b\"; device = \"net_null1\"; addresses = [ \"198.18.0.1/16\" ]; } ); };\n",
	  "t.conf:3: dataplane.ports.[1].addresses: \"198.18.0.1/16\": already an address of port a" },
	{ "dataplane = { ports = ( {}, {}, {}, {}, {}, {}, {}, {}, {} ); };\n",
	  "t.conf:1: dataplane.ports: 9 ports: at most 8" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      queues = 17;\n"),
	  "t.conf:5: dataplane.ports.[0].queues: 17: out of range (1..16)" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      queues = 0;\n"),
	  "t.conf:5: dataplane.ports.[0].queues: 0: out of range (1..16)" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      timestamping = \"ptp\";\n"),
	  "t.conf:5: dataplane.ports.[0].timestamping: \"ptp\": expected one of auto, software, hardware" },
	/* addresses */
	{ ADDRS(""), "t.conf:4: dataplane.ports.[0].addresses: 0 addresses: need 1..4" },
	{ ADDRS("\"198.18.0.1/24\", \"198.18.0.2/24\", \"198.18.0.3/24\", \"198.18.0.4/24\", \"198.18.0.5/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: 5 addresses: need 1..4" },
	{ ADDRS("\"198.18.0.1/33\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.1/33\": prefix length out of range (1..32)" },
	{ ADDRS("\"198.18.0.1/0\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.1/0\": prefix length out of range (1..32)" },
	{ ADDRS("\"2001:2::1/129\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"2001:2::1/129\": prefix length out of range (1..128)" },
	{ ADDRS("\"198.18.0.1/2x\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.1/2x\": prefix length out of range" },
	{ ADDRS("\"198.18.0.1\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.1\": missing /prefix length" },
	{ ADDRS("\"198.18.0.300/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.300/24\": not an IPv4 or IPv6 address" },
	{ ADDRS("\"lan0.example/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"lan0.example/24\": not an IPv4 or IPv6 address" },
	{ ADDRS("\"127.0.0.1/8\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"127.0.0.1/8\": loopback address" },
	{ ADDRS("\"224.0.1.1/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"224.0.1.1/24\": multicast address" },
	{ ADDRS("\"0.0.0.0/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"0.0.0.0/24\": unspecified" },
	{ ADDRS("\"::/64\""), "t.conf:4: dataplane.ports.[0].addresses: \"::/64\": unspecified address" },
	{ ADDRS("\"::1/128\""), "t.conf:4: dataplane.ports.[0].addresses: \"::1/128\": loopback address" },
	{ ADDRS("\"ff02::1/64\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"ff02::1/64\": multicast address" },
	{ ADDRS("\"::ffff:198.18.0.1/120\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"::ffff:198.18.0.1/120\": IPv4-mapped address" },
	{ ADDRS("\"fe80::1/64\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"fe80::1/64\": link-local address" },
	{ ADDRS("\"198.18.0.0/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.0/24\": network address of its subnet" },
	{ ADDRS("\"198.18.0.255/24\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.255/24\": broadcast address of its subnet" },
	{ ADDRS("\"2001:2::/64\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"2001:2::/64\": subnet-router anycast address" },
	{ ADDRS("\"198.18.0.1/24\", \"198.18.0.1/25\""),
	  "t.conf:4: dataplane.ports.[0].addresses: \"198.18.0.1/25\": listed twice" },
	/* gateways */
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"198.18.1.1\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"198.18.1.1\": not on-link for any of the port's IPv4 addresses" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"2001:2::fe\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"2001:2::fe\": not on-link for any of the port's IPv6 addresses" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"198.18.0.254\",\n \"198.18.0.253\" ];\n"),
	  "t.conf:6: dataplane.ports.[0].gateway: \"198.18.0.253\": second IPv4 gateway (at most one per family)" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"198.18.0.254/24\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"198.18.0.254/24\": a gateway is a plain address" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"198.18.0.1\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"198.18.0.1\": is the port's own address" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"255.255.255.255\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"255.255.255.255\": reserved or broadcast" },
	{ PORT("      addresses = [ \"2001:2::1/64\" ];\n      gateway = [ \"fe80:1::1\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"fe80:1::1\": not on-link" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      gateway = [ \"fe80::1\" ];\n"),
	  "t.conf:5: dataplane.ports.[0].gateway: \"fe80::1\": not on-link for any of the port's IPv6 addresses" },
};

START_TEST(test_bad)
{
	const struct bad_case *bc = &bad_cases[_i];
	struct lt_config c, before;
	char err[LT_CFG_ERR_MAX] = "";

	memset(&c, 0x5a, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	int rc = load(bc->text, &c, err);
	ck_assert_msg(rc == -EINVAL, "case %d: rc %d, err \"%s\"", _i, rc, err);
	ck_assert_msg(!strncmp(err, bc->want, strlen(bc->want)),
		      "case %d:\n  got:  %s\n  want: %s...", _i, err, bc->want);
	ck_assert_msg(!memcmp(&c, &before, sizeof(c)), "case %d: config written on failure", _i);
}
END_TEST

/* --- files ----------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_file_good_and_bad)
{
	char path[] = "/tmp/linetime-test-XXXXXX";
	char want[LT_CFG_ERR_MAX];
	char err[LT_CFG_ERR_MAX] = "";
	struct lt_config c;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);

	write_file(path, "# test\nlocal = { stratum = 3; };\n");
	ck_assert_int_eq(config_load_file(path, &c, err, sizeof(err)), 0);
	ck_assert_str_eq(c.path, path);
	ck_assert_uint_eq(c.local_stratum, 3);
	config_free(&c);

	write_file(path, "# test\n\nlocal = { stratum = 30; };\n");
	ck_assert_int_eq(config_load_file(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: local.stratum: 30: out of range (1..15)", path);
	ck_assert_str_eq(err, want);

	write_file(path, "# test\nlocal = { stratum = 3 }\n}\n");
	ck_assert_int_eq(config_load_file(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: syntax error: syntax error", path);
	ck_assert_str_eq(err, want);

	ck_assert_int_eq(unlink(path), 0);
}
END_TEST

START_TEST(test_file_missing)
{
	struct lt_config c, before;
	char err[LT_CFG_ERR_MAX] = "";

	memset(&c, 0x5a, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	ck_assert_int_eq(config_load_file("/nonexistent/linetime.conf", &c, err, sizeof(err)),
			 -ENOENT);
	ck_assert_str_eq(err, "/nonexistent/linetime.conf: cannot open: No such file or directory");
	ck_assert_int_eq(config_load_file("/tmp", &c, err, sizeof(err)), -EISDIR);
	ck_assert_str_eq(err, "/tmp: cannot open: Is a directory");
	ck_assert_mem_eq(&c, &before, sizeof(c));
}
END_TEST

START_TEST(test_lab_profile)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	static const char *const eal[] = { "--no-pci", "--no-huge", "-m", "256",
					   "--file-prefix", "linetime-lab" };

	ck_assert_msg(config_load_file("board/lab/linetime.conf", &c, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.local_stratum, 10);
	ck_assert_double_eq(c.holdover, 60.0);
	ck_assert_str_eq(c.region_path, "/dev/shm/linetime-lab.region");
	ck_assert_str_eq(c.admin_socket, "/run/linetime-lab/admin.sock");
	ck_assert_str_eq(c.admin_group, "");
	ck_assert_uint_eq(c.main_lcore, 0);
	ck_assert_uint_eq(c.n_lcores, 1);
	ck_assert_uint_eq(c.lcores[0], 1);
	ck_assert_uint_eq(c.n_eal_args, 6);
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_str_eq(c.eal_args[i], eal[i]);
	ck_assert_uint_eq(c.idle_sleep_us, 20);
	ck_assert_uint_eq(c.n_ports, 1);
	ck_assert_str_eq(c.ports[0].name, "lan0");
	ck_assert_str_eq(c.ports[0].device, "net_af_packet0,iface=lt-dp0");
	ck_assert_uint_eq(c.ports[0].n_addrs, 2);
	ck_assert_str_eq(addr(&c.ports[0].addrs[0]), "198.18.0.1/24");
	ck_assert_str_eq(addr(&c.ports[0].addrs[1]), "2001:2::1/64");
	ck_assert_int_eq(c.ports[0].gw4.family, 0);
	ck_assert_int_eq(c.ports[0].gw6.family, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_production_example)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(config_load_file("etc/linetime.conf.example", &c, err, sizeof(err)) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.n_lcores, 3);
	ck_assert_uint_eq(c.n_ports, 2);
	ck_assert_str_eq(c.ports[0].device, "0000:01:00.0");
	ck_assert_int_eq(c.ports[0].gw6.family, 6);
	config_free(&c);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("valid");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_empty_is_defaults);
	tcase_add_test(tc, test_optional_omitted);
	tcase_add_test(tc, test_empty_groups_and_lists);
	tcase_add_test(tc, test_worker_default_follows_main_lcore);
	tcase_add_test(tc, test_numbers_and_forms);
	tcase_add_test(tc, test_address_forms);
	tcase_add_test(tc, test_addr_str);
	tcase_add_test(tc, test_free_is_idempotent);
	tcase_add_test(tc, test_failed_reload_keeps_running);
	tcase_add_test(tc, test_name_defaults_to_string);
	tcase_add_test(tc, test_small_err_buffer);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_file_good_and_bad);
	tcase_add_test(tc, test_file_missing);
	tcase_add_test(tc, test_lab_profile);
	tcase_add_test(tc, test_production_example);
	suite_add_tcase(s, tc);
	return s;
}
