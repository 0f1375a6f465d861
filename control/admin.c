/*
 * admin: the admin socket server, driven by linetimed's poll() loop.
 *
 * Every client has a fixed input buffer of one maximal request and a
 * growable output buffer. Requests are answered in order; while a client's
 * unsent output is above a high-water mark its further requests wait in
 * its input buffer (and its socket is not read), so a pipelining client is
 * slowed down instead of growing our memory. A client that stops reading is
 * dropped when its output passes ADMIN_MAX_RESPONSE, or after ADMIN_IDLE_S
 * without any progress.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "admin.h"
#include "admin_proto.h"
#include "log.h"

#ifndef LT_VERSION
#define LT_VERSION "0.1.0"
#endif

#define ADMIN_MAX_CLIENTS 16
#define ADMIN_MAX_COMMANDS 64
#define ADMIN_HELP_MAX 128
#define ADMIN_IDLE_S 30
#define ADMIN_OUT_HIGH (64 * 1024)  /* stop answering a client above this much unsent output */
#define ADMIN_RATE 50.0             /* requests per second per client ... */
#define ADMIN_BURST 100.0           /* ... with this burst */
#define ADMIN_ACCEPT_BATCH 32       /* accepts per dispatch, so clients are not starved */
#define ADMIN_ERR_MAX 256

struct command {
	char name[ADMIN_CMD_MAX];
	char help[ADMIN_HELP_MAX];
	enum admin_access access;
	admin_handler_fn fn;
	void *ctx;
};

struct client {
	int fd;                   /* -1: slot free */
	pid_t pid;
	uid_t uid;
	enum admin_access access;
	bool eof;                 /* peer shut down its sending side */
	bool closing;             /* close once the output is flushed */
	double last_active;       /* monotonic s of the last byte in or out */
	double tokens;            /* rate-limit bucket */
	double tokens_at;
	size_t inlen;
	char in[ADMIN_MAX_REQUEST];
	char *out;
	size_t outlen, outoff, outcap;
};

static struct command commands[ADMIN_MAX_COMMANDS];
static unsigned int n_commands;

static struct client clients[ADMIN_MAX_CLIENTS];
static int listen_fd = -1;
static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
static dev_t sock_dev;
static ino_t sock_ino;
static bool have_group;
static gid_t admin_gid;
static bool have_write_group;
static gid_t write_gid;
static double accept_paused_until;

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *access_name(enum admin_access a)
{
	return a == ADMIN_WRITE ? "write" : "read";
}

static bool valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= ADMIN_CMD_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-'))
			return false;
	return true;
}

/* --- built-in commands ------------------------------------------------ */

static int cmd_help(void *ctx, struct json_object *args, struct json_object *data, char *err,
		    size_t errlen)
{
	struct json_object *arr = json_object_new_array();

	(void)ctx;
	(void)args;
	(void)err;
	(void)errlen;
	for (unsigned int i = 0; i < n_commands; i++) {
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "name", json_object_new_string(commands[i].name));
		json_object_object_add(c, "access",
				       json_object_new_string(access_name(commands[i].access)));
		json_object_object_add(c, "help", json_object_new_string(commands[i].help));
		json_object_array_add(arr, c);
	}
	json_object_object_add(data, "commands", arr);
	return 0;
}

static int cmd_version(void *ctx, struct json_object *args, struct json_object *data, char *err,
		       size_t errlen)
{
	(void)ctx;
	(void)args;
	(void)err;
	(void)errlen;
	json_object_object_add(data, "name", json_object_new_string("linetimed"));
	json_object_object_add(data, "version", json_object_new_string(LT_VERSION));
	json_object_object_add(data, "protocol", json_object_new_int(ADMIN_PROTO_VERSION));
	json_object_object_add(data, "json_c", json_object_new_string(json_c_version()));
	return 0;
}

static const struct command *find_command(const char *name)
{
	for (unsigned int i = 0; i < n_commands; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

int admin_register(const char *name, enum admin_access access, admin_handler_fn fn, void *ctx,
		   const char *help)
{
	struct command *c;

	if (!name || !fn || !valid_name(name) || (access != ADMIN_READ && access != ADMIN_WRITE)) {
		log_msg(LOG_ERR, "admin: cannot register command '%s': invalid name or handler",
			name ? name : "(null)");
		return -EINVAL;
	}
	if (find_command(name)) {
		log_msg(LOG_ERR, "admin: command '%s' registered twice", name);
		return -EEXIST;
	}
	if (n_commands == ADMIN_MAX_COMMANDS) {
		log_msg(LOG_ERR, "admin: no room to register command '%s'", name);
		return -ENOSPC;
	}
	c = &commands[n_commands++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->help, sizeof(c->help), "%s", help ? help : "");
	c->access = access;
	c->fn = fn;
	c->ctx = ctx;
	return 0;
}

void admin_unregister(const void *ctx)
{
	unsigned int kept = 0;

	for (unsigned int i = 0; i < n_commands; i++)
		if (!ctx || commands[i].ctx != ctx)
			commands[kept++] = commands[i];
	n_commands = kept;
}

int admin_call(const char *name, struct json_object *args, struct json_object *data)
{
	const struct command *cmd = find_command(name);
	char err[ADMIN_ERR_MAX] = "";
	struct json_object *none = NULL;
	int rc;

	if (!cmd || cmd->access != ADMIN_READ)
		return -ENOENT;
	if (!args)
		args = none = json_object_new_object();
	rc = cmd->fn(cmd->ctx, args, data, err, sizeof(err));
	json_object_put(none);
	return rc;
}

/* The built-ins are in the table like any command so "help" lists them;
 * registering them is idempotent because the table outlives admin_fini(). */
static void register_builtins(void)
{
	if (!find_command("help"))
		admin_register("help", ADMIN_READ, cmd_help, NULL, "list the commands and who may run them");
	if (!find_command("version"))
		admin_register("version", ADMIN_READ, cmd_version, NULL, "show the server's version");
}

/* --- output ------------------------------------------------------------ */

static void client_close(struct client *c)
{
	close(c->fd);
	free(c->out);
	c->fd = -1;
	c->out = NULL;
	c->outlen = c->outoff = c->outcap = 0;
	c->inlen = 0;
}

static size_t pending(const struct client *c)
{
	return c->outlen - c->outoff;
}

static int out_append(struct client *c, const char *s, size_t n)
{
	if (c->outoff > 0 && c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	if (c->outlen + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		char *p;

		if (c->outoff > 0) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		while (cap < c->outlen + n)
			cap *= 2;
		if (cap != c->outcap) {
			p = realloc(c->out, cap);
			if (!p)
				return -ENOMEM;
			c->out = p;
			c->outcap = cap;
		}
	}
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
	return 0;
}

/* Send what the socket takes now. Returns 0, or -errno if the peer is gone. */
static int flush_out(struct client *c, double now)
{
	while (pending(c) > 0) {
		ssize_t n = send(c->fd, c->out + c->outoff, pending(c), MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		c->outoff += (size_t)n;
		c->last_active = now;
	}
	if (pending(c) == 0) {
		c->outoff = c->outlen = 0;
		/* Give back the memory of a one-off large response. */
		if (c->outcap > ADMIN_OUT_HIGH) {
			free(c->out);
			c->out = NULL;
			c->outcap = 0;
		}
	}
	return 0;
}

static void queue_response(struct client *c, struct json_object *data, const char *error)
{
	char *line = admin_response_format(data, error);
	size_t len;

	if (!line) {
		log_msg(LOG_ERR, "admin: out of memory formatting a response for pid %ld",
			(long)c->pid);
		c->closing = true;
		return;
	}
	len = strlen(line);
	if (len > ADMIN_MAX_RESPONSE) {
		log_msg(LOG_ERR, "admin: response of %zu bytes exceeds the %d-byte limit", len,
			ADMIN_MAX_RESPONSE);
		free(line);
		line = admin_response_format(NULL, "response too large");
		if (!line) {
			c->closing = true;
			return;
		}
		len = strlen(line);
	}
	if (out_append(c, line, len) < 0) {
		log_msg(LOG_ERR, "admin: out of memory queueing a response for pid %ld", (long)c->pid);
		c->closing = true;
	}
	free(line);
}

/* An error that ends the conversation: answer, then close once it is sent. */
static void reject(struct client *c, const char *error)
{
	queue_response(c, NULL, error);
	c->closing = true;
}

/* --- requests ----------------------------------------------------------- */

static bool take_token(struct client *c, double now)
{
	c->tokens += (now - c->tokens_at) * ADMIN_RATE;
	if (c->tokens > ADMIN_BURST)
		c->tokens = ADMIN_BURST;
	c->tokens_at = now;
	if (c->tokens < 1.0)
		return false;
	c->tokens -= 1.0;
	return true;
}

static void handle_request(struct client *c, const char *line, size_t len, double now)
{
	struct admin_request req;
	const struct command *cmd;
	struct json_object *data;
	char err[ADMIN_ERR_MAX] = "";
	int rc;

	if (!take_token(c, now)) {
		queue_response(c, NULL, "rate limited");
		return;
	}
	if (admin_request_parse(line, len, &req, err, sizeof(err)) < 0) {
		log_msg(LOG_DEBUG, "admin: bad request from pid %ld uid %ld: %s", (long)c->pid,
			(long)c->uid, err);
		queue_response(c, NULL, err);
		return;
	}
	cmd = find_command(req.cmd);
	if (!cmd) {
		snprintf(err, sizeof(err), "unknown command '%s'", req.cmd);
		queue_response(c, NULL, err);
		admin_request_free(&req);
		return;
	}
	if (cmd->access == ADMIN_WRITE && c->access != ADMIN_WRITE) {
		log_msg(LOG_NOTICE, "admin: uid %ld (pid %ld) may not run '%s'", (long)c->uid,
			(long)c->pid, cmd->name);
		snprintf(err, sizeof(err),
			 "permission denied: '%.31s' needs write access (root or admin.write_group)",
			 cmd->name);
		queue_response(c, NULL, err);
		admin_request_free(&req);
		return;
	}
	data = json_object_new_object();
	if (!data) {
		queue_response(c, NULL, "out of memory");
		admin_request_free(&req);
		return;
	}
	rc = cmd->fn(cmd->ctx, req.args, data, err, sizeof(err));
	if (rc < 0) {
		json_object_put(data);
		if (err[0] == '\0')
			snprintf(err, sizeof(err), "%.31s failed: %s", cmd->name, strerror(-rc));
		queue_response(c, NULL, err);
	} else {
		queue_response(c, data, NULL);
	}
	admin_request_free(&req);
}

static bool only_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* Answer the complete lines in the input buffer, in order, as far as the
 * output high-water mark allows. */
static void pump(struct client *c, double now)
{
	size_t used = 0;

	while (!c->closing && pending(c) < ADMIN_OUT_HIGH) {
		char *nl = memchr(c->in + used, '\n', c->inlen - used);
		size_t len;

		if (!nl) {
			if (c->inlen - used == sizeof(c->in)) {
				log_msg(LOG_NOTICE, "admin: request over %d bytes from pid %ld",
					ADMIN_MAX_REQUEST, (long)c->pid);
				reject(c, "request too long");
			} else if (c->eof && c->inlen > used) {
				/* A last request without its newline: answer it anyway. */
				if (!only_space(c->in + used, c->inlen - used))
					handle_request(c, c->in + used, c->inlen - used, now);
				used = c->inlen;
			}
			break;
		}
		len = (size_t)(nl - (c->in + used)) + 1;
		/* Blank lines are not requests; skipping them makes typing into socat easier. */
		if (!only_space(c->in + used, len))
			handle_request(c, c->in + used, len, now);
		used += len;
	}
	if (used > 0) {
		memmove(c->in, c->in + used, c->inlen - used);
		c->inlen -= used;
	}
	if (c->eof && c->inlen == 0)
		c->closing = true;
}

static bool has_request(const struct client *c)
{
	return memchr(c->in, '\n', c->inlen) || (c->eof && c->inlen > 0);
}

static void read_client(struct client *c, double now)
{
	while (c->inlen < sizeof(c->in)) {
		ssize_t n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				log_msg(LOG_DEBUG, "admin: read from pid %ld: %s", (long)c->pid,
					strerror(errno));
				c->eof = true;
				c->closing = true;
			}
			return;
		}
		if (n == 0) {
			c->eof = true;
			return;
		}
		c->inlen += (size_t)n;
		c->last_active = now;
	}
}

static void service_client(struct client *c, short revents, double now)
{
	if (revents & POLLNVAL) {
		client_close(c);
		return;
	}
	if (revents & POLLERR) {
		log_msg(LOG_DEBUG, "admin: socket error on pid %ld", (long)c->pid);
		client_close(c);
		return;
	}
	if ((revents & (POLLIN | POLLHUP)) && !c->closing && !c->eof)
		read_client(c, now);
	/* A flush may take the output under the mark with requests still
	 * buffered; nothing would wake us for those, so go round again. */
	do {
		pump(c, now);
		if (flush_out(c, now) < 0) {
			log_msg(LOG_DEBUG, "admin: pid %ld went away", (long)c->pid);
			client_close(c);
			return;
		}
	} while (!c->closing && pending(c) < ADMIN_OUT_HIGH && has_request(c));
	if (pending(c) > ADMIN_MAX_RESPONSE) {
		log_msg(LOG_NOTICE, "admin: dropping pid %ld uid %ld: not reading its responses",
			(long)c->pid, (long)c->uid);
		client_close(c);
		return;
	}
	if (c->closing && pending(c) == 0)
		client_close(c);
}

/* --- connections -------------------------------------------------------- */

/* The groups the peer process held when it connected (Linux 4.13+). */
static bool peer_groups_have(int fd, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/*
 * Membership of gid: the peer's primary group, the supplementary groups it
 * connected with, or the user database's groups for its uid (so a
 * membership added in /etc/group counts before the user logs in again).
 */
static bool in_group(int fd, const struct ucred *cred, gid_t gid)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];
	gid_t groups[256];
	int max = (int)(sizeof(groups) / sizeof(groups[0]));
	int ngroups = max;

	if (cred->gid == gid || peer_groups_have(fd, gid))
		return true;
	if (getpwuid_r(cred->uid, &pw, buf, sizeof(buf), &pwp) != 0 || !pwp)
		return false;
	if (pw.pw_gid == gid)
		return true;
	/* A user in more groups than fit is only checked against the first ones. */
	getgrouplist(pw.pw_name, pw.pw_gid, groups, &ngroups);
	if (ngroups > max)
		ngroups = max;
	for (int i = 0; i < ngroups; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

/* Say why, then close: the peer never becomes a client. */
static void turn_away(int fd, const char *error)
{
	char *line = admin_response_format(NULL, error);

	if (line) {
		ssize_t n = send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
		(void)n;
		free(line);
	}
	close(fd);
}

static void accept_one(int fd, double now)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	enum admin_access access;
	struct client *c = NULL;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		log_msg(LOG_WARNING, "admin: SO_PEERCRED failed: %s", strerror(errno));
		close(fd);
		return;
	}
	if (cred.uid == 0 || (have_write_group && in_group(fd, &cred, write_gid))) {
		access = ADMIN_WRITE;
	} else if (have_group && in_group(fd, &cred, admin_gid)) {
		access = ADMIN_READ;
	} else {
		log_msg(LOG_NOTICE, "admin: refused uid %ld (pid %ld): not root or in the admin group",
			(long)cred.uid, (long)cred.pid);
		turn_away(fd, "permission denied");
		return;
	}
	for (unsigned int i = 0; i < ADMIN_MAX_CLIENTS; i++)
		if (clients[i].fd < 0) {
			c = &clients[i];
			break;
		}
	if (!c) {
		log_msg(LOG_WARNING, "admin: refused pid %ld: already %d clients", (long)cred.pid,
			ADMIN_MAX_CLIENTS);
		turn_away(fd, "too many connections");
		return;
	}
	memset(c, 0, offsetof(struct client, in));
	c->fd = fd;
	c->pid = cred.pid;
	c->uid = cred.uid;
	c->access = access;
	c->last_active = now;
	c->tokens = ADMIN_BURST;
	c->tokens_at = now;
	log_msg(LOG_DEBUG, "admin: client pid %ld uid %ld (%s)", (long)cred.pid, (long)cred.uid,
		access_name(access));
}

static void accept_clients(double now)
{
	for (int i = 0; i < ADMIN_ACCEPT_BATCH; i++) {
		int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			accept_one(fd, now);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The pending connection stays readable; without a pause we would spin. */
			log_msg(LOG_ERR, "admin: accept: %s; pausing for 1 s", strerror(errno));
			accept_paused_until = now + 1.0;
		} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
			log_msg(LOG_ERR, "admin: accept: %s", strerror(errno));
		}
		return;
	}
}

static void drop_idle(double now)
{
	for (unsigned int k = 0; k < ADMIN_MAX_CLIENTS; k++) {
		struct client *c = &clients[k];

		if (c->fd >= 0 && now - c->last_active > ADMIN_IDLE_S) {
			log_msg(LOG_INFO, "admin: dropping pid %ld uid %ld: idle for %d s",
				(long)c->pid, (long)c->uid, ADMIN_IDLE_S);
			client_close(c);
		}
	}
}

/*
 * Idle clients are dropped here rather than in admin_dispatch(): this runs
 * on every turn of the event loop, also when poll() timed out and nothing
 * was dispatched, and before the list is built, so no closed descriptor
 * is handed out.
 */
int admin_pollfds(struct pollfd *fds, int max)
{
	double now = now_mono();
	int n = 0;

	if (listen_fd < 0 || max <= 0)
		return 0;
	drop_idle(now);
	fds[n].fd = listen_fd;
	fds[n].events = now >= accept_paused_until ? POLLIN : 0;
	fds[n].revents = 0;
	n++;
	for (unsigned int i = 0; i < ADMIN_MAX_CLIENTS && n < max; i++) {
		struct client *c = &clients[i];

		if (c->fd < 0)
			continue;
		fds[n].fd = c->fd;
		fds[n].events = 0;
		if (pending(c) > 0)
			fds[n].events |= POLLOUT;
		if (!c->closing && !c->eof && pending(c) < ADMIN_OUT_HIGH)
			fds[n].events |= POLLIN;
		fds[n].revents = 0;
		n++;
	}
	return n;
}

void admin_dispatch(const struct pollfd *fds, int n)
{
	double now = now_mono();
	bool listener_ready = false;

	if (listen_fd < 0)
		return;
	/* Clients before the listener: a descriptor closed here must not be
	 * reused by a new connection while later entries still name it. */
	for (int i = 0; i < n; i++) {
		if (fds[i].fd < 0 || fds[i].revents == 0)
			continue;
		if (fds[i].fd == listen_fd) {
			listener_ready = (fds[i].revents & POLLIN) != 0;
			continue;
		}
		for (unsigned int k = 0; k < ADMIN_MAX_CLIENTS; k++)
			if (clients[k].fd == fds[i].fd) {
				service_client(&clients[k], fds[i].revents, now);
				break;
			}
	}
	if (listener_ready && now >= accept_paused_until)
		accept_clients(now);
}

/* --- socket set-up ------------------------------------------------------ */

/* Create the missing directories above path, 0750 and, when the socket is
 * group-readable, group-owned, so the group can reach the socket; owned by
 * owner unless that is (uid_t)-1. */
static int make_parent_dirs(const char *path, uid_t owner)
{
	char dir[sizeof(sock_path)];
	char *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			log_msg(LOG_ERR, "admin: %s is not a directory", dir);
			return -ENOTDIR;
		}
		return 0;
	}
	for (char *p = dir + 1;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) == 0) {
			if ((have_group || owner != (uid_t)-1) &&
			    chown(dir, owner, have_group ? admin_gid : (gid_t)-1) < 0) {
				int e = errno;
				log_msg(LOG_ERR, "admin: chown %s: %s", dir, strerror(e));
				return -e;
			}
		} else if (errno != EEXIST) {
			int e = errno;
			log_msg(LOG_ERR, "admin: cannot create %s: %s", dir, strerror(e));
			return -e;
		}
		if (last)
			break;
		*p = '/';
	}
	return 0;
}

/* Remove a socket left by a server that is gone; refuse to touch a live
 * server's socket or anything that is not a socket. */
static int remove_stale(const char *path)
{
	struct stat st;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, rc;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_msg(LOG_ERR, "admin: %s exists and is not a socket; not replacing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	if (rc == 0 || errno == EAGAIN) {
		log_msg(LOG_ERR, "admin: another server is listening on %s", path);
		return -EADDRINUSE;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		int e = errno;
		log_msg(LOG_ERR, "admin: cannot remove stale socket %s: %s", path, strerror(e));
		return -e;
	}
	return 0;
}

/* Look up group ("" = none): *have says whether there is one. */
static int resolve_group(const char *what, const char *group, bool *have, gid_t *gid)
{
	struct group gr, *grp = NULL;
	char buf[8192];
	int rc;

	*have = false;
	if (!group || group[0] == '\0')
		return 0;
	rc = getgrnam_r(group, &gr, buf, sizeof(buf), &grp);
	if (rc != 0) {
		log_msg(LOG_ERR, "admin: cannot look up group '%s': %s", group, strerror(rc));
		return -rc;
	}
	if (!grp) {
		log_msg(LOG_ERR, "admin: %s '%s' does not exist", what, group);
		return -ENOENT;
	}
	*gid = gr.gr_gid;
	*have = true;
	return 0;
}

int admin_set_write_group(const char *group)
{
	bool have;
	gid_t gid = 0;
	int rc = resolve_group("admin write group", group, &have, &gid);

	if (rc < 0)
		return rc;
	have_write_group = have;
	write_gid = gid;
	return 0;
}

int admin_init(const char *path, const char *group, uid_t dir_owner)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_umask;
	int fd, rc;

	if (listen_fd >= 0) {
		log_msg(LOG_ERR, "admin: already listening on %s", sock_path);
		return -EBUSY;
	}
	if (!path || path[0] == '\0' || strlen(path) >= sizeof(sa.sun_path)) {
		log_msg(LOG_ERR, "admin: socket path '%s' is empty or longer than %zu bytes",
			path ? path : "", sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	for (unsigned int i = 0; i < ADMIN_MAX_CLIENTS; i++)
		clients[i].fd = -1;
	register_builtins();

	rc = resolve_group("admin group", group, &have_group, &admin_gid);
	if (rc < 0)
		return rc;
	rc = make_parent_dirs(path, dir_owner);
	if (rc < 0)
		return rc;
	rc = remove_stale(path);
	if (rc < 0)
		return rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		log_msg(LOG_ERR, "admin: socket: %s", strerror(-rc));
		return rc;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	/* Never let the socket exist with wider permissions than intended. */
	old_umask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (rc < 0) {
		rc = -errno;
		log_msg(LOG_ERR, "admin: bind %s: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	if (have_group ? (lchown(path, (uid_t)-1, admin_gid) < 0 || chmod(path, 0660) < 0)
		       : chmod(path, 0600) < 0) {
		rc = -errno;
		log_msg(LOG_ERR, "admin: cannot set owner and mode of %s: %s", path, strerror(-rc));
		goto fail;
	}
	if (lstat(path, &st) < 0) {
		rc = -errno;
		log_msg(LOG_ERR, "admin: stat %s: %s", path, strerror(-rc));
		goto fail;
	}
	if (listen(fd, ADMIN_MAX_CLIENTS) < 0) {
		rc = -errno;
		log_msg(LOG_ERR, "admin: listen %s: %s", path, strerror(-rc));
		goto fail;
	}
	sock_dev = st.st_dev;
	sock_ino = st.st_ino;
	snprintf(sock_path, sizeof(sock_path), "%s", path);
	listen_fd = fd;
	accept_paused_until = 0;
	log_msg(LOG_INFO, "admin: listening on %s (%s)", path,
		have_group ? "root and group" : "root only");
	return 0;

fail:
	close(fd);
	unlink(path);
	return rc;
}

void admin_fini(void)
{
	struct stat st;

	if (listen_fd < 0)
		return;
	for (unsigned int i = 0; i < ADMIN_MAX_CLIENTS; i++)
		if (clients[i].fd >= 0)
			client_close(&clients[i]);
	close(listen_fd);
	listen_fd = -1;
	/* Only remove the file if it is still ours, not a successor's. */
	if (lstat(sock_path, &st) == 0 && st.st_dev == sock_dev && st.st_ino == sock_ino)
		unlink(sock_path);
	sock_path[0] = '\0';
}
