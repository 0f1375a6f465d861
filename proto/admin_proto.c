/*
 * admin_proto: request and response lines of the admin socket, with json-c.
 *
 * Requests are checked strictly so that nothing a client sends by accident
 * (a typo in a key, a float version, a second object on the line) is
 * silently accepted and later relied upon. Responses are read leniently
 * (unknown keys are ignored) so that an older linetimectl keeps working
 * against a newer server that adds fields.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin_proto.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Drop one trailing "\n" or "\r\n": lines may be typed by hand (socat). */
static size_t strip_eol(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	return len;
}

static bool valid_cmd(const char *s, size_t len)
{
	if (len == 0 || len >= ADMIN_CMD_MAX)
		return false;
	if (s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * json-c accepts 'single-quoted' strings even in strict mode; JSON does
 * not (RFC 8259 section 7), so look for a quote outside any string.
 */
static bool has_bare_apostrophe(const char *s, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		if (in_str) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_str = false;
		} else if (s[i] == '"') {
			in_str = true;
		} else if (s[i] == '\'') {
			return true;
		}
	}
	return false;
}

/*
 * Parse exactly one JSON value that fills text[0..len). Returns the object
 * or NULL with a message in err.
 */
static struct json_object *parse_json(const char *text, size_t len, const char *what, char *err,
				      size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	char *buf;

	if (len > 0x7fffffff) {
		set_err(err, errlen, "%s too long", what);
		return NULL;
	}
	if (memchr(text, '\0', len)) {
		set_err(err, errlen, "%s contains a NUL byte", what);
		return NULL;
	}
	if (has_bare_apostrophe(text, len)) {
		set_err(err, errlen, "%s is not valid JSON: single quotes are not JSON", what);
		return NULL;
	}
	/* The terminating NUL is passed in so a bare number at the end is complete. */
	buf = malloc(len + 1);
	tok = json_tokener_new();
	if (!buf || !tok) {
		free(buf);
		if (tok)
			json_tokener_free(tok);
		set_err(err, errlen, "out of memory");
		return NULL;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, buf, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	if (!obj || jerr != json_tokener_success) {
		if (jerr == json_tokener_continue)
			set_err(err, errlen, "%s is not valid JSON: unexpected end of line", what);
		else
			set_err(err, errlen, "%s is not valid JSON: %s at offset %zu", what,
				json_tokener_error_desc(jerr), json_tokener_get_parse_end(tok));
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return obj;
}

static const char *const request_keys[] = { "v", "cmd", "args" };

static bool known_request_key(const char *key)
{
	for (size_t i = 0; i < sizeof(request_keys) / sizeof(request_keys[0]); i++)
		if (strcmp(key, request_keys[i]) == 0)
			return true;
	return false;
}

/* "v" must be the integer 1; checked before anything else so that a newer
 * client gets the version error rather than a complaint about its keys. */
static int check_version(struct json_object *root, const char *what, char *err, size_t errlen)
{
	struct json_object *v;

	if (!json_object_object_get_ex(root, "v", &v)) {
		set_err(err, errlen, "%s has no protocol version \"v\"", what);
		return -EINVAL;
	}
	if (!json_object_is_type(v, json_type_int)) {
		set_err(err, errlen, "\"v\" must be an integer");
		return -EINVAL;
	}
	if (json_object_get_int64(v) != ADMIN_PROTO_VERSION) {
		set_err(err, errlen, "unsupported protocol version %s",
			json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		return -EPROTONOSUPPORT;
	}
	return 0;
}

int admin_request_parse(const char *line, size_t len, struct admin_request *req, char *err,
			size_t errlen)
{
	struct json_object *root, *cmd, *args = NULL;
	const char *name;
	size_t name_len;
	int rc;

	req->cmd[0] = '\0';
	req->args = NULL;
	if (!line) {
		set_err(err, errlen, "empty request");
		return -EINVAL;
	}
	if (len > ADMIN_MAX_REQUEST) {
		set_err(err, errlen, "request too long (limit %d bytes)", ADMIN_MAX_REQUEST);
		return -EINVAL;
	}
	len = strip_eol(line, len);
	if (len == 0) {
		set_err(err, errlen, "empty request");
		return -EINVAL;
	}
	if (memchr(line, '\n', len)) {
		set_err(err, errlen, "request contains a newline");
		return -EINVAL;
	}
	root = parse_json(line, len, "request", err, errlen);
	if (!root)
		return -EINVAL;
	if (!json_object_is_type(root, json_type_object)) {
		set_err(err, errlen, "request must be a JSON object");
		rc = -EINVAL;
		goto fail;
	}
	rc = check_version(root, "request", err, errlen);
	if (rc < 0)
		goto fail;
	json_object_object_foreach(root, key, val) {
		(void)val;
		if (!known_request_key(key)) {
			set_err(err, errlen, "unknown key \"%.40s\" in request", key);
			rc = -EINVAL;
			goto fail;
		}
	}
	if (!json_object_object_get_ex(root, "cmd", &cmd)) {
		set_err(err, errlen, "request has no \"cmd\"");
		rc = -EINVAL;
		goto fail;
	}
	if (!json_object_is_type(cmd, json_type_string)) {
		set_err(err, errlen, "\"cmd\" must be a string");
		rc = -EINVAL;
		goto fail;
	}
	name = json_object_get_string(cmd);
	name_len = (size_t)json_object_get_string_len(cmd);
	if (!valid_cmd(name, name_len)) {
		set_err(err, errlen, "invalid command name (want [a-z][a-z0-9_-]*, at most %d characters)",
			ADMIN_CMD_MAX - 1);
		rc = -EINVAL;
		goto fail;
	}
	if (json_object_object_get_ex(root, "args", &args) &&
	    !json_object_is_type(args, json_type_object)) {
		set_err(err, errlen, "\"args\" must be an object");
		rc = -EINVAL;
		goto fail;
	}
	args = args ? json_object_get(args) : json_object_new_object();
	if (!args) {
		set_err(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(req->cmd, name, name_len);
	req->cmd[name_len] = '\0';
	req->args = args;
	json_object_put(root);
	return 0;

fail:
	json_object_put(root);
	return rc;
}

void admin_request_free(struct admin_request *req)
{
	if (!req)
		return;
	json_object_put(req->args);
	req->args = NULL;
}

/* Serialise obj as one line: plain JSON never contains a raw newline. */
static char *to_line(struct json_object *obj)
{
	const char *s;
	size_t n;
	char *out;

	s = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN |
						   JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s)
		return NULL;
	out = malloc(n + 2);
	if (!out)
		return NULL;
	memcpy(out, s, n);
	out[n] = '\n';
	out[n + 1] = '\0';
	return out;
}

char *admin_request_format(const char *cmd, struct json_object *args)
{
	struct json_object *root;
	char *line = NULL;

	if (!cmd || !valid_cmd(cmd, strlen(cmd)) ||
	    (args && !json_object_is_type(args, json_type_object))) {
		errno = EINVAL;
		return NULL;
	}
	root = json_object_new_object();
	if (!root)
		return NULL;
	if (json_object_object_add(root, "v", json_object_new_int(ADMIN_PROTO_VERSION)) == 0 &&
	    json_object_object_add(root, "cmd", json_object_new_string(cmd)) == 0 &&
	    (!args || json_object_object_add(root, "args", json_object_get(args)) == 0))
		line = to_line(root);
	json_object_put(root);
	return line;
}

/* Bytes in the well-formed UTF-8 sequence at s (RFC 3629 section 4), or 0
 * if none starts there. A NUL ends the string, so it ends any sequence. */
static size_t utf8_seq(const unsigned char *s)
{
	uint32_t cp, min;
	size_t n;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1fu;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0fu;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07u;
		min = 0x10000;
	} else {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * error with every byte that is not part of well-formed UTF-8 replaced by
 * '?', malloc'd. Messages name what the client sent, cut to fit ("%.40s",
 * a 256-byte buffer), and a cut can split a character; a response must
 * still be JSON (RFC 8259 section 8.1) or the client cannot read the error.
 */
static char *utf8_clean(const char *error)
{
	const unsigned char *s = (const unsigned char *)error;
	size_t len = strlen(error), i = 0;
	char *out = malloc(len + 1);

	if (!out)
		return NULL;
	while (i < len) {
		size_t n = utf8_seq(s + i);

		if (n) {
			memcpy(out + i, s + i, n);
			i += n;
		} else {
			out[i++] = '?';
		}
	}
	out[len] = '\0';
	return out;
}

char *admin_response_format(struct json_object *data, const char *error)
{
	struct json_object *root;
	char *line = NULL, *clean = NULL;
	int rc;

	root = json_object_new_object();
	if (!root) {
		json_object_put(data);
		return NULL;
	}
	rc = json_object_object_add(root, "v", json_object_new_int(ADMIN_PROTO_VERSION));
	if (error) {
		json_object_put(data);
		clean = utf8_clean(error);
		if (!clean)
			rc = -1;
		if (rc == 0)
			rc = json_object_object_add(root, "ok", json_object_new_boolean(0));
		if (rc == 0)
			rc = json_object_object_add(root, "error", json_object_new_string(clean));
	} else {
		/* Clients always find "data" as an object, even when there is nothing to say. */
		if (!data)
			data = json_object_new_object();
		if (rc == 0)
			rc = json_object_object_add(root, "ok", json_object_new_boolean(1));
		if (rc == 0)
			rc = json_object_object_add(root, "data", data);
		else
			json_object_put(data);
	}
	if (rc == 0)
		line = to_line(root);
	json_object_put(root);
	free(clean);
	return line;
}

int admin_response_parse(const char *line, size_t len, struct json_object **data, char *err,
			 size_t errlen)
{
	struct json_object *root, *ok, *val;
	int rc;

	*data = NULL;
	if (!line || len == 0) {
		set_err(err, errlen, "empty response");
		return -EPROTO;
	}
	if (len > ADMIN_MAX_RESPONSE) {
		set_err(err, errlen, "response too long");
		return -EPROTO;
	}
	len = strip_eol(line, len);
	root = parse_json(line, len, "response", err, errlen);
	if (!root)
		return -EPROTO;
	if (!json_object_is_type(root, json_type_object)) {
		set_err(err, errlen, "response is not a JSON object");
		rc = -EPROTO;
		goto out;
	}
	if (check_version(root, "response", err, errlen) < 0) {
		rc = -EPROTO;
		goto out;
	}
	if (!json_object_object_get_ex(root, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		set_err(err, errlen, "response has no boolean \"ok\"");
		rc = -EPROTO;
		goto out;
	}
	if (!json_object_get_boolean(ok)) {
		if (!json_object_object_get_ex(root, "error", &val) ||
		    !json_object_is_type(val, json_type_string)) {
			set_err(err, errlen, "error response without an \"error\" string");
			rc = -EPROTO;
			goto out;
		}
		set_err(err, errlen, "%s", json_object_get_string(val));
		rc = -EREMOTEIO;
		goto out;
	}
	if (!json_object_object_get_ex(root, "data", &val)) {
		*data = json_object_new_object();
	} else if (!json_object_is_type(val, json_type_object)) {
		set_err(err, errlen, "response \"data\" is not an object");
		rc = -EPROTO;
		goto out;
	} else {
		*data = json_object_get(val);
	}
	rc = *data ? 0 : -ENOMEM;
	if (rc < 0)
		set_err(err, errlen, "out of memory");
out:
	json_object_put(root);
	return rc;
}
