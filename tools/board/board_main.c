/*
 * linetime-board: what a board profile means for this machine.
 *
 *   linetime-board [-d DIR] [-c CONFIG] PROFILE [COMMAND]
 *
 * PROFILE is a name under DIR (default $LT_BOARD_DIR, else
 * /usr/share/linetime/boards) or a path with a '/'. The dataplane settings
 * come from CONFIG when given (the installed linetime.conf), else from the
 * profile's own linetime.conf; everything else from its board.conf.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "board.h"
#include "config.h"

#define DEFAULT_DIR "/usr/share/linetime/boards"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: linetime-board [-d DIR] [-c CONFIG] PROFILE [COMMAND]\n"
		"  summary   everything below, for a person (default)\n"
		"  eal       the EAL arguments linetime-dp will use\n"
		"  lcores    the lcore map: which CPU does what\n"
		"  ports     ports, device, driver, queues, addresses\n"
		"  cmdline   kernel command line options\n"
		"  sysctl    sysctl.d lines\n"
		"  bind      \"PCI-ADDRESS DRIVER\" per port to bind\n"
		"  env       shell assignments for the set-up units\n"
		"  check     the config against the board; exit 1 on any problem\n"
		"  conf      the profile's default linetime.conf\n"
		"PROFILE is a name under DIR ($LT_BOARD_DIR, else " DEFAULT_DIR ") or a path.\n");
}

static int cat(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "linetime-board: %s: %s\n", path, strerror(errno));
		return 1;
	}
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, stdout);
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = getenv("LT_BOARD_DIR");
	const char *conf = NULL;
	int opt;

	if (!dir || !*dir)
		dir = DEFAULT_DIR;
	while ((opt = getopt(argc, argv, "d:c:h")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	const char *profile = argv[optind];
	const char *cmd = optind + 1 < argc ? argv[optind + 1] : "summary";
	char pdir[512], path[600], err[LT_CFG_ERR_MAX];
	if (strchr(profile, '/'))
		snprintf(pdir, sizeof(pdir), "%s", profile);
	else
		snprintf(pdir, sizeof(pdir), "%s/%s", dir, profile);

	char defconf[600];
	snprintf(defconf, sizeof(defconf), "%s/linetime.conf", pdir);
	if (strcmp(cmd, "conf") == 0)
		return cat(defconf);

	struct board b;
	snprintf(path, sizeof(path), "%s/board.conf", pdir);
	if (board_parse_file(path, &b, err, sizeof(err)) != 0) {
		fprintf(stderr, "linetime-board: %s\n", err);
		return 1;
	}
	struct lt_config c;
	if (config_load_file(conf ? conf : defconf, &c, err, sizeof(err)) != 0) {
		fprintf(stderr, "linetime-board: %s\n", err);
		return 1;
	}
	struct sbuf out = {0};
	int rc = 0;
	if (strcmp(cmd, "summary") == 0) {
		board_summary(&b, &c, &out);
		struct sbuf probs = {0};
		if (board_check(&b, &c, &probs)) {
			sbuf_printf(&out, "\nproblems:\n%s", probs.p);
			rc = 1;
		}
		free(probs.p);
	} else if (strcmp(cmd, "eal") == 0) {
		rc = board_eal(&c, &out) ? 1 : 0;
	} else if (strcmp(cmd, "lcores") == 0) {
		board_lcores(&b, &c, &out);
	} else if (strcmp(cmd, "ports") == 0) {
		board_ports(&b, &c, &out);
	} else if (strcmp(cmd, "cmdline") == 0) {
		board_cmdline(&b, &c, &out);
	} else if (strcmp(cmd, "sysctl") == 0) {
		board_sysctl(&b, &out);
	} else if (strcmp(cmd, "bind") == 0) {
		board_bind_list(&b, &c, &out);
	} else if (strcmp(cmd, "env") == 0) {
		board_env(&b, &c, &out);
	} else if (strcmp(cmd, "check") == 0) {
		int n = board_check(&b, &c, &out);
		if (n) {
			fprintf(stderr, "linetime-board: %s: %d problem(s) with %s:\n%s", b.name, n,
				conf ? conf : defconf, out.p);
			free(out.p);
			config_free(&c);
			return 1;
		}
		sbuf_printf(&out, "%s: %s fits the board\n", b.name, conf ? conf : defconf);
	} else {
		fprintf(stderr, "linetime-board: unknown command %s\n", cmd);
		usage(stderr);
		rc = 2;
	}
	if (out.oom) {
		fprintf(stderr, "linetime-board: out of memory\n");
		rc = 1;
	} else if (out.p) {
		fputs(out.p, stdout);
	}
	free(out.p);
	config_free(&c);
	return rc;
}
