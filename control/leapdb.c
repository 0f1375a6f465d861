/* leapdb: leap seconds from a tz database zone's TZif leap-second records. */
#include "leapdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "ntp_packet.h"

#define LEAPDB_DIR "/usr/share/zoneinfo"
#define DAY 86400
#define TZIF_HDR_LEN 44
#define TZIF_MAX_FILE (1 << 20)   /* the largest zone files are a few KB */
/* Bound on occurrence times, so occurrence - correction cannot overflow. */
#define OCC_MAX (INT64_MAX / 2)

/*
 * RFC 8536 3.1, the header before each data block:
 *
 *   +---------------+---+
 *   |  magic    (4) |ver|
 *   +---------------+---+---------------------------------------+
 *   |           [unused - reserved for future use] (15)         |
 *   +---------------+---------------+---------------+-----------+
 *   |  isutcnt  (4) |  isstdcnt (4) |  leapcnt  (4) |
 *   +---------------+---------------+---------------+
 *   |  timecnt  (4) |  typecnt  (4) |  charcnt  (4) |
 *   +---------------+---------------+---------------+
 *
 * The counts are big-endian; they are converted here, at the edge.
 */
struct tzif_hdr {
	uint8_t version;     /* 0 (v1), '2', '3', '4', ... */
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static int zone_name_ok(const char *zone)
{
	if (!zone || !zone[0] || zone[0] == '/' || strstr(zone, ".."))
		return 0;
	for (const char *c = zone; *c; c++) {
		if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
		      (*c >= '0' && *c <= '9') || strchr("/_+.-", *c)))
			return 0;
	}
	return 1;
}

/* Header at buf[off]; -EINVAL unless it is TZif with counts RFC 8536 3.1 allows. */
static int read_hdr(const uint8_t *buf, size_t len, size_t off, struct tzif_hdr *h)
{
	if (len - off < TZIF_HDR_LEN || memcmp(buf + off, "TZif", 4) != 0)
		return -EINVAL;
	const uint8_t *p = buf + off;
	h->version = p[4];
	if (h->version != 0 && h->version < '2')
		return -EINVAL;
	h->isutcnt = be32(p + 20);
	h->isstdcnt = be32(p + 24);
	h->leapcnt = be32(p + 28);
	h->timecnt = be32(p + 32);
	h->typecnt = be32(p + 36);
	h->charcnt = be32(p + 40);
	if (h->typecnt == 0 || (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
	    (h->isstdcnt != 0 && h->isstdcnt != h->typecnt))
		return -EINVAL;
	return 0;
}

/* Length of the data block after h, whose times are tsize (4 or 8) bytes. */
static uint64_t block_len(const struct tzif_hdr *h, unsigned int tsize)
{
	return (uint64_t)h->timecnt * (tsize + 1) + (uint64_t)h->typecnt * 6 + h->charcnt +
	       (uint64_t)h->leapcnt * (tsize + 4) + h->isstdcnt + h->isutcnt;
}

/*
 * The leap-second records (RFC 8536 3.2, RFC 9636 3.2): pairs of an
 * occurrence, counted in "right" time (POSIX time plus the leaps before it),
 * and the total correction from then on. zic writes a leap at POSIX
 * midnight M after previous total c as: insertion at M + c (the 23:59:60
 * itself), deletion at M + c - 1 (the instant 23:59:59 is skipped).
 * The first record is a leap, positive iff its correction is; a
 * correction other than +-1 there means the table was truncated at the
 * start (zic -r) and the earlier leaps dropped. A last record repeating
 * the previous correction is the table's expiry, not a leap.
 */
static int parse_leaps(const uint8_t *p, uint32_t cnt, unsigned int tsize, struct leapdb *db,
                       const char *path)
{
	int64_t prev_occ = -1, prev_corr = 0;

	for (uint32_t i = 0; i < cnt; i++, p += tsize + 4) {
		int64_t occ = tsize == 4 ? (int64_t)(int32_t)be32(p) : (int64_t)be64(p);
		int64_t corr = (int32_t)be32(p + tsize);
		int64_t delta = corr - prev_corr, at;

		if (occ <= prev_occ || occ > OCC_MAX) {
			log_msg(LOG_ERR, "leapdb: %s: leap record %u: time %lld out of order or range",
			        path, i, (long long)occ);
			return -EINVAL;
		}
		prev_occ = occ;
		if (i == 0 && corr != 0) {
			/* Truncated at the start: leaps before this one were dropped. */
			prev_corr = corr > 0 ? corr - 1 : corr + 1;
			db->base = (int)prev_corr;
			delta = corr - prev_corr;
		}
		if (delta == 0) {
			if (i != cnt - 1) {
				log_msg(LOG_ERR, "leapdb: %s: leap record %u: correction unchanged "
				        "before the last record", path, i);
				return -EINVAL;
			}
			db->expires = occ - corr;
			break;
		}
		if (delta != 1 && delta != -1) {
			log_msg(LOG_ERR, "leapdb: %s: leap record %u: correction %lld after %lld",
			        path, i, (long long)corr, (long long)prev_corr);
			return -EINVAL;
		}
		at = delta > 0 ? occ - prev_corr : occ - prev_corr + 1;
		if (at % DAY != 0 || (db->n > 0 && at <= db->at[db->n - 1])) {
			log_msg(LOG_ERR, "leapdb: %s: leap record %u: %lld is not a new UTC midnight",
			        path, i, (long long)at);
			return -EINVAL;
		}
		if (db->n == LEAPDB_MAX) {
			log_msg(LOG_ERR, "leapdb: %s: more than %d leap seconds", path, LEAPDB_MAX);
			return -E2BIG;
		}
		db->at[db->n] = at;
		db->type[db->n] = delta > 0 ? NTP_LEAP_INSERT : NTP_LEAP_DELETE;
		db->n++;
		prev_corr = corr;
	}
	if (db->expires != 0 && db->n > 0 && db->expires < db->at[db->n - 1]) {
		log_msg(LOG_ERR, "leapdb: %s: expiry before the last leap", path);
		return -EINVAL;
	}
	return 0;
}

/* RFC 8536 3: v1 header and block; from version '2' on, a second header, a
 * block with 64-bit times (the one to use) and a newline-framed footer. */
static int parse_tzif(const uint8_t *buf, size_t len, struct leapdb *db, const char *path)
{
	struct tzif_hdr h;
	size_t off = 0;
	unsigned int tsize = 4;
	int rc;

	if ((rc = read_hdr(buf, len, 0, &h)) < 0)
		goto bad;
	if (h.version != 0) {
		uint64_t v1 = block_len(&h, 4);
		if (v1 > len - TZIF_HDR_LEN)
			goto bad;
		off = TZIF_HDR_LEN + (size_t)v1;
		if ((rc = read_hdr(buf, len, off, &h)) < 0)
			goto bad;
		tsize = 8;
	}
	off += TZIF_HDR_LEN;
	uint64_t blen = block_len(&h, tsize);
	if (blen > len - off)
		goto bad;
	if (h.version != 0) {
		size_t foot = off + (size_t)blen;
		if (foot >= len || buf[foot] != '\n' || !memchr(buf + foot + 1, '\n', len - foot - 1))
			goto bad;
	}
	if (h.leapcnt == 0) {
		log_msg(LOG_WARNING, "leapdb: %s: no leap-second records", path);
		return -ENODATA;
	}
	const uint8_t *leaps = buf + off + (size_t)h.timecnt * (tsize + 1) + (size_t)h.typecnt * 6 +
	                       h.charcnt;
	return parse_leaps(leaps, h.leapcnt, tsize, db, path);
bad:
	log_msg(LOG_ERR, "leapdb: %s: not a TZif file, or truncated", path);
	return -EINVAL;
}

static int read_file(const char *path, uint8_t **bufp, size_t *lenp)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	int rc = 0;

	if (fd < 0) {
		rc = errno == ENOTDIR ? -ENOENT : -errno;
		log_msg(LOG_ERR, "leapdb: %s: %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
	} else if (S_ISDIR(st.st_mode)) {
		rc = -ENOENT;
	} else if (!S_ISREG(st.st_mode) || st.st_size > TZIF_MAX_FILE) {
		rc = -EINVAL;
	}
	if (rc < 0) {
		log_msg(LOG_ERR, "leapdb: %s: %s", path,
		        rc == -ENOENT ? "a directory, not a zone" :
		        rc == -EINVAL ? "not a regular file of TZif size" : strerror(-rc));
		close(fd);
		return rc;
	}
	size_t cap = (size_t)st.st_size, len = 0;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (len < cap) {
		ssize_t r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			log_msg(LOG_ERR, "leapdb: %s: %s", path, strerror(errno));
			free(buf);
			close(fd);
			return rc;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	*bufp = buf;
	*lenp = len;
	return 0;
}

int leapdb_load(const char *dir, const char *zone, struct leapdb *db)
{
	char path[PATH_MAX];
	struct leapdb tmp;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (!zone_name_ok(zone)) {
		log_msg(LOG_ERR, "leapdb: bad zone name \"%s\"", zone ? zone : "");
		return -EINVAL;
	}
	rc = snprintf(path, sizeof(path), "%s/%s", dir ? dir : LEAPDB_DIR, zone);
	if (rc < 0 || (size_t)rc >= sizeof(path)) {
		log_msg(LOG_ERR, "leapdb: zone path for \"%s\" too long", zone);
		return -ENAMETOOLONG;
	}
	if ((rc = read_file(path, &buf, &len)) < 0)
		return rc;
	memset(&tmp, 0, sizeof(tmp));
	rc = parse_tzif(buf, len, &tmp, path);
	free(buf);
	if (rc < 0)
		return rc;
	*db = tmp;
	return 0;
}

/* Day number of t, by floor division: a time before 1970 is in a day that
 * starts before it. Days, not seconds, so no time overflows. */
static int64_t day_of(int64_t t)
{
	return t / DAY - (t % DAY < 0);
}

int leapdb_leap_at_day_end(const struct leapdb *db, int64_t t)
{
	int64_t day = day_of(t);

	/* at[] are midnights: the leap day is the one before at[i]. */
	for (unsigned int i = 0; i < db->n; i++) {
		int64_t leap_day = db->at[i] / DAY - 1;
		if (leap_day == day)
			return db->type[i];
		if (leap_day > day)
			break;
	}
	return NTP_LEAP_NONE;
}

int leapdb_tai_offset(const struct leapdb *db, int64_t t)
{
	int off = 10 + db->base;

	for (unsigned int i = 0; i < db->n && db->at[i] <= t; i++)
		off += db->type[i] == NTP_LEAP_INSERT ? 1 : -1;
	return off;
}
