/*
 * board and ealargs: every board profile in board/ loads, fits its own
 * linetime.conf, and gives the EAL arguments, lcore map, ports, kernel
 * command line and bind list written out here; bad profiles and configs
 * that do not fit the board are refused, naming the setting.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "config.h"
#include "ealargs.h"
#include "suites.h"

struct profile {
	const char *name;
	const char *eal;
	const char *lcores;
	const char *ports;
	const char *cmdline;
	const char *sysctl;
	const char *bind;
};

static const struct profile profiles[] = {
	{
		.name = "lab",
		.eal = "linetime-dp -l 0,1 --main-lcore 0 --no-pci --no-huge -m 256 --file-prefix "
		       "linetime-lab --vdev net_af_packet0,iface=lt-dp0\n",
		.lcores = "cpu 0: housekeeping: Linux, linetimed, EAL main lcore\n"
			  "cpu 1: worker 0, polls lan0/rx0\n",
		.ports = "lan0 net_af_packet0,iface=lt-dp0 vdev driver=(virtual device) queues=1 "
			 "timestamping=auto 198.18.0.1/24 2001:2::1/64\n",
		.cmdline = "\n",
		.sysctl = "",
		.bind = "",
	},
	{
		.name = "n100-i226",
		.eal = "linetime-dp -l 0,1,2,3 --main-lcore 0 --huge-dir /mnt/huge -m 256 "
		       "--file-prefix linetime -a 0000:01:00.0 -a 0000:02:00.0\n",
		.lcores = "cpu 0: housekeeping: Linux, linetimed, EAL main lcore\n"
			  "cpu 1: worker 0, polls lan0/rx0, isolated\n"
			  "cpu 2: worker 1, polls lan0/rx1, isolated\n"
			  "cpu 3: worker 2, polls lan1/rx0, isolated\n",
		.ports = "lan0 0000:01:00.0 pci driver=vfio-pci queues=2 timestamping=auto "
			 "192.0.2.10/24 2001:db8:1::10/64\n"
			 "lan1 0000:02:00.0 pci driver=vfio-pci queues=1 timestamping=auto "
			 "198.51.100.10/24\n",
		.cmdline = "isolcpus=managed_irq,domain,1-3 nohz_full=1-3 rcu_nocbs=1-3 irqaffinity=0 "
			   "default_hugepagesz=2M hugepagesz=2M hugepages=256 intel_iommu=on iommu=pt "
			   "intel_idle.max_cstate=1 processor.max_cstate=1 tsc=reliable nosoftlockup\n",
		.sysctl = "vm.nr_hugepages = 256\n",
		.bind = "0000:01:00.0 vfio-pci\n0000:02:00.0 vfio-pci\n",
	},
	{
		.name = "virtio-vm",
		.eal = "linetime-dp -l 0,1 --main-lcore 0 --huge-dir /mnt/huge -m 128 --file-prefix "
		       "linetime -a 0000:00:04.0\n",
		.lcores = "cpu 0: housekeeping: Linux, linetimed, EAL main lcore\n"
			  "cpu 1: worker 0, polls lan0/rx0, isolated\n",
		.ports = "lan0 0000:00:04.0 pci driver=uio_pci_generic queues=1 timestamping=auto "
			 "198.18.0.1/24 2001:2::1/64\n",
		.cmdline = "isolcpus=managed_irq,domain,1 nohz_full=1 rcu_nocbs=1 irqaffinity=0 "
			   "default_hugepagesz=2M hugepagesz=2M hugepages=96 "
			   "console=ttyS0,115200 tsc=reliable\n",
		.sysctl = "vm.nr_hugepages = 96\n",
		.bind = "0000:00:04.0 uio_pci_generic\n",
	},
};

static void load(const char *name, struct board *b, struct lt_config *c)
{
	char path[256], err[LT_CFG_ERR_MAX];
	snprintf(path, sizeof(path), "board/%s/board.conf", name);
	ck_assert_msg(board_parse_file(path, b, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "board/%s/linetime.conf", name);
	ck_assert_msg(config_load_file(path, c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(b->name, name);
}

#define EXPECT_OUT(call, want)                                                                     \
	do {                                                                                       \
		struct sbuf o_ = {0};                                                              \
		call;                                                                              \
		ck_assert_msg(!o_.oom, "oom");                                                     \
		ck_assert_msg(strcmp(o_.p ? o_.p : "", (want)) == 0, "%s: got\n%s\nwant\n%s", #call, \
			      o_.p ? o_.p : "", (want));                                           \
		free(o_.p);                                                                        \
	} while (0)

START_TEST(every_profile)
{
	const struct profile *p = &profiles[_i];
	struct board b;
	struct lt_config c;
	load(p->name, &b, &c);
	EXPECT_OUT(ck_assert_int_eq(board_check(&b, &c, &o_), 0), "");
	EXPECT_OUT(ck_assert_int_eq(board_eal(&c, &o_), 0), p->eal);
	EXPECT_OUT(board_lcores(&b, &c, &o_), p->lcores);
	EXPECT_OUT(board_ports(&b, &c, &o_), p->ports);
	EXPECT_OUT(board_cmdline(&b, &c, &o_), p->cmdline);
	EXPECT_OUT(board_sysctl(&b, &o_), p->sysctl);
	EXPECT_OUT(board_bind_list(&b, &c, &o_), p->bind);
	struct sbuf s = {0};
	board_summary(&b, &c, &s);
	ck_assert_ptr_nonnull(strstr(s.p, p->eal));
	free(s.p);
	config_free(&c);
}
END_TEST

START_TEST(env_for_units)
{
	struct board b;
	struct lt_config c;
	load("virtio-vm", &b, &c);
	EXPECT_OUT(board_env(&b, &c, &o_),
		   "LT_BOARD=virtio-vm\nLT_HUGEPAGE_KB=2048\nLT_HUGEPAGES=96\nLT_HUGE_MOUNT=/mnt/huge\n"
		   "LT_BIND_DRIVER=uio_pci_generic\nLT_NOIOMMU=0\nLT_BIND_DEVICES='0000:00:04.0'\n");
	config_free(&c);
	load("lab", &b, &c);
	EXPECT_OUT(board_env(&b, &c, &o_),
		   "LT_BOARD=lab\nLT_HUGEPAGE_KB=0\nLT_HUGEPAGES=0\nLT_HUGE_MOUNT=\n"
		   "LT_BIND_DRIVER=\nLT_NOIOMMU=0\nLT_BIND_DEVICES=''\n");
	config_free(&c);
}
END_TEST

/* Bad board.conf text and the message that names the problem. */
static const struct {
	const char *text, *err;
} bad_boards[] = {
	{"board = { cpus = 2; };", "t.conf:1: board.name: missing"},
	{"board = { name = \"x\"; };", "t.conf:1: board.cpus: missing"},
	{"board = { name = \"x\"; cpus = 0; };", "t.conf:1: board.cpus: 0 out of range"},
	{"board = { name = \"x\"; cpus = 2; cpu = 3; };", "t.conf:1: board.cpu: unknown setting"},
	{"board = { name = \"x\"; cpus = 2;\n hugepages = { size_kb = 4096; count = 1; mount = \"/h\"; }; };",
	 "t.conf:2: board.hugepages.size_kb: must be 2048"},
	{"board = { name = \"x\"; cpus = 2;\n hugepages = { size_kb = 2048; count = 1; mount = \"h\"; }; };",
	 "t.conf:2: board.hugepages.mount: must be an absolute path"},
	{"board = { name = \"x\"; cpus = 2;\n hugepages = { size_kb = 2048; count = 1; }; };",
	 "board.mount: missing"},
	{"board = { name = \"x\"; cpus = 2;\n bind = { driver = \"igb_uio\"; }; };",
	 "t.conf:2: board.bind.driver: must be"},
	{"board = { name = \"x\"; cpus = 2;\n bind = { driver = \"uio_pci_generic\"; noiommu = true; }; };",
	 "t.conf:2: board.bind.noiommu: only with driver \"vfio-pci\""},
	{"board = { name = \"x\"; cpus = 2; kernel_cmdline = [ \"a b\" ]; };",
	 "board.kernel_cmdline: entries must be single words"},
	{"board = { name = \"x\"; cpus = 2; }; extra = 1;", "only a board group"},
	{"board = { name = ; };", "t.conf:1: syntax error"},
};

START_TEST(bad_board_refused)
{
	struct board b;
	memset(&b, 0x5a, sizeof(b));
	struct board before = b;
	char err[512] = "";
	ck_assert_int_ne(board_parse_string(bad_boards[_i].text, "t.conf", &b, err, sizeof(err)), 0);
	ck_assert_msg(strstr(err, bad_boards[_i].err) != NULL, "got \"%s\", want \"%s\"", err,
		      bad_boards[_i].err);
	ck_assert_msg(memcmp(&b, &before, sizeof(b)) == 0, "refused board changed the struct");
}
END_TEST

/* A dataplane config that does not fit the board: every problem reported. */
START_TEST(config_not_fitting)
{
	static const char *cfg =
		"dataplane = {\n"
		"  main_lcore = 0; lcores = [ 1, 5 ];\n"
		"  eal = [ \"--no-pci\", \"--huge-dir\", \"/dev/hugepages\", \"-m\", \"4096\" ];\n"
		"  ports = ( { name = \"lan0\"; device = \"0000:01:00.0\"; addresses = [ \"198.18.0.1/24\" ]; } );\n"
		"};\n";
	struct board b;
	struct lt_config c;
	char err[512];
	ck_assert_msg(board_parse_file("board/n100-i226/board.conf", &b, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(config_load_string(cfg, "t.conf", &c, err, sizeof(err)) == 0, "%s", err);
	struct sbuf o = {0};
	ck_assert_int_eq(board_check(&b, &c, &o), 4);
	ck_assert_ptr_nonnull(strstr(o.p, "dataplane.lcores: 5: the board has CPUs 0..3"));
	ck_assert_ptr_nonnull(strstr(o.p, "--huge-dir must be /mnt/huge"));
	ck_assert_ptr_nonnull(strstr(o.p, "-m 4096 MiB is more than the 512 MiB"));
	ck_assert_ptr_nonnull(strstr(o.p, "--no-pci although the board binds ports to vfio-pci"));
	free(o.p);
	config_free(&c);

	/* The lab board binds nothing and reserves nothing. */
	ck_assert_msg(board_parse_file("board/lab/board.conf", &b, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(config_load_string("dataplane = { lcores = [ 1 ]; ports = ( { name = \"p\"; "
					 "device = \"0000:00:04.0\"; addresses = [ \"198.18.0.1/24\" ]; } ); };",
					 "t.conf", &c, err, sizeof(err)) == 0, "%s", err);
	o = (struct sbuf){0};
	ck_assert_int_eq(board_check(&b, &c, &o), 2);
	ck_assert_ptr_nonnull(strstr(o.p, "PCI device 0000:00:04.0 but the board binds no driver"));
	ck_assert_ptr_nonnull(strstr(o.p, "EAL needs --no-huge"));
	free(o.p);
	config_free(&c);
}
END_TEST

/* vfio-pci without an IOMMU (a kernel built with CONFIG_VFIO_NOIOMMU)
 * asks for the unsafe mode on the command line and in the units' env. */
START_TEST(noiommu_board)
{
	static const char *text = "board = { name = \"vm\"; cpus = 2; isolate = false;\n"
				  "  hugepages = { size_kb = 1048576; count = 1; mount = \"/mnt/huge\"; };\n"
				  "  bind = { driver = \"vfio-pci\"; noiommu = true; }; };";
	struct board b;
	struct lt_config c;
	char err[512];
	ck_assert_msg(board_parse_string(text, "vm.conf", &b, err, sizeof(err)) == 0, "%s", err);
	load("virtio-vm", &(struct board){0}, &c);
	EXPECT_OUT(board_cmdline(&b, &c, &o_),
		   "default_hugepagesz=1G hugepagesz=1G hugepages=1 vfio.enable_unsafe_noiommu_mode=1\n");
	EXPECT_OUT(board_sysctl(&b, &o_), "");   /* 1 GiB pages: command line only */
	EXPECT_OUT(board_bind_list(&b, &c, &o_), "0000:00:04.0 vfio-pci\n");
	config_free(&c);
}
END_TEST

/* The argv linetime-dp builds: an explicit --lcores replaces -l; too many
 * arguments is an error, not a truncated argv. */
START_TEST(eal_argv_rules)
{
	struct board b;
	struct lt_config c;
	load("lab", &b, &c);
	char *argv[64], bufs[256];
	char *extra[] = {"--lcores", "0,1@0"};
	int n = ealargs_build(&c, 2, extra, argv, 64, bufs, sizeof(bufs));
	ck_assert_int_eq(n, 13);
	ck_assert_str_eq(argv[1], "--main-lcore");
	ck_assert_str_eq(argv[11], "--lcores");
	ck_assert_ptr_null(argv[n]);
	ck_assert_int_eq(ealargs_build(&c, 0, NULL, argv, 5, bufs, sizeof(bufs)), -E2BIG);
	ck_assert_int_eq(ealargs_is_vdev("net_virtio_user0"), 1);
	ck_assert_int_eq(ealargs_is_vdev("0000:00:04.0"), 0);
	config_free(&c);
}
END_TEST

Suite *board_suite(void)
{
	Suite *s = suite_create("board");
	TCase *t = tcase_create("board");
	tcase_add_loop_test(t, every_profile, 0, (int)(sizeof(profiles) / sizeof(profiles[0])));
	tcase_add_test(t, env_for_units);
	tcase_add_loop_test(t, bad_board_refused, 0, (int)(sizeof(bad_boards) / sizeof(bad_boards[0])));
	tcase_add_test(t, config_not_fitting);
	tcase_add_test(t, eal_argv_rules);
	tcase_add_test(t, noiommu_board);
	suite_add_tcase(s, t);
	return s;
}
