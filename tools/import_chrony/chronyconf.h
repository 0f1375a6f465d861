/*
 * chronyconf: a chrony.conf read the way chronyd reads it, into a flat list
 * of directives (name, words, file, line) for linetime-import-chrony.
 *
 * One directive per line; a line whose first non-blank character is '#',
 * '%', ';' or '!' is a comment (a '#' later in a line is not). Directive
 * names are case-insensitive, as in chronyd. `include PATTERN` reads every
 * file the glob matches (at least one must, as chronyd requires); `confdir
 * DIR...` the *.conf files of the directories in the order of their names,
 * the first directory winning when two hold the same name; `sourcedir
 * DIR...` likewise the *.sources files, from which only server, pool and
 * peer are taken. Relative paths are taken from the directory of the file
 * that names them (chronyd takes them from its working directory, "/" as a
 * service); absolute ones are read as they are.
 *
 * The reader is bounded: include depth, line length, directives and files
 * read. Anything it cannot read (a missing main file, an include that
 * matches nothing, a loop, an overlong line, bytes that are not text) is an
 * error message naming the file and line, never a crash.
 */
#ifndef LT_CHRONYCONF_H
#define LT_CHRONYCONF_H

#include <stddef.h>

#define CHRONYCONF_MAX_DEPTH 10         /* chronyd's include limit */
#define CHRONYCONF_LINE_MAX 2048        /* chronyd's line buffer, with the newline */
#define CHRONYCONF_MAX_DIRECTIVES 10000
#define CHRONYCONF_MAX_FILES 1000
#define CHRONYCONF_MAX_DIRS 10          /* directories in one confdir or sourcedir */
#define CHRONYCONF_FILE_MAX (4 << 20)   /* bytes in one file */
#define CHRONYCONF_ERR_MAX 512

/* The directive came from a *.sources file of a sourcedir. */
#define CHRONY_D_SOURCES 0x1
/* ... and is its last line, without the newline chronyd requires there. */
#define CHRONY_D_UNTERMINATED 0x2

struct chrony_directive {
	const char *name;       /* as written; compare with strcasecmp */
	char **args;            /* the words after the name */
	unsigned int n_args;
	const char *file;       /* as opened; owned by the chrony_conf */
	unsigned int line;
	unsigned int flags;     /* CHRONY_D_* */
	unsigned int n_files;   /* include, confdir, sourcedir: files read for it */
	char *text_;            /* storage of name and args */
};

struct chrony_conf {
	struct chrony_directive *d;  /* in the order chronyd meets them */
	unsigned int n;
	unsigned int cap;
	char **files;                /* every file read, first the main one */
	unsigned int n_files;
};

/* Read the chrony.conf at path and everything it includes into conf (which
 * need not be initialised). Returns 0, or a negative errno with
 * "FILE[:LINE]: problem" in err; conf is empty after a failure. */
int chronyconf_read(const char *path, struct chrony_conf *conf, char *err, size_t errlen);

/* The same from text in memory; name stands for the file in messages and
 * relative paths are taken from its directory. */
int chronyconf_parse_string(const char *text, const char *name, struct chrony_conf *conf,
			    char *err, size_t errlen);

/* Release what chronyconf_read() or chronyconf_parse_string() allocated. */
void chronyconf_free(struct chrony_conf *conf);

#endif
