/*
 * fuzz_admin_server: the admin socket server (control/admin.c) as a client
 * meets it. Its request framing (partial lines, blank lines, a last line
 * without newline, the 4096-byte limit, pipelining, the rate limit) is
 * static, so the harness drives the public entry points over a real Unix
 * socket in a scratch directory: admin_init(), admin_pollfds() and
 * admin_dispatch(), with a poll() of zero timeout in between.
 *
 * Input: one byte choosing how the rest is cut into writes (1..256 bytes
 * each, but at most 64 writes), then the bytes a client sends; after the last write the client
 * shuts down its sending side and reads until the server closes.
 *
 * Checked: the server closes the connection once it has answered; every
 * non-blank line gets exactly one response (up to and including a
 * "request too long", after which the server closes); every response line
 * parses with admin_response_parse(), as data or as an error, so
 * linetimectl can show it.
 *
 * Besides the built-in help and version, the harness registers "echo"
 * (answers its args) and "lookup" (fails with "no source NAME", the way
 * delete_source and burst name what the client asked for).
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin.h"
#include "admin_proto.h"
#include "fuzz.h"

#define ROUNDS_MAX 20000
#define OUT_MAX (4 << 20)

static char sock_path[108];

static int cmd_echo(void *ctx, struct json_object *args, struct json_object *data, char *err,
		    size_t errlen)
{
	(void)ctx;
	(void)err;
	(void)errlen;
	json_object_object_add(data, "args", json_object_get(args));
	return 0;
}

static int cmd_lookup(void *ctx, struct json_object *args, struct json_object *data, char *err,
		      size_t errlen)
{
	struct json_object *v;

	(void)ctx;
	(void)data;
	if (!json_object_object_get_ex(args, "address", &v) || !json_object_is_type(v, json_type_string))
		return -EINVAL;
	snprintf(err, errlen, "no source %s", json_object_get_string(v));
	return -ENOENT;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *group = "";
	int rc;

	(void)argc;
	(void)argv;
	snprintf(sock_path, sizeof(sock_path), "%s/admin.sock", fuzz_tmpdir());
	/* Not root: let our own group in (read access). */
	if (geteuid() != 0) {
		struct group *g = getgrgid(getegid());
		if (g)
			group = g->gr_name;
	}
	rc = admin_init(sock_path, group, (uid_t)-1);
	FUZZ_CHECK(rc == 0, "admin_init(%s): %s", sock_path, strerror(-rc));
	admin_register("echo", ADMIN_READ, cmd_echo, NULL, "answer the arguments");
	admin_register("lookup", ADMIN_READ, cmd_lookup, NULL, "fail naming the address");
	return 0;
}

/* One turn of linetimed's loop, without waiting. Returns whether anything
 * was ready. */
static int server_turn(int wait_ms)
{
	struct pollfd fds[64];
	int n = admin_pollfds(fds, 64), r;

	r = poll(fds, (nfds_t)n, wait_ms);
	if (r > 0)
		admin_dispatch(fds, n);
	return r > 0;
}

struct conv {
	char *out;          /* what the server sent */
	size_t len, cap;
	int closed;         /* the server closed the connection */
};

static void client_read(int fd, struct conv *c)
{
	for (;;) {
		ssize_t n;

		if (c->cap - c->len < 4096) {
			c->cap = c->cap ? c->cap * 2 : 65536;
			FUZZ_CHECK(c->cap <= OUT_MAX, "more than %d bytes of responses", OUT_MAX);
			c->out = realloc(c->out, c->cap);
			if (!c->out)
				abort();
		}
		n = recv(fd, c->out + c->len, c->cap - c->len, MSG_DONTWAIT);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			c->closed = 1;
		return;
	}
}

static int only_space(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Responses the server owes for msg[0..n): one per non-blank line, the
 * first line over the limit answered and ending the conversation. */
static unsigned int responses_due(const uint8_t *msg, size_t n)
{
	unsigned int due = 0;
	size_t at = 0;

	while (at < n) {
		const uint8_t *nl = memchr(msg + at, '\n', n - at);
		size_t len = nl ? (size_t)(nl - (msg + at)) + 1 : n - at;

		if (nl ? len > ADMIN_MAX_REQUEST : len >= ADMIN_MAX_REQUEST)
			return due + 1;
		due += !only_space(msg + at, len);
		at += len;
	}
	return due;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct fuzz_in in = { data, size };
	size_t chunk = (size_t)fuzz_u8(&in) + 1;
	const uint8_t *msg = in.p;
	const size_t n = in.n;
	struct conv c = { 0 };
	unsigned int due, got = 0, rounds = 0;
	size_t sent = 0, at = 0;
	int fd;

	/* At most 64 writes, so a long input does not crawl a byte at a time. */
	if (chunk < (n + 63) / 64)
		chunk = (n + 63) / 64;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	FUZZ_CHECK(fd >= 0, "socket: %s", strerror(errno));
	memcpy(sa.sun_path, sock_path, sizeof(sock_path));
	FUZZ_CHECK(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "connect: %s",
		   strerror(errno));

	/* Send in chunks, letting the server turn between them. */
	while (sent < n && !c.closed) {
		size_t k = n - sent < chunk ? n - sent : chunk;
		ssize_t w = send(fd, msg + sent, k, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w > 0)
			sent += (size_t)w;
		else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			break; /* the server closed on us: a "request too long" */
		server_turn(0);
		client_read(fd, &c);
		FUZZ_CHECK(++rounds < ROUNDS_MAX, "no progress sending (%zu of %zu bytes)", sent, n);
	}
	shutdown(fd, SHUT_WR);
	for (unsigned int idle = 0;;) {
		client_read(fd, &c);
		if (c.closed)
			break;
		/* Wait a little only when a turn finds nothing to do. */
		idle = server_turn(idle > 2 ? 1 : 0) ? 0 : idle + 1;
		FUZZ_CHECK(++rounds < ROUNDS_MAX, "the server did not close after the client's EOF");
	}
	close(fd);
	/* Let the server notice and free the slot before the next input. */
	server_turn(0);

	/* Every line of the answer is a response linetimectl can read. */
	while (at < c.len) {
		char *nl = memchr(c.out + at, '\n', c.len - at);
		struct json_object *d = NULL;
		char err[512];
		int rc;

		FUZZ_CHECK(nl, "response without newline: %.*s", (int)(c.len - at), c.out + at);
		rc = admin_response_parse(c.out + at, (size_t)(nl - (c.out + at)) + 1, &d, err,
					  sizeof(err));
		FUZZ_CHECK(rc == 0 || rc == -EREMOTEIO, "response unreadable (%s): %.*s", err,
			   (int)(nl - (c.out + at)), c.out + at);
		if (fuzz_verbose())
			fprintf(stderr, "response %u: %s\n", got, rc ? err : "ok");
		json_object_put(d);
		got++;
		at = (size_t)(nl - c.out) + 1;
	}
	due = responses_due(msg, n);
	FUZZ_CHECK(got == due, "%u responses to %u requests", got, due);
	free(c.out);
	return 0;
}
