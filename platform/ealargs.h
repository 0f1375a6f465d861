/*
 * ealargs: the argv linetime-dp hands to rte_eal_init(), built from the
 * dataplane group of linetime.conf. It lives here, DPDK-free, so that
 * linetime-board prints exactly what the dataplane will run with and the
 * unit tests check it for every board profile.
 */
#ifndef LT_EALARGS_H
#define LT_EALARGS_H

#include <stddef.h>

#include "config.h"

/* 1 if an EAL device string names a virtual device ("net_..."), which EAL
 * takes with --vdev; 0 for a PCI address, which it takes with -a. */
int ealargs_is_vdev(const char *device);

/* Fill argv (at most max entries including the closing NULL) with
 * "linetime-dp", -l MAIN,WORKERS (unless extra_argv has --lcores),
 * --main-lcore, dataplane.eal, one -a/--vdev per port, then extra_argv.
 * Numbers are formatted into bufs. Returns argc, or -E2BIG. */
int ealargs_build(const struct lt_config *c, int extra_argc, char **extra_argv, char **argv,
		  int max, char *bufs, size_t buflen);

#endif
