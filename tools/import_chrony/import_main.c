/*
 * linetime-import-chrony: convert a chrony.conf into a linetime.conf.
 *
 *   linetime-import-chrony [-o OUTPUT] [-f] [--strict] [-h] [CHRONY_CONF]
 *
 * Reads CHRONY_CONF (default /etc/chrony/chrony.conf) with what it
 * includes, writes linetime.conf text to stdout or OUTPUT, and prints one
 * warning per line on stderr for each thing not carried over. The text is
 * loaded back with config_load_file() before it is written anywhere: a
 * refusal there is a bug in the converter, reported as an error.
 *
 * Exit codes: 0 converted (warnings allowed), 1 error, 2 usage error,
 * 4 under --strict when something was not carried over.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chronyconf.h"
#include "config.h"
#include "import.h"

#define DEFAULT_INPUT "/etc/chrony/chrony.conf"
#define PROG "linetime-import-chrony"

enum {
	EXIT_CONVERTED = 0,
	EXIT_ERROR = 1,
	EXIT_USAGE = 2,
	EXIT_WARNINGS = 4,
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [-o OUTPUT] [-f] [--strict] [-h] [CHRONY_CONF]\n"
		"\n"
		"Convert a chrony.conf (default " DEFAULT_INPUT "), with the files it\n"
		"includes, into a linetime.conf. Warnings, one per line on stderr, name\n"
		"each directive or option not carried over and what to do instead.\n"
		"\n"
		"  -o OUTPUT  write to OUTPUT (atomically) instead of stdout\n"
		"  -f         let -o replace an existing OUTPUT\n"
		"  --strict   exit 4 if anything in chrony.conf was not carried over\n"
		"             (the output is still written; the reminder to fill in the\n"
		"             dataplane ports does not count)\n"
		"  -h, --help this help\n"
		"\n"
		"Exit status:\n"
		"  0  converted (there may have been warnings)\n"
		"  1  error: the input could not be read, or the output could not be\n"
		"     written or was refused by linetime's own parser (a bug)\n"
		"  2  usage error\n"
		"  4  converted, something was not carried over, and --strict was given\n");
}

/* A new file next to path (the same file system, for rename), open for writing. */
static int temp_near(const char *path, char **tmp)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	const char *tmpdir = getenv("TMPDIR");
	char *name;
	int fd;

	if (!path) {
		if (!tmpdir || !*tmpdir)
			tmpdir = "/tmp";
		if (asprintf(&name, "%s/" PROG ".XXXXXX", tmpdir) < 0)
			return -ENOMEM;
	} else if (asprintf(&name, "%.*s.%s.XXXXXX", (int)dlen, path, path + dlen) < 0) {
		return -ENOMEM;
	}
	if ((fd = mkstemp(name)) < 0) {
		int rc = -errno;
		free(name);
		return rc;
	}
	*tmp = name;
	return fd;
}

static int write_all(int fd, const char *text)
{
	size_t len = strlen(text), off = 0;

	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)n;
	}
	return 0;
}

/*
 * Write text to a temporary file (next to output, or in TMPDIR), check it
 * with linetime's parser, then move it to output (refusing to replace one
 * unless force) or copy it to stdout. Returns an exit code.
 */
static int deliver(const char *text, const char *output, int force)
{
	struct lt_config cfg;
	char err[LT_CFG_ERR_MAX] = "";
	char *tmp = NULL;
	mode_t mask;
	int fd, rc;

	if (output && !force && access(output, F_OK) == 0) {
		fprintf(stderr, PROG ": %s exists: give -f to replace it\n", output);
		return EXIT_ERROR;
	}
	if ((fd = temp_near(output, &tmp)) < 0) {
		fprintf(stderr, PROG ": cannot create a temporary file%s%s: %s\n",
			output ? " for " : "", output ? output : "", strerror(-fd));
		return EXIT_ERROR;
	}
	/* mkstemp makes 0600; a configuration file is as readable as umask lets it be. */
	mask = umask(0);
	umask(mask);
	rc = fchmod(fd, 0666 & ~mask) ? -errno : write_all(fd, text);
	if (!rc && fsync(fd))
		rc = -errno;
	if (close(fd) && !rc)
		rc = -errno;
	if (rc) {
		fprintf(stderr, PROG ": %s: %s\n", tmp, strerror(-rc));
		goto fail;
	}

	rc = config_load_file(tmp, &cfg, err, sizeof(err));
	if (rc) {
		fprintf(stderr, PROG ": bug: linetime refuses the converted file: %s\n", err);
		goto fail;
	}
	config_free(&cfg);

	if (!output) {
		unlink(tmp);
		free(tmp);
		if (fputs(text, stdout) == EOF || fflush(stdout)) {
			fprintf(stderr, PROG ": stdout: %s\n", strerror(errno));
			return EXIT_ERROR;
		}
		return EXIT_CONVERTED;
	}
	/*
	 * Without -f, link() fails on an OUTPUT that appeared meanwhile, where
	 * rename() would replace it; a file system without hard links gets
	 * rename() after the check above.
	 */
	rc = force ? rename(tmp, output) : link(tmp, output);
	if (rc && !force && errno != EEXIST && access(output, F_OK))
		rc = rename(tmp, output);
	if (rc) {
		fprintf(stderr, PROG ": %s: %s%s\n", output, strerror(errno),
			errno == EEXIST ? " (give -f to replace it)" : "");
		goto fail;
	}
	unlink(tmp);
	free(tmp);
	return EXIT_CONVERTED;

fail:
	unlink(tmp);
	free(tmp);
	return EXIT_ERROR;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "strict", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL, *input = DEFAULT_INPUT;
	struct chrony_conf conf;
	struct import_result res;
	char err[CHRONYCONF_ERR_MAX];
	int force = 0, strict = 0, opt, rc;

	while ((opt = getopt_long(argc, argv, "o:fh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'S':
			strict = 1;
			break;
		case 'h':
			usage(stdout);
			return EXIT_CONVERTED;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		fprintf(stderr, PROG ": one chrony.conf at a time\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc)
		input = argv[optind];
	if (output && !*output) {
		usage(stderr);
		return EXIT_USAGE;
	}

	if (chronyconf_read(input, &conf, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_ERROR;
	}
	rc = import_chrony(&conf, input, &res);
	chronyconf_free(&conf);
	if (rc) {
		fprintf(stderr, PROG ": %s\n", strerror(-rc));
		return EXIT_ERROR;
	}
	for (unsigned int i = 0; i < res.n_warnings; i++)
		fprintf(stderr, "%s\n", res.warnings[i]);

	rc = deliver(res.text, output, force);
	if (rc == EXIT_CONVERTED && strict && res.n_lost)
		rc = EXIT_WARNINGS;
	import_result_free(&res);
	return rc;
}
