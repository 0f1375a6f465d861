/*
 * syncreport: the admin answers about upstream sync as JSON (the shapes
 * are documented in docs/ADMIN-PROTOCOL.md): tracking, sources,
 * sourcestats, activity, authdata. Reads sync through its public
 * accessors only.
 */
#ifndef LT_SYNCREPORT_H
#define LT_SYNCREPORT_H

#include <stdint.h>

#include <json-c/json.h>

#include "authkeys.h"
#include "sync.h"

/* tracking; system_offset = served minus the host's system clock (s). */
void syncreport_tracking(struct sync *s, uint64_t c, double system_offset, struct json_object *data);

/* sources, at counter c and monotonic time mono. */
void syncreport_sources(struct sync *s, uint64_t c, double mono, struct json_object *data);

void syncreport_sourcestats(struct sync *s, uint64_t c, struct json_object *data);

void syncreport_activity(struct sync *s, struct json_object *data);

/* authdata, like chronyc authdata: each source's key (its length from
 * keys, the keys in force; never a secret) and authentication counters. */
void syncreport_authdata(struct sync *s, const struct authkeys *keys, struct json_object *data);

/* chronyc's state mark for a selection status. */
const char *syncreport_mark(enum srcselect_status st);

#endif
