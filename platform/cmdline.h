/*
 * cmdline: the options both daemons take (-c CONFIG, -s, -t, -h), parsed in
 * one place so linetimed and linetime-dp behave alike for an operator.
 */
#ifndef LT_CMDLINE_H
#define LT_CMDLINE_H

struct cmdline {
	const char *config;  /* -c, default LT_CONFIG_DEFAULT_PATH */
	int to_syslog;       /* -s */
	int check_only;      /* -t */
	int next;            /* index of the first argument after the options */
};

enum cmdline_result {
	CMDLINE_RUN = 0,     /* go on */
	CMDLINE_HELP = 1,    /* help printed: exit 0 */
	CMDLINE_USAGE = 2,   /* bad option, usage printed to stderr: exit 2 */
};

/* Parse argv; extra is appended to the usage text ("" for none). */
enum cmdline_result cmdline_parse(int argc, char **argv, const char *prog, const char *extra,
				  struct cmdline *out);

struct lt_config;

/*
 * The start both daemons share: parse the options, start logging as prog,
 * load the configuration and apply its log level. Returns -1 to go on, or
 * the exit status to return at once: 0 after -h or a successful -t (which
 * prints "FILE: configuration OK"), 1 for a bad configuration (logged with
 * file, line and setting), 2 for a bad option.
 */
int cmdline_start(int argc, char **argv, const char *prog, const char *extra, struct cmdline *cl,
		  struct lt_config *cfg);

#endif
