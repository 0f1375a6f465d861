/* httpmetrics: /metrics over HTTP with libmicrohttpd (see httpmetrics.h). */
#include "httpmetrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "config.h"
#include "metrics.h"

#define MAX_CONNECTIONS 16
#define MAX_PER_CLIENT 4
#define IDLE_TIMEOUT_S 10
#define CONNECTION_MEMORY (32 * 1024)

struct httpmetrics {
	struct MHD_Daemon *d;
	httpmetrics_render_fn render;
	void *ctx;
};

static const char index_page[] =
	"<html><head><title>linetime</title></head><body>"
	"<h1>linetime</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result rc;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	static char not_found[] = "not found: the metrics are at /metrics\n";
	static char bad_method[] = "only GET and HEAD are served\n";
	static char failed[] = "cannot render the metrics\n";
	struct httpmetrics *h = cls;
	char *text = NULL;
	size_t len = 0;

	(void)version;
	(void)upload_data;
	/* A request body is never wanted: drop whatever comes. */
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	(void)con_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", bad_method,
			     sizeof(bad_method) - 1, MHD_RESPMEM_PERSISTENT, "GET, HEAD");
	if (strcmp(url, "/") == 0)
		return reply(conn, MHD_HTTP_OK, "text/html", (void *)index_page,
			     sizeof(index_page) - 1, MHD_RESPMEM_PERSISTENT, NULL);
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found, sizeof(not_found) - 1,
			     MHD_RESPMEM_PERSISTENT, NULL);
	if (h->render(h->ctx, &text, &len) != 0 || !text)
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain", failed,
			     sizeof(failed) - 1, MHD_RESPMEM_PERSISTENT, NULL);
	return reply(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, text, len, MHD_RESPMEM_MUST_FREE, NULL);
}

struct httpmetrics *httpmetrics_start(const char *listen, httpmetrics_render_fn render, void *ctx,
				      char *err, size_t errlen)
{
	struct sockaddr_in6 sa6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in sa4 = { .sin_family = AF_INET };
	struct sockaddr *sa;
	uint8_t addr[16];
	uint16_t port;
	int family;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_SUPPRESS_DATE_NO_CLOCK;
	struct httpmetrics *h;

	if (config_parse_listen(listen, &family, addr, &port, err, errlen) != 0)
		return NULL;
	if (family == 6) {
		memcpy(&sa6.sin6_addr, addr, 16);
		sa6.sin6_port = htons(port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		memcpy(&sa4.sin_addr, addr, 4);
		sa4.sin_port = htons(port);
		sa = (struct sockaddr *)&sa4;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	h->render = render;
	h->ctx = ctx;
	errno = 0;
	h->d = MHD_start_daemon(flags, port, NULL, NULL, on_request, h,
				MHD_OPTION_SOCK_ADDR, sa,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)MAX_PER_CLIENT,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
				MHD_OPTION_END);
	if (!h->d) {
		snprintf(err, errlen, "cannot listen on %s: %s", listen,
			 errno ? strerror(errno) : "libmicrohttpd refused to start");
		free(h);
		return NULL;
	}
	return h;
}

void httpmetrics_stop(struct httpmetrics *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->d);
	free(h);
}

int httpmetrics_pollfd(struct httpmetrics *h, struct pollfd *fd)
{
	const union MHD_DaemonInfo *info;

	if (!h)
		return 0;
	info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return 0;
	fd->fd = info->epoll_fd;
	fd->events = POLLIN;
	fd->revents = 0;
	return 1;
}

int httpmetrics_timeout_ms(struct httpmetrics *h)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (!h || MHD_get_timeout(h->d, &t) != MHD_YES)
		return -1;
	return t > 1000 ? 1000 : (int)t;
}

void httpmetrics_run(struct httpmetrics *h)
{
	if (h)
		MHD_run(h->d);
}
