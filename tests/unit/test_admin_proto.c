/* Check suite for proto/admin_proto.c: golden request lines, response round trips. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "admin_proto.h"
#include "suites.h"

/* One request line as a client might send it, and what the parser must say. */
struct req_case {
	const char *desc;
	const char *line;
	size_t len;          /* 0: strlen(line) */
	int rc;
	const char *cmd;     /* on success */
	const char *args;    /* on success: the args object as plain JSON */
	const char *err;     /* on failure: a substring of the message */
};

#define NUL_LINE "{\"v\":1,\"cmd\":\"po\0rts\"}\n"

static const struct req_case req_cases[] = {
	{ "minimal", "{\"v\":1,\"cmd\":\"serverstats\"}\n", 0, 0, "serverstats", "{}", NULL },
	{ "no newline", "{\"v\":1,\"cmd\":\"ports\"}", 0, 0, "ports", "{}", NULL },
	{ "crlf", "{\"v\":1,\"cmd\":\"ports\"}\r\n", 0, 0, "ports", "{}", NULL },
	{ "with args", "{\"v\":1,\"cmd\":\"clients\",\"args\":{\"limit\":10,\"sort\":\"hits\"}}\n", 0, 0,
	  "clients", "{\"limit\":10,\"sort\":\"hits\"}", NULL },
	{ "empty args", "{\"v\":1,\"cmd\":\"help\",\"args\":{}}\n", 0, 0, "help", "{}", NULL },
	{ "keys in any order, spaces", " { \"args\" : {} , \"cmd\" : \"make-step_2\" , \"v\" : 1 } \n", 0, 0,
	  "make-step_2", "{}", NULL },
	{ "31-char name", "{\"v\":1,\"cmd\":\"abcdefghijklmnopqrstuvwxyz01234\"}\n", 0, 0,
	  "abcdefghijklmnopqrstuvwxyz01234", "{}", NULL },
	{ "empty line", "\n", 0, -EINVAL, NULL, NULL, "empty request" },
	{ "not JSON", "serverstats\n", 0, -EINVAL, NULL, NULL, "not valid JSON" },
	{ "truncated", "{\"v\":1,\"cmd\":\"ports\"\n", 0, -EINVAL, NULL, NULL, "not valid JSON" },
	{ "array", "[1,2]\n", 0, -EINVAL, NULL, NULL, "must be a JSON object" },
	{ "string", "\"ports\"\n", 0, -EINVAL, NULL, NULL, "must be a JSON object" },
	{ "no version", "{\"cmd\":\"ports\"}\n", 0, -EINVAL, NULL, NULL, "\"v\"" },
	{ "version 2", "{\"v\":2,\"cmd\":\"ports\"}\n", 0, -EPROTONOSUPPORT, NULL, NULL,
	  "unsupported protocol version 2" },
	{ "version 2 with new keys", "{\"v\":2,\"cmd\":\"ports\",\"id\":7}\n", 0, -EPROTONOSUPPORT, NULL,
	  NULL, "unsupported protocol version 2" },
	{ "version 0", "{\"v\":0,\"cmd\":\"ports\"}\n", 0, -EPROTONOSUPPORT, NULL, NULL,
	  "unsupported protocol version 0" },
	{ "version as string", "{\"v\":\"1\",\"cmd\":\"ports\"}\n", 0, -EINVAL, NULL, NULL,
	  "must be an integer" },
	{ "version as float", "{\"v\":1.0,\"cmd\":\"ports\"}\n", 0, -EINVAL, NULL, NULL,
	  "must be an integer" },
	{ "no cmd", "{\"v\":1}\n", 0, -EINVAL, NULL, NULL, "no \"cmd\"" },
	{ "cmd not a string", "{\"v\":1,\"cmd\":7}\n", 0, -EINVAL, NULL, NULL, "must be a string" },
	{ "cmd upper case", "{\"v\":1,\"cmd\":\"Ports\"}\n", 0, -EINVAL, NULL, NULL, "invalid command name" },
	{ "cmd starts with digit", "{\"v\":1,\"cmd\":\"1ports\"}\n", 0, -EINVAL, NULL, NULL,
	  "invalid command name" },
	{ "cmd empty", "{\"v\":1,\"cmd\":\"\"}\n", 0, -EINVAL, NULL, NULL, "invalid command name" },
	{ "cmd with space", "{\"v\":1,\"cmd\":\"server stats\"}\n", 0, -EINVAL, NULL, NULL,
	  "invalid command name" },
	{ "cmd 32 chars", "{\"v\":1,\"cmd\":\"abcdefghijklmnopqrstuvwxyz012345\"}\n", 0, -EINVAL, NULL,
	  NULL, "invalid command name" },
	{ "cmd with escaped NUL", "{\"v\":1,\"cmd\":\"ports\\u0000x\"}\n", 0, -EINVAL, NULL, NULL,
	  "invalid command name" },
	{ "args an array", "{\"v\":1,\"cmd\":\"ports\",\"args\":[]}\n", 0, -EINVAL, NULL, NULL,
	  "\"args\" must be an object" },
	{ "args null", "{\"v\":1,\"cmd\":\"ports\",\"args\":null}\n", 0, -EINVAL, NULL, NULL,
	  "\"args\" must be an object" },
	{ "unknown key", "{\"v\":1,\"cmd\":\"ports\",\"verbose\":true}\n", 0, -EINVAL, NULL, NULL,
	  "unknown key \"verbose\"" },
	{ "trailing object", "{\"v\":1,\"cmd\":\"ports\"}{}\n", 0, -EINVAL, NULL, NULL, "not valid JSON" },
	{ "trailing comma", "{\"v\":1,\"cmd\":\"ports\",}\n", 0, -EINVAL, NULL, NULL, "not valid JSON" },
	{ "single quotes", "{'v':1,'cmd':'ports'}\n", 0, -EINVAL, NULL, NULL, "single quotes" },
	{ "raw NUL byte", NUL_LINE, sizeof(NUL_LINE) - 1, -EINVAL, NULL, NULL, "NUL" },
	{ "invalid UTF-8", "{\"v\":1,\"cmd\":\"ports\",\"args\":{\"x\":\"\xc3\x28\"}}\n", 0, -EINVAL, NULL,
	  NULL, "not valid JSON" },
	{ "two lines", "{\"v\":1,\"cmd\":\"ports\"}\n{\"v\":1,\"cmd\":\"ports\"}\n", 0, -EINVAL, NULL,
	  NULL, "newline" },
};

START_TEST(test_request_golden)
{
	const struct req_case *tc = &req_cases[_i];
	struct admin_request req;
	char err[256] = "";
	size_t len = tc->len ? tc->len : strlen(tc->line);
	int rc;

	memset(&req, 0xa5, sizeof(req));
	rc = admin_request_parse(tc->line, len, &req, err, sizeof(err));
	ck_assert_msg(rc == tc->rc, "%s: rc %d, want %d (%s)", tc->desc, rc, tc->rc, err);
	if (rc == 0) {
		ck_assert_str_eq(req.cmd, tc->cmd);
		ck_assert_ptr_nonnull(req.args);
		ck_assert_str_eq(json_object_to_json_string_ext(req.args, JSON_C_TO_STRING_PLAIN),
				 tc->args);
	} else {
		ck_assert_msg(strstr(err, tc->err) != NULL, "%s: message '%s' lacks '%s'", tc->desc,
			      err, tc->err);
		ck_assert_ptr_null(req.args);
		ck_assert_str_eq(req.cmd, "");
	}
	admin_request_free(&req);
	ck_assert_ptr_null(req.args);
}
END_TEST

START_TEST(test_request_length_limit)
{
	static const char head[] = "{\"v\":1,\"cmd\":\"echo\",\"args\":{\"x\":\"";
	static const char tail[] = "\"}}\n";
	char *line = malloc(ADMIN_MAX_REQUEST + 2);
	struct admin_request req;
	char err[128];
	size_t fill;

	ck_assert_ptr_nonnull(line);
	/* Exactly ADMIN_MAX_REQUEST bytes including the newline is accepted... */
	fill = ADMIN_MAX_REQUEST - (sizeof(head) - 1) - (sizeof(tail) - 1);
	memcpy(line, head, sizeof(head) - 1);
	memset(line + sizeof(head) - 1, 'y', fill);
	memcpy(line + sizeof(head) - 1 + fill, tail, sizeof(tail));
	ck_assert_uint_eq(strlen(line), ADMIN_MAX_REQUEST);
	ck_assert_int_eq(admin_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	admin_request_free(&req);

	/* ... one more is not. */
	memset(line + sizeof(head) - 1, 'y', fill + 1);
	memcpy(line + sizeof(head) - 1 + fill + 1, tail, sizeof(tail));
	ck_assert_int_eq(admin_request_parse(line, strlen(line), &req, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
	free(line);
}
END_TEST

START_TEST(test_request_null_and_tiny_err)
{
	struct admin_request req;
	char err[8];

	ck_assert_int_eq(admin_request_parse(NULL, 0, &req, err, sizeof(err)), -EINVAL);
	/* A short error buffer truncates, never overflows. */
	ck_assert_int_eq(admin_request_parse("[]", 2, &req, err, sizeof(err)), -EINVAL);
	ck_assert_uint_lt(strlen(err), sizeof(err));
	ck_assert_int_eq(admin_request_parse("[]", 2, &req, NULL, 0), -EINVAL);
}
END_TEST

START_TEST(test_request_format_roundtrip)
{
	struct json_object *args = json_object_new_object();
	struct admin_request req;
	char err[128];
	char *line;

	json_object_object_add(args, "limit", json_object_new_int(5));
	json_object_object_add(args, "text", json_object_new_string("a\nb/\"c\""));
	line = admin_request_format("clients", args);
	ck_assert_ptr_nonnull(line);
	/* One line, newline-terminated, even with a newline inside a string. */
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_int_eq(admin_request_parse(line, strlen(line), &req, err, sizeof(err)), 0);
	ck_assert_str_eq(req.cmd, "clients");
	ck_assert(json_object_equal(req.args, args));
	admin_request_free(&req);
	free(line);
	/* The caller keeps its reference to args. */
	json_object_put(args);

	line = admin_request_format("version", NULL);
	ck_assert_str_eq(line, "{\"v\":1,\"cmd\":\"version\"}\n");
	free(line);

	ck_assert_ptr_null(admin_request_format("Bad name", NULL));
	ck_assert_ptr_null(admin_request_format(NULL, NULL));
}
END_TEST

START_TEST(test_response_roundtrip)
{
	struct json_object *data = json_object_new_object(), *copy = NULL, *back;
	char err[128] = "";
	char *line;

	json_object_object_add(data, "rx_frames", json_object_new_uint64(UINT64_MAX));
	json_object_object_add(data, "name", json_object_new_string("lan0"));
	json_object_object_add(data, "list", json_object_new_array());
	json_object_deep_copy(data, &copy, NULL);

	line = admin_response_format(data, NULL);
	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_int_eq(admin_response_parse(line, strlen(line), &back, err, sizeof(err)), 0);
	ck_assert(json_object_equal(back, copy));
	ck_assert_uint_eq(json_object_get_uint64(json_object_object_get(back, "rx_frames")),
			  UINT64_MAX);
	json_object_put(back);
	json_object_put(copy);
	free(line);

	/* No data: the client still gets an (empty) object. */
	line = admin_response_format(NULL, NULL);
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":true,\"data\":{}}\n");
	ck_assert_int_eq(admin_response_parse(line, strlen(line), &back, err, sizeof(err)), 0);
	ck_assert(json_object_is_type(back, json_type_object));
	ck_assert_int_eq(json_object_object_length(back), 0);
	json_object_put(back);
	free(line);
}
END_TEST

START_TEST(test_error_response)
{
	struct json_object *data = json_object_new_object(), *back = (struct json_object *)1;
	char err[128] = "";
	char *line;

	/* An error response drops the data it was handed (no leak under ASan). */
	line = admin_response_format(data, "unknown command 'foo'");
	ck_assert_str_eq(line, "{\"v\":1,\"ok\":false,\"error\":\"unknown command 'foo'\"}\n");
	ck_assert_int_eq(admin_response_parse(line, strlen(line), &back, err, sizeof(err)), -EREMOTEIO);
	ck_assert_ptr_null(back);
	ck_assert_str_eq(err, "unknown command 'foo'");
	free(line);

	line = admin_response_format(NULL, "quote \" and\nnewline");
	ck_assert_ptr_eq(strchr(line, '\n'), line + strlen(line) - 1);
	ck_assert_int_eq(admin_response_parse(line, strlen(line), &back, err, sizeof(err)), -EREMOTEIO);
	ck_assert_str_eq(err, "quote \" and\nnewline");
	free(line);
}
END_TEST

/*
 * Found by tests/fuzz/fuzz_admin_proto: the request error names the unknown
 * key cut to 40 bytes ("%.40s"), and a cut through a two-byte character
 * left half of it in the response, which then was no JSON (RFC 8259 8.1:
 * UTF-8): linetimectl reported a protocol error instead of the reason. The
 * response now carries '?' for such bytes. Input:
 * tests/fuzz/corpus/admin_proto/regress-utf8-key-cut.
 */
START_TEST(test_error_response_cut_utf8)
{
	/* 39 ASCII bytes, then U+00E9 (0xc3 0xa9) across the 40-byte cut. */
	const char *line = "{\"v\":1,\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9"
			   "b\":1}\n";
	struct admin_request req;
	struct json_object *back = NULL;
	char err[256] = "", client_err[256] = "";
	char *resp;

	ck_assert_int_eq(admin_request_parse(line, strlen(line), &req, err, sizeof(err)), -EINVAL);
	resp = admin_response_format(NULL, err);
	ck_assert_ptr_nonnull(resp);
	ck_assert_int_eq(admin_response_parse(resp, strlen(resp), &back, client_err, sizeof(client_err)),
			 -EREMOTEIO);
	ck_assert_str_eq(client_err,
			 "unknown key \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?\" in request");
	free(resp);

	/* Any handler's message: broken sequences become '?', good ones stay. */
	resp = admin_response_format(NULL, "no source \xff\xc3 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\xa0\x80");
	ck_assert_int_eq(admin_response_parse(resp, strlen(resp), &back, client_err, sizeof(client_err)),
			 -EREMOTEIO);
	ck_assert_str_eq(client_err, "no source ?? caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 ???");
	free(resp);
}
END_TEST

struct resp_case {
	const char *line;
	int rc;
	const char *err;
};

static const struct resp_case resp_cases[] = {
	{ "", -EPROTO, "empty" },
	{ "hello\n", -EPROTO, "not valid JSON" },
	{ "[]\n", -EPROTO, "not a JSON object" },
	{ "{\"ok\":true,\"data\":{}}\n", -EPROTO, "\"v\"" },
	{ "{\"v\":2,\"ok\":true,\"data\":{}}\n", -EPROTO, "unsupported protocol version 2" },
	{ "{\"v\":1,\"data\":{}}\n", -EPROTO, "\"ok\"" },
	{ "{\"v\":1,\"ok\":1,\"data\":{}}\n", -EPROTO, "\"ok\"" },
	{ "{\"v\":1,\"ok\":false}\n", -EPROTO, "\"error\"" },
	{ "{\"v\":1,\"ok\":true,\"data\":[]}\n", -EPROTO, "not an object" },
	{ "{\"v\":1,\"ok\":false,\"error\":\"busy\"}\n", -EREMOTEIO, "busy" },
	/* Responses tolerate keys a newer server may add. */
	{ "{\"v\":1,\"ok\":true,\"data\":{\"a\":1},\"id\":3}\n", 0, NULL },
	{ "{\"v\":1,\"ok\":true}\n", 0, NULL },
};

START_TEST(test_response_golden)
{
	const struct resp_case *tc = &resp_cases[_i];
	struct json_object *data = NULL;
	char err[128] = "";
	int rc;

	rc = admin_response_parse(tc->line, strlen(tc->line), &data, err, sizeof(err));
	ck_assert_msg(rc == tc->rc, "'%s': rc %d, want %d (%s)", tc->line, rc, tc->rc, err);
	if (rc == 0) {
		ck_assert(json_object_is_type(data, json_type_object));
		json_object_put(data);
	} else {
		ck_assert_ptr_null(data);
		ck_assert_msg(strstr(err, tc->err) != NULL, "'%s': message '%s' lacks '%s'", tc->line,
			      err, tc->err);
	}
}
END_TEST

Suite *admin_proto_suite(void)
{
	Suite *s = suite_create("admin_proto");
	TCase *tc = tcase_create("request");

	tcase_add_loop_test(tc, test_request_golden, 0,
			    (int)(sizeof(req_cases) / sizeof(req_cases[0])));
	tcase_add_test(tc, test_request_length_limit);
	tcase_add_test(tc, test_request_null_and_tiny_err);
	tcase_add_test(tc, test_request_format_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("response");
	tcase_add_test(tc, test_response_roundtrip);
	tcase_add_test(tc, test_error_response);
	tcase_add_test(tc, test_error_response_cut_utf8);
	tcase_add_loop_test(tc, test_response_golden, 0,
			    (int)(sizeof(resp_cases) / sizeof(resp_cases[0])));
	suite_add_tcase(s, tc);
	return s;
}
