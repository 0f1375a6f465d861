/* chronyconf: chrony.conf and what it includes, read as chronyd reads it (see chronyconf.h). */
#include "chronyconf.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct open_file {
	dev_t dev;
	ino_t ino;
};

struct reader {
	struct chrony_conf *conf;
	struct open_file stack[CHRONYCONF_MAX_DEPTH + 1]; /* files being read, for loops */
	unsigned int n_stack;
	char *err;
	size_t errlen;
};

static int read_file(struct reader *r, const char *path, unsigned int depth, int sources,
		     const struct chrony_directive *from);

/* "FILE:LINE: message" (no line if 0); returns rc. */
__attribute__((format(printf, 5, 6)))
static int fail(struct reader *r, int rc, const char *file, unsigned int line, const char *fmt, ...)
{
	char msg[CHRONYCONF_ERR_MAX];
	va_list ap;

	if (!r->err || !r->errlen)
		return rc;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(r->err, r->errlen, "%s:%u: %s", file, line, msg);
	else
		snprintf(r->err, r->errlen, "%s: %s", file, msg);
	return rc;
}

static int oom(struct reader *r, const char *file)
{
	return fail(r, -ENOMEM, file, 0, "out of memory");
}

/* Keep a copy of a file name for the directives that come from it. */
static const char *keep_name(struct reader *r, const char *path)
{
	struct chrony_conf *c = r->conf;
	char **files;
	char *copy;

	if (!(copy = strdup(path)))
		return NULL;
	if (!(files = realloc(c->files, (c->n_files + 1) * sizeof(*files)))) {
		free(copy);
		return NULL;
	}
	c->files = files;
	c->files[c->n_files++] = copy;
	return copy;
}

/* A path named in file: absolute as is, relative from file's directory. */
static char *resolve(const char *file, const char *p)
{
	const char *slash = strrchr(file, '/');
	size_t dlen = slash ? (size_t)(slash - file) + 1 : 0;
	char *out;

	if (p[0] == '/' || !dlen)
		return strdup(p);
	if (!(out = malloc(dlen + strlen(p) + 1)))
		return NULL;
	memcpy(out, file, dlen);
	strcpy(out + dlen, p);
	return out;
}

static int is_blank(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Append one directive made of the words of line (len bytes, no newline). */
static int add_directive(struct reader *r, const char *line, size_t len, const char *file,
			 unsigned int lineno, unsigned int flags, unsigned int *index)
{
	struct chrony_conf *c = r->conf;
	struct chrony_directive *d;
	unsigned int words = 0;
	char *text, *t;

	if (c->n >= CHRONYCONF_MAX_DIRECTIVES)
		return fail(r, -E2BIG, file, lineno, "more than %d directives in all",
			    CHRONYCONF_MAX_DIRECTIVES);
	if (c->n == c->cap) {
		unsigned int cap = c->cap ? c->cap * 2 : 64;
		struct chrony_directive *bigger = realloc(c->d, cap * sizeof(*bigger));
		if (!bigger)
			return oom(r, file);
		c->d = bigger;
		c->cap = cap;
	}
	if (!(text = malloc(len + 1)))
		return oom(r, file);
	/* Words separated by one NUL each, as chronyd's CPS_NormalizeLine leaves them. */
	t = text;
	for (size_t i = 0; i < len;) {
		while (i < len && is_blank((unsigned char)line[i]))
			i++;
		if (i == len)
			break;
		while (i < len && !is_blank((unsigned char)line[i]))
			*t++ = line[i++];
		*t++ = '\0';
		words++;
	}
	d = &c->d[c->n];
	memset(d, 0, sizeof(*d));
	d->text_ = text;
	d->file = file;
	d->line = lineno;
	d->flags = flags;
	d->n_args = words - 1;
	if (!(d->args = calloc(words, sizeof(*d->args)))) {
		free(text);
		return oom(r, file);
	}
	d->name = text;
	t = text + strlen(text) + 1;
	for (unsigned int i = 0; i < d->n_args; i++) {
		d->args[i] = t;
		t += strlen(t) + 1;
	}
	*index = c->n++;
	return 0;
}

static int include_glob(struct reader *r, unsigned int idx, unsigned int depth)
{
	const struct chrony_directive *d = &r->conf->d[idx];
	const char *file = d->file;
	unsigned int line = d->line, n;
	char *pattern;
	glob_t g;
	int rc;

	if (d->n_args != 1)
		return fail(r, -EINVAL, file, line, "%s: expected one file name or pattern, got %u",
			    d->name, d->n_args);
	if (!(pattern = resolve(file, d->args[0])))
		return oom(r, file);
	rc = glob(pattern, 0, NULL, &g);
	if (rc == GLOB_NOMATCH)
		rc = fail(r, -ENOENT, file, line, "%s %s: no file matches (chronyd needs at least one)",
			  d->name, pattern);
	else if (rc)
		rc = fail(r, rc == GLOB_NOSPACE ? -ENOMEM : -EIO, file, line,
			  "%s %s: cannot read the directory", d->name, pattern);
	free(pattern);
	if (rc)
		return rc;
	n = (unsigned int)g.gl_pathc;
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = read_file(r, g.gl_pathv[i], depth + 1, 0, &r->conf->d[idx]);
	globfree(&g);
	if (!rc)
		r->conf->d[idx].n_files = n;
	return rc;
}

struct dir_file {
	const char *name; /* into path */
	char *path;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dir_file *)a)->name, ((const struct dir_file *)b)->name);
}

/* One directory's files ending in suffix, unless a name is already in list. */
static int scan_dir(struct reader *r, const struct chrony_directive *d, const char *dir,
		    const char *suffix, struct dir_file **list, unsigned int *n)
{
	size_t slen = strlen(suffix), dlen = strlen(dir);
	struct dirent *e;
	DIR *dh;
	int rc = 0;

	if (!(dh = opendir(dir))) {
		/* chronyd's glob reads nothing from a directory that is not there. */
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return fail(r, -errno, d->file, d->line, "%s %s: %s", d->name, dir, strerror(errno));
	}
	while ((e = readdir(dh))) {
		size_t len = strlen(e->d_name);
		int seen = 0;

		/* What chronyd's glob of DIR and "*" SUFFIX matches: no dot files. */
		if (e->d_name[0] == '.' || len <= slen || strcmp(e->d_name + len - slen, suffix))
			continue;
		for (unsigned int i = 0; i < *n && !seen; i++)
			seen = !strcmp((*list)[i].name, e->d_name);
		if (seen)
			continue;
		if (*n >= CHRONYCONF_MAX_FILES) {
			rc = fail(r, -E2BIG, d->file, d->line, "%s: more than %d files", d->name,
				  CHRONYCONF_MAX_FILES);
			break;
		}
		struct dir_file *bigger = realloc(*list, (*n + 1) * sizeof(**list));
		char *path = malloc(dlen + 1 + len + 1);
		if (!bigger || !path) {
			free(path);
			if (bigger)
				*list = bigger;
			rc = oom(r, d->file);
			break;
		}
		*list = bigger;
		sprintf(path, "%s/%s", dir, e->d_name);
		(*list)[*n].path = path;
		(*list)[*n].name = path + dlen + 1;
		(*n)++;
	}
	closedir(dh);
	return rc;
}

/* confdir (*.conf) or sourcedir (*.sources): the first directory wins a name. */
static int include_dirs(struct reader *r, unsigned int idx, unsigned int depth, int sources)
{
	struct chrony_directive d = r->conf->d[idx]; /* a copy: reading moves the array */
	const char *suffix = sources ? ".sources" : ".conf";
	struct dir_file *list = NULL;
	unsigned int n = 0;
	int rc = 0;

	if (d.n_args > CHRONYCONF_MAX_DIRS)
		return fail(r, -EINVAL, d.file, d.line, "%s: %u directories, at most %d", d.name,
			    d.n_args, CHRONYCONF_MAX_DIRS);
	for (unsigned int i = 0; i < d.n_args && !rc; i++) {
		char *dir = resolve(d.file, d.args[i]);
		rc = dir ? scan_dir(r, &d, dir, suffix, &list, &n) : oom(r, d.file);
		free(dir);
	}
	if (!rc && n)
		qsort(list, n, sizeof(*list), by_name);
	for (unsigned int i = 0; i < n && !rc; i++)
		rc = read_file(r, list[i].path, depth + 1, sources, &d);
	for (unsigned int i = 0; i < n; i++)
		free(list[i].path);
	free(list);
	if (!rc)
		r->conf->d[idx].n_files = n;
	return rc;
}

/* The lines of one file's text; file is the kept name. */
static int parse_text(struct reader *r, const char *text, size_t len, const char *file,
		      unsigned int depth, int sources)
{
	const char *nul = memchr(text, '\0', len);
	const char *p = text, *end = text + len;
	unsigned int lineno = 0;

	if (nul) {
		unsigned int line = 1;
		for (const char *t = text; t < nul; t++)
			line += *t == '\n';
		return fail(r, -EINVAL, file, line, "NUL byte: not a text file");
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t n = (size_t)(eol - p), i = 0;
		unsigned int idx = 0, flags = sources ? CHRONY_D_SOURCES : 0;
		int rc;

		lineno++;
		if (n > CHRONYCONF_LINE_MAX - 2)
			return fail(r, -EINVAL, file, lineno, "line longer than %d characters",
				    CHRONYCONF_LINE_MAX - 2);
		while (i < n && is_blank((unsigned char)p[i]))
			i++;
		if (i == n || strchr("#%;!", p[i])) {
			p = eol + 1;
			continue;
		}
		for (size_t j = i; j < n; j++) {
			unsigned char ch = (unsigned char)p[j];
			if (ch >= 0x80 || ((ch < 0x20 || ch == 0x7f) && !is_blank(ch)))
				return fail(r, -EINVAL, file, lineno,
					    "byte 0x%02x in a directive: not chrony.conf text", ch);
		}
		if (sources && !nl)
			flags |= CHRONY_D_UNTERMINATED;
		if ((rc = add_directive(r, p + i, n - i, file, lineno, flags, &idx)))
			return rc;
		/* A sources file holds sources only: chronyd follows nothing from it. */
		if (!sources) {
			const char *name = r->conf->d[idx].name;
			if (!strcasecmp(name, "include"))
				rc = include_glob(r, idx, depth);
			else if (!strcasecmp(name, "confdir"))
				rc = include_dirs(r, idx, depth, 0);
			else if (!strcasecmp(name, "sourcedir"))
				rc = include_dirs(r, idx, depth, 1);
			if (rc)
				return rc;
		}
		p = eol + 1;
	}
	return 0;
}

static int read_file(struct reader *r, const char *path, unsigned int depth, int sources,
		     const struct chrony_directive *from)
{
	struct chrony_conf *c = r->conf;
	const char *file;
	struct stat st;
	size_t len = 0;
	char *text;
	FILE *f;
	int rc = 0;

	if (depth > CHRONYCONF_MAX_DEPTH)
		return fail(r, -ELOOP, from->file, from->line,
			    "%s: more than %d levels of include", from->name, CHRONYCONF_MAX_DEPTH);
	if (c->n_files >= CHRONYCONF_MAX_FILES)
		return fail(r, -E2BIG, from->file, from->line, "%s: more than %d files in all",
			    from->name, CHRONYCONF_MAX_FILES);
	if (!(f = fopen(path, "r")) || fstat(fileno(f), &st) || S_ISDIR(st.st_mode)) {
		rc = !f ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : -errno;
		if (f)
			fclose(f);
		if (from)
			return fail(r, rc, path, 0, "cannot open: %s (from %s:%u)", strerror(-rc),
				    from->file, from->line);
		return fail(r, rc, path, 0, "cannot open: %s", strerror(-rc));
	}
	for (unsigned int i = 0; i < r->n_stack; i++)
		if (r->stack[i].dev == st.st_dev && r->stack[i].ino == st.st_ino) {
			fclose(f);
			return fail(r, -ELOOP, from->file, from->line,
				    "%s: %s is already being read: an include loop", from->name,
				    path);
		}
	if (!(text = malloc(CHRONYCONF_FILE_MAX + 1))) {
		fclose(f);
		return oom(r, path);
	}
	len = fread(text, 1, CHRONYCONF_FILE_MAX + 1, f);
	if (ferror(f))
		rc = fail(r, -EIO, path, 0, "cannot read: %s", strerror(errno));
	else if (len > CHRONYCONF_FILE_MAX)
		rc = fail(r, -EFBIG, path, 0, "larger than %d bytes: not a chrony.conf",
			  CHRONYCONF_FILE_MAX);
	fclose(f);
	if (!rc && !(file = keep_name(r, path)))
		rc = oom(r, path);
	if (!rc) {
		r->stack[r->n_stack].dev = st.st_dev;
		r->stack[r->n_stack].ino = st.st_ino;
		r->n_stack++;
		rc = parse_text(r, text, len, file, depth, sources);
		r->n_stack--;
	}
	free(text);
	return rc;
}

void chronyconf_free(struct chrony_conf *conf)
{
	for (unsigned int i = 0; i < conf->n; i++) {
		free(conf->d[i].args);
		free(conf->d[i].text_);
	}
	for (unsigned int i = 0; i < conf->n_files; i++)
		free(conf->files[i]);
	free(conf->d);
	free(conf->files);
	memset(conf, 0, sizeof(*conf));
}

int chronyconf_read(const char *path, struct chrony_conf *conf, char *err, size_t errlen)
{
	struct reader r = { .conf = conf, .err = err, .errlen = errlen };
	int rc;

	memset(conf, 0, sizeof(*conf));
	if ((rc = read_file(&r, path, 0, 0, NULL)))
		chronyconf_free(conf);
	return rc;
}

int chronyconf_parse_string(const char *text, const char *name, struct chrony_conf *conf,
			    char *err, size_t errlen)
{
	struct reader r = { .conf = conf, .err = err, .errlen = errlen };
	const char *file;
	int rc;

	memset(conf, 0, sizeof(*conf));
	if (!name)
		name = "<string>";
	if (!(file = keep_name(&r, name)))
		rc = oom(&r, name);
	else
		rc = parse_text(&r, text, strlen(text), file, 0, 0);
	if (rc)
		chronyconf_free(conf);
	return rc;
}
