/*
 * Tests for leapdb. The TZif files are written here, byte by byte, from the
 * table of real leap seconds, so the suite does not depend on the host's
 * tzdata; only test_host_right_utc reads the host, and it is added to the
 * suite only when the host's right/UTC has leap records (decided when the
 * suite is built, since Check has no "skipped").
 *
 * The occurrence convention is zic's, checked against real zic output
 * (glibc 2.36 zic and Debian tzdata 2025b's right/UTC): a leap at POSIX
 * midnight M after a total correction c is written as M + c for an
 * insertion (23:59:60 itself) and M + c - 1 for a deletion.
 */
#include <errno.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leapdb.h"
#include "log.h"
#include "ntp_packet.h"
#include "suites.h"

#define DAY 86400
#define LEAP_2016 1483228800LL  /* 2017-01-01T00:00:00Z, ended the 2016-12-31 leap day */
#define LEAP_1972 78796800LL    /* 1972-07-01T00:00:00Z */
#define EXPIRY_2025 1766880000LL /* 2025-12-28T00:00:00Z, tzdata 2025b's "Expires" */

/* The 27 leap seconds, as the UTC day after each 23:59:60 (IERS Bulletin C). */
static const struct { int y, m; } real_leaps[] = {
	{1972, 7}, {1973, 1}, {1974, 1}, {1975, 1}, {1976, 1}, {1977, 1}, {1978, 1},
	{1979, 1}, {1980, 1}, {1981, 7}, {1982, 7}, {1983, 7}, {1985, 7}, {1988, 1},
	{1990, 1}, {1991, 1}, {1992, 7}, {1993, 7}, {1994, 7}, {1996, 1}, {1997, 7},
	{1999, 1}, {2006, 1}, {2009, 1}, {2012, 7}, {2015, 7}, {2017, 1},
};
#define N_REAL ((unsigned int)(sizeof(real_leaps) / sizeof(real_leaps[0])))

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian (no libc calendar). */
static int64_t days_from_civil(int64_t y, unsigned int m, unsigned int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned int yoe = (unsigned int)(y - era * 400);
	unsigned int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int64_t real_midnight(unsigned int i)
{
	return days_from_civil(real_leaps[i].y, (unsigned int)real_leaps[i].m, 1) * DAY;
}

/* ---- TZif writer ---------------------------------------------------------- */

struct rec {
	int64_t occ;
	int32_t corr;
};

struct tzspec {
	int version;              /* 0 (v1 only), '2', '3', '4' */
	const struct rec *leaps;
	unsigned int n;
	int v1_other;             /* v2+: a v1 block with other counts and bogus leaps */
};

struct wbuf {
	uint8_t b[8192];
	size_t len;
};

static void put(struct wbuf *w, const void *p, size_t n)
{
	ck_assert_uint_le(w->len + n, sizeof(w->b));
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void put32(struct wbuf *w, uint32_t v)
{
	uint8_t p[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	put(w, p, 4);
}

static void put64(struct wbuf *w, uint64_t v)
{
	put32(w, (uint32_t)(v >> 32));
	put32(w, (uint32_t)v);
}

static void put_time(struct wbuf *w, int64_t t, unsigned int tsize)
{
	if (tsize == 4)
		put32(w, (uint32_t)(int32_t)t);
	else
		put64(w, (uint64_t)t);
}

/* One header and data block. other: several types and transitions and one
 * bogus leap record, to show the reader skips a v1 block by its counts. */
static void put_block(struct wbuf *w, int version, unsigned int tsize, const struct rec *leaps,
                      unsigned int n, int other)
{
	uint8_t zero[15] = {0};
	uint32_t typecnt = other ? 2 : 1, timecnt = other ? 2 : 0, charcnt = other ? 8 : 4;
	uint32_t flagcnt = other ? typecnt : 0;

	put(w, "TZif", 4);
	put(w, &(uint8_t){(uint8_t)version}, 1);
	put(w, zero, 15);
	put32(w, flagcnt);              /* isutcnt */
	put32(w, flagcnt);              /* isstdcnt */
	put32(w, other ? 1 : n);        /* leapcnt */
	put32(w, timecnt);
	put32(w, typecnt);
	put32(w, charcnt);
	for (uint32_t i = 0; i < timecnt; i++)
		put_time(w, 1000 * (int64_t)i, tsize);
	for (uint32_t i = 0; i < timecnt; i++)
		put(w, &(uint8_t){(uint8_t)(i % typecnt)}, 1);
	for (uint32_t i = 0; i < typecnt; i++) {
		put32(w, i * 3600);     /* utoff */
		put(w, &(uint8_t){0}, 1);
		put(w, &(uint8_t){(uint8_t)(4 * i)}, 1);
	}
	put(w, other ? "UTC\0XYZ\0" : "UTC\0", charcnt);
	if (other) {
		put_time(w, 5, tsize);
		put32(w, 7);
	} else {
		for (unsigned int i = 0; i < n; i++) {
			put_time(w, leaps[i].occ, tsize);
			put32(w, (uint32_t)leaps[i].corr);
		}
	}
	for (uint32_t i = 0; i < 2 * flagcnt; i++)
		put(w, &(uint8_t){0}, 1);
}

static void tzif_build(struct wbuf *w, const struct tzspec *s)
{
	w->len = 0;
	put_block(w, s->version, 4, s->leaps, s->n, s->version != 0 && s->v1_other);
	if (s->version != 0) {
		put_block(w, s->version, 8, s->leaps, s->n, 0);
		put(w, "\nUTC0\n", 6);
	}
}

/* Leap records as zic writes them: midnights[i] with type types[i]. */
static unsigned int zic_records(struct rec *out, const int64_t *midnights, const int *types,
                                unsigned int n)
{
	int32_t corr = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (types[i] == NTP_LEAP_INSERT) {
			out[i].occ = midnights[i] + corr;
			corr++;
		} else {
			out[i].occ = midnights[i] + corr - 1;
			corr--;
		}
		out[i].corr = corr;
	}
	return n;
}

static unsigned int real_records(struct rec *out)
{
	int64_t m[N_REAL];
	int t[N_REAL];

	for (unsigned int i = 0; i < N_REAL; i++) {
		m[i] = real_midnight(i);
		t[i] = NTP_LEAP_INSERT;
	}
	return zic_records(out, m, t, N_REAL);
}

/* ---- zone directory --------------------------------------------------------- */

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/lt-leapdb-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	log_set_level(LOG_INFO);   /* log.c's default; test_truncated_file lowers it */
	nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Write bytes as zone name (one level of subdirectory allowed). */
static void write_zone(const char *zone, const void *p, size_t n)
{
	char path[256];
	const char *slash = strchr(zone, '/');

	if (slash) {
		snprintf(path, sizeof(path), "%s/%.*s", dir, (int)(slash - zone), zone);
		mkdir(path, 0755);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, zone);
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void write_spec(const char *zone, const struct tzspec *s)
{
	struct wbuf w;

	tzif_build(&w, s);
	write_zone(zone, w.b, w.len);
}

static void check_real_table(const struct leapdb *db)
{
	ck_assert_uint_eq(db->n, N_REAL);
	for (unsigned int i = 0; i < N_REAL; i++) {
		ck_assert_msg(db->at[i] == real_midnight(i), "leap %u (%d-%02d): at %lld, want %lld",
		              i, real_leaps[i].y, real_leaps[i].m, (long long)db->at[i],
		              (long long)real_midnight(i));
		ck_assert_int_eq(db->type[i], NTP_LEAP_INSERT);
	}
	ck_assert_int_eq(db->at[0], LEAP_1972);
	ck_assert_int_eq(db->at[N_REAL - 1], LEAP_2016);
	ck_assert_int_eq(db->base, 0);
}

/* ---- tests ------------------------------------------------------------------ */

/* The real table through the 64-bit block, as right/UTC is shipped (v2, with
 * the same table in the v1 block). */
START_TEST(test_real_v2)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;

	/* Spot-check the writer against real right/UTC records. */
	ck_assert_int_eq(r[0].occ, 78796800);
	ck_assert_int_eq(r[26].occ, 1483228826);
	ck_assert_int_eq(r[26].corr, 27);
	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
	check_real_table(&db);
	ck_assert_int_eq(db.expires, 0);
}
END_TEST

START_TEST(test_real_v1)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = 0, .leaps = r, .n = real_records(r)};
	struct leapdb db;

	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
	check_real_table(&db);
	ck_assert_int_eq(db.expires, 0);
}
END_TEST

/* v2+ files are read from the 64-bit block; a v1 block with other counts
 * and a bogus leap record must be skipped, not parsed. */
START_TEST(test_v2_skips_v1_block)
{
	static const int versions[] = {'2', '3', '4'};
	struct rec r[N_REAL];
	struct leapdb db;

	for (unsigned int v = 0; v < 3; v++) {
		struct tzspec s = {.version = versions[v], .leaps = r, .n = real_records(r),
		                   .v1_other = 1};
		write_spec("right/UTC", &s);
		ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
		check_real_table(&db);
	}
}
END_TEST

/* A leap after 2038 fits only the 64-bit block. */
START_TEST(test_v2_64bit_times)
{
	static const int64_t m[] = {LEAP_2016, 4102444800LL};   /* 2100-01-01 */
	static const int t[] = {NTP_LEAP_INSERT, NTP_LEAP_INSERT};
	struct rec r[2];
	struct tzspec s = {.version = '2', .leaps = r, .n = zic_records(r, m, t, 2), .v1_other = 1};
	struct leapdb db;

	write_spec("Z", &s);
	ck_assert_int_eq(leapdb_load(dir, "Z", &db), 0);
	ck_assert_uint_eq(db.n, 2);
	ck_assert_int_eq(db.at[1], 4102444800LL);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, 4102444800LL - 1), NTP_LEAP_INSERT);
}
END_TEST

START_TEST(test_day_end)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;
	const int64_t d2016 = LEAP_2016 - DAY;   /* 2016-12-31T00:00:00Z */

	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);

	ck_assert_int_eq(leapdb_leap_at_day_end(&db, d2016), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, d2016 + 43200), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_2016 - 1), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, d2016 - 1), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, d2016 - 43200), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_2016), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_2016 + 43200), NTP_LEAP_NONE);

	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_1972 - 1), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_1972 - DAY), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_1972), NTP_LEAP_NONE);
	/* 1998-12-31 had a leap, 1998-06-30 did not. */
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, days_from_civil(1998, 12, 31) * DAY + 60),
	                 NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, days_from_civil(1998, 6, 30) * DAY + 60),
	                 NTP_LEAP_NONE);
	/* Before 1970: floor division, no leap. */
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, -1), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, -DAY - 1), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, INT64_MAX), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, INT64_MIN), NTP_LEAP_NONE);

	struct leapdb empty = {0};
	ck_assert_int_eq(leapdb_leap_at_day_end(&empty, d2016), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_tai_offset(&empty, LEAP_2016), 10);
}
END_TEST

START_TEST(test_tai_offset)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;

	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
	ck_assert_int_eq(leapdb_tai_offset(&db, 0), 10);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_1972 - 1), 10);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_1972), 11);
	ck_assert_int_eq(leapdb_tai_offset(&db, days_from_civil(1999, 1, 1) * DAY - 1), 31);
	ck_assert_int_eq(leapdb_tai_offset(&db, days_from_civil(1999, 1, 1) * DAY), 32);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016 - 1), 36);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016), 37);
	ck_assert_int_eq(leapdb_tai_offset(&db, days_from_civil(2024, 6, 1) * DAY), 37);
}
END_TEST

/* Negative leaps: the records are the ones glibc 2.36 zic writes for
 *   Leap 1972 Jun 30 23:59:60 + S / Leap 1973 Dec 31 23:59:60 + S /
 *   Leap 1980 Jun 30 23:59:59 - S
 * i.e. (78796800, 1), (126230401, 2), (331257601, 1). */
START_TEST(test_deletion)
{
	static const struct rec r[] = {{78796800, 1}, {126230401, 2}, {331257601, 1}};
	const int64_t d1980 = days_from_civil(1980, 7, 1) * DAY;
	struct leapdb db;

	ck_assert_int_eq(d1980, 331257600);
	for (int v = 0; v < 2; v++) {
		struct tzspec s = {.version = v ? '2' : 0, .leaps = r, .n = 3};
		write_spec("Neg", &s);
		ck_assert_int_eq(leapdb_load(dir, "Neg", &db), 0);
		ck_assert_uint_eq(db.n, 3);
		ck_assert_int_eq(db.at[0], LEAP_1972);
		ck_assert_int_eq(db.type[0], NTP_LEAP_INSERT);
		ck_assert_int_eq(db.at[1], days_from_civil(1974, 1, 1) * DAY);
		ck_assert_int_eq(db.type[1], NTP_LEAP_INSERT);
		ck_assert_int_eq(db.at[2], d1980);
		ck_assert_int_eq(db.type[2], NTP_LEAP_DELETE);
		ck_assert_int_eq(leapdb_leap_at_day_end(&db, d1980 - 1), NTP_LEAP_DELETE);
		ck_assert_int_eq(leapdb_leap_at_day_end(&db, d1980 - DAY), NTP_LEAP_DELETE);
		ck_assert_int_eq(leapdb_leap_at_day_end(&db, d1980), NTP_LEAP_NONE);
		ck_assert_int_eq(leapdb_tai_offset(&db, d1980 - 1), 12);
		ck_assert_int_eq(leapdb_tai_offset(&db, d1980), 11);
	}
}
END_TEST

/* A first negative leap: its correction is -1. */
START_TEST(test_deletion_first)
{
	static const int64_t m[] = {LEAP_1972};
	static const int t[] = {NTP_LEAP_DELETE};
	struct rec r[1];
	struct tzspec s = {.version = '2', .leaps = r, .n = zic_records(r, m, t, 1)};
	struct leapdb db;

	ck_assert_int_eq(r[0].occ, LEAP_1972 - 1);
	ck_assert_int_eq(r[0].corr, -1);
	write_spec("Neg", &s);
	ck_assert_int_eq(leapdb_load(dir, "Neg", &db), 0);
	ck_assert_uint_eq(db.n, 1);
	ck_assert_int_eq(db.at[0], LEAP_1972);
	ck_assert_int_eq(db.type[0], NTP_LEAP_DELETE);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_1972), 9);
}
END_TEST

/* RFC 9636 3.2: a last record with the previous correction is the expiry,
 * written like the leaps in right time (POSIX + correction). */
START_TEST(test_expiry)
{
	struct rec r[N_REAL + 1];
	unsigned int n = real_records(r);
	struct leapdb db;

	r[n].occ = EXPIRY_2025 + 27;
	r[n].corr = 27;
	struct tzspec s = {.version = '4', .leaps = r, .n = n + 1};
	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
	check_real_table(&db);
	ck_assert_int_eq(db.expires, EXPIRY_2025);
	ck_assert_int_eq(leapdb_tai_offset(&db, EXPIRY_2025 + 1), 37);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, EXPIRY_2025 - 1), NTP_LEAP_NONE);

	/* An expiry alone: no leaps, but a valid table. */
	struct rec e[1] = {{EXPIRY_2025, 0}};
	struct tzspec s1 = {.version = '4', .leaps = e, .n = 1};
	write_spec("E", &s1);
	ck_assert_int_eq(leapdb_load(dir, "E", &db), 0);
	ck_assert_uint_eq(db.n, 0);
	ck_assert_int_eq(db.expires, EXPIRY_2025);

	/* A repeated correction anywhere but last is corrupt. */
	struct rec mid[N_REAL + 1];
	n = real_records(mid);
	memmove(&mid[11], &mid[10], (n - 10) * sizeof(mid[0]));
	mid[10].occ = mid[9].occ + DAY;
	mid[10].corr = mid[9].corr;
	struct tzspec s2 = {.version = '4', .leaps = mid, .n = n + 1};
	write_spec("right/UTC", &s2);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), -EINVAL);
}
END_TEST

/* zic -r truncates the table at the start: the first record is then a real
 * leap whose correction counts the dropped ones (glibc zic -r @100000000
 * on the deletion table above writes (126230401, 2), (331257601, 1)). */
START_TEST(test_truncated_start)
{
	static const struct rec r[] = {{126230401, 2}, {331257601, 1}};
	struct tzspec s = {.version = '4', .leaps = r, .n = 2};
	struct leapdb db;

	write_spec("T", &s);
	ck_assert_int_eq(leapdb_load(dir, "T", &db), 0);
	ck_assert_uint_eq(db.n, 2);
	ck_assert_int_eq(db.base, 1);
	ck_assert_int_eq(db.at[0], days_from_civil(1974, 1, 1) * DAY);
	ck_assert_int_eq(db.type[0], NTP_LEAP_INSERT);
	ck_assert_int_eq(db.at[1], days_from_civil(1980, 7, 1) * DAY);
	ck_assert_int_eq(db.type[1], NTP_LEAP_DELETE);
	ck_assert_int_eq(leapdb_tai_offset(&db, db.at[0] - 1), 11);
	ck_assert_int_eq(leapdb_tai_offset(&db, db.at[0]), 12);
	ck_assert_int_eq(leapdb_tai_offset(&db, db.at[1]), 11);

	/* The real table cut before 2016, with its expiry. */
	struct rec full[N_REAL + 1];
	unsigned int n = real_records(full);
	full[n].occ = EXPIRY_2025 + 27;
	full[n].corr = 27;
	struct tzspec s2 = {.version = '4', .leaps = &full[n - 1], .n = 2};
	write_spec("T", &s2);
	ck_assert_int_eq(leapdb_load(dir, "T", &db), 0);
	ck_assert_uint_eq(db.n, 1);
	ck_assert_int_eq(db.at[0], LEAP_2016);
	ck_assert_int_eq(db.expires, EXPIRY_2025);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016 - 1), 36);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016), 37);
}
END_TEST

START_TEST(test_enodata)
{
	struct tzspec s = {.version = '2', .leaps = NULL, .n = 0};
	struct tzspec s1 = {.version = 0, .leaps = NULL, .n = 0};
	struct leapdb db;

	write_spec("Etc/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "Etc/UTC", &db), -ENODATA);
	write_spec("Etc/UTC", &s1);
	ck_assert_int_eq(leapdb_load(dir, "Etc/UTC", &db), -ENODATA);
}
END_TEST

START_TEST(test_enoent)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;
	char nodir[96];

	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/Nowhere", &db), -ENOENT);
	ck_assert_int_eq(leapdb_load(dir, "left/UTC", &db), -ENOENT);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC/more", &db), -ENOENT);  /* ENOTDIR */
	ck_assert_int_eq(leapdb_load(dir, "right", &db), -ENOENT);           /* a directory */
	snprintf(nodir, sizeof(nodir), "%s/absent", dir);
	ck_assert_int_eq(leapdb_load(nodir, "right/UTC", &db), -ENOENT);
}
END_TEST

START_TEST(test_bad_names)
{
	static const char *const bad[] = {
		"", "/usr/share/zoneinfo/right/UTC", "../right/UTC", "right/../UTC", "right/..",
		"..", "right/UTC;", "right UTC", "right\\UTC", "right/UTC\n", "r\xc3\xa9/UTC",
		"right/*",
	};
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;

	write_spec("right/UTC", &s);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(leapdb_load(dir, bad[i], &db) == -EINVAL, "zone \"%s\" accepted", bad[i]);
	ck_assert_int_eq(leapdb_load(dir, NULL, &db), -EINVAL);
	/* Every allowed character. */
	write_spec("Etc/GMT+1_a-b.c", &s);
	ck_assert_int_eq(leapdb_load(dir, "Etc/GMT+1_a-b.c", &db), 0);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
}
END_TEST

START_TEST(test_bad_magic)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db;
	struct wbuf w;

	tzif_build(&w, &s);
	w.b[0] = 't';
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	tzif_build(&w, &s);
	w.b[4] = '1';     /* no such version */
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* Second header of a v2 file. */
	tzif_build(&w, &s);
	size_t v2 = 44 + 6 + 4 + N_REAL * 8;
	ck_assert_int_eq(memcmp(w.b + v2, "TZif2", 5), 0);
	w.b[v2 + 3] = 'F';
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	write_zone("X", "# not a zone\n", 13);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
	write_zone("X", "", 0);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
}
END_TEST

/* Every prefix of a valid file is corrupt, in both formats. */
START_TEST(test_truncated_file)
{
	struct rec r[N_REAL];
	struct leapdb db;
	struct wbuf w;

	for (int v = 0; v < 2; v++) {
		struct tzspec s = {.version = v ? '2' : 0, .leaps = r, .n = real_records(r),
		                   .v1_other = 1};
		tzif_build(&w, &s);
		write_zone("X", w.b, w.len);
		ck_assert_int_eq(leapdb_load(dir, "X", &db), 0);
		log_set_level(LOG_CRIT);   /* a few hundred identical errors */
		for (size_t len = 0; len < w.len; len++) {
			write_zone("X", w.b, len);
			ck_assert_msg(leapdb_load(dir, "X", &db) == -EINVAL, "v%c prefix %zu of %zu loaded",
			              v ? '2' : '1', len, w.len);
		}
	}
}
END_TEST

static void put_hdr_counts(uint8_t *h, uint32_t isut, uint32_t isstd, uint32_t typecnt)
{
	uint8_t *p = h + 20;
	uint32_t v[] = {isut, isstd};
	for (int i = 0; i < 2; i++, p += 4) {
		p[0] = (uint8_t)(v[i] >> 24), p[1] = (uint8_t)(v[i] >> 16);
		p[2] = (uint8_t)(v[i] >> 8), p[3] = (uint8_t)v[i];
	}
	p = h + 36;
	p[0] = (uint8_t)(typecnt >> 24), p[1] = (uint8_t)(typecnt >> 16);
	p[2] = (uint8_t)(typecnt >> 8), p[3] = (uint8_t)typecnt;
}

START_TEST(test_bad_counts)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = 0, .leaps = r, .n = real_records(r)};
	struct leapdb db;
	struct wbuf w;

	tzif_build(&w, &s);
	put_hdr_counts(w.b, 0, 0, 0);          /* typecnt 0 */
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
	tzif_build(&w, &s);
	put_hdr_counts(w.b, 2, 0, 1);          /* isutcnt neither 0 nor typecnt */
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
	tzif_build(&w, &s);
	w.b[28] = 0xff;                        /* leapcnt beyond the file */
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
	tzif_build(&w, &s);
	w.b[32] = 0xff;                        /* timecnt near 2^32 */
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* v2 without its footer's closing newline. */
	struct tzspec s2 = {.version = '2', .leaps = r, .n = N_REAL};
	tzif_build(&w, &s2);
	w.b[w.len - 1] = '0';
	write_zone("X", w.b, w.len);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
}
END_TEST

/* Leap tables that are not leap tables. */
START_TEST(test_bad_records)
{
	struct rec r[N_REAL];
	struct leapdb db;
	unsigned int n;

	/* A correction that jumps by 2. */
	n = real_records(r);
	for (unsigned int i = 5; i < n; i++)
		r[i].corr++;
	struct tzspec s = {.version = '2', .leaps = r, .n = n};
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* Out of order. */
	n = real_records(r);
	r[4].occ = r[3].occ;
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* Not at a UTC midnight. */
	n = real_records(r);
	r[7].occ += 3600;
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* Before the epoch. */
	n = real_records(r);
	r[0].occ = -DAY;
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);

	/* A first record of correction 0 that is not the last. */
	static const struct rec z[] = {{LEAP_1972, 0}, {LEAP_2016, 1}};
	struct tzspec sz = {.version = '4', .leaps = z, .n = 2};
	write_spec("X", &sz);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -EINVAL);
}
END_TEST

START_TEST(test_too_many)
{
	int64_t m[LEAPDB_MAX + 1];
	int t[LEAPDB_MAX + 1];
	struct rec r[LEAPDB_MAX + 1];
	struct leapdb db;

	for (unsigned int i = 0; i <= LEAPDB_MAX; i++) {
		m[i] = LEAP_1972 + (int64_t)i * 100 * DAY;
		t[i] = NTP_LEAP_INSERT;
	}
	struct tzspec s = {.version = '2', .leaps = r, .n = zic_records(r, m, t, LEAPDB_MAX)};
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), 0);
	ck_assert_uint_eq(db.n, LEAPDB_MAX);
	ck_assert_int_eq(leapdb_tai_offset(&db, INT64_MAX), 10 + LEAPDB_MAX);
	s.n = zic_records(r, m, t, LEAPDB_MAX + 1);
	write_spec("X", &s);
	ck_assert_int_eq(leapdb_load(dir, "X", &db), -E2BIG);
}
END_TEST

/* A failed load leaves the table it would have replaced untouched. */
START_TEST(test_failed_load_keeps_db)
{
	struct rec r[N_REAL];
	struct tzspec s = {.version = '2', .leaps = r, .n = real_records(r)};
	struct leapdb db, before;

	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), 0);
	before = db;
	r[9].corr += 5;
	write_spec("right/UTC", &s);
	ck_assert_int_eq(leapdb_load(dir, "right/UTC", &db), -EINVAL);
	ck_assert_int_eq(leapdb_load(dir, "right/None", &db), -ENOENT);
	ck_assert_int_eq(leapdb_load(dir, "../x", &db), -EINVAL);
	ck_assert_int_eq(memcmp(&db, &before, sizeof(db)), 0);
}
END_TEST

/* The host's own right/UTC (added only when it has leap records). */
START_TEST(test_host_right_utc)
{
	struct leapdb db;

	ck_assert_int_eq(leapdb_load(NULL, "right/UTC", &db), 0);
	ck_assert_uint_ge(db.n, 1);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_2016 - DAY / 2), NTP_LEAP_INSERT);
	ck_assert_int_eq(leapdb_leap_at_day_end(&db, LEAP_2016 + DAY / 2), NTP_LEAP_NONE);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016 - 1), 36);
	ck_assert_int_eq(leapdb_tai_offset(&db, LEAP_2016), 37);
	/* An untruncated table is the real one, possibly with later leaps. */
	if (db.base == 0) {
		ck_assert_uint_ge(db.n, N_REAL);
		for (unsigned int i = 0; i < N_REAL; i++) {
			ck_assert_int_eq(db.at[i], real_midnight(i));
			ck_assert_int_eq(db.type[i], NTP_LEAP_INSERT);
		}
	}
}
END_TEST

Suite *leapdb_suite(void)
{
	Suite *s = suite_create("leapdb");
	TCase *tc = tcase_create("core");
	struct leapdb host;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_real_v2);
	tcase_add_test(tc, test_real_v1);
	tcase_add_test(tc, test_v2_skips_v1_block);
	tcase_add_test(tc, test_v2_64bit_times);
	tcase_add_test(tc, test_day_end);
	tcase_add_test(tc, test_tai_offset);
	tcase_add_test(tc, test_deletion);
	tcase_add_test(tc, test_deletion_first);
	tcase_add_test(tc, test_expiry);
	tcase_add_test(tc, test_truncated_start);
	tcase_add_test(tc, test_enodata);
	tcase_add_test(tc, test_enoent);
	tcase_add_test(tc, test_bad_names);
	tcase_add_test(tc, test_bad_magic);
	tcase_add_test(tc, test_truncated_file);
	tcase_add_test(tc, test_bad_counts);
	tcase_add_test(tc, test_bad_records);
	tcase_add_test(tc, test_too_many);
	tcase_add_test(tc, test_failed_load_keeps_db);
	/* Decided here, when the suite is built: Check has no "skipped", so a
	 * host without right/ leap data gets no test rather than a pass. */
	if (leapdb_load(NULL, "right/UTC", &host) == 0 && host.n > 0)
		tcase_add_test(tc, test_host_right_utc);
	else
		printf("leapdb: host tzdata has no leap records: skipped\n");
	suite_add_tcase(s, tc);
	return s;
}
