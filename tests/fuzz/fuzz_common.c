/* fuzz_common: helpers every harness links (see fuzz.h). */
#include "fuzz.h"

#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

/* --- log.h, formatted but silent ---------------------------------------- */

static int log_threshold = LOG_DEBUG;

void log_init(const char *ident, int to_syslog, int level)
{
	(void)ident;
	(void)to_syslog;
	(void)level;
}

void log_set_level(int level)
{
	(void)level;
}

int fuzz_verbose(void)
{
	static int loud = -1;

	if (loud < 0)
		loud = getenv("FUZZ_LOG") != NULL;
	return loud;
}

void log_msg(int level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (fuzz_verbose())
		fprintf(stderr, "log[%d]: %s\n", level, line);
}

/* --- checks -------------------------------------------------------------- */

void fuzz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\n%s:%d: contract broken: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* --- input stream -------------------------------------------------------- */

uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	if (!in->n)
		return 0;
	v = *in->p++;
	in->n--;
	return v;
}

uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t hi = fuzz_u16(in);

	return hi << 16 | fuzz_u16(in);
}

uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t hi = fuzz_u32(in);

	return hi << 32 | fuzz_u32(in);
}

const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p;

	*got = want < in->n ? want : in->n;
	in->p += *got;
	in->n -= *got;
	return p;
}

char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* --- checksums ----------------------------------------------------------- */

uint32_t fuzz_sum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

uint16_t fuzz_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* --- scratch directory --------------------------------------------------- */

static char tmpdir[256];

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* Only ever the mkdtemp() directory made below, depth first, no symlinks followed. */
static void remove_tmpdir(void)
{
	if (tmpdir[0])
		nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_tmpdir(void)
{
	const char *base;

	if (tmpdir[0])
		return tmpdir;
	base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/lt-fuzz.XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		abort();
	}
	/* Absolute, whatever TMPDIR was (run.sh gives one under $(BUILD),
	 * which is relative in `make check`): the harnesses check that error
	 * messages start with the file's full name. */
	{
		char *abs = realpath(tmpdir, NULL);

		if (!abs || strlen(abs) >= sizeof(tmpdir)) {
			perror("realpath");
			abort();
		}
		memcpy(tmpdir, abs, strlen(abs) + 1);
		free(abs);
	}
	atexit(remove_tmpdir);
	return tmpdir;
}
