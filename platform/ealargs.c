/* ealargs: linetime.conf's dataplane group as EAL's argv (see ealargs.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ealargs.h"

int ealargs_is_vdev(const char *device)
{
	return strncmp(device, "net_", 4) == 0;
}

int ealargs_build(const struct lt_config *c, int extra_argc, char **extra_argv, char **argv,
		  int max, char *bufs, size_t buflen)
{
	int n = 0;
	size_t used = 0;

#define PUSH(s)                                                                                    \
	do {                                                                                       \
		if (n >= max - 1)                                                                  \
			return -E2BIG;                                                             \
		argv[n++] = (s);                                                                   \
	} while (0)
#define PUSHF(...)                                                                                 \
	do {                                                                                       \
		int w_ = snprintf(bufs + used, buflen - used, __VA_ARGS__);                        \
		if (w_ < 0 || (size_t)w_ >= buflen - used)                                         \
			return -E2BIG;                                                             \
		PUSH(bufs + used);                                                                 \
		used += (size_t)w_ + 1;                                                            \
	} while (0)

	PUSH("linetime-dp");
	/* An explicit --lcores (e.g. two workers on one CPU in a small lab)
	 * replaces the -l list built from the config; EAL takes only one. */
	int explicit_lcores = 0;
	for (int i = 0; i < extra_argc; i++)
		explicit_lcores |= strncmp(extra_argv[i], "--lcores", 8) == 0;
	char lcores[256];
	int off = snprintf(lcores, sizeof(lcores), "%u", c->main_lcore);
	for (unsigned int i = 0; i < c->n_lcores && off < (int)sizeof(lcores); i++)
		off += snprintf(lcores + off, sizeof(lcores) - (size_t)off, ",%u", c->lcores[i]);
	if (!explicit_lcores) {
		PUSH("-l");
		PUSHF("%s", lcores);
	}
	PUSH("--main-lcore");
	PUSHF("%u", c->main_lcore);
	for (unsigned int i = 0; i < c->n_eal_args; i++)
		PUSH(c->eal_args[i]);
	for (unsigned int i = 0; i < c->n_ports; i++) {
		PUSH(ealargs_is_vdev(c->ports[i].device) ? "--vdev" : "-a");
		PUSH((char *)c->ports[i].device);
	}
	for (int i = 0; i < extra_argc; i++)
		PUSH(extra_argv[i]);
	argv[n] = NULL;
	return n;
#undef PUSH
#undef PUSHF
}
