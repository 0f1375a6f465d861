/*
 * log: the control path's logging (linetimed, linetime-dp set-up and
 * housekeeping; never the fast path). Lines go to stderr with a level tag
 * when running in the foreground, to syslog otherwise.
 */
#ifndef LT_LOG_H
#define LT_LOG_H

#include <syslog.h>

/* ident names the process in syslog; to_syslog selects the sink. */
void log_init(const char *ident, int to_syslog, int level);

/* Change the threshold (syslog LOG_* value) at run time. */
void log_set_level(int level);

/* Log one line at level (LOG_ERR .. LOG_DEBUG). */
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
