/* keyfile: chrony's key file (see keyfile.h). */
#include "keyfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEYFILE_MAX_BYTES (1024 * 1024)

static int fail(char *err, size_t errlen, const char *name, unsigned int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int fail(char *err, size_t errlen, const char *name, unsigned int line, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%u: %s", name, line, why);
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The secret as written (HEX:..., ASCII:..., or bare text) into k. */
static const char *decode_secret(const char *tok, size_t toklen, struct keyfile_key *k)
{
	if (toklen >= 4 && !strncasecmp(tok, "HEX:", 4)) {
		tok += 4;
		toklen -= 4;
		if (toklen == 0 || toklen % 2)
			return "HEX: needs an even, nonzero number of hex digits";
		if (toklen / 2 > LT_KEY_SECRET_MAX)
			return "key longer than 64 bytes";
		for (size_t i = 0; i < toklen; i += 2) {
			int hi = hexval(tok[i]), lo = hexval(tok[i + 1]);
			if (hi < 0 || lo < 0)
				return "HEX: key has a character that is not a hex digit";
			k->secret[i / 2] = (uint8_t)(hi << 4 | lo);
		}
		k->len = (uint8_t)(toklen / 2);
		return NULL;
	}
	if (toklen >= 6 && !strncasecmp(tok, "ASCII:", 6)) {
		tok += 6;
		toklen -= 6;
	}
	if (toklen == 0)
		return "empty key";
	if (toklen > LT_KEY_SECRET_MAX)
		return "key longer than 64 bytes";
	memcpy(k->secret, tok, toklen);
	k->len = (uint8_t)toklen;
	return NULL;
}

/* Split line into at most 4 whitespace-separated tokens. */
static unsigned int tokens(const char *line, const char **tok, size_t *len, unsigned int max)
{
	unsigned int n = 0;
	const char *s = line;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s)
			break;
		const char *b = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (n < max) {
			tok[n] = b;
			len[n] = (size_t)(s - b);
		}
		n++;
	}
	return n;
}

static int parse_line(const char *line, const char *name, unsigned int ln, struct keyfile *kf,
		      char *err, size_t errlen)
{
	const char *tok[3];
	size_t len[3];
	char buf[32], *end;
	unsigned int n = tokens(line, tok, len, 3);
	struct keyfile_key k = {.line = ln};
	enum ntp_mac_type t = NTP_MAC_MD5;
	const char *why;

	if (n == 0 || tok[0][0] == '#')
		return 0;
	if (n > 3)
		return fail(err, errlen, name, ln, "expected ID [TYPE] KEY, got %u fields", n);
	if (n < 2)
		return fail(err, errlen, name, ln, "expected ID [TYPE] KEY, got no key");
	if (len[0] >= sizeof(buf) || tok[0][0] == '-' || tok[0][0] == '+')
		return fail(err, errlen, name, ln, "key id is not a number from 1 to 4294967295");
	memcpy(buf, tok[0], len[0]);
	buf[len[0]] = '\0';
	errno = 0;
	unsigned long long id = strtoull(buf, &end, 10);
	if (errno || *end || end == buf || id < 1 || id > UINT32_MAX)
		return fail(err, errlen, name, ln, "key id \"%s\" is not a number from 1 to 4294967295",
			    buf);
	k.id = (uint32_t)id;
	if (n == 3) {
		if (len[1] >= sizeof(buf))
			return fail(err, errlen, name, ln, "key %u: unknown type", k.id);
		memcpy(buf, tok[1], len[1]);
		buf[len[1]] = '\0';
		t = ntp_mac_type_parse(buf);
		if (t == NTP_MAC_NONE)
			return fail(err, errlen, name, ln,
				    "key %u: unknown type \"%s\" (MD5, SHA1, SHA256, SHA384, SHA512, "
				    "AES128, AES256)",
				    k.id, buf);
	}
	k.type = (uint8_t)t;
	why = decode_secret(tok[n - 1], len[n - 1], &k);
	if (why) {
		explicit_bzero(&k, sizeof(k));
		return fail(err, errlen, name, ln, "key %u: %s", (unsigned int)id, why);
	}
	if (ntp_mac_key_len(t) && k.len != ntp_mac_key_len(t)) {
		unsigned int got = k.len;
		explicit_bzero(&k, sizeof(k));
		return fail(err, errlen, name, ln, "key %u: %s needs a %u-byte key, got %u bytes",
			    (unsigned int)id, ntp_mac_type_name(t), ntp_mac_key_len(t), got);
	}
	for (unsigned int i = 0; i < kf->n; i++)
		if (kf->keys[i].id == k.id) {
			explicit_bzero(&k, sizeof(k));
			return fail(err, errlen, name, ln, "key %u: listed twice (also line %u)",
				    (unsigned int)id, kf->keys[i].line);
		}
	if (kf->n >= LT_KEYS_MAX) {
		explicit_bzero(&k, sizeof(k));
		return fail(err, errlen, name, ln, "more than %d keys", LT_KEYS_MAX);
	}
	kf->keys[kf->n++] = k;
	explicit_bzero(&k, sizeof(k));
	return 0;
}

int keyfile_parse(const char *text, const char *name, struct keyfile *kf, char *err,
		  size_t errlen)
{
	char line[512];
	unsigned int ln = 0;

	kf->n = 0;
	while (*text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		int rc;

		ln++;
		if (len >= sizeof(line)) {
			explicit_bzero(line, sizeof(line));
			return fail(err, errlen, name, ln, "line longer than %zu characters",
				    sizeof(line) - 1);
		}
		memcpy(line, text, len);
		line[len] = '\0';
		rc = parse_line(line, name, ln, kf, err, errlen);
		explicit_bzero(line, sizeof(line));
		if (rc)
			return rc;
		text += len + (nl ? 1 : 0);
	}
	return 0;
}

int keyfile_load(const char *path, struct keyfile *kf, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(-rc));
		return rc;
	}
	buf = malloc(KEYFILE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	n = fread(buf, 1, KEYFILE_MAX_BYTES + 1, f);
	rc = ferror(f) ? -EIO : 0;
	fclose(f);
	if (rc)
		snprintf(err, errlen, "%s: read error", path);
	else if (n > KEYFILE_MAX_BYTES)
		rc = -EFBIG, snprintf(err, errlen, "%s: larger than %d bytes", path, KEYFILE_MAX_BYTES);
	else if (memchr(buf, '\0', n))
		rc = -EINVAL, snprintf(err, errlen, "%s: contains a NUL byte", path);
	if (!rc) {
		buf[n] = '\0';
		rc = keyfile_parse(buf, path, kf, err, errlen);
	}
	explicit_bzero(buf, n < KEYFILE_MAX_BYTES ? n + 1 : KEYFILE_MAX_BYTES + 1);
	free(buf);
	return rc;
}

const struct keyfile_key *keyfile_find(const struct keyfile *kf, uint32_t id)
{
	for (unsigned int i = 0; i < kf->n; i++)
		if (kf->keys[i].id == id)
			return &kf->keys[i];
	return NULL;
}

void keyfile_clear(struct keyfile *kf)
{
	explicit_bzero(kf, sizeof(*kf));
}
