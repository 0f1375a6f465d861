/*
 * admin: the admin socket server inside linetimed.
 *
 * A Unix stream socket (path and group from the config). Each request is one
 * line of JSON, each response one line of JSON (protocol in admin_proto.h and
 * docs/ADMIN-PROTOCOL.md). Peer credentials (SO_PEERCRED) decide what a
 * client may do: root and members of the write group may do everything,
 * members of the admin group may run read-only commands. Commands are looked up in a table that later modules
 * extend with admin_register(); the server never blocks the event loop: all
 * sockets are non-blocking, a client that sends too much or never reads is
 * disconnected, and connections and request rates are bounded.
 */
#ifndef LT_ADMIN_H
#define LT_ADMIN_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

struct json_object;

enum admin_access {
	ADMIN_READ = 0,   /* root, the admin group and the write group */
	ADMIN_WRITE = 1,  /* root and the write group */
};

/*
 * A command handler: args is the request's "args" object (never NULL),
 * data a fresh object to fill. Returns 0, or a negative errno with a
 * message in err (sent to the client as the error).
 */
typedef int (*admin_handler_fn)(void *ctx, struct json_object *args, struct json_object *data,
				char *err, size_t errlen);

/* Create the socket at path (removing a stale one), group-owned by group
 * ("" = root only, mode 0600; else 0660). Directories it creates above the
 * socket are mode 0750, group-owned by group, and owned by dir_owner
 * ((uid_t)-1: by whoever runs this), so that linetimed can still remove
 * its socket after it stops being root. Returns 0 or -errno. */
int admin_init(const char *path, const char *group, uid_t dir_owner);

/* Members of group ("" = nobody but root) may also run write commands,
 * from their next connection on. Returns 0, or -ENOENT for a group that
 * does not exist (the previous one stays). */
int admin_set_write_group(const char *group);

/* Close every connection and remove the socket file. */
void admin_fini(void);

/* Add a command; help is one line for "help". Returns 0 or -EEXIST/-ENOSPC. */
int admin_register(const char *name, enum admin_access access, admin_handler_fn fn, void *ctx,
		   const char *help);

/* Withdraw every command registered with ctx (a module going away). */
void admin_unregister(const void *ctx);

/* Run the read command name in-process, as a client would (metrics are
 * built from the same answers). Returns the handler's result, or -ENOENT
 * when there is no such read command. */
int admin_call(const char *name, struct json_object *args, struct json_object *data);

/* Append the server's pollfds (listener and clients) to fds; returns how many. */
int admin_pollfds(struct pollfd *fds, int max);

/* Handle whatever is ready on the descriptors admin_pollfds() gave out. */
void admin_dispatch(const struct pollfd *fds, int n);

#endif
