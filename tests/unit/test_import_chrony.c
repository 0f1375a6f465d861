/*
 * import_chrony: chrony.conf read as chronyd reads it (chronyconf) and
 * converted to linetime.conf (import). Inputs are chrony.conf text as a user
 * writes it; every output must load in linetime's own parser.
 */
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../tools/import_chrony/chronyconf.h"
#include "../../tools/import_chrony/import.h"
#include "config.h"
#include "suites.h"

#define NAME "c.conf"
#define W_DATAPLANE                                                                        \
	": dataplane: the ports are not converted (chronyd used the kernel's interfaces): fill " \
	"in dataplane.ports from the template at the end of the output"
#define W_NOALLOW                                                                          \
	": allow: no allow directive, so chronyd served no client; the converted access list " \
	"serves nobody either: add an allow rule for each network to serve"

/* The fixtures (tests/data/chrony), overridable with LT_CHRONY_DIR. */
static const char *chrony_dir(void)
{
	const char *d = getenv("LT_CHRONY_DIR");
	return d ? d : "tests/data/chrony";
}

/* --- helpers --------------------------------------------------------------- */

static void load_out(const char *text, struct lt_config *cfg)
{
	char err[LT_CFG_ERR_MAX] = "";

	ck_assert_msg(config_load_string(text, "out.conf", cfg, err, sizeof(err)) == 0,
		      "linetime refuses the output: %s\n%s", err, text);
}

/* Convert chrony.conf text named NAME; the output must load in linetime. */
static void convert(const char *text, struct import_result *r)
{
	struct chrony_conf c;
	struct lt_config cfg;
	char err[CHRONYCONF_ERR_MAX] = "";

	ck_assert_msg(chronyconf_parse_string(text, NAME, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(import_chrony(&c, NAME, r), 0);
	chronyconf_free(&c);
	load_out(r->text, &cfg);
	config_free(&cfg);
}

/* How many warnings start with prefix. */
static unsigned int warned(const struct import_result *r, const char *prefix)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < r->n_warnings; i++)
		n += !strncmp(r->warnings[i], prefix, strlen(prefix));
	return n;
}

static void dump(const struct import_result *r)
{
	for (unsigned int i = 0; i < r->n_warnings; i++)
		fprintf(stderr, "  warning %u: %s\n", i, r->warnings[i]);
}

#define ck_warned(r, prefix)                                                      \
	do {                                                                      \
		if (warned(r, prefix) != 1)                                       \
			dump(r);                                                  \
		ck_assert_msg(warned(r, prefix) == 1, "no warning \"%s\"", prefix); \
	} while (0)

#define ck_has(text, s) ck_assert_msg(strstr(text, s), "missing \"%s\" in:\n%s", s, text)
#define ck_hasnt(text, s) ck_assert_msg(!strstr(text, s), "unexpected \"%s\" in:\n%s", s, text)

/* The warnings are exactly want[], in order; "@" at the start stands for dir. */
static void ck_warnings(const struct import_result *r, const char *dir, const char *const *want,
			unsigned int n)
{
	if (r->n_warnings != n)
		dump(r);
	ck_assert_uint_eq(r->n_warnings, n);
	for (unsigned int i = 0; i < n; i++) {
		char buf[1024];
		snprintf(buf, sizeof(buf), "%s%s", want[i][0] == '@' ? dir : "",
			 want[i] + (want[i][0] == '@'));
		ck_assert_str_eq(r->warnings[i], buf);
	}
}

static char *make_tmpdir(void)
{
	char t[] = "/tmp/lt-import-test.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(t));
	return strdup(t);
}

/* Write text to dir/name, making the directories on the way. */
static void put(const char *dir, const char *name, const char *text, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	fclose(f);
}

static void put_str(const char *dir, const char *name, const char *text)
{
	put(dir, name, text, strlen(text));
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_tree(char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Read dir/name; returns the error (0 if it was read) with its message in err. */
static int read_at(const char *dir, const char *name, struct chrony_conf *c, char *err)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return chronyconf_read(path, c, err, CHRONYCONF_ERR_MAX);
}

/* --- the reader ---------------------------------------------------------------- */

START_TEST(test_read_words_comments_case)
{
	struct chrony_conf c;
	char err[CHRONYCONF_ERR_MAX] = "";

	ck_assert_int_eq(chronyconf_parse_string("# comment\n"
						 "% comment\n"
						 "; comment\n"
						 "   ! comment\n"
						 "\n"
						 "  SERVER\tntp1.example.net   iburst \r\n"
						 "makestep 1 3",
						 NAME, &c, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(c.n, 2);
	ck_assert_str_eq(c.d[0].name, "SERVER");
	ck_assert_uint_eq(c.d[0].n_args, 2);
	ck_assert_str_eq(c.d[0].args[0], "ntp1.example.net");
	ck_assert_str_eq(c.d[0].args[1], "iburst");
	ck_assert_str_eq(c.d[0].file, NAME);
	ck_assert_uint_eq(c.d[0].line, 6);
	ck_assert_str_eq(c.d[1].name, "makestep");
	ck_assert_uint_eq(c.d[1].line, 7);
	ck_assert_uint_eq(c.d[1].n_args, 2);
	chronyconf_free(&c);
	chronyconf_free(&c); /* idempotent */
}
END_TEST

START_TEST(test_read_include_glob)
{
	char *dir = make_tmpdir(), err[CHRONYCONF_ERR_MAX] = "";
	struct chrony_conf c;

	put_str(dir, "chrony.conf", "maxdrift 100\ninclude inc/*.conf\nlogchange 0.5\n");
	put_str(dir, "inc/b.conf", "maxslewrate 2000\n");
	put_str(dir, "inc/a.conf", "\nminsources 2\n");
	put_str(dir, "inc/c.txt", "unknown directive\n");
	ck_assert_msg(read_at(dir, "chrony.conf", &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n, 5);
	ck_assert_str_eq(c.d[1].name, "include");
	ck_assert_uint_eq(c.d[1].n_files, 2);
	ck_assert_str_eq(c.d[2].name, "minsources");
	ck_assert_uint_eq(c.d[2].line, 2);
	ck_assert_ptr_nonnull(strstr(c.d[2].file, "/inc/a.conf"));
	ck_assert_str_eq(c.d[3].name, "maxslewrate");
	ck_assert_str_eq(c.d[4].name, "logchange");
	ck_assert_uint_eq(c.d[4].line, 3);
	ck_assert_uint_eq(c.n_files, 3);
	chronyconf_free(&c);
	rm_tree(dir);
}
END_TEST

START_TEST(test_read_confdir_first_dir_wins)
{
	char *dir = make_tmpdir(), err[CHRONYCONF_ERR_MAX] = "";
	struct chrony_conf c;
	struct import_result r;

	put_str(dir, "chrony.conf", "confdir d1 d2 missing\n");
	put_str(dir, "d1/10-a.conf", "maxslewrate 100\n");
	put_str(dir, "d2/10-a.conf", "maxslewrate 200\n");
	put_str(dir, "d2/05-b.conf", "maxdrift 300\n");
	put_str(dir, "d1/20-c.conf", "logchange 0.5\n");
	put_str(dir, "d1/.hidden.conf", "maxdrift 1\n");
	put_str(dir, "d1/30-d.conf.dpkg-old", "maxdrift 2\n");
	ck_assert_msg(read_at(dir, "chrony.conf", &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n, 4);
	ck_assert_uint_eq(c.d[0].n_files, 3);
	ck_assert_ptr_nonnull(strstr(c.d[1].file, "/d2/05-b.conf"));
	ck_assert_ptr_nonnull(strstr(c.d[2].file, "/d1/10-a.conf"));
	ck_assert_ptr_nonnull(strstr(c.d[3].file, "/d1/20-c.conf"));
	ck_assert_int_eq(import_chrony(&c, "chrony.conf", &r), 0);
	ck_has(r.text, "\nmaxslewrate = 100;");
	ck_has(r.text, "\nmaxdrift = 300;");
	ck_has(r.text, "\nlogchange = 0.5;");
	import_result_free(&r);
	chronyconf_free(&c);
	rm_tree(dir);
}
END_TEST

START_TEST(test_read_sourcedir)
{
	char *dir = make_tmpdir(), err[CHRONYCONF_ERR_MAX] = "", path[512];
	struct chrony_conf c;
	struct import_result r;
	struct lt_config cfg;

	put_str(dir, "chrony.conf", "sourcedir src\nsourcedir dhcp\n");
	put_str(dir, "src/a.sources", "server a.example.net iburst\npool p.example.net\n"
				      "maxslewrate 5\ninclude /etc/passwd\n");
	put_str(dir, "src/b.sources", "# DHCP\nserver b.example.net");
	put_str(dir, "src/c.conf", "server c.example.net\n");
	ck_assert_msg(read_at(dir, "chrony.conf", &c, err) == 0, "%s", err);
	ck_assert_uint_eq(c.n, 7);
	ck_assert_uint_eq(c.d[0].n_files, 2);
	ck_assert_uint_eq(c.d[1].flags & CHRONY_D_SOURCES, CHRONY_D_SOURCES);
	ck_assert_uint_eq(c.d[4].flags & CHRONY_D_SOURCES, CHRONY_D_SOURCES);
	ck_assert_uint_eq(c.d[4].n_files, 0); /* an include in a .sources file is not followed */
	ck_assert_uint_eq(c.d[5].flags, CHRONY_D_SOURCES | CHRONY_D_UNTERMINATED);
	ck_assert_uint_eq(c.d[6].flags, 0);
	ck_assert_int_eq(import_chrony(&c, "chrony.conf", &r), 0);
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.sync.n_servers, 1);
	ck_assert_str_eq(cfg.sync.servers[0].address, "a.example.net");
	ck_assert_uint_eq(cfg.sync.n_pools, 1);
	config_free(&cfg);

	char a[512], b[512];
	snprintf(path, sizeof(path), "%s/chrony.conf", dir);
	snprintf(a, sizeof(a), "%s/src/a.sources", dir);
	snprintf(b, sizeof(b), "%s/src/b.sources", dir);
	struct {
		char text[1024];
	} want[5];
	snprintf(want[0].text, 1024, "%s:1: sourcedir: 5 directives from 2 .sources files "
		 "converted as they are now; linetime has no sourcedir: later changes there (e.g. "
		 "by DHCP) are not followed", path);
	snprintf(want[1].text, 1024, "%s:3: maxslewrate: ignored: a .sources file holds server, "
		 "pool and peer only; chronyd ignores it too", a);
	snprintf(want[2].text, 1024, "%s:4: include: ignored: a .sources file holds server, "
		 "pool and peer only; chronyd ignores it too", a);
	snprintf(want[3].text, 1024, "%s:2: server: ignored: the last line of a .sources file "
		 "has no newline, and chronyd ignores such a line too: end it to have it "
		 "converted", b);
	snprintf(want[4].text, 1024, "%s:2: sourcedir: no .sources file there now, so nothing "
		 "was converted; linetime has no sourcedir: servers written there later (e.g. by "
		 "DHCP) are not followed", path);
	const char *const w[] = { want[0].text, want[1].text, want[2].text, want[3].text,
				  want[4].text, "chrony.conf" W_NOALLOW, "chrony.conf" W_DATAPLANE };
	ck_warnings(&r, "", w, 7);
	import_result_free(&r);
	chronyconf_free(&c);
	rm_tree(dir);
}
END_TEST

START_TEST(test_read_errors)
{
	char *dir = make_tmpdir(), err[CHRONYCONF_ERR_MAX], want[1024];
	struct chrony_conf c;
	char line[3000];

	/* A missing main file. */
	ck_assert_int_eq(read_at(dir, "none.conf", &c, err), -ENOENT);
	snprintf(want, sizeof(want), "%s/none.conf: cannot open: No such file or directory", dir);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(c.n, 0);

	/* A directory for a file. */
	ck_assert_int_eq(chronyconf_read(dir, &c, err, sizeof(err)), -EISDIR);

	/* An include that matches nothing: chronyd refuses to start. */
	put_str(dir, "nomatch.conf", "server a.example.net\ninclude none/*.conf\n");
	ck_assert_int_eq(read_at(dir, "nomatch.conf", &c, err), -ENOENT);
	snprintf(want, sizeof(want), "%s/nomatch.conf:2: include %s/none/*.conf: no file matches "
		 "(chronyd needs at least one)", dir, dir);
	ck_assert_str_eq(err, want);

	/* An include of a directory. */
	mkdir(strcat(strcpy(want, dir), "/sub"), 0755);
	put_str(dir, "incdir.conf", "include sub\n");
	ck_assert_int_eq(read_at(dir, "incdir.conf", &c, err), -EISDIR);
	ck_assert_ptr_nonnull(strstr(err, "/sub: cannot open: Is a directory (from "));

	/* include needs one word. */
	put_str(dir, "inc2.conf", "include a b\n");
	ck_assert_int_eq(read_at(dir, "inc2.conf", &c, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "inc2.conf:1: include: expected one file name or "
					  "pattern, got 2"));

	/* Loops, direct and through another file. */
	put_str(dir, "self.conf", "include self.conf\n");
	ck_assert_int_eq(read_at(dir, "self.conf", &c, err), -ELOOP);
	ck_assert_ptr_nonnull(strstr(err, "self.conf:1: include: "));
	ck_assert_ptr_nonnull(strstr(err, "is already being read: an include loop"));
	put_str(dir, "a.conf", "maxdrift 5\ninclude b.conf\n");
	put_str(dir, "b.conf", "\n\ninclude a.conf\n");
	ck_assert_int_eq(read_at(dir, "a.conf", &c, err), -ELOOP);
	snprintf(want, sizeof(want), "%s/b.conf:3: include: %s/a.conf is already being read: an "
		 "include loop", dir, dir);
	ck_assert_str_eq(err, want);
	ck_assert_uint_eq(c.n, 0);

	/* Deeper than chronyd's 10 levels, without a loop. */
	for (int i = 0; i <= 11; i++) {
		char name[32], text[64];
		snprintf(name, sizeof(name), "deep%d.conf", i);
		snprintf(text, sizeof(text), "include deep%d.conf\n", i + 1);
		put_str(dir, name, text);
	}
	put_str(dir, "deep12.conf", "maxdrift 5\n");
	ck_assert_int_eq(read_at(dir, "deep0.conf", &c, err), -ELOOP);
	ck_assert_ptr_nonnull(strstr(err, "deep10.conf:1: include: more than 10 levels of include"));
	put_str(dir, "deep10.conf", "maxdrift 5\n");
	ck_assert_msg(read_at(dir, "deep0.conf", &c, err) == 0, "%s", err);
	chronyconf_free(&c);

	/* Lines longer than chronyd's buffer, comments too. */
	memset(line, 'a', sizeof(line));
	memcpy(line, "server ", 7);
	line[2046] = '\0';
	ck_assert_int_eq(chronyconf_parse_string(line, NAME, &c, err, sizeof(err)), 0);
	chronyconf_free(&c);
	line[0] = '#';
	line[2046] = 'a';
	line[2500] = '\0';
	ck_assert_int_eq(chronyconf_parse_string(line, NAME, &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":1: line longer than 2046 characters");

	/* Bytes that are not text. */
	ck_assert_int_eq(chronyconf_parse_string("maxdrift 5\nserver a\001b\n", NAME, &c, err,
						 sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, NAME ":2: byte 0x01 in a directive: not chrony.conf text");
	ck_assert_int_eq(chronyconf_parse_string("\xff\xfe\x41\n", NAME, &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, NAME ":1: byte 0xff in a directive: not chrony.conf text");
	ck_assert_int_eq(chronyconf_parse_string("# caf\xc3\xa9 \001\nmaxdrift 5\n", NAME, &c, err,
						 sizeof(err)), 0);
	chronyconf_free(&c);
	put(dir, "nul.conf", "maxdrift 5\n\nser\0ver\n", 20);
	ck_assert_int_eq(read_at(dir, "nul.conf", &c, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "nul.conf:3: NUL byte: not a text file"));
	rm_tree(dir);
}
END_TEST

START_TEST(test_read_too_many_directives)
{
	size_t n = CHRONYCONF_MAX_DIRECTIVES + 1;
	char *text = malloc(n * 11 + 1), *t = text, err[CHRONYCONF_ERR_MAX];
	struct chrony_conf c;

	for (size_t i = 0; i < n; i++)
		t += sprintf(t, "maxdrift 5\n");
	ck_assert_int_eq(chronyconf_parse_string(text, NAME, &c, err, sizeof(err)), -E2BIG);
	ck_assert_str_eq(err, NAME ":10001: more than 10000 directives in all");
	text[10000 * 11] = '\0';
	ck_assert_int_eq(chronyconf_parse_string(text, NAME, &c, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.n, 10000);
	chronyconf_free(&c);
	free(text);
}
END_TEST

/* --- time sources ------------------------------------------------------------------- */

START_TEST(test_server_and_pool)
{
	struct import_result r;
	struct lt_config cfg;

	convert("server ntp1.example.net iburst minpoll 4 maxpoll 8 prefer\n"
		"server 198.18.0.11 noselect\n"
		"server 2001:db8::123 minpoll 3\n"
		"pool pool.example.net iburst maxsources 3\n"
		"pool 2.pool.example.net\n"
		"allow\n",
		&r);
	ck_has(r.text, "servers = (\n"
		       "  { address = \"ntp1.example.net\"; iburst = true; minpoll = 4; maxpoll = 8; "
		       "prefer = true; },  # from c.conf:1\n"
		       "  { address = \"198.18.0.11\"; noselect = true; },  # from c.conf:2\n"
		       "  { address = \"2001:db8::123\"; minpoll = 3; }  # from c.conf:3\n"
		       ");\n");
	ck_has(r.text, "pools = (\n"
		       "  { name = \"pool.example.net\"; maxsources = 3; iburst = true; },  # from c.conf:4\n"
		       "  { name = \"2.pool.example.net\"; }  # from c.conf:5\n"
		       ");\n");
	ck_assert_uint_eq(r.n_warnings, 1);
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.sync.n_servers, 3);
	ck_assert_int_eq(cfg.sync.servers[0].poll.minpoll, 4);
	ck_assert_int_eq(cfg.sync.servers[0].poll.maxpoll, 8);
	ck_assert_int_eq(cfg.sync.servers[0].poll.iburst, 1);
	ck_assert_int_eq(cfg.sync.servers[0].poll.prefer, 1);
	ck_assert_int_eq(cfg.sync.servers[1].poll.noselect, 1);
	ck_assert_uint_eq(cfg.sync.n_pools, 2);
	ck_assert_uint_eq(cfg.sync.pools[0].maxsources, 3);
	ck_assert_uint_eq(cfg.sync.pools[1].maxsources, 4);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

/* Every chrony option linetime does not take: one warning each, the rest kept. */
static const struct {
	const char *opt;
	const char *warning;
} dropped_opts[] = {
	{ "key 5", "key 5: dropped: linetime has no symmetric-key authentication (no NTP MACs)" },
	{ "nts", "nts: dropped: linetime has no NTS (Network Time Security) yet" },
	{ "certset 1", "certset 1: dropped: linetime has no NTS" },
	{ "ntsport 4460", "ntsport 4460: dropped: linetime has no NTS" },
	{ "xleave", "xleave: dropped: linetime has no interleaved mode" },
	{ "burst", "burst: dropped: linetime sends no burst at each poll" },
	{ "presend 9", "presend 9: dropped: linetime has no presend" },
	{ "minstratum 2", "minstratum 2: dropped: linetime has no minstratum" },
	{ "polltarget 12", "polltarget 12: dropped: not configurable in linetime" },
	{ "port 1123", "port 1123: dropped: linetime queries its servers on port 123 only" },
	{ "version 3", "version 3: dropped: linetime sends NTPv4 requests" },
	{ "maxdelay 0.1", "maxdelay 0.1: dropped: linetime's source filter has no delay" },
	{ "maxdelayratio 3", "maxdelayratio 3: dropped: linetime's source filter" },
	{ "maxdelaydevratio 5", "maxdelaydevratio 5: dropped: linetime's source filter" },
	{ "maxdelayquant 0.2", "maxdelayquant 0.2: dropped: linetime's source filter" },
	{ "mindelay 0.001", "mindelay 0.001: dropped: linetime's source filter" },
	{ "asymmetry 0.5", "asymmetry 0.5: dropped: linetime's source filter" },
	{ "offset 0.002", "offset 0.002: dropped: linetime does not correct a source" },
	{ "trust", "trust: dropped: linetime trusts no source blindly" },
	{ "require", "require: dropped: linetime has no require" },
	{ "filter 3", "filter 3: dropped: linetime has no median filter option" },
	{ "copy", "copy: dropped: linetime has no copy option" },
	{ "extfield F323", "extfield F323: dropped: linetime sends no extension fields" },
	{ "auto_offline", "auto_offline: dropped: linetime polls every source all the time" },
	{ "offline", "offline: dropped: linetime polls every source all the time" },
	{ "minsamples 4", "minsamples 4: dropped: not configurable in linetime" },
	{ "maxsamples 16", "maxsamples 16: dropped: not configurable in linetime" },
	{ "maxsources 3", "maxsources 3: dropped: it applies to pool only" },
	{ "minpoll -7", "minpoll -7: dropped: linetime takes -6..24 (default 6)" },
	{ "maxpoll 25", "maxpoll 25: dropped: linetime takes -6..24 (default 10)" },
	{ "minpoll x", "minpoll x: dropped: linetime takes -6..24 (default 6)" },
	{ "fast", "fast: unknown option, dropped" },
	{ "key", "key prefer: dropped: linetime has no symmetric-key authentication" },
};

START_TEST(test_server_dropped_option)
{
	struct import_result r;
	char text[256], want[256];

	snprintf(text, sizeof(text), "allow\n\nserver ntp1.example.net iburst %s prefer\n",
		 dropped_opts[_i].opt);
	convert(text, &r);
	snprintf(want, sizeof(want), NAME ":3: server: %s", dropped_opts[_i].warning);
	ck_warned(&r, want);
	ck_assert_uint_eq(r.n_warnings, 2);
	/* A "key" without a value takes "prefer" as its value, as chronyd would. */
	if (strcmp(dropped_opts[_i].opt, "key"))
		ck_has(r.text, "{ address = \"ntp1.example.net\"; iburst = true; prefer = true; }  # "
			       "from c.conf:3\n");
	import_result_free(&r);
}
END_TEST

START_TEST(test_server_values_linetime_uses_anyway)
{
	struct import_result r;

	convert("allow\nserver a.example.net port 123 version 4 iburst\n", &r);
	ck_assert_uint_eq(r.n_warnings, 1);
	ck_has(r.text, "{ address = \"a.example.net\"; iburst = true; }");
	import_result_free(&r);
}
END_TEST

START_TEST(test_server_refused)
{
	struct import_result r;
	struct lt_config cfg;
	struct sbuf {
		char s[4096];
	} t = { "" };

	strcat(t.s, "allow\n"
		    "server 127.127.1.0\n"                 /* ntpd's local clock */
		    "server fe80::1%eth0\n"
		    "server ::1\n"
		    "server 224.0.1.1\n"
		    "server bad_name.example.net\n"
		    "server\n"
		    "server 198.18.0.11 maxpoll 3 minpoll 5\n"
		    "server A.example.NET.\n"
		    "server a.example.net\n"               /* the same, in other words */
		    "pool p.example.net\n"
		    "pool P.example.net.\n");
	for (int i = 0; i < 16; i++) {
		char line[64];
		snprintf(line, sizeof(line), "server 198.19.0.%d\n", i + 1);
		strcat(t.s, line);
	}
	convert(t.s, &r);
	ck_warned(&r, NAME ":2: server: 127.127.1.0: dropped: a loopback address");
	ck_warned(&r, NAME ":3: server: fe80::1%eth0: dropped: an address with a %zone");
	ck_warned(&r, NAME ":4: server: ::1: dropped: a loopback address");
	ck_warned(&r, NAME ":5: server: 224.0.1.1: dropped: a multicast or reserved address");
	ck_warned(&r, NAME ":6: server: bad_name.example.net: dropped: neither an IP address nor "
		      "a host name");
	ck_warned(&r, NAME ":7: server: no server given: dropped");
	ck_warned(&r, NAME ":8: server: maxpoll 3: raised to minpoll 5, as chronyd does");
	ck_warned(&r, NAME ":10: server: a.example.net: dropped: the same server as c.conf:9");
	ck_warned(&r, NAME ":12: pool: P.example.net.: dropped: the same pool as c.conf:11");
	/* 2 servers so far, then 16 more: the last two are over linetime's 16. */
	ck_warned(&r, NAME ":27: server: 198.19.0.15: dropped: linetime takes at most 16 servers");
	ck_warned(&r, NAME ":28: server: 198.19.0.16: dropped: linetime takes at most 16 servers");
	ck_warned(&r, NAME ":11: pool: p.example.net: dropped: linetime tracks at most 16 sources, "
		      "and the servers and pools before it have them all");
	ck_assert_uint_eq(r.n_warnings, 13);
	ck_hasnt(r.text, "pools =");
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.sync.n_servers, 16);
	ck_assert_int_eq(cfg.sync.servers[0].poll.minpoll, 5);
	ck_assert_int_eq(cfg.sync.servers[0].poll.maxpoll, 5);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_pools_share_sixteen)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\n"
		"pool p1.example.net maxsources 8\n"
		"server s1.example.net\n"
		"server s2.example.net\n"
		"pool p2.example.net\n"
		"pool p3.example.net\n"
		"pool p4.example.net\n"
		"pool p5.example.net\n"
		"minsources 3\n",
		&r);
	ck_warned(&r, NAME ":6: pool: p3.example.net: maxsources 4 reduced to 2: linetime tracks at "
		      "most 16 sources (servers plus each pool's maxsources)");
	ck_warned(&r, NAME ":7: pool: p4.example.net: dropped: linetime tracks at most 16 sources");
	ck_warned(&r, NAME ":8: pool: p5.example.net: dropped: linetime takes at most 4 pools");
	ck_assert_uint_eq(r.n_warnings, 4);
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.sync.n_pools, 3);
	ck_assert_uint_eq(cfg.sync.pools[2].maxsources, 2);
	ck_assert_uint_eq(cfg.sync.minsources, 3);
	config_free(&cfg);
	import_result_free(&r);

	convert("allow\nserver a.example.net\nserver b.example.net\nminsources 3\n", &r);
	ck_warned(&r, NAME ":4: minsources: 3: dropped: more than the 2 sources converted, so the "
		      "clock would never be updated (default 1)");
	ck_hasnt(r.text, "minsources =");
	import_result_free(&r);
}
END_TEST

START_TEST(test_peer)
{
	struct import_result r;

	convert("allow\npeer ntp2.example.net key 1 xleave\n", &r);
	ck_assert_uint_eq(r.n_warnings, 2);
	ck_assert_str_eq(r.warnings[0], NAME ":2: peer: ntp2.example.net: not carried over: "
					"linetime has no symmetric mode; make it a server on both "
					"machines instead (chrony's own advice)");
	ck_hasnt(r.text, "servers =");
	import_result_free(&r);
}
END_TEST

/* --- access rules ----------------------------------------------------------------------- */

static const struct {
	const char *chrony;        /* the directive */
	const char *linetime;      /* the access rule written */
	int family;
	unsigned int plen;
	uint8_t addr[4];           /* IPv4: the first bytes */
} access_forms[] = {
	{ "allow", "allow", 0, 0, { 0 } },
	{ "allow all", "allow all", 0, 0, { 0 } },
	{ "allow 192.168.1", "allow 192.168.1.0/24", 4, 24, { 192, 168, 1 } },
	{ "allow 192.168", "allow 192.168.0.0/16", 4, 16, { 192, 168 } },
	{ "allow 10", "allow 10.0.0.0/8", 4, 8, { 10 } },
	{ "allow 198.18/15", "allow 198.18.0.0/15", 4, 15, { 198, 18 } },
	{ "allow 192.168.1.0/24", "allow 192.168.1.0/24", 4, 24, { 192, 168, 1 } },
	{ "allow 1.2.3.4", "allow 1.2.3.4", 4, 32, { 1, 2, 3, 4 } },
	{ "allow 0/0", "allow 0.0.0.0/0", 4, 0, { 0 } },
	{ "allow 2001:db8::/32", "allow 2001:db8::/32", 6, 32, { 0x20, 0x01, 0x0d, 0xb8 } },
	{ "allow ::/0", "allow ::/0", 6, 0, { 0 } },
	{ "deny all 10.0.0.0/8", "deny all 10.0.0.0/8", 4, 8, { 10 } },
	{ "DENY 203.0.113.0/24", "deny 203.0.113.0/24", 4, 24, { 203, 0, 113 } },
};

START_TEST(test_access_form)
{
	struct import_result r;
	struct lt_config cfg;
	char text[128], want[128];

	snprintf(text, sizeof(text), "allow 100.64.0.0/10\n%s\n", access_forms[_i].chrony);
	convert(text, &r);
	snprintf(want, sizeof(want), "  \"%s\"", access_forms[_i].linetime);
	ck_has(r.text, want);
	ck_assert_uint_eq(r.n_warnings, 1);
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.n_access, 2);
	ck_assert_uint_eq(cfg.access[1].family, access_forms[_i].family);
	ck_assert_uint_eq(cfg.access[1].prefixlen, access_forms[_i].plen);
	ck_assert_mem_eq(cfg.access[1].addr, access_forms[_i].addr, 4);
	ck_assert_uint_eq(cfg.access[1].allow, access_forms[_i].chrony[0] == 'a');
	ck_assert_uint_eq(cfg.access[1].all, strstr(access_forms[_i].chrony, " all") != NULL);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_access_lines_and_comments)
{
	struct import_result r;

	convert("allow 192.168.1\n\ndeny 192.168.1.13\n", &r);
	ck_has(r.text, "access = [\n"
		       "  \"allow 192.168.1.0/24\",             # from c.conf:1 (allow 192.168.1)\n"
		       "  \"deny 192.168.1.13\"                 # from c.conf:3\n"
		       "];\n");
	import_result_free(&r);
}
END_TEST

START_TEST(test_access_refused)
{
	struct import_result r;

	convert("allow clients.example.net\n"
		"deny bad.example.net\n"
		"allow 192.168.1.0/33\n"
		"allow 2001:db8::/129\n"
		"allow 10 20\n"
		"allow 1.2.3.4.5\n"
		"allow fe80::1%eth0\n"
		"allow 10.0.0.0/\n",
		&r);
	ck_warned(&r, NAME ":1: allow: clients.example.net: dropped: a host name; chronyd resolved "
		      "it once at start, linetime takes addresses only: write the address");
	ck_warned(&r, NAME ":2: deny: bad.example.net: dropped: a host name; chronyd resolved it "
		      "once at start, linetime takes addresses only: write the address (the "
		      "converted rules do not deny those clients)");
	ck_warned(&r, NAME ":3: allow: 192.168.1.0/33: dropped: prefix length out of range (0..32)");
	ck_warned(&r, NAME ":4: allow: 2001:db8::/129: dropped: prefix length out of range (0..128)");
	ck_warned(&r, NAME ":5: allow: 20: dropped: more than one subnet (chronyd refuses that)");
	ck_warned(&r, NAME ":6: allow: 1.2.3.4.5: dropped: \"1.2.3.4.5\": not an IPv4 or IPv6 address");
	ck_warned(&r, NAME ":7: allow: fe80::1%eth0: dropped: \"fe80::1%eth0\": not an IPv4 or IPv6 "
		      "address");
	ck_warned(&r, NAME ":8: allow: 10.0.0.0/: dropped: prefix length out of range (0..32)");
	ck_warned(&r, NAME W_NOALLOW);
	ck_assert_uint_eq(r.n_warnings, 10);
	ck_has(r.text, "access = [ \"deny\" ];\n");
	import_result_free(&r);
}
END_TEST

START_TEST(test_access_none_is_deny)
{
	struct import_result r;
	struct lt_config cfg;

	convert("server a.example.net\n", &r);
	ck_has(r.text, "\naccess = [ \"deny\" ];\n");
	ck_has(r.text, "# chronyd serves no client that no allow directive names");
	ck_assert_uint_eq(r.n_warnings, 2);
	ck_assert_str_eq(r.warnings[0], NAME W_NOALLOW);
	ck_assert_str_eq(r.warnings[1], NAME W_DATAPLANE);
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.n_access, 1);
	ck_assert_uint_eq(cfg.access[0].allow, 0);
	config_free(&cfg);
	import_result_free(&r);

	/* deny rules alone serve nobody in both. */
	convert("deny 10/8\n", &r);
	ck_has(r.text, "  \"deny 10.0.0.0/8\"");
	ck_hasnt(r.text, "\"deny\"");
	ck_assert_str_eq(r.warnings[0], NAME W_NOALLOW);
	import_result_free(&r);
}
END_TEST

START_TEST(test_access_chrony_table_steps)
{
	struct import_result r;

	convert(/* the same table (/13../16, /25../28): chronyd lets the later one win */
		"deny 10.2.0.0/16\nallow 10.0.0.0/14\n"
		"deny 192.168.1.0/28\nallow 192.168.1.0/25\n"
		/* different tables (/29, /28): the longer prefix decides in both */
		"deny 192.168.2.0/29\nallow 192.168.2.0/28\n"
		/* an "all" rule removes the earlier one in linetime too */
		"deny 172.16.5.0/24\nallow all 172.16.4.0/22\n"
		/* the same prefix: the later one replaces it in both */
		"allow 10.9.0.0/16\ndeny 10.9.0.0/16\n"
		/* no subnet is less specific than 0/0 in linetime only */
		"allow 0/0\ndeny\n",
		&r);
	ck_assert_str_eq(r.warnings[0], NAME ":2: allow: \"allow 10.0.0.0/14\" overrides \"deny "
					"10.2.0.0/16\" (c.conf:1) in chronyd, whose tables have 4-bit "
					"steps; in linetime the longer prefix decides in any order: "
					"rewrite the rules if chronyd's result was meant");
	ck_warned(&r, NAME ":4: allow: \"allow 192.168.1.0/25\" overrides \"deny 192.168.1.0/28\" "
		      "(c.conf:3) in chronyd");
	ck_warned(&r, NAME ":12: deny: \"deny\" overrides \"allow 0.0.0.0/0\" (c.conf:11) in "
		      "chronyd");
	ck_assert_uint_eq(r.n_warnings, 4);
	import_result_free(&r);
}
END_TEST

/* --- other directives -------------------------------------------------------------------- */

START_TEST(test_numbers)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\n"
		"maxdistance 1.5\n"
		"maxslewrate 1000\n"
		"maxupdateskew 100.0\n"
		"maxdrift 250\n"
		"corrtimeratio 10\n"
		"logchange 0.5\n"
		"clockprecision 1e-7\n"
		"clientloglimit 1048576\n"
		"minsources 1\n"
		"server a.example.net\n",
		&r);
	ck_has(r.text, "\nmaxdistance = 1.5;  # from c.conf:2\n");
	ck_has(r.text, "\nmaxslewrate = 1000;  # from c.conf:3\n");
	ck_has(r.text, "\nmaxupdateskew = 100;  # from c.conf:4\n");
	ck_has(r.text, "\nmaxdrift = 250;  # from c.conf:5\n");
	ck_has(r.text, "\ncorrtimeratio = 10;  # from c.conf:6\n");
	ck_has(r.text, "\nlogchange = 0.5;  # from c.conf:7\n");
	ck_has(r.text, "\nprecision = 1e-07;  # from c.conf:8\n");
	ck_has(r.text, "# 4096 clients with one dataplane worker (chronyd: 8192); with more, each\n"
		       "# worker gets its share (clientloglimit in docs/CONFIG.md)\n"
		       "clientloglimit = 1048576;  # from c.conf:9\n");
	ck_has(r.text, "\nminsources = 1;  # from c.conf:10\n");
	ck_hasnt(r.text, "chronyd's default maxdrift");
	ck_assert_uint_eq(r.n_warnings, 1);
	load_out(r.text, &cfg);
	ck_assert_double_eq(cfg.precision, 1e-7);
	ck_assert_double_eq(cfg.sync.maxdistance, 1.5);
	ck_assert_double_eq(cfg.sync.maxupdateskew, 100);
	ck_assert_uint_eq(cfg.clientloglimit, 1048576);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

static const struct {
	const char *line;
	const char *warning;
} bad_values[] = {
	{ "maxdistance 0", "maxdistance: 0: dropped: linetime takes more than 0, at most 1000 seconds" },
	{ "maxdistance 1001", "maxdistance: 1001: dropped: linetime takes more than 0" },
	{ "maxslewrate 0.5", "maxslewrate: 0.5: dropped: linetime takes 1..500000 ppm" },
	{ "maxslewrate 600000", "maxslewrate: 600000: dropped: linetime takes 1..500000 ppm" },
	{ "maxupdateskew 0", "maxupdateskew: 0: dropped: linetime takes more than 0 ppm" },
	{ "maxdrift 600000", "maxdrift: 600000: dropped: linetime takes 1..500000 ppm" },
	{ "corrtimeratio 0.05", "corrtimeratio: 0.05: dropped: linetime takes 0.1..1000" },
	{ "logchange 0", "logchange: 0: dropped: linetime takes more than 0 seconds" },
	{ "clockprecision 1e-10", "clockprecision: 1e-10: dropped: linetime takes 1e-9..1 seconds" },
	{ "clockprecision 2", "clockprecision: 2: dropped: linetime takes 1e-9..1 seconds" },
	{ "clientloglimit 1024", "clientloglimit: 1024: dropped: linetime takes 4096..1073741824 bytes" },
	{ "clientloglimit 2147483648", "clientloglimit: 2147483648: dropped: not an integer" },
	{ "clientloglimit 1e6", "clientloglimit: 1e6: dropped: not an integer" },
	{ "minsources 17", "minsources: 17: dropped: linetime takes 1..16" },
	{ "minsources two", "minsources: two: dropped: not an integer" },
	{ "maxdrift nan", "maxdrift: nan: dropped: not a number" },
	{ "maxdrift 1e999", "maxdrift: 1e999: dropped: not a number" },
	{ "maxdrift 0x10", "maxdrift: 0x10: dropped: not a number" },
	{ "maxdrift", "maxdrift: dropped: expected one value, got 0 (chronyd refuses that)" },
	{ "maxdrift 5 6", "maxdrift: dropped: expected one value, got 2 (chronyd refuses that)" },
	{ "makestep 1", "makestep: dropped: expected a threshold and a limit" },
	{ "makestep -1 3", "makestep: -1: dropped: the threshold is a number of seconds, at least 0" },
	{ "makestep 1 x", "makestep: x: dropped: the limit is an integer" },
	{ "local stratum 16", "local: stratum 16: dropped: linetime takes 1..15 (default 10)" },
	{ "local distance 2000", "local: distance 2000: dropped: linetime takes 0..1000 seconds" },
	{ "local activate 0.1", "local: activate 0.1: dropped: linetime has no activate; its local "
				"clock takes over at local.distance" },
	{ "local often", "local: often: dropped: linetime's local takes stratum, distance and "
			 "orphan" },
	{ "local stratum", "local: stratum: no value: dropped" },
	{ "ratelimit interval 13", "ratelimit: interval 13: dropped: linetime takes -19..12" },
	{ "ratelimit burst 0", "ratelimit: burst 0: dropped: linetime takes 1..255" },
	{ "ratelimit leak 0", "ratelimit: leak 0: dropped: linetime takes 1..4" },
	{ "ratelimit kod 2", "ratelimit: kod 2: dropped: set ratelimit.kod by hand" },
	{ "ratelimit often", "ratelimit: often: unknown option, dropped" },
	{ "ratelimit burst", "ratelimit: burst: no value: dropped" },
	{ "leapsectz /usr/share/zoneinfo/right/UTC", "leapsectz: /usr/share/zoneinfo/right/UTC: "
						     "dropped: an absolute path" },
	{ "leapsectz right/../UTC", "leapsectz: right/../UTC: dropped: contains \"..\"" },
	{ "leapsecmode sometimes", "leapsecmode: sometimes: dropped: not a chrony leap second mode" },
	{ "leapsecmode ignore", "leapsecmode: ignore: dropped: linetime always corrects a leap "
				"second; the default \"step\" applies, \"slew\" is the closest" },
	{ "smoothtime 400", "smoothtime: dropped: expected MAX-FREQ MAX-WANDER [leaponly]" },
	{ "smoothtime 400 0.001", "smoothtime: not carried over: linetime smooths nothing but leap "
				  "seconds (smoothtime ... leaponly, leapsecmode = \"smear\")" },
	{ "driftfile drift", "driftfile: drift: dropped: not an absolute path, which linetime "
			     "requires" },
	{ "driftfile /var/lib/chrony/drift interval 10", "driftfile: interval 10: dropped: linetime "
							 "takes no interval for the drift file" },
	{ "logdir log", "logdir: log: dropped: not an absolute path" },
	{ "ntpsigndsocket /var/lib/samba/ntp_signd/this/path/is/long/enough/to/leave/no/room/for/"
	  "the/socket/name/xxxxxxxxxxxxxxx", "ntpsigndsocket: /var/lib/samba/ntp_signd/this/path/is/"
					  "long/enough/to/leave/no/room/for/the/socket/name/"
					  "xxxxxxxxxxxxxxx: dropped: longer than the 100 characters "
					  "linetime takes" },
	{ "server a.example.net key", "server: key: no value (chronyd refuses that): dropped" },
	{ "confdir", "confdir: no directory given (chronyd refuses that): nothing read" },
	{ "bindcmdaddress relative.sock", "bindcmdaddress: relative.sock: not carried over: "
					  "linetime's admin interface is a Unix socket only" },
	{ "log rawmeasurements", "log: rawmeasurements: dropped: linetime logs the accepted samples "
				 "only (log measurements)" },
	{ "log selection", "log: selection: dropped: linetime has no selection log" },
	{ "log rtc", "log: rtc: dropped: linetime has no rtc log" },
	{ "log refclocks", "log: refclocks: dropped: linetime has no refclocks log" },
	{ "log tempcomp", "log: tempcomp: dropped: linetime has no tempcomp log" },
	{ "log everything", "log: everything: unknown log, dropped" },
	{ "port 0", "port: 0: not carried over: chronyd served no client; linetime serves NTP on "
		    "every dataplane port: access = [ \"deny\" ]; serves nobody" },
	{ "port 1123", "port: 1123: not carried over: linetime serves NTP on port 123 only" },
};

START_TEST(test_bad_value)
{
	struct import_result r;
	char text[256], want[512];

	snprintf(text, sizeof(text), "allow\nlogdir /var/log/chrony\n%s\n", bad_values[_i].line);
	convert(text, &r);
	snprintf(want, sizeof(want), NAME ":3: %s", bad_values[_i].warning);
	ck_warned(&r, want);
	ck_assert_uint_eq(r.n_warnings, 2);
	import_result_free(&r);
}
END_TEST

START_TEST(test_makestep)
{
	struct import_result r;

	convert("allow\nmakestep 1 3\n", &r);
	ck_has(r.text, "\nmakestep = { threshold = 1; limit = 3; };  # from c.conf:2\n");
	import_result_free(&r);
	convert("allow\nmakestep 0.1 -1\n", &r);
	ck_has(r.text, "\nmakestep = { threshold = 0.1; limit = -1; };");
	import_result_free(&r);
	convert("allow\nmakestep 0.5 -5\n", &r);
	ck_has(r.text, "\nmakestep = { threshold = 0.5; limit = -1; };");
	import_result_free(&r);
	convert("allow\nmakestep 1 0\n", &r);
	ck_hasnt(r.text, "makestep =");
	ck_has(r.text, "# makestep 1 0 never steps: no makestep group, the same\n# from c.conf:2\n");
	ck_assert_uint_eq(r.n_warnings, 1);
	import_result_free(&r);
}
END_TEST

START_TEST(test_local)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\nlocal stratum 8 distance 0.5 orphan\n", &r);
	ck_has(r.text, "\nlocal = { stratum = 8; distance = 0.5; orphan = true; };  # from c.conf:2\n");
	load_out(r.text, &cfg);
	ck_assert_uint_eq(cfg.local_stratum, 8);
	ck_assert_double_eq(cfg.local_distance, 0.5);
	ck_assert_int_eq(cfg.local_orphan, 1);
	config_free(&cfg);
	ck_hasnt(r.text, "no local directive");
	import_result_free(&r);

	convert("allow\nlocal\n", &r);
	ck_has(r.text, "\nlocal = { stratum = 10; };");
	import_result_free(&r);

	/* Without local chronyd answered unsynchronised; linetime cannot. */
	convert("allow\n", &r);
	ck_has(r.text, "# chrony.conf has no local directive: chronyd told clients it was\n");
	ck_hasnt(r.text, "\nlocal =");
	import_result_free(&r);
}
END_TEST

START_TEST(test_ratelimit_and_clientlog)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\nratelimit interval 1 burst 16\n", &r);
	ck_has(r.text, "# linetime counts each IPv6 /64 as one client (chronyd: each address): add\n"
		       "# ipv6_prefix = 128; to limit each address\n"
		       "ratelimit = { interval = 1; burst = 16; };  # from c.conf:2\n");
	load_out(r.text, &cfg);
	ck_assert_int_eq(cfg.ratelimit.enabled, 1);
	ck_assert_int_eq(cfg.ratelimit.interval, 1);
	ck_assert_uint_eq(cfg.ratelimit.burst, 16);
	ck_assert_uint_eq(cfg.ratelimit.leak, 2);
	config_free(&cfg);
	import_result_free(&r);

	convert("allow\nratelimit\n", &r);
	ck_has(r.text, "\nratelimit = { };");
	load_out(r.text, &cfg);
	ck_assert_int_eq(cfg.ratelimit.enabled, 1);
	config_free(&cfg);
	import_result_free(&r);

	convert("allow\nratelimit interval -19 burst 255 leak 4\nntsratelimit interval 3\n"
		"cmdratelimit interval 2\n", &r);
	ck_has(r.text, "\nratelimit = { interval = -19; burst = 255; leak = 4; };");
	ck_warned(&r, NAME ":3: ntsratelimit: not carried over: linetime has no NTS");
	ck_warned(&r, NAME ":4: cmdratelimit: not carried over: linetime's admin interface is a "
		      "Unix socket only");
	import_result_free(&r);
}
END_TEST

/*
 * Found by tests/fuzz/fuzz_import_chrony: an option given twice in one
 * ratelimit line was written twice into the group, and linetime refused
 * the converted file ("duplicate setting name"). chronyd takes the last
 * value; so does the converter now, writing each option once. Input:
 * tests/fuzz/corpus/import_chrony/regress-ratelimit-twice.
 */
START_TEST(test_ratelimit_option_twice)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\nratelimit interval 3 burst 8 interval 4 burst 16 leak 2\n", &r);
	ck_has(r.text, "\nratelimit = { interval = 4; burst = 16; leak = 2; };  # from c.conf:2\n");
	load_out(r.text, &cfg);
	ck_assert_int_eq(cfg.ratelimit.interval, 4);
	ck_assert_uint_eq(cfg.ratelimit.burst, 16);
	config_free(&cfg);
	import_result_free(&r);

	/* A bad repeat is dropped with its warning; the good value stays. */
	convert("allow\nratelimit burst 8 burst 0\n", &r);
	ck_has(r.text, "\nratelimit = { burst = 8; };");
	ck_warned(&r, NAME ":2: ratelimit: burst 0: dropped: linetime takes 1..255");
	import_result_free(&r);
}
END_TEST

START_TEST(test_leap)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\nleapsectz right/UTC\nleapsecmode system\n", &r);
	ck_has(r.text, "\nleapsecmode = \"step\";  # from c.conf:3\n");
	ck_has(r.text, "\nleapsectz = \"right/UTC\";  # from c.conf:2\n");
	ck_assert_uint_eq(r.n_warnings, 1);
	import_result_free(&r);
	convert("allow\nleapsecmode step\n", &r);
	ck_has(r.text, "\nleapsecmode = \"step\";");
	import_result_free(&r);
	convert("allow\nleapsecmode slew\n", &r);
	ck_has(r.text, "\nleapsecmode = \"slew\";");
	import_result_free(&r);

	/* chrony's recommended leap smear, and the same capped by max-freq. */
	convert("allow\nleapsecmode slew\nmaxslewrate 1000\nsmoothtime 400 0.001024 leaponly\n", &r);
	ck_has(r.text, "\nleapsecmode = \"smear\";  # from c.conf:4\n"
		       "smoothtime = { window = 62500; shape = \"quadratic\"; };  # from c.conf:4\n");
	ck_assert_str_eq(r.warnings[0], NAME ":4: smoothtime: leap smear converted to a 62500 s "
					"window, but chronyd's starts at the leap and linetime's is "
					"centred on it: do not mix the two for one set of clients");
	load_out(r.text, &cfg);
	ck_assert_int_eq(cfg.sync.leapsecmode, LT_LEAPSECMODE_SMEAR);
	ck_assert_double_eq(cfg.sync.smear_window, 62500);
	config_free(&cfg);
	import_result_free(&r);
	/* 10 ppm cap: 1e-5/1e-9 + 1/1e-5 = 110000 s. */
	convert("allow\nsmoothtime 10 0.001 leaponly\n", &r);
	ck_has(r.text, "smoothtime = { window = 110000; shape = \"quadratic\"; };");
	import_result_free(&r);
	/* Beyond linetime's 172800 s: the nearest it takes. */
	convert("allow\nsmoothtime 1 0.001 leaponly\n", &r);
	ck_has(r.text, "smoothtime = { window = 172800;");
	ck_warned(&r, NAME ":2: smoothtime: leap smear converted to a 172800 s window (the nearest "
		      "linetime takes), but");
	import_result_free(&r);
}
END_TEST

START_TEST(test_paths)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\n"
		"driftfile /var/lib/chrony/chrony.drift\n"
		"logdir /var/log/chrony\n"
		"bindcmdaddress /run/chrony/chronyd.sock\n"
		"ntpsigndsocket /var/lib/samba/ntp_signd\n",
		&r);
	ck_has(r.text, "# chronyd's was /var/lib/chrony/chrony.drift\n"
		       "driftfile = \"/var/lib/linetime/chrony.drift\";  # from c.conf:2\n");
	ck_has(r.text, "# chronyd's was /var/log/chrony\n"
		       "logdir = \"/var/log/linetime\";  # from c.conf:3\n");
	ck_has(r.text, "# chronyc's was /run/chrony/chronyd.sock\n"
		       "admin = { socket = \"/run/linetime/admin.sock\"; };  # from c.conf:4\n");
	ck_has(r.text, "\nntpsigndsocket = \"/var/lib/samba/ntp_signd\";  # from c.conf:5\n");
	ck_assert_uint_eq(r.n_warnings, 1);
	load_out(r.text, &cfg);
	ck_assert_str_eq(cfg.sync.driftfile, "/var/lib/linetime/chrony.drift");
	ck_assert_str_eq(cfg.ntpsigndsocket, "/var/lib/samba/ntp_signd");
	config_free(&cfg);
	import_result_free(&r);

	/* Elsewhere a path stays; quotes are escaped. */
	convert("allow\ndriftfile /srv/time/\"drift\"\nbindcmdaddress /srv/time/cmd.sock\n"
		"logdir /var/log/chronyd\n", &r);
	ck_has(r.text, "\ndriftfile = \"/srv/time/\\\"drift\\\"\";  # from c.conf:2\n");
	ck_has(r.text, "\nadmin = { socket = \"/srv/time/cmd.sock\"; };");
	ck_has(r.text, "\nlogdir = \"/var/log/chronyd\";");
	load_out(r.text, &cfg);
	ck_assert_str_eq(cfg.sync.driftfile, "/srv/time/\"drift\"");
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_logs)
{
	struct import_result r;
	struct lt_config cfg;

	convert("allow\nlogdir /var/log/chrony\nlog measurements\nlog statistics tracking\n", &r);
	ck_has(r.text, "\nlog = { measurements = true; statistics = true; tracking = true; };  # "
		       "from c.conf:3 c.conf:4\n");
	load_out(r.text, &cfg);
	ck_assert_int_eq(cfg.sync.log_measurements, 1);
	ck_assert_int_eq(cfg.sync.log_tracking, 1);
	config_free(&cfg);
	import_result_free(&r);

	convert("allow\nlog tracking measurements\n", &r);
	ck_warned(&r, NAME ":2: log: measurements: dropped: there is no logdir, so chronyd wrote "
		      "no such log either; set logdir to have it");
	ck_warned(&r, NAME ":2: log: tracking: dropped: there is no logdir");
	ck_hasnt(r.text, "\nlog =");
	import_result_free(&r);
}
END_TEST

START_TEST(test_admin_interface)
{
	struct import_result r;

	convert("allow\nbindcmdaddress 127.0.0.1\nbindcmdaddress ::\nbindcmdaddress /\n"
		"cmdallow 192.0.2.0/24\ncmddeny all\ncmdport 0\nbindcmddevice eth0\n", &r);
	ck_assert_str_eq(r.warnings[0], NAME ":2: bindcmdaddress: 127.0.0.1: not carried over: "
					"linetime's admin interface is a Unix socket only "
					"(admin.socket), reached by linetimectl on this machine; it "
					"has no UDP command port");
	ck_warned(&r, NAME ":3: bindcmdaddress: ::: not carried over");
	ck_assert_str_eq(r.warnings[2], NAME ":4: bindcmdaddress: /: not carried over: chronyd's "
					"command socket was off; linetime's admin socket is always "
					"there, for root only unless admin.group is set");
	ck_assert_str_eq(r.warnings[3], NAME ":5: cmdallow: not carried over: linetime's admin "
					"interface is a Unix socket only (admin.socket), reached by "
					"linetimectl on this machine; admin.group names the group "
					"that may run read-only commands, admin.write_group the group "
					"that may also change things (root always may)");
	ck_warned(&r, NAME ":6: cmddeny: not carried over: linetime's admin interface");
	ck_warned(&r, NAME ":7: cmdport: not carried over: linetime's admin interface");
	ck_warned(&r, NAME ":8: bindcmddevice: not carried over: linetime's admin interface");
	ck_assert_uint_eq(r.n_warnings, 8);
	ck_hasnt(r.text, "admin =");
	import_result_free(&r);
}
END_TEST

START_TEST(test_interfaces_to_dataplane)
{
	struct import_result r;

	convert("allow\nbindaddress 192.0.2.10\nhwtimestamp eth1 rxfilter all\nhwtimestamp *\n"
		"binddevice eth1\nport 123\n", &r);
	ck_warned(&r, NAME ":2: bindaddress: 192.0.2.10: not carried over: the addresses linetime "
		      "serves on go in dataplane.ports (addresses, with the prefix length)");
	ck_warned(&r, NAME ":3: hwtimestamp: eth1: not carried over: set timestamping = "
		      "\"hardware\" on the dataplane port that replaces eth1");
	ck_warned(&r, NAME ":4: hwtimestamp: *: not carried over: set timestamping = \"auto\" (the "
		      "default) on the dataplane ports");
	ck_warned(&r, NAME ":5: binddevice: not carried over: the interfaces linetime serves on are "
		      "the dataplane ports");
	ck_assert_uint_eq(r.n_warnings, 5);
	ck_has(r.text, "# chronyd's bindaddress 192.0.2.10 (c.conf:2): one of the ports' addresses\n");
	ck_has(r.text, "# chronyd's hwtimestamp eth1 (c.conf:3): that port's timestamping\n");
	import_result_free(&r);
}
END_TEST

static const struct {
	const char *line;
	const char *why;
} not_carried[] = {
	{ "keyfile /etc/chrony/chrony.keys", "linetime has no symmetric-key authentication" },
	{ "authselectmode require", "linetime has no symmetric-key authentication" },
	{ "refclock PPS /dev/pps0 lock NMEA", "linetime has no reference clocks" },
	{ "rtcfile /var/lib/chrony/rtc", "linetime does not manage the real-time clock" },
	{ "rtcsync", "linetime does not manage the real-time clock" },
	{ "rtconutc", "linetime does not manage the real-time clock" },
	{ "rtcautotrim 30", "linetime does not manage the real-time clock" },
	{ "rtcdevice /dev/rtc1", "linetime does not manage the real-time clock" },
	{ "hwclockfile /etc/adjtime", "linetime does not manage the real-time clock" },
	{ "user _chrony", "the users linetime's processes run as are set by their service units" },
	{ "pidfile /run/chronyd.pid", "linetime runs two processes and names their directory: "
				      "pidfile_dir" },
	{ "dumpdir /var/lib/chrony", "linetime saves no measurement history" },
	{ "dumponexit", "obsolete; chronyd ignores it too" },
	{ "lock_all", "linetime has no memory-locking setting" },
	{ "sched_priority 1", "linetime has no scheduling setting" },
	{ "ntsserverkey /etc/chrony/key.pem", "linetime has no NTS" },
	{ "ntsservercert /etc/chrony/cert.pem", "linetime has no NTS" },
	{ "ntsdumpdir /var/lib/chrony", "linetime has no NTS" },
	{ "ntsport 4460", "linetime has no NTS" },
	{ "ntsprocesses 2", "linetime has no NTS" },
	{ "maxntsconnections 100", "linetime has no NTS" },
	{ "ntsntpserver ntp.example.net", "linetime has no NTS" },
	{ "ntsrotate 0", "linetime has no NTS" },
	{ "ntstrustedcerts /etc/pki/ca.pem", "linetime has no NTS" },
	{ "nosystemcert", "linetime has no NTS" },
	{ "nocerttimecheck 1", "linetime has no NTS" },
	{ "ntsrefresh 3600", "linetime has no NTS" },
	{ "initstepslew 10 ntp1.example.net", "deprecated in chrony too; makestep" },
	{ "manual", "linetime takes no manual time input" },
	{ "acquisitionport 1123", "linetime queries its servers through the dataplane ports" },
	{ "bindacqaddress 0.0.0.0", "linetime queries its servers through the dataplane ports" },
	{ "bindacqdevice eth0", "linetime queries its servers through the dataplane ports" },
	{ "dscp 46", "linetime does not set DSCP" },
	{ "maxsamples 16", "not configurable in linetime" },
	{ "minsamples 4", "not configurable in linetime" },
	{ "combinelimit 3", "not configurable in linetime" },
	{ "maxjitter 1", "not configurable in linetime" },
	{ "reselectdist 0.0001", "not configurable in linetime" },
	{ "stratumweight 0.001", "not configurable in linetime" },
	{ "maxclockerror 1", "not configurable in linetime" },
	{ "fallbackdrift 16 19", "linetime has no fallback drift" },
	{ "maxchange 1000 1 2", "linetime has no maxchange" },
	{ "tempcomp /sys/class/hwmon/hwmon0/temp1_input 30 26000 0.0 0.000183 0.0",
	  "linetime has no temperature compensation" },
	{ "broadcast 64 192.0.2.255", "linetime sends no broadcast NTP" },
	{ "noclientlog", "linetime always keeps the client log" },
	{ "mailonchange root@localhost 0.5", "linetime sends no mail" },
	{ "logbanner 0", "linetime writes its log banners as it does" },
	{ "ptpport 319", "linetime has no NTP over PTP" },
	{ "commandkey 1", "obsolete" },
	{ "generatecommandkey", "obsolete" },
	{ "linux_hz 100", "obsolete" },
	{ "linux_freq_scale 1", "obsolete" },
};

START_TEST(test_not_carried_over)
{
	struct import_result r;
	char text[256], want[256], name[64];

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(not_carried[_i].line, " "),
		 not_carried[_i].line);
	snprintf(text, sizeof(text), "allow\n%s\n", not_carried[_i].line);
	convert(text, &r);
	snprintf(want, sizeof(want), NAME ":2: %s: not carried over: %s", name, not_carried[_i].why);
	ck_warned(&r, want);
	ck_assert_uint_eq(r.n_warnings, 2);
	ck_has(r.text, want);
	import_result_free(&r);
}
END_TEST

START_TEST(test_unknown_and_case)
{
	struct import_result r;

	convert("ALLOW 10\nMaxDrift 100\nfrobnicate 3\n", &r);
	ck_has(r.text, "  \"allow 10.0.0.0/8\"");
	ck_has(r.text, "\nmaxdrift = 100;");
	ck_assert_str_eq(r.warnings[0], NAME ":3: frobnicate: unknown directive, not carried over");
	ck_assert_uint_eq(r.n_warnings, 2);
	import_result_free(&r);
}
END_TEST

START_TEST(test_last_one_counts)
{
	struct import_result r;

	convert("allow\nmaxslewrate 100\nmaxslewrate 2000\nmaxslewrate 0\n", &r);
	ck_has(r.text, "\nmaxslewrate = 2000;  # from c.conf:3 (overrides c.conf:2)\n");
	ck_warned(&r, NAME ":4: maxslewrate: 0: dropped");
	import_result_free(&r);
}
END_TEST

START_TEST(test_text_shape)
{
	struct import_result r, again;

	convert("allow\nkeyfile /etc/chrony/chrony.keys\n", &r);
	ck_assert_ptr_eq(strstr(r.text, "# linetime.conf converted by linetime-import-chrony from\n"
					"#   c.conf\n"), r.text);
	ck_has(r.text, "# chronyd's default maxdrift is 500000 ppm, linetime's 500 ppm");
	ck_has(r.text, "# chronyd also steered this machine's system clock");
	ck_has(r.text, "\n# --- dataplane: the ports are not converted ---\n");
	ck_has(r.text, "\n#dataplane = {\n");
	ck_has(r.text, "\n# --- warnings (also printed on stderr) ---\n"
		       "# c.conf:2: keyfile: not carried over: linetime has no symmetric-key "
		       "authentication (no NTP MACs)\n"
		       "# c.conf" W_DATAPLANE "\n");
	ck_assert_str_eq(r.warnings[r.n_warnings - 1], NAME W_DATAPLANE);
	/* The template, uncommented and filled in, is a valid dataplane group. */
	{
		struct sbuf {
			char s[2048];
		} t = { "" };
		const char *p = strstr(r.text, "\n#dataplane = {\n") + 1;
		struct lt_config cfg;
		while (*p == '#') {
			const char *nl = strchr(p, '\n');
			strncat(t.s, p + 1, (size_t)(nl - p));
			p = nl + 1;
		}
		load_out(t.s, &cfg);
		ck_assert_uint_eq(cfg.n_ports, 1);
		config_free(&cfg);
	}
	convert("allow\nkeyfile /etc/chrony/chrony.keys\n", &again);
	ck_assert_str_eq(r.text, again.text);
	import_result_free(&again);
	import_result_free(&r);
}
END_TEST

/*
 * Random chrony.conf made of real directives, options and values, good and
 * bad: whatever the mix, the output loads in linetime.
 */
START_TEST(test_random_mix_always_loads)
{
	static const char *const names[] = {
		"server", "pool", "peer", "allow", "deny", "local", "ratelimit", "makestep",
		"maxdistance", "minsources", "maxslewrate", "maxdrift", "maxupdateskew",
		"corrtimeratio", "clockprecision", "clientloglimit", "logchange", "logdir", "log",
		"driftfile", "leapsecmode", "leapsectz", "smoothtime", "ntpsigndsocket",
		"bindcmdaddress", "keyfile", "port", "hwtimestamp", "cmdallow", "xyzzy",
	};
	static const char *const words[] = {
		"iburst", "prefer", "noselect", "minpoll", "maxpoll", "maxsources", "key", "nts",
		"stratum", "distance", "orphan", "interval", "burst", "leak", "all", "leaponly",
		"measurements", "statistics", "tracking", "0", "1", "3", "4", "-1", "-7", "16", "17",
		"0.5", "1e-7", "100000", "1e9", "4096", "2147483648", "ntp1.example.net",
		"2001:db8::1", "198.18.0.1", "127.0.0.1", "10", "192.168", "10.0.0.0/8", "::/0",
		"/var/lib/chrony/drift", "/var/log/chrony", "/run/chrony/chronyd.sock", "relative",
		"right/UTC", "slew", "system", "a\"b", "x.example.net.", "-", "/", "1.2.3.4/33",
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char text[4096];

	for (int round = 0; round < 400; round++) {
		struct chrony_conf c;
		struct import_result r;
		struct lt_config cfg;
		char err[CHRONYCONF_ERR_MAX];
		int lines;

		text[0] = '\0';
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		lines = 1 + (int)(x % 24);
		for (int l = 0; l < lines; l++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			strcat(text, names[x % (sizeof(names) / sizeof(names[0]))]);
			for (int w = (int)(x >> 32) % 5; w > 0; w--) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				strcat(text, " ");
				strcat(text, words[x % (sizeof(words) / sizeof(words[0]))]);
			}
			strcat(text, "\n");
		}
		ck_assert_int_eq(chronyconf_parse_string(text, NAME, &c, err, sizeof(err)), 0);
		ck_assert_int_eq(import_chrony(&c, NAME, &r), 0);
		ck_assert_msg(config_load_string(r.text, "out.conf", &cfg, err, sizeof(err)) == 0,
			      "round %d: %s\ninput:\n%s\noutput:\n%s", round, err, text, r.text);
		config_free(&cfg);
		import_result_free(&r);
		chronyconf_free(&c);
	}
}
END_TEST

/* --- the fixtures ------------------------------------------------------------------------- */

/* Convert dir/name; the output must pass config_load_file as a file. */
static void convert_fixture(const char *name, struct import_result *r, struct lt_config *cfg)
{
	char path[512], out[] = "/tmp/lt-import-out.XXXXXX", err[LT_CFG_ERR_MAX] = "";
	struct chrony_conf c;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", chrony_dir(), name);
	ck_assert_msg(chronyconf_read(path, &c, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(import_chrony(&c, path, r), 0);
	chronyconf_free(&c);
	ck_assert_int_ge(fd = mkstemp(out), 0);
	ck_assert_int_eq(write(fd, r->text, strlen(r->text)), (ssize_t)strlen(r->text));
	close(fd);
	ck_assert_msg(config_load_file(out, cfg, err, sizeof(err)) == 0, "%s\n%s", err, r->text);
	unlink(out);
}

START_TEST(test_fixture_debian)
{
	static const char *const want[] = {
		"@/debian/chrony.conf:14: sourcedir: no .sources file there now, so nothing was "
		"converted; linetime has no sourcedir: servers written there later (e.g. by DHCP) "
		"are not followed",
		"@/debian/chrony.conf:17: sourcedir: 2 directives from 1 .sources file converted as "
		"they are now; linetime has no sourcedir: later changes there (e.g. by DHCP) are not "
		"followed",
		"@/debian/chrony.conf:20: keyfile: not carried over: linetime has no symmetric-key "
		"authentication (no NTP MACs)",
		"@/debian/chrony.conf:26: ntsdumpdir: not carried over: linetime has no NTS (Network "
		"Time Security) yet",
		"@/debian/chrony.conf:38: rtcsync: not carried over: linetime does not manage the "
		"real-time clock; run `hwclock --systohc` from a timer if the RTC matters",
		"@/debian/chrony.conf" W_NOALLOW,
		"@/debian/chrony.conf" W_DATAPLANE,
	};
	const char *dir = chrony_dir();
	struct import_result r;
	struct lt_config cfg;
	char line[512];

	convert_fixture("debian/chrony.conf", &r, &cfg);
	ck_warnings(&r, dir, want, sizeof(want) / sizeof(want[0]));
	snprintf(line, sizeof(line), "  { address = \"ntp1.example.net\"; iburst = true; prefer = "
		 "true; },  # from %s/debian/sources.d/site.sources:2\n", dir);
	ck_has(r.text, line);
	snprintf(line, sizeof(line), "  { name = \"2.debian.pool.ntp.org\"; iburst = true; }  # "
		 "from %s/debian/chrony.conf:10\n", dir);
	ck_has(r.text, line);
	snprintf(line, sizeof(line), "\nminsources = 2;  # from %s/debian/conf.d/50-site.conf:2\n",
		 dir);
	ck_has(r.text, line);
	ck_has(r.text, "\nmakestep = { threshold = 1; limit = 3; };");
	ck_has(r.text, "\nmaxupdateskew = 100;");
	ck_has(r.text, "\ndriftfile = \"/var/lib/linetime/chrony.drift\";");
	ck_has(r.text, "\nleapsectz = \"right/UTC\";");
	ck_has(r.text, "\nlogdir = \"/var/log/linetime\";");
	ck_has(r.text, "\naccess = [ \"deny\" ];\n");
	ck_hasnt(r.text, "retired.example.net");
	ck_assert_uint_eq(cfg.sync.n_servers, 2);
	ck_assert_uint_eq(cfg.sync.n_pools, 1);
	ck_assert_uint_eq(cfg.sync.minsources, 2);
	ck_assert_double_eq(cfg.sync.makestep_threshold, 1);
	ck_assert_int_eq(cfg.sync.makestep_limit, 3);
	ck_assert_uint_eq(cfg.n_access, 1);
	ck_assert_uint_eq(cfg.n_ports, 0);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_fixture_lan_server)
{
	static const char *const want[] = {
		"@/lan-server/chrony.conf:7: server: maxdelay 0.05: dropped: linetime's source filter "
		"has no delay limits or corrections",
		"@/lan-server/chrony.conf:8: server: xleave: dropped: linetime has no interleaved "
		"mode; the server is polled in basic mode",
		"@/lan-server/chrony.conf:12: rtcsync: not carried over: linetime does not manage the "
		"real-time clock; run `hwclock --systohc` from a timer if the RTC matters",
		"@/lan-server/chrony.conf:30: keyfile: not carried over: linetime has no "
		"symmetric-key authentication (no NTP MACs)",
		"@/lan-server/chrony.conf" W_DATAPLANE,
	};
	const char *dir = chrony_dir();
	struct import_result r;
	struct lt_config cfg;

	convert_fixture("lan-server/chrony.conf", &r, &cfg);
	ck_warnings(&r, dir, want, sizeof(want) / sizeof(want[0]));
	ck_has(r.text, "  { address = \"192.168.1.1\"; iburst = true; minpoll = 4; maxpoll = 6; "
		       "prefer = true; },");
	ck_has(r.text, "  { address = \"ntp3.example.net\"; iburst = true; }  # from");
	ck_has(r.text, "\nmakestep = { threshold = 0.5; limit = -1; };");
	ck_has(r.text, "\nmaxslewrate = 1000;");
	ck_has(r.text, "\nleapsecmode = \"slew\";");
	ck_has(r.text, "\nlocal = { stratum = 8; };");
	ck_has(r.text, "\nlog = { measurements = true; statistics = true; tracking = true; };");
	ck_has(r.text, "  \"allow 192.168.1.0/24\",");
	ck_has(r.text, "  \"allow 10.20.0.0/16\",");
	ck_has(r.text, "  \"deny 10.20.99.0/24\",");
	ck_has(r.text, "  \"allow 2001:db8:1::/48\" ");
	ck_assert_uint_eq(cfg.sync.n_servers, 4);
	ck_assert_uint_eq(cfg.local_stratum, 8);
	ck_assert_uint_eq(cfg.n_access, 4);
	ck_assert_int_eq(cfg.sync.log_statistics, 1);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_fixture_ad_dc)
{
	static const char *const want[] = {
		"@/ad-dc/chrony.conf:13: rtcsync: not carried over: linetime does not manage the "
		"real-time clock; run `hwclock --systohc` from a timer if the RTC matters",
		"@/ad-dc/chrony.conf:24: bindcmdaddress: 127.0.0.1: not carried over: linetime's "
		"admin interface is a Unix socket only (admin.socket), reached by linetimectl on "
		"this machine; it has no UDP command port",
		"@/ad-dc/chrony.conf:25: bindcmdaddress: ::1: not carried over: linetime's admin "
		"interface is a Unix socket only (admin.socket), reached by linetimectl on this "
		"machine; it has no UDP command port",
		"@/ad-dc/chrony.conf" W_DATAPLANE,
	};
	const char *dir = chrony_dir();
	struct import_result r;
	struct lt_config cfg;

	convert_fixture("ad-dc/chrony.conf", &r, &cfg);
	ck_warnings(&r, dir, want, sizeof(want) / sizeof(want[0]));
	ck_has(r.text, "\nntpsigndsocket = \"/var/lib/samba/ntp_signd\";");
	ck_has(r.text, "\nlocal = { stratum = 10; orphan = true; };");
	ck_has(r.text, "  { name = \"0.pool.ntp.example.net\"; maxsources = 2; iburst = true; }");
	ck_has(r.text, "  { address = \"dc2.ad.example.net\"; iburst = true; }");
	ck_has(r.text, "  \"allow 192.168.50.0/24\",");
	ck_has(r.text, "  \"allow 192.168.51.0/24\" ");
	ck_has(r.text, "\nlog = { tracking = true; };");
	ck_assert_str_eq(cfg.ntpsigndsocket, "/var/lib/samba/ntp_signd");
	ck_assert_int_eq(cfg.local_orphan, 1);
	ck_assert_uint_eq(cfg.sync.n_servers, 2);
	ck_assert_uint_eq(cfg.sync.pools[0].maxsources, 2);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

START_TEST(test_fixture_public_pool)
{
	static const char *const want[] = {
		"@/public-pool/chrony.conf:8: server: nts: dropped: linetime has no NTS (Network "
		"Time Security) yet",
		"@/public-pool/chrony.conf:15: dumpdir: not carried over: linetime saves no "
		"measurement history across restarts (the driftfile keeps the frequency)",
		"@/public-pool/chrony.conf:25: bindcmdaddress: 0.0.0.0: not carried over: linetime's "
		"admin interface is a Unix socket only (admin.socket), reached by linetimectl on "
		"this machine; it has no UDP command port",
		"@/public-pool/chrony.conf:27: cmdallow: not carried over: linetime's admin "
		"interface is a Unix socket only (admin.socket), reached by linetimectl on this "
		"machine; admin.group names the group that may run read-only commands, "
		"admin.write_group the group that may also change things (root always may)",
		"@/public-pool/chrony.conf:30: bindaddress: 198.51.100.7: not carried over: the "
		"addresses linetime serves on go in dataplane.ports (addresses, with the prefix "
		"length)",
		"@/public-pool/chrony.conf:31: hwtimestamp: eth0: not carried over: set timestamping "
		"= \"hardware\" on the dataplane port that replaces eth0",
		"@/public-pool/chrony.conf" W_DATAPLANE,
	};
	const char *dir = chrony_dir();
	struct import_result r;
	struct lt_config cfg;

	convert_fixture("public-pool/chrony.conf", &r, &cfg);
	ck_warnings(&r, dir, want, sizeof(want) / sizeof(want[0]));
	ck_has(r.text, "\nratelimit = { interval = 3; burst = 8; leak = 2; };");
	ck_has(r.text, "\nclientloglimit = 100000000;");
	ck_has(r.text, "\nadmin = { socket = \"/run/linetime/admin.sock\"; };");
	ck_has(r.text, "  \"allow\",");
	ck_has(r.text, "  \"deny 203.0.113.0/24\" ");
	ck_has(r.text, "# chrony.conf has no local directive");
	ck_has(r.text, "\nminsources = 2;");
	ck_has(r.text, "\nmaxdistance = 1;");
	ck_has(r.text, "# chronyd's bindaddress 198.51.100.7 (");
	ck_assert_int_eq(cfg.ratelimit.enabled, 1);
	ck_assert_uint_eq(cfg.clientloglimit, 100000000);
	ck_assert_uint_eq(cfg.n_access, 2);
	ck_assert_uint_eq(cfg.access[0].family, 0);
	ck_assert_uint_eq(cfg.sync.n_servers, 4);
	config_free(&cfg);
	import_result_free(&r);
}
END_TEST

Suite *import_chrony_suite(void)
{
	Suite *s = suite_create("import_chrony");
	TCase *tc = tcase_create("reader");

	tcase_add_test(tc, test_read_words_comments_case);
	tcase_add_test(tc, test_read_include_glob);
	tcase_add_test(tc, test_read_confdir_first_dir_wins);
	tcase_add_test(tc, test_read_sourcedir);
	tcase_add_test(tc, test_read_errors);
	tcase_add_test(tc, test_read_too_many_directives);
	suite_add_tcase(s, tc);

	tc = tcase_create("mapping");
	tcase_add_test(tc, test_server_and_pool);
	tcase_add_loop_test(tc, test_server_dropped_option, 0,
			    (int)(sizeof(dropped_opts) / sizeof(dropped_opts[0])));
	tcase_add_test(tc, test_server_values_linetime_uses_anyway);
	tcase_add_test(tc, test_server_refused);
	tcase_add_test(tc, test_pools_share_sixteen);
	tcase_add_test(tc, test_peer);
	tcase_add_loop_test(tc, test_access_form, 0,
			    (int)(sizeof(access_forms) / sizeof(access_forms[0])));
	tcase_add_test(tc, test_access_lines_and_comments);
	tcase_add_test(tc, test_access_refused);
	tcase_add_test(tc, test_access_none_is_deny);
	tcase_add_test(tc, test_access_chrony_table_steps);
	tcase_add_test(tc, test_numbers);
	tcase_add_loop_test(tc, test_bad_value, 0, (int)(sizeof(bad_values) / sizeof(bad_values[0])));
	tcase_add_test(tc, test_makestep);
	tcase_add_test(tc, test_local);
	tcase_add_test(tc, test_ratelimit_and_clientlog);
	tcase_add_test(tc, test_ratelimit_option_twice);
	tcase_add_test(tc, test_leap);
	tcase_add_test(tc, test_paths);
	tcase_add_test(tc, test_logs);
	tcase_add_test(tc, test_admin_interface);
	tcase_add_test(tc, test_interfaces_to_dataplane);
	tcase_add_loop_test(tc, test_not_carried_over, 0,
			    (int)(sizeof(not_carried) / sizeof(not_carried[0])));
	tcase_add_test(tc, test_unknown_and_case);
	tcase_add_test(tc, test_last_one_counts);
	tcase_add_test(tc, test_text_shape);
	tcase_add_test(tc, test_random_mix_always_loads);
	suite_add_tcase(s, tc);

	tc = tcase_create("fixtures");
	tcase_add_test(tc, test_fixture_debian);
	tcase_add_test(tc, test_fixture_lan_server);
	tcase_add_test(tc, test_fixture_ad_dc);
	tcase_add_test(tc, test_fixture_public_pool);
	suite_add_tcase(s, tc);
	return s;
}
