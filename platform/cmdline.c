/* cmdline: shared daemon option parsing. */
#include "cmdline.h"

#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "log.h"

static void usage(FILE *f, const char *prog, const char *extra)
{
	fprintf(f,
		"usage: %s [-c CONFIG] [-s] [-t] [-h]%s\n"
		"  -c CONFIG  configuration file (default " LT_CONFIG_DEFAULT_PATH ")\n"
		"  -s         log to syslog instead of stderr\n"
		"  -t         check the configuration and exit\n"
		"  -h         this help\n%s",
		prog, *extra ? " [-- ...]" : "", extra);
}

enum cmdline_result cmdline_parse(int argc, char **argv, const char *prog, const char *extra,
				  struct cmdline *out)
{
	int opt;

	out->config = LT_CONFIG_DEFAULT_PATH;
	out->to_syslog = 0;
	out->check_only = 0;
	while ((opt = getopt(argc, argv, "c:sth")) != -1) {
		switch (opt) {
		case 'c':
			out->config = optarg;
			break;
		case 's':
			out->to_syslog = 1;
			break;
		case 't':
			out->check_only = 1;
			break;
		case 'h':
			usage(stdout, prog, extra);
			return CMDLINE_HELP;
		default:
			usage(stderr, prog, extra);
			return CMDLINE_USAGE;
		}
	}
	out->next = optind;
	return CMDLINE_RUN;
}

int cmdline_start(int argc, char **argv, const char *prog, const char *extra, struct cmdline *cl,
		  struct lt_config *cfg)
{
	char err[LT_CFG_ERR_MAX];

	switch (cmdline_parse(argc, argv, prog, extra, cl)) {
	case CMDLINE_HELP:
		return 0;
	case CMDLINE_USAGE:
		return 2;
	default:
		break;
	}
	log_init(prog, cl->to_syslog, LOG_INFO);
	if (config_load_file(cl->config, cfg, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	log_set_level(cfg->log_level);
	if (cl->check_only) {
		printf("%s: configuration OK\n", cl->config);
		config_free(cfg);
		return 0;
	}
	return -1;
}
