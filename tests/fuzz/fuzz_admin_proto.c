/*
 * fuzz_admin_proto: one line of the admin protocol (proto/admin_proto.c),
 * read as a request the way linetimed reads it and as a response the way
 * linetimectl reads it.
 *
 * Checked on every input:
 * - a request that parses has a valid command name and an object of
 *   arguments, and comes back the same through admin_request_format();
 * - a request that is refused gets a message that reaches the client: the
 *   error response built from it parses, as an error, with the same text;
 * - a response that parses gives a data object, and formatting that data
 *   again gives a line that parses;
 * - any valid UTF-8 text (what handlers put in their messages) survives
 *   admin_response_format() and admin_response_parse() unchanged.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin_proto.h"
#include "fuzz.h"

/* RFC 3629: well-formed UTF-8, no NUL. */
static int utf8_ok(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t k;
		uint32_t cp;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + k >= n)
			return 0;
		for (size_t j = 1; j <= k; j++) {
			if ((p[i + j] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += k + 1;
	}
	return 1;
}

static const char *plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
}

/* An error message as the client will see it. */
static void error_reaches_client(const char *msg, const char *what)
{
	struct json_object *data = NULL;
	char err[4096];
	char *line = admin_response_format(NULL, msg);
	int rc;

	FUZZ_CHECK(line, "no response line for %s", what);
	FUZZ_CHECK(strchr(line, '\n') == line + strlen(line) - 1, "%s: response not one line", what);
	rc = admin_response_parse(line, strlen(line), &data, err, sizeof(err));
	FUZZ_CHECK(rc == -EREMOTEIO, "%s \"%s\": the client cannot read the response (%d: %s)",
		   what, msg, rc, err);
	/* The text as it was, but for bytes that are not UTF-8: each one '?'. */
	if (strlen(msg) < sizeof(err) - 1 && utf8_ok(msg, strlen(msg)))
		FUZZ_CHECK(strcmp(err, msg) == 0, "%s: client reads \"%s\" for \"%s\"", what, err,
			   msg);
	else if (strlen(msg) < sizeof(err) - 1)
		FUZZ_CHECK(strlen(err) == strlen(msg), "%s: client reads \"%s\" for \"%s\"", what,
			   err, msg);
	json_object_put(data);
	free(line);
}

static void as_request(const char *line, size_t len)
{
	struct admin_request req, again;
	char err[256], err2[256];
	char *out;
	int rc;

	err[0] = '\0';
	rc = admin_request_parse(line, len, &req, err, sizeof(err));
	if (fuzz_verbose())
		fprintf(stderr, "request: %d %s\n", rc, rc ? err : req.cmd);
	if (rc != 0) {
		FUZZ_CHECK(rc == -EINVAL || rc == -EPROTONOSUPPORT || rc == -ENOMEM, "rc %d", rc);
		FUZZ_CHECK(err[0], "refused without a message");
		FUZZ_CHECK(req.args == NULL, "refused request holds arguments");
		/* linetimed sends err back as the error of the response. */
		error_reaches_client(err, "request error");
		return;
	}
	FUZZ_CHECK(req.cmd[0] >= 'a' && req.cmd[0] <= 'z' && strlen(req.cmd) < ADMIN_CMD_MAX,
		   "command \"%s\"", req.cmd);
	for (const char *c = req.cmd; *c; c++)
		FUZZ_CHECK((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-',
			   "command \"%s\"", req.cmd);
	FUZZ_CHECK(req.args && json_object_is_type(req.args, json_type_object), "args not an object");

	/* linetimectl's side: the same request, written out and read again. */
	out = admin_request_format(req.cmd, req.args);
	FUZZ_CHECK(out, "request \"%s\" cannot be formatted", req.cmd);
	rc = admin_request_parse(out, strlen(out), &again, err2, sizeof(err2));
	if (strlen(out) <= ADMIN_MAX_REQUEST) {
		FUZZ_CHECK(rc == 0, "formatted request refused: %s\n%s", err2, out);
		FUZZ_CHECK(strcmp(again.cmd, req.cmd) == 0 &&
			   strcmp(plain(again.args), plain(req.args)) == 0,
			   "request changed on the way: %s", out);
		admin_request_free(&again);
	}
	free(out);
	admin_request_free(&req);
}

static void as_response(const char *line, size_t len)
{
	struct json_object *data = NULL, *data2 = NULL;
	char err[512];
	char *out;
	int rc;

	rc = admin_response_parse(line, len, &data, err, sizeof(err));
	if (rc == -EREMOTEIO)
		FUZZ_CHECK(data == NULL, "error response with data");
	if (rc != 0)
		return;
	FUZZ_CHECK(data && json_object_is_type(data, json_type_object), "data not an object");
	out = admin_response_format(json_object_get(data), NULL);
	FUZZ_CHECK(out, "response cannot be formatted again");
	rc = admin_response_parse(out, strlen(out), &data2, err, sizeof(err));
	FUZZ_CHECK(rc == 0 && strcmp(plain(data), plain(data2)) == 0,
		   "response changed on the way (%d %s): %s", rc, err, out);
	json_object_put(data);
	json_object_put(data2);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);

	as_request(text, size);
	as_response(text, size);
	if (size < 2048 && utf8_ok(text, size))
		error_reaches_client(text, "message");
	free(text);
	return 0;
}
