/*
 * admin_proto: the admin socket's wire protocol, shared by linetimed and
 * linetimectl (documented in docs/ADMIN-PROTOCOL.md).
 *
 * One request per line, one response per line, both JSON objects:
 *   request:  {"v":1,"cmd":"serverstats","args":{...}}
 *   response: {"v":1,"ok":true,"data":{...}}
 *             {"v":1,"ok":false,"error":"unknown command 'foo'"}
 * A request line is at most ADMIN_MAX_REQUEST bytes including the newline.
 */
#ifndef LT_ADMIN_PROTO_H
#define LT_ADMIN_PROTO_H

#include <stddef.h>

struct json_object;

#define ADMIN_PROTO_VERSION 1
#define ADMIN_MAX_REQUEST 4096
#define ADMIN_MAX_RESPONSE (1024 * 1024)
#define ADMIN_CMD_MAX 32

struct admin_request {
	char cmd[ADMIN_CMD_MAX];      /* [a-z][a-z0-9_-]* */
	struct json_object *args;     /* owned; an empty object if absent */
};

/* Parse one request line (without or with its newline). Returns 0, or
 * -EINVAL/-EPROTONOSUPPORT with a message for the client in err. */
int admin_request_parse(const char *line, size_t len, struct admin_request *req, char *err,
			size_t errlen);

/* Release req->args. */
void admin_request_free(struct admin_request *req);

/* Serialise a request line (with newline) into a malloc'd string; args may be NULL. */
char *admin_request_format(const char *cmd, struct json_object *args);

/* Serialise a response (with newline): data on success (takes ownership, may
 * be NULL), or error text when error != NULL (a byte that is not part of
 * well-formed UTF-8 is sent as '?', so the line stays JSON). malloc'd string. */
char *admin_response_format(struct json_object *data, const char *error);

/*
 * Parse a response line. On success returns 0 and sets *data (owned by the
 * caller; the "data" object). A server-side error returns -EREMOTEIO with
 * its message in err; a malformed line -EPROTO.
 */
int admin_response_parse(const char *line, size_t len, struct json_object **data, char *err,
			 size_t errlen);

#endif
