/*
 * sbuf: a growing NUL-terminated text buffer for what builds text of
 * unknown length off the fast path (the metrics page, a converted config).
 * Running out of memory sets oom and makes every later write a no-op, so a
 * writer checks once at the end. Start from { 0 }; free(p) when done.
 */
#ifndef LT_SBUF_H
#define LT_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
	char *p;         /* NULL until the first write */
	size_t len, cap;
	int oom;
};

/* Room for n more bytes and the NUL. 0, or -1 (and oom set). */
int sbuf_reserve(struct sbuf *b, size_t n);

void sbuf_put(struct sbuf *b, const char *s, size_t n);
void sbuf_puts(struct sbuf *b, const char *s);
void sbuf_putc(struct sbuf *b, char c);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#endif
