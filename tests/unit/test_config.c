/* config: linetime.conf parsing and validation, fed as text like a user writes it. */
#include <arpa/inet.h>
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
	"ntpsigndsocket = \"/var/lib/samba/ntp_signd\";\n"
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
	"      tx_departure = \"after_burst\";\n"
	"      tx_correction_ns = -1500;\n"
	"    },\n"
	"    { name = \"wan_1\";\n"
	"      device = \"0000:02:00.0\";\n"
	"      addresses = [ \"198.19.7.9/31\", \"2001:2:1::9/64\" ];\n"
	"      gateway = [ \"fe80::1\" ];\n"
	"      timestamping = \"hardware\";\n"
	"      tx_departure = \"before_burst\";\n"
	"      tx_correction_ns = 2400;\n"
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
	ck_assert_str_eq(c.ntpsigndsocket, "/var/lib/samba/ntp_signd");
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
	ck_assert_int_eq(p->tx_departure, LT_TX_AFTER);
	ck_assert_int_eq(p->tx_correction_ns, -1500);

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
	ck_assert_int_eq(p->tx_departure, LT_TX_BEFORE);
	ck_assert_int_eq(p->tx_correction_ns, 2400);
	config_free(&c);
}
END_TEST

static void assert_sync_defaults(const struct lt_config *c)
{
	const struct lt_cfg_sync *y = &c->sync;

	ck_assert_uint_eq(y->n_servers, 0);
	ck_assert_uint_eq(y->n_pools, 0);
	ck_assert_uint_eq(y->minsources, 1);
	ck_assert_double_eq(y->maxdistance, 3.0);
	ck_assert_double_eq(y->makestep_threshold, 0.0); /* no makestep: never step */
	ck_assert_int_eq(y->makestep_limit, 0);
	ck_assert_double_eq_tol(y->maxslewrate, 83333.333, 0.001);
	ck_assert_double_eq(y->maxupdateskew, 1000.0);
	ck_assert_double_eq(y->maxdrift, 500.0);
	ck_assert_double_eq(y->corrtimeratio, 3.0);
	ck_assert_str_eq(y->driftfile, "");
	ck_assert_int_eq(y->leapsecmode, LT_LEAPSECMODE_STEP);
	ck_assert_double_eq(y->smear_window, 86400.0);
	ck_assert_int_eq(y->smear_quadratic, 1);
	ck_assert_str_eq(y->leapsectz, "");
	ck_assert_int_eq(y->steer_system_clock, 0);
	ck_assert_str_eq(y->logdir, "");
	ck_assert_int_eq(y->log_measurements, 0);
	ck_assert_int_eq(y->log_statistics, 0);
	ck_assert_int_eq(y->log_tracking, 0);
	ck_assert_double_eq(y->logchange, 1.0);
	ck_assert_double_eq(c->local_distance, 1.0);
	ck_assert_int_eq(c->local_orphan, 0);
}

/* linetime.conf's health thresholds when the group is not given. */
static void assert_health_defaults(const struct lt_cfg_health *h)
{
	ck_assert_double_eq(h->offset_warning, 0.01);
	ck_assert_double_eq(h->offset_critical, 0.1);
	ck_assert_uint_eq(h->sources_warning, 1);
	ck_assert_uint_eq(h->sources_critical, 0);
	ck_assert_uint_eq(h->stratum_warning, 0);
	ck_assert_uint_eq(h->stratum_critical, 0);
	ck_assert_uint_eq(h->ring_drops_warning, 1);
	ck_assert_uint_eq(h->ring_drops_critical, 0);
	ck_assert_double_eq(h->heartbeat_warning, 0.5);
	ck_assert_double_eq(h->heartbeat_critical, 1.0);
}

static void assert_defaults_except_ports(const struct lt_config *c)
{
	assert_sync_defaults(c);
	ck_assert_uint_eq(c->local_stratum, 10);
	ck_assert_double_eq(c->holdover, 60.0);
	ck_assert_double_eq(c->precision, 0.0);
	ck_assert_uint_eq(c->n_access, 0);
	ck_assert_int_eq(c->kod_deny, 0);
	ck_assert_int_eq(c->ratelimit.enabled, 0);
	ck_assert_int_eq(c->ratelimit.interval, 3);
	ck_assert_uint_eq(c->ratelimit.burst, 8);
	ck_assert_uint_eq(c->ratelimit.leak, 2);
	ck_assert_uint_eq(c->ratelimit.kod, 0);
	ck_assert_uint_eq(c->ratelimit.ipv4_prefix, 32);
	ck_assert_uint_eq(c->ratelimit.ipv6_prefix, 64);
	ck_assert_uint_eq(c->clientloglimit, 524288);
	ck_assert_str_eq(c->region_path, "/dev/shm/linetime.region");
	ck_assert_str_eq(c->admin_socket, "/run/linetime/admin.sock");
	ck_assert_str_eq(c->admin_group, "");
	ck_assert_str_eq(c->admin_write_group, "");
	assert_health_defaults(&c->health);
	ck_assert_str_eq(c->metrics_listen, "");
	ck_assert_str_eq(c->pidfile_dir, "/run/linetime");
	ck_assert_str_eq(c->ntpsigndsocket, ""); /* signed time off */
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
	ck_assert_int_eq(c.ports[0].tx_departure, LT_TX_AUTO);
	ck_assert_int_eq(c.ports[0].tx_correction_ns, 0);
	ck_assert_int_eq(c.ports[0].gw4.family, 0);
	ck_assert_int_eq(c.ports[0].gw6.family, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_empty_groups_and_lists)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("local = {};\nadmin = {};\nlog = {};\nhealth = {};\nmetrics = {};\n"
			      "servers = ();\npools = ();\n"
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

/* --- admin.write_group, health, metrics ---------------------------------- */

START_TEST(test_admin_write_group)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("admin = {\n"
			   "  group = \"timekeepers\";\n"
			   "  write_group = \"timeadmins\";\n"
			   "};\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_str_eq(c.admin_group, "timekeepers");
	ck_assert_str_eq(c.admin_write_group, "timeadmins");
	config_free(&c);
	/* An empty write_group is "root only", with or without a group. */
	ck_assert_msg(load("admin = { write_group = \"\"; };\n", &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.admin_write_group, "");
	ck_assert_str_eq(c.admin_group, "");
	config_free(&c);
	/* The same group for both is allowed. */
	ck_assert_msg(load("admin = { group = \"tk\"; write_group = \"tk\"; };\n", &c, err) == 0,
		      "%s", err);
	ck_assert_str_eq(c.admin_write_group, "tk");
	config_free(&c);
}
END_TEST

/* user and seccomp: off and on by default, as a user writes them. */
START_TEST(test_privilege)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("", &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.user, "");
	ck_assert_int_eq(c.seccomp, 1);
	config_free(&c);
	ck_assert_msg(load("user = \"linetime\";\nseccomp = false;\n", &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.user, "linetime");
	ck_assert_int_eq(c.seccomp, 0);
	config_free(&c);
	/* "" is the default: stay as started. */
	ck_assert_msg(load("user = \"\";\nseccomp = true;\n", &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.user, "");
	ck_assert_int_eq(c.seccomp, 1);
	config_free(&c);
	static const char *const names[] = { "_chrony", "lt-lab", "systemd-timesync", "ntp.d", "Time1",
					     "abcdefghijabcdefghijabcdefghija" };
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char text[96];
		snprintf(text, sizeof(text), "user = \"%s\";\n", names[i]);
		ck_assert_msg(load(text, &c, err) == 0, "%s: %s", names[i], err);
		ck_assert_str_eq(c.user, names[i]);
		config_free(&c);
	}
}
END_TEST

START_TEST(test_health_defaults)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_int_eq(load("", &c, err), 0);
	assert_health_defaults(&c.health);
	config_free(&c);
	ck_assert_int_eq(load("health = {};\n", &c, err), 0);
	assert_health_defaults(&c.health);
	config_free(&c);
	/* One member given: the others keep their defaults. */
	ck_assert_msg(load("health = { offset_warning = 0.002; };\n", &c, err) == 0, "%s", err);
	ck_assert_double_eq(c.health.offset_warning, 0.002);
	ck_assert_double_eq(c.health.offset_critical, 0.1);
	ck_assert_uint_eq(c.health.sources_warning, 1);
	ck_assert_uint_eq(c.health.ring_drops_warning, 1);
	ck_assert_double_eq(c.health.heartbeat_critical, 1.0);
	config_free(&c);
}
END_TEST

START_TEST(test_health_members)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("health = {\n"
			   "  offset_warning = 0.005;\n"
			   "  offset_critical = 1;\n"          /* an integer for a number */
			   "  sources_warning = 3;\n"
			   "  sources_critical = 2;\n"
			   "  stratum_warning = 4;\n"
			   "  stratum_critical = 6;\n"
			   "  ring_drops_warning = 10;\n"
			   "  ring_drops_critical = 1000;\n"
			   "  heartbeat_warning = 0.25;\n"
			   "  heartbeat_critical = 2;\n"
			   "};\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.health.offset_warning, 0.005);
	ck_assert_double_eq(c.health.offset_critical, 1.0);
	ck_assert_uint_eq(c.health.sources_warning, 3);
	ck_assert_uint_eq(c.health.sources_critical, 2);
	ck_assert_uint_eq(c.health.stratum_warning, 4);
	ck_assert_uint_eq(c.health.stratum_critical, 6);
	ck_assert_uint_eq(c.health.ring_drops_warning, 10);
	ck_assert_uint_eq(c.health.ring_drops_critical, 1000);
	ck_assert_double_eq(c.health.heartbeat_warning, 0.25);
	ck_assert_double_eq(c.health.heartbeat_critical, 2.0);
	config_free(&c);

	/* 0 (a level off) and the top of each range. */
	ck_assert_msg(load("health = {\n"
			   "  offset_warning = 0; offset_critical = 86400;\n"
			   "  sources_warning = 0; sources_critical = 16;\n"
			   "  stratum_warning = 0; stratum_critical = 16;\n"
			   "  ring_drops_warning = 0; ring_drops_critical = 1000000000;\n"
			   "  heartbeat_warning = 0; heartbeat_critical = 3600;\n"
			   "};\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.health.offset_warning, 0);
	ck_assert_double_eq(c.health.offset_critical, 86400);
	ck_assert_uint_eq(c.health.sources_warning, 0);
	ck_assert_uint_eq(c.health.sources_critical, 16);
	ck_assert_uint_eq(c.health.stratum_warning, 0);
	ck_assert_uint_eq(c.health.stratum_critical, 16);
	ck_assert_uint_eq(c.health.ring_drops_warning, 0);
	ck_assert_uint_eq(c.health.ring_drops_critical, 1000000000);
	ck_assert_double_eq(c.health.heartbeat_warning, 0);
	ck_assert_double_eq(c.health.heartbeat_critical, 3600);
	config_free(&c);
}
END_TEST

START_TEST(test_metrics_listen)
{
	static const char *const good[] = {
		"127.0.0.1:9123", "[::1]:9123", "", "0.0.0.0:1", "198.18.0.1:65535",
		"[2001:2::1]:9100", "[::]:9123",
	};
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "", text[128];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "metrics = { listen = \"%s\"; };\n", good[i]);
		ck_assert_msg(load(text, &c, err) == 0, "\"%s\": %s", good[i], err);
		ck_assert_str_eq(c.metrics_listen, good[i]);
		config_free(&c);
	}
	ck_assert_int_eq(load("metrics = {};\n", &c, err), 0);
	ck_assert_str_eq(c.metrics_listen, "");
	config_free(&c);
}
END_TEST

/* Parse one listen address that must be good. */
static void listen_ok(const char *text, int want_family, const char *want_addr, uint16_t want_port)
{
	uint8_t a[16], want[16] = {0};
	uint16_t port = 0;
	int family = 0;
	char why[160] = "";

	ck_assert_int_eq(inet_pton(want_family == 4 ? AF_INET : AF_INET6, want_addr, want), 1);
	memset(a, 0xa5, sizeof(a));
	ck_assert_msg(config_parse_listen(text, &family, a, &port, why, sizeof(why)) == 0, "%s: %s",
		      text, why);
	ck_assert_int_eq(family, want_family);
	ck_assert_mem_eq(a, want, 16); /* the rest of an IPv4 address is zeroed */
	ck_assert_uint_eq(port, want_port);
}

/* ... and one that must be refused with this reason. */
static void listen_bad(const char *text, const char *want_why)
{
	uint8_t a[16];
	uint16_t port = 7;
	int family = 99;
	char why[160] = "";

	ck_assert_int_eq(config_parse_listen(text, &family, a, &port, why, sizeof(why)), -EINVAL);
	ck_assert_msg(!strncmp(why, want_why, strlen(want_why)), "%s:\n  got:  %s\n  want: %s...",
		      text, why, want_why);
	ck_assert_int_eq(family, 99);
	ck_assert_uint_eq(port, 7);
}

START_TEST(test_parse_listen)
{
	listen_ok("127.0.0.1:9123", 4, "127.0.0.1", 9123);
	listen_ok("198.18.0.1:1", 4, "198.18.0.1", 1);
	listen_ok("0.0.0.0:65535", 4, "0.0.0.0", 65535);
	listen_ok("[::1]:9123", 6, "::1", 9123);
	listen_ok("[2001:2::1]:443", 6, "2001:2::1", 443);
	listen_ok("[::ffff:198.18.0.1]:80", 6, "::ffff:198.18.0.1", 80);
	listen_ok("[fe80::1]:9123", 6, "fe80::1", 9123);

	listen_bad("localhost:9123", "\"localhost\" is not an IPv4 address (names are not resolved here)");
	listen_bad("[localhost]:9123", "\"localhost\" is not an IPv6 address");
	listen_bad("[1.2.3.4]:9123", "\"1.2.3.4\" is not an IPv6 address");
	listen_bad("127.0.0.1", "expected ADDRESS:PORT");
	listen_bad("::1:9123", "expected ADDRESS:PORT");
	listen_bad("2001:2::1", "expected ADDRESS:PORT");
	listen_bad("", "expected ADDRESS:PORT");
	listen_bad("[::1]9123", "an IPv6 address goes in brackets");
	listen_bad("[::1", "an IPv6 address goes in brackets");
	listen_bad("[::1]", "an IPv6 address goes in brackets");
	listen_bad(":9123", "no address before the port");
	listen_bad("[]:9123", "no address before the port");
	listen_bad("127.0.0.1:0", "port \"0\" is not a number in 1..65535");
	listen_bad("127.0.0.1:65536", "port \"65536\" is not a number in 1..65535");
	listen_bad("127.0.0.1:70000", "port \"70000\" is not a number in 1..65535");
	listen_bad("127.0.0.1:-1", "port \"-1\" is not a number in 1..65535");
	listen_bad("1.2.3.4:x", "port \"x\" is not a number in 1..65535");
	listen_bad("1.2.3.4:80x", "port \"80x\" is not a number in 1..65535");
	listen_bad("1.2.3.4:", "port \"\" is not a number in 1..65535");
	listen_bad("[::1]:", "port \"\" is not a number in 1..65535");
	listen_bad("1.2.3.4:99999999999999999999", "port \"99999999999999999999\" is not a number");
}
END_TEST

/* --- access, kod_deny, ratelimit, clientloglimit ------------------------- */

/*
 * Check one parsed rule against what the user meant: addr is the network
 * with host bits cleared, NULL for "every address" (family 0).
 */
static void check_rule(const struct lt_config *c, unsigned int i, int allow, int all,
		       const char *addr, unsigned int prefixlen, unsigned int line)
{
	const struct lt_cfg_access *r = &c->access[i];
	uint8_t want[16] = { 0 };
	unsigned int family = 0;

	if (addr && inet_pton(AF_INET, addr, want) == 1)
		family = 4;
	else if (addr && inet_pton(AF_INET6, addr, want) == 1)
		family = 6;
	ck_assert_msg(!addr || family, "rule %u: bad expected address %s", i, addr);
	ck_assert_msg(i < c->n_access, "rule %u: only %u rules", i, c->n_access);
	ck_assert_msg(r->allow == allow, "rule %u: allow %u, want %d", i, r->allow, allow);
	ck_assert_msg(r->all == all, "rule %u: all %u, want %d", i, r->all, all);
	ck_assert_msg(r->family == family, "rule %u: family %u, want %u", i, r->family, family);
	ck_assert_msg(r->prefixlen == prefixlen, "rule %u: prefixlen %u, want %u", i, r->prefixlen,
		      prefixlen);
	ck_assert_msg(!memcmp(r->addr, want, sizeof(want)), "rule %u: address differs from %s", i,
		      addr ? addr : "(none)");
	ck_assert_msg(r->line == line, "rule %u: line %u, want %u", i, r->line, line);
}

START_TEST(test_access_forms)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	const char *text = "access = [\n"
			   "  \"allow\",\n"
			   "  \"deny\",\n"
			   "  \"allow all\", \"deny all\",\n"
			   "  \"allow 198.18.0.0/15\",\n"
			   "  \"deny 2001:2::/48\",\n"
			   "  \"allow all 198.18.0.0/16\",\n"
			   "  \"allow 198.18.0.7\",\n"
			   "  \"deny 2001:2::7\",\n"
			   "  \"deny all 2001:2:0:1::/64\",\n"
			   "  \"allow 0.0.0.0/0\",\n"
			   "  \"deny ::/0\"\n"
			   "];\n";

	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_access, 12);
	check_rule(&c, 0, 1, 0, NULL, 0, 2);
	check_rule(&c, 1, 0, 0, NULL, 0, 3);
	check_rule(&c, 2, 1, 1, NULL, 0, 4);
	check_rule(&c, 3, 0, 1, NULL, 0, 4);
	check_rule(&c, 4, 1, 0, "198.18.0.0", 15, 5);
	check_rule(&c, 5, 0, 0, "2001:2::", 48, 6);
	check_rule(&c, 6, 1, 1, "198.18.0.0", 16, 7);
	check_rule(&c, 7, 1, 0, "198.18.0.7", 32, 8);
	check_rule(&c, 8, 0, 0, "2001:2::7", 128, 9);
	check_rule(&c, 9, 0, 1, "2001:2:0:1::", 64, 10);
	check_rule(&c, 10, 1, 0, "0.0.0.0", 0, 11);
	check_rule(&c, 11, 0, 0, "::", 0, 12);
	config_free(&c);
}
END_TEST

/* chrony's "allow 198.18": the prefix length is 8 per octet written. */
START_TEST(test_access_shorthand)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("access = [ \"allow 198.18\", \"deny 198\", \"allow 198.18.0\",\n"
			   "  \"deny all 198.19\", \"allow 198.18/15\", \"deny 0/0\", \"allow 10.0.0\" ];\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.n_access, 7);
	check_rule(&c, 0, 1, 0, "198.18.0.0", 16, 1);
	check_rule(&c, 1, 0, 0, "198.0.0.0", 8, 1);
	check_rule(&c, 2, 1, 0, "198.18.0.0", 24, 1);
	check_rule(&c, 3, 0, 1, "198.19.0.0", 16, 2);
	check_rule(&c, 4, 1, 0, "198.18.0.0", 15, 2);
	check_rule(&c, 5, 0, 0, "0.0.0.0", 0, 2);
	check_rule(&c, 6, 1, 0, "10.0.0.0", 24, 2);
	config_free(&c);
}
END_TEST

/* Host bits under the prefix are accepted and cleared, as chrony does. */
START_TEST(test_access_host_bits_cleared)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("access = ( \"allow 198.18.7.9/16\", \"deny 198.18.0.255/25\",\n"
			   "  \"allow 198.18.3.7/0\", \"deny 2001:2:0:ffff::1/48\",\n"
			   "  \"allow all 2001:2::ff/121\", \"deny 198.18.1.1/31\", \"allow 198.18.255/9\" );\n",
			   &c, err) == 0,
		      "%s", err);
	check_rule(&c, 0, 1, 0, "198.18.0.0", 16, 1);
	check_rule(&c, 1, 0, 0, "198.18.0.128", 25, 1);
	check_rule(&c, 2, 1, 0, "0.0.0.0", 0, 2);
	check_rule(&c, 3, 0, 0, "2001:2::", 48, 2);
	check_rule(&c, 4, 1, 1, "2001:2::80", 121, 3);
	check_rule(&c, 5, 0, 0, "198.18.1.0", 31, 3);
	check_rule(&c, 6, 1, 0, "198.0.0.0", 9, 3);
	config_free(&c);
}
END_TEST

/* The file's order is kept: it decides what "all" rules override. */
START_TEST(test_access_order_and_spacing)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("access = (\n"
			   "  \"allow 1.2.3.4\",\n"
			   "  \"  deny\t1.2.3.0/24 \",\n"
			   "  \"allow all 1.2.0.0/16\",\n"
			   "  \"deny\"\n"
			   ");\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.n_access, 4);
	check_rule(&c, 0, 1, 0, "1.2.3.4", 32, 2);
	check_rule(&c, 1, 0, 0, "1.2.3.0", 24, 3);
	check_rule(&c, 2, 1, 1, "1.2.0.0", 16, 4);
	check_rule(&c, 3, 0, 0, NULL, 0, 5);
	config_free(&c);

	/* An empty list is no rules: every client is served. */
	ck_assert_int_eq(load("access = [ ];\n", &c, err), 0);
	ck_assert_uint_eq(c.n_access, 0);
	config_free(&c);
}
END_TEST

/*
 * libconfig dates an element by the token after it; a rule's line is where
 * the rule is, however the list is laid out.
 */
START_TEST(test_access_lines)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	const char *text = "admin = { group = \"access = [ \\\"x\\\" ]\"; };\n"
			   "/* access = [ \"deny\" ]; */\n"
			   "access =\n"
			   "[\n"
			   "  \"allow 198.18.0.0/15\"   # lab\n"
			   "  , \"deny 198.18.99.0/24\"\n"
			   "  // the broken box\n"
			   "  ,\n"
			   "  \"deny 198.18.99.7\"\n"
			   "\n"
			   "];\n"
			   "ratelimit = { };\n";

	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_access, 3);
	check_rule(&c, 0, 1, 0, "198.18.0.0", 15, 5);
	check_rule(&c, 1, 0, 0, "198.18.99.0", 24, 6);
	check_rule(&c, 2, 0, 0, "198.18.99.7", 32, 9);
	config_free(&c);
}
END_TEST

START_TEST(test_access_max_rules)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	size_t cap = 32 + LT_CFG_MAX_ACCESS * 32;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	strcpy(text, "access = [\n");
	for (unsigned int i = 0; i < LT_CFG_MAX_ACCESS; i++) {
		size_t len = strlen(text);
		snprintf(text + len, cap - len, "  \"%s 198.18.%u.0/24\"%s\n", i % 2 ? "deny" : "allow",
			 i, i + 1 < LT_CFG_MAX_ACCESS ? "," : "");
	}
	strcat(text, "];\n");
	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n_access, LT_CFG_MAX_ACCESS);
	check_rule(&c, 0, 1, 0, "198.18.0.0", 24, 2);
	check_rule(&c, 255, 0, 0, "198.18.255.0", 24, 257);
	config_free(&c);
	free(text);
}
END_TEST

START_TEST(test_ratelimit_defaults)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	/* Present but empty: on, with chrony's defaults. */
	ck_assert_msg(load("ratelimit = { };\n", &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.ratelimit.enabled, 1);
	ck_assert_int_eq(c.ratelimit.interval, 3);
	ck_assert_uint_eq(c.ratelimit.burst, 8);
	ck_assert_uint_eq(c.ratelimit.leak, 2);
	ck_assert_uint_eq(c.ratelimit.kod, 0);
	ck_assert_uint_eq(c.ratelimit.ipv4_prefix, 32);
	ck_assert_uint_eq(c.ratelimit.ipv6_prefix, 64);
	config_free(&c);

	/* Absent: off, the defaults still filled in. */
	ck_assert_msg(load("access = [ \"allow\" ];\n", &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.ratelimit.enabled, 0);
	ck_assert_int_eq(c.ratelimit.interval, 3);
	ck_assert_uint_eq(c.ratelimit.burst, 8);
	ck_assert_uint_eq(c.ratelimit.leak, 2);
	ck_assert_uint_eq(c.ratelimit.kod, 0);
	ck_assert_uint_eq(c.ratelimit.ipv4_prefix, 32);
	ck_assert_uint_eq(c.ratelimit.ipv6_prefix, 64);
	config_free(&c);
}
END_TEST

START_TEST(test_ratelimit_members)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("ratelimit = {\n  interval = -19;\n  burst = 255;\n  leak = 4;\n"
			   "  kod = 8;\n  ipv4_prefix = 8;\n  ipv6_prefix = 128;\n};\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_int_eq(c.ratelimit.enabled, 1);
	ck_assert_int_eq(c.ratelimit.interval, -19);
	ck_assert_uint_eq(c.ratelimit.burst, 255);
	ck_assert_uint_eq(c.ratelimit.leak, 4);
	ck_assert_uint_eq(c.ratelimit.kod, 8);
	ck_assert_uint_eq(c.ratelimit.ipv4_prefix, 8);
	ck_assert_uint_eq(c.ratelimit.ipv6_prefix, 128);
	config_free(&c);

	ck_assert_msg(load("ratelimit: { interval: 12; burst: 1; leak: 1; kod: 1;\n"
			   "             ipv4_prefix: 32; ipv6_prefix: 16; };\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_int_eq(c.ratelimit.interval, 12);
	ck_assert_uint_eq(c.ratelimit.burst, 1);
	ck_assert_uint_eq(c.ratelimit.leak, 1);
	ck_assert_uint_eq(c.ratelimit.kod, 1);
	ck_assert_uint_eq(c.ratelimit.ipv4_prefix, 32);
	ck_assert_uint_eq(c.ratelimit.ipv6_prefix, 16);
	config_free(&c);
}
END_TEST

START_TEST(test_kod_deny_and_clientloglimit)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("kod_deny = true;\nclientloglimit = 4096;\n", &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.kod_deny, 1);
	ck_assert_uint_eq(c.clientloglimit, 4096);
	config_free(&c);

	ck_assert_msg(load("kod_deny = false;\nclientloglimit = 1073741824;\n", &c, err) == 0, "%s",
		      err);
	ck_assert_int_eq(c.kod_deny, 0);
	ck_assert_uint_eq(c.clientloglimit, 1073741824UL);
	config_free(&c);

	/* A 64-bit literal (L) and hex are integers too. */
	ck_assert_msg(load("clientloglimit = 1048576L;\n", &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.clientloglimit, 1048576);
	config_free(&c);
	ck_assert_msg(load("clientloglimit = 0x80000;\n", &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.clientloglimit, 524288);
	config_free(&c);
}
END_TEST

/*
 * libconfig 1.5 cuts an integer without L to 32 bits; wide literals are found
 * in the text. Digits in comments, strings and names are not numbers, so
 * these are left alone.
 */
START_TEST(test_wide_literal_lookalikes)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("clientloglimit = 4096; # 4294971392\n"
			   "/* 4294967297\n 4294975487 */ dataplane = { mbufs = 8191; lcores = [ 1 ]; };\n"
			   "admin = { group = \"4294967306\"; }; // 4294967306\n"
			   "local = { stratum = 10; }; holdover = 4294.0; precision = 1e-7;\n"
			   "ratelimit = { ipv4_prefix = 32; burst = 8; interval = 3; };\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.clientloglimit, 4096);
	ck_assert_uint_eq(c.mbufs, 8191);
	ck_assert_uint_eq(c.local_stratum, 10);
	ck_assert_uint_eq(c.ratelimit.burst, 8);
	ck_assert_str_eq(c.admin_group, "4294967306");
	config_free(&c);
}
END_TEST

/* --- upstream servers and the clock discipline ---------------------------- */

static const char sync_conf[] =
	"servers = (\n"
	"  { address = \"198.18.0.11\"; iburst = true; minpoll = 4; maxpoll = 8; prefer = true;\n"
	"    noselect = false; },\n"
	"  { address = \"ntp1.example.net\"; },\n"
	"  {\n"
	"    address = \"2001:2::123\";\n"
	"    noselect = true;\n"
	"    minpoll = -6; maxpoll = 24;\n"
	"  }\n"
	");\n"
	"pools = ( { name = \"pool.example.net\"; maxsources = 3; iburst = true; minpoll = 5;\n"
	"            maxpoll = 9; prefer = true; },\n"
	"          { name = \"time.example.org.\"; } );\n"
	"minsources = 2;\n"
	"maxdistance = 1.5;\n"
	"makestep = { threshold = 0.1; limit = -1; };\n"
	"maxslewrate = 1000;\n"
	"maxupdateskew = 100.0;\n"
	"maxdrift = 250.5;\n"
	"corrtimeratio = 10;\n"
	"driftfile = \"/var/lib/linetime/drift\";\n"
	"leapsecmode = \"smear\";\n"
	"smoothtime = { window = 3600.0; shape = \"linear\"; };\n"
	"leapsectz = \"right/UTC\";\n"
	"steer_system_clock = true;\n"
	"logdir = \"/var/log/linetime\";\n"
	"logchange = 0.5;\n"
	"log = { level = \"notice\"; measurements = true; statistics = false; tracking = true; };\n"
	"local = { stratum = 9; distance = 0.25; orphan = true; };\n";

static void check_poll(const struct lt_cfg_poll *pl, int minpoll, int maxpoll, int iburst,
		       int prefer, int noselect)
{
	ck_assert_int_eq(pl->minpoll, minpoll);
	ck_assert_int_eq(pl->maxpoll, maxpoll);
	ck_assert_int_eq(pl->iburst, iburst);
	ck_assert_int_eq(pl->prefer, prefer);
	ck_assert_int_eq(pl->noselect, noselect);
}

START_TEST(test_sync_full)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	const struct lt_cfg_sync *y = &c.sync;

	ck_assert_msg(load(sync_conf, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(y->n_servers, 3);
	ck_assert_str_eq(y->servers[0].address, "198.18.0.11");
	check_poll(&y->servers[0].poll, 4, 8, 1, 1, 0);
	ck_assert_uint_eq(y->servers[0].line, 2);
	ck_assert_str_eq(y->servers[1].address, "ntp1.example.net");
	check_poll(&y->servers[1].poll, 6, 10, 0, 0, 0);
	ck_assert_uint_eq(y->servers[1].line, 4);
	ck_assert_str_eq(y->servers[2].address, "2001:2::123");
	check_poll(&y->servers[2].poll, -6, 24, 0, 0, 1);
	ck_assert_uint_eq(y->servers[2].line, 5);

	ck_assert_uint_eq(y->n_pools, 2);
	ck_assert_str_eq(y->pools[0].name, "pool.example.net");
	ck_assert_uint_eq(y->pools[0].maxsources, 3);
	check_poll(&y->pools[0].poll, 5, 9, 1, 1, 0);
	ck_assert_uint_eq(y->pools[0].line, 11);
	ck_assert_str_eq(y->pools[1].name, "time.example.org.");
	ck_assert_uint_eq(y->pools[1].maxsources, 4);
	check_poll(&y->pools[1].poll, 6, 10, 0, 0, 0);
	ck_assert_uint_eq(y->pools[1].line, 13);

	ck_assert_uint_eq(y->minsources, 2);
	ck_assert_double_eq(y->maxdistance, 1.5);
	ck_assert_double_eq(y->makestep_threshold, 0.1);
	ck_assert_int_eq(y->makestep_limit, -1);
	ck_assert_double_eq(y->maxslewrate, 1000.0);
	ck_assert_double_eq(y->maxupdateskew, 100.0);
	ck_assert_double_eq(y->maxdrift, 250.5);
	ck_assert_double_eq(y->corrtimeratio, 10.0);
	ck_assert_str_eq(y->driftfile, "/var/lib/linetime/drift");
	ck_assert_int_eq(y->leapsecmode, LT_LEAPSECMODE_SMEAR);
	ck_assert_double_eq(y->smear_window, 3600.0);
	ck_assert_int_eq(y->smear_quadratic, 0);
	ck_assert_str_eq(y->leapsectz, "right/UTC");
	ck_assert_int_eq(y->steer_system_clock, 1);
	ck_assert_str_eq(y->logdir, "/var/log/linetime");
	ck_assert_double_eq(y->logchange, 0.5);
	ck_assert_int_eq(c.log_level, LOG_NOTICE);
	ck_assert_int_eq(y->log_measurements, 1);
	ck_assert_int_eq(y->log_statistics, 0);
	ck_assert_int_eq(y->log_tracking, 1);
	ck_assert_uint_eq(c.local_stratum, 9);
	ck_assert_double_eq(c.local_distance, 0.25);
	ck_assert_int_eq(c.local_orphan, 1);
	config_free(&c);
}
END_TEST

/* Servers alone leave every other setting at its default. */
START_TEST(test_sync_defaults)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("servers = ( { address = \"198.18.0.11\"; } );\n"
			   "pools = ( { name = \"pool.example.net\"; } );\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.sync.n_servers, 1);
	check_poll(&c.sync.servers[0].poll, 6, 10, 0, 0, 0);
	ck_assert_uint_eq(c.sync.n_pools, 1);
	ck_assert_uint_eq(c.sync.pools[0].maxsources, 4);
	check_poll(&c.sync.pools[0].poll, 6, 10, 0, 0, 0);
	c.sync.n_servers = 0;
	c.sync.n_pools = 0;
	assert_defaults_except_ports(&c);
	config_free(&c);

	/* local.stratum alone keeps local's other defaults; log.level alone too. */
	ck_assert_msg(load("local = { stratum = 12; };\nlog = { level = \"debug\"; };\n", &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.local_distance, 1.0);
	ck_assert_int_eq(c.local_orphan, 0);
	ck_assert_int_eq(c.sync.log_measurements, 0);
	ck_assert_int_eq(c.sync.log_statistics, 0);
	ck_assert_int_eq(c.sync.log_tracking, 0);
	config_free(&c);
}
END_TEST

/* One poll bound given alone moves the other's default out of the way (chrony). */
START_TEST(test_sync_poll_adjust)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("servers = (\n"
			   "  { address = \"198.18.0.1\"; minpoll = 12; },\n"
			   "  { address = \"198.18.0.2\"; maxpoll = 4; },\n"
			   "  { address = \"198.18.0.3\"; minpoll = 8; },\n"
			   "  { address = \"198.18.0.4\"; maxpoll = 7; },\n"
			   "  { address = \"198.18.0.5\"; minpoll = 7; maxpoll = 7; },\n"
			   "  { address = \"198.18.0.6\"; minpoll = 24; },\n"
			   "  { address = \"198.18.0.7\"; maxpoll = -6; }\n"
			   ");\n"
			   "pools = ( { name = \"pool.example.net\"; minpoll = 11; maxsources = 1; },\n"
			   "          { name = \"pool.example.org\"; maxpoll = 2; maxsources = 1; } );\n",
			   &c, err) == 0,
		      "%s", err);
	check_poll(&c.sync.servers[0].poll, 12, 12, 0, 0, 0);
	check_poll(&c.sync.servers[1].poll, 4, 4, 0, 0, 0);
	check_poll(&c.sync.servers[2].poll, 8, 10, 0, 0, 0);
	check_poll(&c.sync.servers[3].poll, 6, 7, 0, 0, 0);
	check_poll(&c.sync.servers[4].poll, 7, 7, 0, 0, 0);
	check_poll(&c.sync.servers[5].poll, 24, 24, 0, 0, 0);
	check_poll(&c.sync.servers[6].poll, -6, -6, 0, 0, 0);
	check_poll(&c.sync.pools[0].poll, 11, 11, 0, 0, 0);
	check_poll(&c.sync.pools[1].poll, 2, 2, 0, 0, 0);
	config_free(&c);
}
END_TEST

START_TEST(test_sync_makestep)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	/* The group given, empty: step above 1 s in the first 3 updates. */
	ck_assert_msg(load("makestep = { };\n", &c, err) == 0, "%s", err);
	ck_assert_double_eq(c.sync.makestep_threshold, 1.0);
	ck_assert_int_eq(c.sync.makestep_limit, 3);
	config_free(&c);

	ck_assert_msg(load("makestep = { threshold = 0.5; };\n", &c, err) == 0, "%s", err);
	ck_assert_double_eq(c.sync.makestep_threshold, 0.5);
	ck_assert_int_eq(c.sync.makestep_limit, 3);
	config_free(&c);

	ck_assert_msg(load("makestep = { limit = 1; };\n", &c, err) == 0, "%s", err);
	ck_assert_double_eq(c.sync.makestep_threshold, 1.0);
	ck_assert_int_eq(c.sync.makestep_limit, 1);
	config_free(&c);

	ck_assert_msg(load("makestep = { threshold = 0; limit = 2147483647; };\n", &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.sync.makestep_threshold, 0.0);
	ck_assert_int_eq(c.sync.makestep_limit, 2147483647);
	config_free(&c);
}
END_TEST

/* srcselect tracks 16 sources: servers plus every pool's maxsources. */
START_TEST(test_sync_sixteen_sources)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	char text[2048] = "servers = (\n";

	for (unsigned int i = 0; i < LT_CFG_MAX_SERVERS; i++) {
		size_t len = strlen(text);
		snprintf(text + len, sizeof(text) - len, "  { address = \"198.18.1.%u\"; }%s\n", i + 1,
			 i + 1 < LT_CFG_MAX_SERVERS ? "," : "");
	}
	strcat(text, ");\nminsources = 16;\n");
	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.sync.n_servers, LT_CFG_MAX_SERVERS);
	ck_assert_str_eq(c.sync.servers[15].address, "198.18.1.16");
	ck_assert_uint_eq(c.sync.servers[15].line, 17);
	ck_assert_uint_eq(c.sync.minsources, 16);
	config_free(&c);

	ck_assert_msg(load("servers = ( { address = \"198.18.0.1\"; }, { address = \"198.18.0.2\"; } );\n"
			   "pools = ( { name = \"a.example.net\"; maxsources = 6; },\n"
			   "          { name = \"b.example.net\"; },\n"
			   "          { name = \"c.example.net\"; maxsources = 3; },\n"
			   "          { name = \"d.example.net\"; maxsources = 1; } );\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.sync.n_pools, LT_CFG_MAX_POOLS);
	ck_assert_uint_eq(c.sync.pools[1].maxsources, 4);
	config_free(&c);

	ck_assert_msg(load("pools = ( { name = \"pool.example.net\"; maxsources = 16; } );\n", &c,
			   err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.sync.pools[0].maxsources, 16);
	config_free(&c);
}
END_TEST

/* Addresses and names as an operator writes them. */
START_TEST(test_sync_host_forms)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";
	char text[1024], name[LT_CFG_HOST_MAX];

	ck_assert_msg(load("servers = (\n"
			   "  { address = \"2001:2::7\"; },\n"
			   "  { address = \"2001:2:0:1::7\"; },\n"
			   "  { address = \"fe80::1\"; },\n"
			   "  { address = \"NTP1.Example.NET\"; },\n"
			   "  { address = \"ntp-2.example.net.\"; },\n"
			   "  { address = \"ntp\"; },\n"
			   "  { address = \"1a.example\"; },\n"
			   "  { address = \"x.3com\"; },\n"
			   "  { address = \"198.18.0.1\"; }\n"
			   ");\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(c.sync.n_servers, 9);
	ck_assert_str_eq(c.sync.servers[3].address, "NTP1.Example.NET");
	ck_assert_str_eq(c.sync.servers[4].address, "ntp-2.example.net.");
	config_free(&c);

	/* 255 characters, labels of 63. */
	snprintf(name, sizeof(name), "%.63s.%.63s.%.63s.%.63s",
		 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
		 "ccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
		 "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd");
	ck_assert_uint_eq(strlen(name), 255);
	snprintf(text, sizeof(text), "pools = ( { name = \"%s\"; } );\n", name);
	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	ck_assert_str_eq(c.sync.pools[0].name, name);
	config_free(&c);
}
END_TEST

START_TEST(test_sync_leap)
{
	static const char *const zones[] = { "UTC", "right/UTC", "Etc/GMT+5", "posix/America/Port-au-Prince",
					     "right/Etc/GMT-14", "America/Argentina/Rio_Gallegos",
					     "zoneinfo.d/UTC" };
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "", text[256];

	for (unsigned int i = 0; i < sizeof(zones) / sizeof(zones[0]); i++) {
		snprintf(text, sizeof(text), "leapsectz = \"%s\";\n", zones[i]);
		ck_assert_msg(load(text, &c, err) == 0, "%s: %s", zones[i], err);
		ck_assert_str_eq(c.sync.leapsectz, zones[i]);
		config_free(&c);
	}
	/* 63 characters fit. */
	ck_assert_msg(load("leapsectz = \"right/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_uint_eq(strlen(c.sync.leapsectz), 63);
	config_free(&c);

	ck_assert_msg(load("leapsecmode = \"slew\";\n", &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.sync.leapsecmode, LT_LEAPSECMODE_SLEW);
	ck_assert_double_eq(c.sync.smear_window, 86400.0);
	config_free(&c);

	/* Smear: quadratic over a day unless told otherwise. */
	ck_assert_msg(load("leapsecmode = \"smear\";\n", &c, err) == 0, "%s", err);
	ck_assert_int_eq(c.sync.leapsecmode, LT_LEAPSECMODE_SMEAR);
	ck_assert_double_eq(c.sync.smear_window, 86400.0);
	ck_assert_int_eq(c.sync.smear_quadratic, 1);
	config_free(&c);

	ck_assert_msg(load("leapsecmode = \"smear\";\nsmoothtime = { shape = \"quadratic\"; window = 60; };\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_int_eq(c.sync.smear_quadratic, 1);
	ck_assert_double_eq(c.sync.smear_window, 60.0);
	config_free(&c);

	ck_assert_msg(load("leapsecmode = \"smear\";\nsmoothtime = { shape = \"linear\"; };\n", &c,
			   err) == 0,
		      "%s", err);
	ck_assert_int_eq(c.sync.smear_quadratic, 0);
	ck_assert_double_eq(c.sync.smear_window, 86400.0);
	config_free(&c);

	ck_assert_msg(load("leapsecmode = \"smear\";\nsmoothtime = { window = 172800; };\n", &c,
			   err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.sync.smear_window, 172800.0);
	ck_assert_int_eq(c.sync.smear_quadratic, 1);
	config_free(&c);
}
END_TEST

/* The numbers' edges are inside their ranges. */
START_TEST(test_sync_number_edges)
{
	struct lt_config c;
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(load("maxdistance = 1000;\nmaxslewrate = 1;\nmaxdrift = 500000;\n"
			   "corrtimeratio = 0.1;\nmaxupdateskew = 1e-3;\nlogchange = 1e-6;\n"
			   "local = { distance = 0; };\nminsources = 1;\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.sync.maxdistance, 1000.0);
	ck_assert_double_eq(c.sync.maxslewrate, 1.0);
	ck_assert_double_eq(c.sync.maxdrift, 500000.0);
	ck_assert_double_eq(c.sync.corrtimeratio, 0.1);
	ck_assert_double_eq(c.sync.maxupdateskew, 1e-3);
	ck_assert_double_eq(c.sync.logchange, 1e-6);
	ck_assert_double_eq(c.local_distance, 0.0);
	config_free(&c);

	ck_assert_msg(load("maxdistance = 0.001;\nmaxslewrate = 500000;\nmaxdrift = 1;\n"
			   "corrtimeratio = 1000;\nlocal = { distance = 1000.0; };\n",
			   &c, err) == 0,
		      "%s", err);
	ck_assert_double_eq(c.sync.maxdistance, 0.001);
	ck_assert_double_eq(c.sync.maxslewrate, 500000.0);
	ck_assert_double_eq(c.sync.maxdrift, 1.0);
	ck_assert_double_eq(c.sync.corrtimeratio, 1000.0);
	ck_assert_double_eq(c.local_distance, 1000.0);
	config_free(&c);
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
/* x written 256 times, for a list one longer than access allows. */
#define R4(x) x x x x
#define R256(x) R4(R4(R4(R4(x))))

static const struct bad_case bad_cases[] = {
	/* syntax */
	{ "holdover = 60;\nlocal = { stratum = 10 ;\n", "t.conf:3: syntax error: " },
	{ "holdover = 60;\nholdover = 70;\n", "t.conf:2: syntax error: duplicate setting name" },
	{ "dataplane = { lcores = [ 1,\n \"2\" ]; };\n", "t.conf:2: syntax error: " },
	/* unknown settings, at every level */
	{ "holdovr = 60;\n", "t.conf:1: holdovr: unknown setting (did you mean \"holdover\"?)" },
	{ "local = {\n  stratum = 10;\n  orphans = true;\n};\n",
	  "t.conf:3: local.orphans: unknown setting (did you mean \"orphan\"?)" },
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
	{ "ntpsigndsocket = \"ntp_signd\";\n",
	  "t.conf:1: ntpsigndsocket: \"ntp_signd\": must be an absolute path" },
	/* 101 characters: "/socket" would not fit in sun_path */
	{ "ntpsigndsocket = \"/var/lib/samba/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n",
	  "t.conf:1: ntpsigndsocket: too long (101 characters, at most 100)" },
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
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      tx_departure = \"wire\";\n"),
	  "t.conf:5: dataplane.ports.[0].tx_departure: \"wire\": expected one of auto, after_burst, before_burst" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      tx_correction_ns = 1000001;\n"),
	  "t.conf:5: dataplane.ports.[0].tx_correction_ns: 1000001: out of range (-1000000..1000000)" },
	{ PORT("      addresses = [ \"198.18.0.1/24\" ];\n      tx_correction_ns = \"2us\";\n"),
	  "t.conf:5: dataplane.ports.[0].tx_correction_ns: expected an integer, got a string" },
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
	/* access rules: named by position, at the line of the rule */
	{ "access = [ \"permit 1.2.3.4\" ];\n",
	  "t.conf:1: access.[0]: \"permit 1.2.3.4\": expected \"allow\" or \"deny\", got \"permit\"" },
	{ "access = [ \"Allow 1.2.3.4\" ];\n",
	  "t.conf:1: access.[0]: \"Allow 1.2.3.4\": expected \"allow\" or \"deny\", got \"Allow\"" },
	{ "access = [\n  \"allow 198.18.0.0/15\",\n  \"allow 1.2.3.4/33\"\n];\n",
	  "t.conf:3: access.[1]: \"allow 1.2.3.4/33\": prefix length out of range (0..32)" },
	{ "access = [\n  \"allow\",\n  \"deny 1.2.3.4/33\"\n];\n",
	  "t.conf:3: access.[1]: \"deny 1.2.3.4/33\": prefix length out of range (0..32)" },
	{ "access = (\n  \"allow\",\n  5\n  ,\n  \"deny\"\n);\n",
	  "t.conf:3: access.[1]: expected a string, got an integer" },
	{ "access = [ \"allow ::/129\" ];\n",
	  "t.conf:1: access.[0]: \"allow ::/129\": prefix length out of range (0..128)" },
	{ "access = [ \"allow 1.2.3.4/\" ];\n",
	  "t.conf:1: access.[0]: \"allow 1.2.3.4/\": prefix length out of range (0..32)" },
	{ "access = [ \"allow 198.18/1x\" ];\n",
	  "t.conf:1: access.[0]: \"allow 198.18/1x\": prefix length out of range (0..32)" },
	{ "access = [ \"allow 300.1.1.1\" ];\n",
	  "t.conf:1: access.[0]: \"allow 300.1.1.1\": \"300.1.1.1\": not an IPv4 or IPv6 address" },
	{ "access = [ \"allow 198.300\" ];\n",
	  "t.conf:1: access.[0]: \"allow 198.300\": \"198.300\": not an IPv4 or IPv6 address" },
	{ "access = [ \"allow 198.18.\" ];\n",
	  "t.conf:1: access.[0]: \"allow 198.18.\": \"198.18.\": not an IPv4 or IPv6 address" },
	{ "access = [ \"deny ntp.example\" ];\n",
	  "t.conf:1: access.[0]: \"deny ntp.example\": \"ntp.example\": not an IPv4 or IPv6 address" },
	{ "access = [ \"allow 1.2.3.4 extra\" ];\n",
	  "t.conf:1: access.[0]: \"allow 1.2.3.4 extra\": unexpected \"extra\" after the address" },
	{ "access = [ \"allow 1.2.3.4 all\" ];\n",
	  "t.conf:1: access.[0]: \"allow 1.2.3.4 all\": unexpected \"all\" after the address" },
	{ "access = [ \"deny all all\" ];\n", "t.conf:1: access.[0]: \"deny all all\": \"all\" given twice" },
	{ "access = [ \"allow\", \"\" ];\n", "t.conf:1: access.[1]: must not be empty" },
	{ "access = [ \" \" ];\n", "t.conf:1: access.[0]: \" \": expected \"allow\" or \"deny\"" },
	{ "access = ( \"allow\",\n  5 );\n", "t.conf:2: access.[1]: expected a string, got an integer" },
	{ "access = \"allow 198.18.0.0/15\";\n",
	  "t.conf:1: access: expected an array [ ... ], got a string" },
	{ "access = { allow = \"198.18.0.0/15\"; };\n",
	  "t.conf:1: access: expected an array [ ... ], got a group { ... }" },
	{ "access = [ " R256("\"deny\", ") "\"allow\" ];\n", "t.conf:1: access: 257 rules: at most 256" },
	{ "allow = \"198.18.0.0/15\";\n",
	  "t.conf:1: allow: unknown setting (chrony's allow rules go in access, e.g. access = [ \"allow 192.0.2.0/24\" ];)" },
	{ "deny = [ ];\n", "t.conf:1: deny: unknown setting (chrony's deny rules go in access" },
	/* kod_deny */
	{ "kod_deny = 3;\n", "t.conf:1: kod_deny: expected a boolean (true or false), got an integer" },
	{ "kod_deny = \"yes\";\n", "t.conf:1: kod_deny: expected a boolean (true or false), got a string" },
	/* ratelimit */
	{ "ratelimit = true;\n", "t.conf:1: ratelimit: expected a group { ... }, got a boolean" },
	{ "ratelimit = {\n  intervall = 3;\n};\n",
	  "t.conf:2: ratelimit.intervall: unknown setting (did you mean \"interval\"?)" },
	{ "ratelimit = { interval = 13; };\n", "t.conf:1: ratelimit.interval: 13: out of range (-19..12)" },
	{ "ratelimit = { interval = -20; };\n", "t.conf:1: ratelimit.interval: -20: out of range (-19..12)" },
	{ "ratelimit = { interval = 3.0; };\n",
	  "t.conf:1: ratelimit.interval: expected an integer, got a floating-point number" },
	{ "ratelimit = {\n  burst = 0;\n};\n", "t.conf:2: ratelimit.burst: 0: out of range (1..255)" },
	{ "ratelimit = { burst = 256; };\n", "t.conf:1: ratelimit.burst: 256: out of range (1..255)" },
	{ "ratelimit = { leak = 0; };\n", "t.conf:1: ratelimit.leak: 0: out of range (1..4)" },
	{ "ratelimit = { leak = 5; };\n", "t.conf:1: ratelimit.leak: 5: out of range (1..4)" },
	{ "ratelimit = { kod = 9; };\n", "t.conf:1: ratelimit.kod: 9: out of range (0..8)" },
	{ "ratelimit = { kod = -1; };\n", "t.conf:1: ratelimit.kod: -1: out of range (0..8)" },
	{ "ratelimit = { ipv4_prefix = 7; };\n", "t.conf:1: ratelimit.ipv4_prefix: 7: out of range (8..32)" },
	{ "ratelimit = { ipv4_prefix = 33; };\n", "t.conf:1: ratelimit.ipv4_prefix: 33: out of range (8..32)" },
	{ "ratelimit = { ipv6_prefix = 129; };\n",
	  "t.conf:1: ratelimit.ipv6_prefix: 129: out of range (16..128)" },
	{ "ratelimit = { ipv6_prefix = 15; };\n", "t.conf:1: ratelimit.ipv6_prefix: 15: out of range (16..128)" },
	/* clientloglimit */
	{ "clientloglimit = 1000;\n", "t.conf:1: clientloglimit: 1000: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 1073741825;\n",
	  "t.conf:1: clientloglimit: 1073741825: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 2000000000000;\n",
	  "t.conf:1: clientloglimit: 2000000000000: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 2000000000000L;\n",
	  "t.conf:1: clientloglimit: 2000000000000: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 524288.0;\n",
	  "t.conf:1: clientloglimit: expected an integer, got a floating-point number" },
	/* integers past 32 bits, which libconfig 1.5 would wrap into range */
	{ "holdover = 60;\nclientloglimit = 4294971392;\n",
	  "t.conf:2: clientloglimit: 4294971392: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 0x100001000;\n",
	  "t.conf:1: clientloglimit: 0x100001000: out of range (4096..1073741824 bytes)" },
	{ "clientloglimit = 99999999999999999999999;\n",
	  "t.conf:1: clientloglimit: 99999999999999999999999: out of range" },
	{ "dataplane = { mbufs = 4294975487; };\n",
	  "t.conf:1: dataplane.mbufs: 4294975487: out of range (1023..1048575)" },
	{ "local = { stratum = -4294967286; };\n", "t.conf:1: local.stratum: -4294967286: out of range (1..15)" },
	{ "dataplane = {\n  lcores = [ 1,\n 4294967298 ];\n};\n",
	  "t.conf:3: dataplane.lcores: 4294967298: out of range (0..127)" },
	{ "ratelimit = { burst = 4294967304; };\n", "t.conf:1: ratelimit.burst: 4294967304: out of range (1..255)" },
	{ "precision = 4294967296;\n", "t.conf:1: precision: 4.29497e+09: out of range" },
	{ "holdover = 4294967356;\n", "t.conf:1: holdover: 4.29497e+09: out of range (1..86400 seconds)" },	/* upstream servers and pools */
	{ "server = \"ntp1.example.net\";\n",
	  "t.conf:1: server: unknown setting (use servers = ( { address = \"ntp1.example.net\"; iburst = true; } );)" },
	{ "holdover = 60;\npool = \"pool.ntp.org iburst\";\n",
	  "t.conf:2: pool: unknown setting (use pools = ( { name = \"pool.example.net\"; iburst = true; } );)" },
	{ "driftfil = \"/var/lib/linetime/drift\";\n",
	  "t.conf:1: driftfil: unknown setting (did you mean \"driftfile\"?)" },
	{ "servers = (\n  { adress = \"198.18.0.1\"; }\n);\n",
	  "t.conf:2: servers.[0].adress: unknown setting (did you mean \"address\"?)" },
	{ "servers = ( { address = \"198.18.0.1\"; maxsources = 2; } );\n",
	  "t.conf:1: servers.[0].maxsources: unknown setting" },
	{ "pools = ( { name = \"pool.example.net\"; maxsource = 2; } );\n",
	  "t.conf:1: pools.[0].maxsource: unknown setting (did you mean \"maxsources\"?)" },
	{ "pools = ( { name = \"pool.example.net\"; ibrust = true; } );\n",
	  "t.conf:1: pools.[0].ibrust: unknown setting (did you mean \"iburst\"?)" },
	{ "servers = { address = \"198.18.0.1\"; };\n",
	  "t.conf:1: servers: expected a list ( { address = ...; }, ... ), got a group { ... }" },
	{ "servers = [ \"198.18.0.1\" ];\n",
	  "t.conf:1: servers: expected a list ( { address = ...; }, ... ), got an array [ ... ]" },
	{ "servers = (\n  { address = \"198.18.0.1\"; },\n  \"198.18.0.2\"\n);\n",
	  "t.conf:3: servers.[1]: expected a group { address = ...; ... }, got a string" },
	{ "pools = \"pool.example.net\";\n",
	  "t.conf:1: pools: expected a list ( { name = ...; }, ... ), got a string" },
	{ "servers = (\n  { iburst = true; }\n);\n",
	  "t.conf:2: servers.[0].address: missing (e.g. address = \"ntp1.example.net\";)" },
	{ "pools = ( { } );\n", "t.conf:1: pools.[0].name: missing (e.g. name = \"pool.example.net\";)" },
	{ "servers = ( { address = \"\"; } );\n", "t.conf:1: servers.[0].address: must not be empty" },
	{ "servers = ( { address = 198; } );\n",
	  "t.conf:1: servers.[0].address: expected a string, got an integer" },
	{ "servers = ( { address = \"198.18.0.1\"; iburst = 1; } );\n",
	  "t.conf:1: servers.[0].iburst: expected a boolean (true or false), got an integer" },
	{ "servers = ( { address = \"198.18.0.1\"; prefer = \"yes\"; } );\n",
	  "t.conf:1: servers.[0].prefer: expected a boolean (true or false), got a string" },
	{ "servers = ( { address = \"198.18.0.1\"; noselect = 0; } );\n",
	  "t.conf:1: servers.[0].noselect: expected a boolean (true or false), got an integer" },
	{ "servers = ( { address = \"198.18.0.1\"; minpoll = 4.0; } );\n",
	  "t.conf:1: servers.[0].minpoll: expected an integer, got a floating-point number" },
	/* server and pool names */
	{ "servers = ( { address = \"ntp 1.example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"ntp 1.example.net\": not an IP address or a host name (a host name has only letters, digits, '-' and '.')" },
	{ "servers = ( { address = \"ntp_1.example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"ntp_1.example.net\": not an IP address or a host name" },
	{ "servers = ( { address = \"http://ntp.example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"http://ntp.example.net\": not an IP address or a host name" },
	{ "servers = ( { address = \"ntp1.example.net iburst\"; } );\n",
	  "t.conf:1: servers.[0].address: \"ntp1.example.net iburst\": not an IP address or a host name" },
	{ "servers = ( { address = \"198.18.0.300\"; } );\n",
	  "t.conf:1: servers.[0].address: \"198.18.0.300\": not an IPv4 address (and not a host name: its last label is all digits)" },
	{ "servers = ( { address = \"198.18.0\"; } );\n",
	  "t.conf:1: servers.[0].address: \"198.18.0\": not an IPv4 address" },
	{ "servers = ( { address = \"2001:db8::g\"; } );\n",
	  "t.conf:1: servers.[0].address: \"2001:db8::g\": not an IP address or a host name" },
	{ "servers = ( { address = \"2001:db8:::1\"; } );\n",
	  "t.conf:1: servers.[0].address: \"2001:db8:::1\": not an IPv6 address" },
	{ "servers = ( { address = \"198.18.0.1/32\"; } );\n",
	  "t.conf:1: servers.[0].address: \"198.18.0.1/32\": not an IP address or a host name" },
	{ "servers = ( { address = \"fe80::1%eth0\"; } );\n",
	  "t.conf:1: servers.[0].address: \"fe80::1%eth0\": not an IP address or a host name" },
	{ "servers = ( { address = \"ntp..example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"ntp..example.net\": empty label in the host name" },
	{ "servers = ( { address = \".example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \".example.net\": empty label in the host name" },
	{ "servers = ( { address = \"example.net..\"; } );\n",
	  "t.conf:1: servers.[0].address: \"example.net..\": empty label in the host name" },
	{ "pools = ( { name = \".\"; } );\n", "t.conf:1: pools.[0].name: \".\": empty label in the host name" },
	{ "servers = ( { address = \"-ntp.example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"-ntp.example.net\": a label of the host name starts or ends with '-'" },
	{ "pools = ( { name = \"pool-.example.net\"; } );\n",
	  "t.conf:1: pools.[0].name: \"pool-.example.net\": a label of the host name starts or ends with '-'" },
	{ "servers = ( { address = \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.net\"; } );\n",
	  "t.conf:1: servers.[0].address: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.net\": a label of the host name is longer than 63 characters" },
	{ "servers = ( { address = \"" R4(R4("abcd.")) R4(R4("abcd.")) R4(R4("abcd.")) "abcd.abcd.abcd.a\"; } );\n",
	  "t.conf:1: servers.[0].address: too long (256 characters, at most 255)" },
	{ "servers = ( { address = \"224.0.1.1\"; } );\n",
	  "t.conf:1: servers.[0].address: \"224.0.1.1\": multicast address" },
	{ "servers = ( { address = \"ff05::101\"; } );\n",
	  "t.conf:1: servers.[0].address: \"ff05::101\": multicast address" },
	{ "servers = ( { address = \"0.0.0.0\"; } );\n",
	  "t.conf:1: servers.[0].address: \"0.0.0.0\": unspecified (0.0.0.0/8) address" },
	{ "servers = ( { address = \"::\"; } );\n", "t.conf:1: servers.[0].address: \"::\": unspecified address" },
	{ "servers = ( { address = \"255.255.255.255\"; } );\n",
	  "t.conf:1: servers.[0].address: \"255.255.255.255\": reserved or broadcast (240.0.0.0/4) address" },
	{ "servers = ( { address = \"127.0.0.1\"; } );\n",
	  "t.conf:1: servers.[0].address: \"127.0.0.1\": loopback address" },
	{ "servers = ( { address = \"::1\"; } );\n", "t.conf:1: servers.[0].address: \"::1\": loopback address" },
	{ "pools = ( { name = \"239.1.1.1\"; } );\n", "t.conf:1: pools.[0].name: \"239.1.1.1\": multicast address" },
	/* the same server twice */
	{ "servers = (\n  { address = \"198.18.0.11\"; },\n  { address = \"198.18.0.12\"; },\n"
	  "  { address = \"198.18.0.11\"; iburst = true; }\n);\n",
	  "t.conf:4: servers.[2].address: \"198.18.0.11\": listed twice (also servers.[0])" },
	{ "servers = ( { address = \"2001:2::1\"; },\n  { address = \"2001:2:0:0::1\"; } );\n",
	  "t.conf:2: servers.[1].address: \"2001:2:0:0::1\": the same as servers.[0] (\"2001:2::1\")" },
	{ "servers = ( { address = \"ntp1.example.net\"; },\n  { address = \"NTP1.example.net.\"; } );\n",
	  "t.conf:2: servers.[1].address: \"NTP1.example.net.\": the same as servers.[0] (\"ntp1.example.net\")" },
	{ "pools = ( { name = \"pool.example.net\"; maxsources = 2; },\n"
	  "          { name = \"pool.example.net\"; maxsources = 2; } );\n",
	  "t.conf:2: pools.[1].name: \"pool.example.net\": listed twice (also pools.[0])" },
	/* at most 16 sources */
	{ "servers = ( " R4(R4("{ address = \"198.18.0.1\"; }, ")) "{ address = \"198.18.0.2\"; } );\n",
	  "t.conf:1: servers: 17 servers: the appliance tracks at most 16 sources" },
	{ "pools = ( { name = \"a.example\"; maxsources = 1; }, { name = \"b.example\"; maxsources = 1; },\n"
	  "  { name = \"c.example\"; maxsources = 1; }, { name = \"d.example\"; maxsources = 1; },\n"
	  "  { name = \"e.example\"; maxsources = 1; } );\n",
	  "t.conf:1: pools: 5 pools: at most 4" },
	{ "servers = ( { address = \"198.18.0.1\"; }, { address = \"198.18.0.2\"; } );\n"
	  "pools = ( { name = \"a.example.net\"; maxsources = 10; },\n"
	  "          { name = \"b.example.net\"; },\n"
	  "          { name = \"c.example.net\";\n            maxsources = 1; } );\n",
	  "t.conf:5: pools.[2].maxsources: 1: 17 sources in all (servers plus each pool's maxsources): the appliance tracks at most 16" },
	{ "servers = ( { address = \"198.18.0.1\"; } );\n"
	  "pools = ( { name = \"a.example.net\"; maxsources = 12; },\n"
	  "          { name = \"b.example.net\"; iburst = true; } );\n",
	  "t.conf:3: pools.[1]: maxsources 4 (the default): 17 sources in all (servers plus each pool's maxsources): the appliance tracks at most 16" },
	{ "pools = ( { name = \"pool.example.net\"; maxsources = 0; } );\n",
	  "t.conf:1: pools.[0].maxsources: 0: out of range (1..16)" },
	{ "pools = ( { name = \"pool.example.net\"; maxsources = 17; } );\n",
	  "t.conf:1: pools.[0].maxsources: 17: out of range (1..16)" },
	/* poll intervals */
	{ "servers = (\n  { address = \"198.18.0.1\"; },\n  { address = \"198.18.0.2\"; minpoll = 4;\n"
	  "    maxpoll = 3; }\n);\n",
	  "t.conf:4: servers.[1].maxpoll: 3: below minpoll (4)" },
	{ "pools = ( { name = \"pool.example.net\"; maxpoll = 6; minpoll = 10; } );\n",
	  "t.conf:1: pools.[0].maxpoll: 6: below minpoll (10)" },
	{ "servers = ( { address = \"198.18.0.1\"; minpoll = 25; } );\n",
	  "t.conf:1: servers.[0].minpoll: 25: out of range (-6..24)" },
	{ "servers = ( { address = \"198.18.0.1\"; minpoll = -7; } );\n",
	  "t.conf:1: servers.[0].minpoll: -7: out of range (-6..24)" },
	{ "servers = ( { address = \"198.18.0.1\"; maxpoll = 25; } );\n",
	  "t.conf:1: servers.[0].maxpoll: 25: out of range (-6..24)" },
	{ "pools = ( { name = \"pool.example.net\"; maxpoll = -7; } );\n",
	  "t.conf:1: pools.[0].maxpoll: -7: out of range (-6..24)" },
	{ "servers = ( { address = \"198.18.0.1\"; minpoll = 4294967302; } );\n",
	  "t.conf:1: servers.[0].minpoll: 4294967302: out of range (-6..24)" },
	/* source selection */
	{ "minsources = 0;\n", "t.conf:1: minsources: 0: out of range (1..16)" },
	{ "minsources = 17;\n", "t.conf:1: minsources: 17: out of range (1..16)" },
	{ "minsources = 2.0;\n", "t.conf:1: minsources: expected an integer, got a floating-point number" },
	{ "servers = ( { address = \"198.18.0.1\"; }, { address = \"198.18.0.2\"; } );\nminsources = 3;\n",
	  "t.conf:2: minsources: 3: more than the 2 sources configured (servers plus each pool's maxsources)" },
	{ "maxdistance = 0;\n", "t.conf:1: maxdistance: 0: out of range (more than 0, at most 1000 seconds)" },
	{ "maxdistance = -3;\n", "t.conf:1: maxdistance: -3: out of range (more than 0, at most 1000 seconds)" },
	{ "maxdistance = 1000.5;\n", "t.conf:1: maxdistance: 1000.5: out of range (more than 0, at most 1000 seconds)" },
	{ "maxdistance = \"3\";\n", "t.conf:1: maxdistance: expected a number, got a string" },
	/* makestep */
	{ "makestep = 1.0;\n", "t.conf:1: makestep: expected a group { ... }, got a floating-point number" },
	{ "makestep = [ 1.0, 3.0 ];\n", "t.conf:1: makestep: expected a group { ... }, got an array" },
	{ "makestep = { treshold = 1.0; };\n",
	  "t.conf:1: makestep.treshold: unknown setting (did you mean \"threshold\"?)" },
	{ "makestep = {\n  threshold = -0.1;\n};\n",
	  "t.conf:2: makestep.threshold: -0.1: out of range (at least 0 seconds)" },
	{ "makestep = { limit = 0; };\n",
	  "t.conf:1: makestep.limit: 0: out of range (-1 for no limit, or 1..2147483647 updates)" },
	{ "makestep = { limit = -2; };\n", "t.conf:1: makestep.limit: -2: out of range (-1..2147483647 updates)" },
	{ "makestep = { limit = 2147483648; };\n",
	  "t.conf:1: makestep.limit: 2147483648: out of range (-1..2147483647 updates)" },
	{ "makestep = { limit = 3.0; };\n",
	  "t.conf:1: makestep.limit: expected an integer, got a floating-point number" },
	/* the clock's rates */
	{ "maxslewrate = 0.5;\n", "t.conf:1: maxslewrate: 0.5: out of range (1..500000 ppm)" },
	{ "maxslewrate = 500000.5;\n", "t.conf:1: maxslewrate: 500000.5: out of range (1..500000 ppm)" },
	{ "maxupdateskew = 0;\n", "t.conf:1: maxupdateskew: 0: out of range (more than 0 ppm)" },
	{ "maxupdateskew = -1.0;\n", "t.conf:1: maxupdateskew: -1: out of range (more than 0 ppm)" },
	{ "maxdrift = 0.5;\n", "t.conf:1: maxdrift: 0.5: out of range (1..500000 ppm)" },
	{ "maxdrift = 500001;\n", "t.conf:1: maxdrift: 500001: out of range (1..500000 ppm)" },
	{ "corrtimeratio = 0.05;\n", "t.conf:1: corrtimeratio: 0.05: out of range (0.1..1000)" },
	{ "corrtimeratio = 1001;\n", "t.conf:1: corrtimeratio: 1001: out of range (0.1..1000)" },
	{ "driftfile = \"drift\";\n", "t.conf:1: driftfile: \"drift\": must be an absolute path" },
	{ "driftfile = \"\";\n", "t.conf:1: driftfile: must not be empty" },
	/* leap seconds */
	{ "leapsecmode = \"system\";\n",
	  "t.conf:1: leapsecmode: \"system\": linetime has no kernel leap mode; \"step\" does the same to the time it serves" },
	{ "leapsecmode = \"ignore\";\n", "t.conf:1: leapsecmode: \"ignore\": expected one of step, slew, smear" },
	{ "leapsecmode = \"Smear\";\n", "t.conf:1: leapsecmode: \"Smear\": expected one of step, slew, smear" },
	{ "leapsecmode = 1;\n", "t.conf:1: leapsecmode: expected a string, got an integer" },
	{ "smoothtime = { window = 3600; };\n", "t.conf:1: smoothtime: applies only with leapsecmode = \"smear\"" },
	{ "leapsecmode = \"slew\";\nsmoothtime = { };\n",
	  "t.conf:2: smoothtime: applies only with leapsecmode = \"smear\"" },
	{ "leapsecmode = \"smear\";\nsmoothtime = { window = 59; };\n",
	  "t.conf:2: smoothtime.window: 59: out of range (60..172800 seconds)" },
	{ "leapsecmode = \"smear\";\nsmoothtime = { window = 172801; };\n",
	  "t.conf:2: smoothtime.window: 172801: out of range (60..172800 seconds)" },
	{ "leapsecmode = \"smear\";\nsmoothtime = { shape = \"cubic\"; };\n",
	  "t.conf:2: smoothtime.shape: \"cubic\": expected one of quadratic, linear" },
	{ "leapsecmode = \"smear\";\nsmoothtime = { shape = 2; };\n",
	  "t.conf:2: smoothtime.shape: expected a string, got an integer" },
	{ "leapsecmode = \"smear\";\nsmoothtime = { widow = 3600; };\n",
	  "t.conf:2: smoothtime.widow: unknown setting (did you mean \"window\"?)" },
	{ "leapsecmode = \"smear\";\nsmoothtime = \"quadratic\";\n",
	  "t.conf:2: smoothtime: expected a group { ... }, got a string" },
	{ "leapsectz = \"/usr/share/zoneinfo/right/UTC\";\n",
	  "t.conf:1: leapsectz: \"/usr/share/zoneinfo/right/UTC\": must be a time zone name (e.g. \"right/UTC\"), not an absolute path" },
	{ "leapsectz = \"../../etc/passwd\";\n", "t.conf:1: leapsectz: \"../../etc/passwd\": must not contain \"..\"" },
	{ "leapsectz = \"right/../UTC\";\n", "t.conf:1: leapsectz: \"right/../UTC\": must not contain \"..\"" },
	{ "leapsectz = \"right UTC\";\n",
	  "t.conf:1: leapsectz: \"right UTC\": a time zone name has only letters, digits, '/', '_', '-', '+' and '.'" },
	{ "leapsectz = \"right/UTC;x\";\n", "t.conf:1: leapsectz: \"right/UTC;x\": a time zone name has only" },
	{ "leapsectz = \"right//UTC\";\n", "t.conf:1: leapsectz: \"right//UTC\": empty component in the time zone name" },
	{ "leapsectz = \"right/\";\n", "t.conf:1: leapsectz: \"right/\": empty component in the time zone name" },
	{ "leapsectz = \"\";\n", "t.conf:1: leapsectz: must not be empty" },
	{ "leapsectz = \"right/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\";\n",
	  "t.conf:1: leapsectz: too long (64 characters, at most 63)" },
	/* the system clock and logs */
	{ "steer_system_clock = \"yes\";\n",
	  "t.conf:1: steer_system_clock: expected a boolean (true or false), got a string" },
	{ "logdir = \"var/log/linetime\";\n", "t.conf:1: logdir: \"var/log/linetime\": must be an absolute path" },
	{ "logchange = 0;\n", "t.conf:1: logchange: 0: out of range (more than 0 seconds)" },
	{ "logchange = -1.5;\n", "t.conf:1: logchange: -1.5: out of range (more than 0 seconds)" },
	{ "log = { measurement = true; };\n",
	  "t.conf:1: log.measurement: unknown setting (did you mean \"measurements\"?)" },
	{ "log = { tracking = 1; };\n", "t.conf:1: log.tracking: expected a boolean (true or false), got an integer" },
	{ "log = {\n  level = \"info\";\n  statistics = true;\n};\n",
	  "t.conf:3: log.statistics: true, but logdir is not set (the directory for statistics.log)" },
	{ "log = { measurements = true; };\n",
	  "t.conf:1: log.measurements: true, but logdir is not set (the directory for measurements.log)" },
	/* local */
	{ "local = { distance = -0.1; };\n", "t.conf:1: local.distance: -0.1: out of range (0..1000 seconds)" },
	{ "local = { distance = 1001; };\n", "t.conf:1: local.distance: 1001: out of range (0..1000 seconds)" },
	{ "local = { orphan = 1; };\n", "t.conf:1: local.orphan: expected a boolean (true or false), got an integer" },
	{ "local = { distanse = 1.0; };\n", "t.conf:1: local.distanse: unknown setting (did you mean \"distance\"?)" },
	/* admin.write_group */
	{ "admin = {\n  write_group = \"timeadmins\";\n};\n",
	  "t.conf:2: admin.write_group: needs admin.group (the socket's group" },
	{ "admin = { group = \"\"; write_group = \"timeadmins\"; };\n",
	  "t.conf:1: admin.write_group: needs admin.group" },
	{ "admin = { group = \"tk\"; write_group = \"a-group-name-longer-than-31-chars\"; };\n",
	  "t.conf:1: admin.write_group: too long (33 characters, at most 31)" },
	{ "admin = { group = \"tk\"; write_group = 5; };\n",
	  "t.conf:1: admin.write_group: expected a string, got an integer" },
	/* health */
	{ "health = 1;\n", "t.conf:1: health: expected a group { ... }, got an integer" },
	{ "health = {\n  offset_warn = 0.1;\n};\n", "t.conf:2: health.offset_warn: unknown setting" },
	{ "health = { latency = 1; };\n", "t.conf:1: health.latency: unknown setting" },
	{ "health = { offset_warning = -0.001; };\n",
	  "t.conf:1: health.offset_warning: -0.001: out of range (0..86400 seconds)" },
	{ "health = { offset_critical = 86400.5; };\n",
	  "t.conf:1: health.offset_critical: 86400.5: out of range (0..86400 seconds)" },
	{ "health = { offset_warning = \"0.01\"; };\n",
	  "t.conf:1: health.offset_warning: expected a number, got a string" },
	{ "health = { sources_warning = 17; };\n",
	  "t.conf:1: health.sources_warning: 17: out of range (0..16)" },
	{ "health = { sources_critical = -1; };\n",
	  "t.conf:1: health.sources_critical: -1: out of range (0..16)" },
	{ "health = { sources_warning = 1.5; };\n",
	  "t.conf:1: health.sources_warning: expected an integer, got a floating-point number" },
	{ "health = { stratum_warning = 17; };\n",
	  "t.conf:1: health.stratum_warning: 17: out of range (0..16)" },
	{ "health = { stratum_critical = -1; };\n",
	  "t.conf:1: health.stratum_critical: -1: out of range (0..16)" },
	{ "health = { ring_drops_warning = 1000000001; };\n",
	  "t.conf:1: health.ring_drops_warning: 1000000001: out of range (0..1000000000)" },
	{ "health = { ring_drops_critical = -1; };\n",
	  "t.conf:1: health.ring_drops_critical: -1: out of range (0..1000000000)" },
	{ "health = { heartbeat_warning = -0.5; };\n",
	  "t.conf:1: health.heartbeat_warning: -0.5: out of range (0..3600 seconds)" },
	{ "health = {\n  heartbeat_critical = 3600.5;\n};\n",
	  "t.conf:2: health.heartbeat_critical: 3600.5: out of range (0..3600 seconds)" },
	/* metrics.listen: an address literal and a port, a reason for each mistake */
	{ "metrics = 9123;\n", "t.conf:1: metrics: expected a group { ... }, got an integer" },
	{ "metrics = { port = 9123; };\n", "t.conf:1: metrics.port: unknown setting" },
	{ "metrics = { listen = 9123; };\n", "t.conf:1: metrics.listen: expected a string, got an integer" },
	{ "metrics = {\n  listen = \"localhost:9123\";\n};\n",
	  "t.conf:2: metrics.listen: \"localhost:9123\": \"localhost\" is not an IPv4 address (names are not resolved here)" },
	{ "metrics = {\n  listen = \"127.0.0.1\";\n};\n",
	  "t.conf:2: metrics.listen: \"127.0.0.1\": expected ADDRESS:PORT" },
	{ "metrics = {\n  listen = \"127.0.0.1:0\";\n};\n",
	  "t.conf:2: metrics.listen: \"127.0.0.1:0\": port \"0\" is not a number in 1..65535" },
	{ "metrics = {\n  listen = \"127.0.0.1:70000\";\n};\n",
	  "t.conf:2: metrics.listen: \"127.0.0.1:70000\": port \"70000\" is not a number in 1..65535" },
	{ "metrics = {\n  listen = \"[::1]9123\";\n};\n",
	  "t.conf:2: metrics.listen: \"[::1]9123\": an IPv6 address goes in brackets" },
	{ "metrics = {\n  listen = \"::1:9123\";\n};\n",
	  "t.conf:2: metrics.listen: \"::1:9123\": expected ADDRESS:PORT" },
	{ "metrics = {\n  listen = \"1.2.3.4:x\";\n};\n",
	  "t.conf:2: metrics.listen: \"1.2.3.4:x\": port \"x\" is not a number in 1..65535" },
	{ "metrics = { listen = \"1.2.3.4:\"; };\n",
	  "t.conf:1: metrics.listen: \"1.2.3.4:\": port \"\" is not a number in 1..65535" },
	{ "metrics = { listen = \":9123\"; };\n",
	  "t.conf:1: metrics.listen: \":9123\": no address before the port" },
	{ "metrics = { listen = \"[1.2.3.4]:9123\"; };\n",
	  "t.conf:1: metrics.listen: \"[1.2.3.4]:9123\": \"1.2.3.4\" is not an IPv6 address" },
	{ "metrics = { listen = \"1.2.3.256:9123\"; };\n",
	  "t.conf:1: metrics.listen: \"1.2.3.256:9123\": \"1.2.3.256\" is not an IPv4 address" },
	/* user and seccomp */
	{ "user = 998;\n", "t.conf:1: user: expected a string, got an integer" },
	{ "holdover = 60;\nuser = \"root\";\n",
	  "t.conf:2: user: \"root\": leave user out (or \"\") to keep running as started" },
	{ "user = \"-linetime\";\n", "t.conf:1: user: \"-linetime\": not a user name" },
	{ "user = \"998\";\n", "t.conf:1: user: \"998\": not a user name" },
	{ "user = \"line time\";\n", "t.conf:1: user: \"line time\": not a user name" },
	{ "user = \"a/b\";\n", "t.conf:1: user: \"a/b\": not a user name" },
	{ "user = \"abcdefghijabcdefghijabcdefghijab\";\n", "t.conf:1: user: too long (32 characters, at most 31)" },
	{ "usr = \"linetime\";\n", "t.conf:1: usr: unknown setting (did you mean \"user\"?)" },
	{ "seccomp = 0;\n", "t.conf:1: seccomp: expected a boolean (true or false), got an integer" },
	{ "seccomp = \"off\";\n", "t.conf:1: seccomp: expected a boolean (true or false), got a string" },
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

/* Rule lines and integers past 32 bits are found in @include files too. */
START_TEST(test_file_include)
{
	char inc[] = "/tmp/linetime-test-inc-XXXXXX";
	char text[256], want[LT_CFG_ERR_MAX];
	char err[LT_CFG_ERR_MAX] = "";
	struct lt_config c;
	int fd = mkstemp(inc);

	ck_assert_int_ge(fd, 0);
	close(fd);
	snprintf(text, sizeof(text), "holdover = 30;\n@include \"%s\"\n", inc);

	write_file(inc, "# policy\naccess = [\n  \"allow 198.18.0.0/15\",\n  \"deny\"\n];\n");
	ck_assert_msg(load(text, &c, err) == 0, "%s", err);
	check_rule(&c, 0, 1, 0, "198.18.0.0", 15, 3);
	check_rule(&c, 1, 0, 0, NULL, 0, 4);
	config_free(&c);

	write_file(inc, "\nclientloglimit = 4294971392;\n");
	ck_assert_int_eq(load(text, &c, err), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2: clientloglimit: 4294971392: out of range (4096..1073741824 bytes)", inc);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(unlink(inc), 0);
}
END_TEST

/* Text in memory ends at a NUL; the file must not quietly end there. */
START_TEST(test_file_nul_byte)
{
	char path[] = "/tmp/linetime-test-XXXXXX";
	char want[LT_CFG_ERR_MAX];
	char err[LT_CFG_ERR_MAX] = "";
	struct lt_config c, before;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "holdover = 30;\n\0local = 3;\n", 28), 28);
	close(fd);
	memset(&c, 0x5a, sizeof(c));
	memcpy(&before, &c, sizeof(c));
	ck_assert_int_eq(config_load_file(path, &c, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s:2: syntax error: NUL byte", path);
	ck_assert_str_eq(err, want);
	ck_assert_mem_eq(&c, &before, sizeof(c));
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
	ck_assert_str_eq(c.user, "lt-lab");
	ck_assert_int_eq(c.seccomp, 1);
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
	/* The policy example there is commented out: every client, no limit. */
	ck_assert_uint_eq(c.n_access, 0);
	ck_assert_int_eq(c.kod_deny, 0);
	ck_assert_int_eq(c.ratelimit.enabled, 0);
	ck_assert_uint_eq(c.clientloglimit, 524288);
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
	ck_assert_uint_eq(c.n_access, 3);
	check_rule(&c, 0, 1, 0, NULL, 0, c.access[0].line);
	check_rule(&c, 1, 0, 0, "203.0.113.0", 24, c.access[0].line + 1);
	check_rule(&c, 2, 0, 0, "2001:db8:dead::", 48, c.access[0].line + 2);
	ck_assert_int_eq(c.kod_deny, 0);
	ck_assert_int_eq(c.ratelimit.enabled, 1);
	ck_assert_int_eq(c.ratelimit.interval, 3);
	ck_assert_uint_eq(c.ratelimit.burst, 8);
	ck_assert_uint_eq(c.ratelimit.leak, 2);
	ck_assert_uint_eq(c.ratelimit.kod, 3);
	ck_assert_uint_eq(c.clientloglimit, 16777216);
	ck_assert_str_eq(c.user, "linetime");
	ck_assert_int_eq(c.seccomp, 1);
	ck_assert_uint_eq(c.sync.n_servers, 2);
	ck_assert_str_eq(c.sync.servers[0].address, "198.18.0.11");
	check_poll(&c.sync.servers[0].poll, 4, 8, 1, 1, 0);
	ck_assert_str_eq(c.sync.servers[1].address, "ntp1.example.net");
	check_poll(&c.sync.servers[1].poll, 6, 10, 1, 0, 0);
	ck_assert_uint_eq(c.sync.servers[1].line, c.sync.servers[0].line + 1);
	ck_assert_uint_eq(c.sync.n_pools, 1);
	ck_assert_str_eq(c.sync.pools[0].name, "pool.example.net");
	ck_assert_uint_eq(c.sync.pools[0].maxsources, 4);
	ck_assert_uint_eq(c.sync.minsources, 2);
	ck_assert_double_eq(c.sync.makestep_threshold, 1.0);
	ck_assert_int_eq(c.sync.makestep_limit, 3);
	ck_assert_str_eq(c.sync.driftfile, "/var/lib/linetime/drift");
	ck_assert_int_eq(c.sync.leapsecmode, LT_LEAPSECMODE_STEP);
	ck_assert_str_eq(c.sync.leapsectz, "right/UTC");
	ck_assert_int_eq(c.sync.steer_system_clock, 0);
	ck_assert_str_eq(c.sync.logdir, "/var/log/linetime");
	ck_assert_int_eq(c.sync.log_tracking, 1);
	ck_assert_int_eq(c.sync.log_measurements, 0);
	ck_assert_double_eq(c.local_distance, 1.0);
	ck_assert_int_eq(c.local_orphan, 0);
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
	tcase_add_test(tc, test_admin_write_group);
	tcase_add_test(tc, test_privilege);
	tcase_add_test(tc, test_health_defaults);
	tcase_add_test(tc, test_health_members);
	tcase_add_test(tc, test_metrics_listen);
	tcase_add_test(tc, test_parse_listen);
	tcase_add_test(tc, test_access_forms);
	tcase_add_test(tc, test_access_shorthand);
	tcase_add_test(tc, test_access_host_bits_cleared);
	tcase_add_test(tc, test_access_order_and_spacing);
	tcase_add_test(tc, test_access_lines);
	tcase_add_test(tc, test_access_max_rules);
	tcase_add_test(tc, test_ratelimit_defaults);
	tcase_add_test(tc, test_ratelimit_members);
	tcase_add_test(tc, test_kod_deny_and_clientloglimit);
	tcase_add_test(tc, test_wide_literal_lookalikes);
	tcase_add_test(tc, test_sync_full);
	tcase_add_test(tc, test_sync_defaults);
	tcase_add_test(tc, test_sync_poll_adjust);
	tcase_add_test(tc, test_sync_makestep);
	tcase_add_test(tc, test_sync_sixteen_sources);
	tcase_add_test(tc, test_sync_host_forms);
	tcase_add_test(tc, test_sync_leap);
	tcase_add_test(tc, test_sync_number_edges);
	suite_add_tcase(s, tc);

	tc = tcase_create("invalid");
	tcase_add_loop_test(tc, test_bad, 0, (int)(sizeof(bad_cases) / sizeof(bad_cases[0])));
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_test(tc, test_file_good_and_bad);
	tcase_add_test(tc, test_file_missing);
	tcase_add_test(tc, test_file_include);
	tcase_add_test(tc, test_file_nul_byte);
	tcase_add_test(tc, test_lab_profile);
	tcase_add_test(tc, test_production_example);
	suite_add_tcase(s, tc);
	return s;
}
