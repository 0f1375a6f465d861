/*
 * keyfile: chrony's key file, the symmetric keys of authenticated NTP
 * (RFC 5905 7.3, RFC 8573). One key a line:
 *
 *   ID [TYPE] KEY
 *
 * ID 1..4294967295; TYPE as ntp_mac_type_parse() takes it (MD5 if absent);
 * KEY as "HEX:" and hex digits, "ASCII:" and text, or bare text. Blank
 * lines and lines starting with '#' are ignored. AES keys must be exactly
 * 16 (AES128) or 32 (AES256) bytes; hash keys 1..64.
 *
 * A bad line is an error naming the file and line, as config errors do,
 * and never echoes the secret. Pure: no region, no global state.
 */
#ifndef LT_KEYFILE_H
#define LT_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "ntp_mac.h"
#include "shm.h"

struct keyfile_key {
	uint32_t id;
	uint8_t type;            /* enum ntp_mac_type */
	uint8_t len;
	uint8_t secret[LT_KEY_SECRET_MAX];
	unsigned int line;
};

struct keyfile {
	unsigned int n;
	struct keyfile_key keys[LT_KEYS_MAX];
};

/* Parse text (name stands for the file in errors) into kf. Returns 0, or
 * -EINVAL with "name:line: problem" in err; kf is then partly filled. */
int keyfile_parse(const char *text, const char *name, struct keyfile *kf, char *err,
		  size_t errlen);

/* Read and parse the file at path. Returns 0, -EINVAL as above, or the
 * -errno of a file that cannot be read, with "path: reason" in err. */
int keyfile_load(const char *path, struct keyfile *kf, char *err, size_t errlen);

/* The key with identifier id, or NULL. */
const struct keyfile_key *keyfile_find(const struct keyfile *kf, uint32_t id);

/* Wipe the secrets. */
void keyfile_clear(struct keyfile *kf);

#endif
