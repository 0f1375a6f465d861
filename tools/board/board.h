/*
 * board: a board profile (board/NAME/board.conf plus the dataplane group of
 * a linetime.conf) turned into what the system needs before linetime-dp
 * starts: EAL arguments, the lcore map, the port list with the driver each
 * port is bound to, hugepages, kernel command line, sysctls. What differs
 * between boards is data in the profile; this module only derives and checks.
 *
 * board.conf (libconfig):
 *   board = {
 *     name = "n100-i226"; description = "...";
 *     cpus = 4;                           # CPUs the board has
 *     isolate = true;                     # isolcpus/nohz_full for the workers
 *     hugepages = { size_kb = 2048; count = 256; mount = "/mnt/huge"; };
 *     bind = { driver = "vfio-pci"; noiommu = false; };   # "" = bind nothing
 *     kernel_cmdline = [ "intel_idle.max_cstate=1" ];     # extra, board-specific
 *   };
 */
#ifndef LT_BOARD_H
#define LT_BOARD_H

#include <stddef.h>

#include "config.h"
#include "sbuf.h"

#define BOARD_MAX_CMDLINE 16
#define BOARD_STR_MAX 128

struct board {
	char name[64];
	char description[BOARD_STR_MAX];
	unsigned int cpus;             /* 1..LT_CFG_MAX_LCORES*4 */
	int isolate;                   /* put the worker lcores out of the scheduler's way */
	unsigned int huge_size_kb;     /* 2048 or 1048576; 0 with count 0 */
	unsigned int huge_count;       /* pages to reserve; 0 = the board runs --no-huge */
	char huge_mount[BOARD_STR_MAX];/* hugetlbfs mount point, "" with no pages */
	char bind_driver[32];          /* "vfio-pci", "uio_pci_generic" or "" */
	int noiommu;                   /* vfio without an IOMMU (VMs without a vIOMMU) */
	char cmdline[BOARD_MAX_CMDLINE][BOARD_STR_MAX];
	unsigned int n_cmdline;
};

/* Parse board.conf text (name for messages). 0, or -EINVAL with
 * "NAME:LINE: SETTING: problem" in err. */
int board_parse_string(const char *text, const char *name, struct board *b, char *err,
		       size_t errlen);
int board_parse_file(const char *path, struct board *b, char *err, size_t errlen);

/* Check a board against the dataplane config it will run: lcores exist on
 * the board and the main lcore is not a worker, PCI ports have a driver to
 * bind to, the EAL memory arguments agree with the hugepage settings. Every
 * problem is one line in out; returns how many there were. */
int board_check(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* The EAL argv linetime-dp will use, on one line, shell-quoted. */
int board_eal(const struct lt_config *c, struct sbuf *out);

/* CPU by CPU: housekeeping, worker N (with the port queues it polls, the
 * rule of worker_assign_queues()), or unused. */
void board_lcores(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* One line per port: name, device, pci|vdev, driver, queues, timestamping, addresses. */
void board_ports(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* The kernel command line the board wants, one line. */
void board_cmdline(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* sysctl.d lines (hugepages reserved at run time where the size allows). */
void board_sysctl(const struct board *b, struct sbuf *out);

/* "PCI DRIVER" per PCI port; nothing for a board that binds nothing. */
void board_bind_list(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* Shell assignments (LT_*) for the set-up units: pages, mount, driver, devices. */
void board_env(const struct board *b, const struct lt_config *c, struct sbuf *out);

/* A human summary: all of the above. */
void board_summary(const struct board *b, const struct lt_config *c, struct sbuf *out);

#endif
