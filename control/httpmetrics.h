/*
 * httpmetrics: the optional /metrics HTTP listener inside linetimed
 * (metrics.listen in linetime.conf), for Prometheus to scrape directly.
 *
 * libmicrohttpd does the HTTP; it runs without threads of its own, driven
 * from linetimed's poll() loop through one epoll descriptor, so the page is
 * rendered in the loop like an admin command and never races the state it
 * reads. GET (or HEAD) /metrics gets the Prometheus text; / a short page
 * pointing there; anything else 404, other methods 405. Connections are
 * bounded (16 in all, 4 per client address, 10 s idle).
 */
#ifndef LT_HTTPMETRICS_H
#define LT_HTTPMETRICS_H

#include <poll.h>
#include <stddef.h>

/* Render the page: *text malloc'd (the listener frees it). 0 or -errno. */
typedef int (*httpmetrics_render_fn)(void *ctx, char **text, size_t *len);

struct httpmetrics;

/* Listen on "ADDR:PORT" / "[ADDR6]:PORT". NULL with the reason in err. */
struct httpmetrics *httpmetrics_start(const char *listen, httpmetrics_render_fn render, void *ctx,
				      char *err, size_t errlen);
void httpmetrics_stop(struct httpmetrics *h);

/* The descriptor to poll for input (NULL h: none, returns 0), and the
 * longest the loop may sleep before httpmetrics_run() (ms, -1 no limit). */
int httpmetrics_pollfd(struct httpmetrics *h, struct pollfd *fd);
int httpmetrics_timeout_ms(struct httpmetrics *h);

/* Serve what is ready. */
void httpmetrics_run(struct httpmetrics *h);

#endif
