/*
 * fuzz_import_chrony: an operator's chrony.conf through the reader
 * (tools/import_chrony/chronyconf.c) and the converter (import.c), and the
 * converted text through linetime's own loader.
 *
 * The text is read as the file <scratch>/etc/chrony.conf, next to a small
 * tree the harness writes once (a conf.d and a sources.d directory, an
 * include file), so include, confdir and sourcedir have something to find.
 * To keep the fuzzer inside that tree, a '/' in the arguments of those
 * three directives is read as '_': they can name files beside the main one
 * and its subdirectories' contents only by relative names, and never an
 * absolute path. (Every other directive keeps its bytes.)
 *
 * Checked (chronyconf.h, import.h): a refusal names the file; directives
 * have names and terminated words; the converted text is refused by
 * config_load_string() never (import_main.c treats that as a bug in the
 * converter); every warning is one line; the lost count is at most the
 * warnings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "chronyconf.h"
#include "config.h"
#include "fuzz.h"
#include "import.h"

static char main_name[256];

static const struct {
	const char *path;
	const char *text;
} tree[] = {
	{ "etc/extra.conf", "makestep 1 3\nrtcsync\n" },
	{ "etc/conf.d/50-site.conf", "allow 192.0.2.0/24\nratelimit interval 3 burst 8\n" },
	{ "etc/conf.d/README", "not read: no .conf suffix\n" },
	{ "etc/sources.d/site.sources", "server 192.0.2.11 iburst\npool pool.example.net maxsources 2\n" },
	{ "etc/sources.d/loop.sources", "include extra.conf\n" },
};

static void put_file(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *s = strchr(path + strlen(root) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	f = fopen(path, "w");
	FUZZ_CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "writing %s", path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *root = fuzz_tmpdir();

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < sizeof(tree) / sizeof(tree[0]); i++)
		put_file(root, tree[i].path, tree[i].text);
	snprintf(main_name, sizeof(main_name), "%s/etc/chrony.conf", root);
	return 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* '/' -> '_' in the lines of include, confdir and sourcedir. */
static void confine(char *text)
{
	static const char *const names[] = { "include", "confdir", "sourcedir" };

	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n'), *w = line;
		size_t end = nl ? (size_t)(nl - line) : strlen(line);

		while (w < line + end && is_blank(*w))
			w++;
		for (size_t i = 0; i < 3; i++) {
			size_t n = strlen(names[i]);

			if ((size_t)(line + end - w) > n && !strncasecmp(w, names[i], n) && is_blank(w[n]))
				for (char *c = w + n; c < line + end; c++)
					if (*c == '/')
						*c = '_';
		}
		if (!nl)
			break;
		line = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct chrony_conf conf;
	struct import_result res;
	struct lt_config cfg;
	char err[CHRONYCONF_ERR_MAX], cerr[LT_CFG_ERR_MAX];
	char *text = fuzz_strdup(data, size);
	int rc;

	confine(text);
	rc = chronyconf_parse_string(text, main_name, &conf, err, sizeof(err));
	free(text);
	if (rc) {
		FUZZ_CHECK(rc < 0 && err[0] == '/' && conf.n == 0 && conf.d == NULL,
			   "refused with %d: \"%s\"", rc, err);
		if (fuzz_verbose())
			fprintf(stderr, "chronyconf: %s\n", err);
		return 0;
	}
	for (unsigned int i = 0; i < conf.n; i++) {
		const struct chrony_directive *d = &conf.d[i];

		FUZZ_CHECK(d->name && d->name[0] && d->file && d->line >= 1, "directive %u", i);
		for (unsigned int k = 0; k < d->n_args; k++)
			FUZZ_CHECK(d->args[k] && d->args[k][0], "directive %s: empty word %u", d->name, k);
	}
	rc = import_chrony(&conf, "chrony.conf", &res);
	FUZZ_CHECK(rc == 0, "import_chrony: %d", rc);
	FUZZ_CHECK(res.text && res.n_lost <= res.n_warnings, "import result");
	for (unsigned int i = 0; i < res.n_warnings; i++)
		FUZZ_CHECK(res.warnings[i][0] && !strchr(res.warnings[i], '\n'), "warning %u: \"%s\"", i,
			   res.warnings[i]);
	/* What the converter writes, linetime must accept (import.h). */
	rc = config_load_string(res.text, "out.conf", &cfg, cerr, sizeof(cerr));
	FUZZ_CHECK(rc == 0, "converted text refused: %s\n--- text:\n%s", cerr, res.text);
	config_free(&cfg);
	if (fuzz_verbose())
		fprintf(stderr, "%u directives, %u warnings, %zu bytes out\n", conf.n, res.n_warnings,
			strlen(res.text));
	import_result_free(&res);
	chronyconf_free(&conf);
	return 0;
}
