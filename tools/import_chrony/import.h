/*
 * import: a chrony.conf, read by chronyconf, turned into linetime.conf text
 * and a list of warnings. A pure function of the directives: no files, no
 * clock, no environment, so the same input gives the same output.
 *
 * Every setting written names the directive it came from ("# from
 * FILE:LINE"). Whatever is not carried over (a directive linetime has no
 * counterpart for, an option it does not take, a value it would refuse) is
 * one warning "FILE:LINE: DIRECTIVE: what happens; what to do instead",
 * also listed in a comment at the end of the text; a value linetime would
 * refuse is never written. The dataplane ports cannot be derived from
 * chrony.conf: the text ends with a commented-out template for them, and
 * the last warning says so.
 */
#ifndef LT_IMPORT_H
#define LT_IMPORT_H

#include "chronyconf.h"

struct import_result {
	char *text;            /* linetime.conf, NUL-terminated */
	char **warnings;       /* one line each, without newline */
	unsigned int n_warnings;
	unsigned int n_lost;   /* of them, about chrony.conf's content: all but the
				* closing reminder to fill in the ports */
};

/* Convert conf; source names the main file in the header. Returns 0 or
 * -ENOMEM; out is empty after a failure. */
int import_chrony(const struct chrony_conf *conf, const char *source, struct import_result *out);

/* Release what import_chrony() allocated. */
void import_result_free(struct import_result *r);

#endif
