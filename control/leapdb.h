/*
 * leapdb: the leap-second table of a tz database zone, chrony's
 * "leapsectz right/UTC". The zone's TZif file (RFC 8536, with the version 4
 * additions of RFC 9636) carries leap-second records; this module reads them
 * itself (no mktime, no TZ) and keeps each leap as the POSIX time of the UTC
 * midnight that ends the leap day, the time discipline_leap_set schedules
 * against. Load once at start-up or reload; the queries are pure.
 */
#ifndef LT_LEAPDB_H
#define LT_LEAPDB_H

#include <stdint.h>

#define LEAPDB_MAX 64

struct leapdb {
	unsigned int n;             /* leaps in at[] / type[], ascending */
	int64_t at[LEAPDB_MAX];     /* POSIX time of the midnight ending the leap day */
	int type[LEAPDB_MAX];       /* NTP_LEAP_INSERT or NTP_LEAP_DELETE */
	int64_t expires;            /* POSIX time the table is valid until; 0 if the file does not say */
	int base;                   /* s: correction already in force before at[0]; 0 unless the
	                               file's table was truncated at the start (RFC 9636 3.2) */
};

/* Load the leap records of zone (e.g. "right/UTC") from dir (NULL: /usr/share/zoneinfo).
 * 0, or -ENOENT no such zone, -EINVAL bad zone name or not TZif or corrupt,
 * -ENODATA a zone with no leaps (e.g. plain UTC), -E2BIG more than LEAPDB_MAX leaps,
 * other -errno from open/read. db is written only on success. */
int leapdb_load(const char *dir, const char *zone, struct leapdb *db);

/* The leap (NTP_LEAP_INSERT/DELETE) at the end of the UTC day containing POSIX time t,
 * or NTP_LEAP_NONE. */
int leapdb_leap_at_day_end(const struct leapdb *db, int64_t t);

/* TAI-UTC (s) in effect at POSIX time t: 10 + the leaps that took effect at or before t. */
int leapdb_tai_offset(const struct leapdb *db, int64_t t);

#endif
