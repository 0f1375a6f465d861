/* syncreport: tracking, sources, sourcestats and activity as JSON. */
#include "syncreport.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ntp_packet.h"

static void add_d(struct json_object *o, const char *k, double v)
{
	json_object_object_add(o, k, json_object_new_double(isfinite(v) ? v : 0));
}

static void add_s(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_i(struct json_object *o, const char *k, int64_t v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

static const char *leap_name(int li)
{
	static const char *const n[] = {"normal", "insert", "delete", "unsynchronised"};

	return n[li & 3];
}

void syncreport_tracking(struct sync *s, uint64_t c, double system_offset, struct json_object *data)
{
	struct sync_status st;
	char refid[9];
	static const char *const modes[] = {"step", "slew", "smear"};

	sync_status(s, c, &st);
	snprintf(refid, sizeof(refid), "%08X", st.refid);
	json_object_object_add(data, "synchronised", json_object_new_boolean(st.mode != SYNC_LOCAL));
	add_s(data, "mode", sync_mode_name(st.mode));
	add_s(data, "reference", st.reference);
	add_s(data, "refid", refid);
	add_i(data, "stratum", st.stratum);
	add_s(data, "leap", leap_name(st.leap));
	add_d(data, "ref_time_unix", st.ref_time ? ntp_ts_to_unix(st.ref_time) : 0);
	add_d(data, "system_time_offset", system_offset);
	add_d(data, "last_offset", st.last_offset);
	add_d(data, "rms_offset", st.rms_offset);
	add_d(data, "frequency_ppm", st.freq_ppm);
	add_d(data, "residual_freq_ppm", st.residual_ppm);
	add_d(data, "skew_ppm", st.skew_ppm);
	add_d(data, "root_delay", st.root_delay);
	add_d(data, "root_dispersion", st.root_dispersion);
	add_d(data, "update_interval", st.update_interval);
	add_i(data, "updates", (int64_t)st.updates);
	add_i(data, "steps", (int64_t)st.steps);
	add_s(data, "selection", srcselect_outcome_name(st.outcome));
	add_s(data, "leap_pending", st.leap_pending && st.leap_pending->type == NTP_LEAP_INSERT ? "insert"
				    : st.leap_pending && st.leap_pending->type == NTP_LEAP_DELETE ? "delete"
												 : "none");
	add_s(data, "leapsecmode", modes[st.leapsecmode <= LT_LEAPSECMODE_SMEAR ? st.leapsecmode : 0]);
}

const char *syncreport_mark(enum srcselect_status st)
{
	switch (st) {
	case SRCSEL_SYSPEER:
		return "*";
	case SRCSEL_COMBINED:
		return "+";
	case SRCSEL_SELECTABLE:
		return "-";
	case SRCSEL_FALSETICKER:
		return "x";
	case SRCSEL_UNREACHABLE:
		return "?";
	default:
		return "~";
	}
}

/* State of slot i as the operator reads it. */
static const char *state_of(const struct source_info *si, enum srcselect_status st)
{
	if (si->state == SOURCE_UNRESOLVED)
		return "unresolved";
	if (si->state == SOURCE_KOD_STOPPED)
		return "kod_deny";
	return srcselect_status_name(st);
}

/* A source's key identifier and authentication counters (sources, authdata). */
static void add_auth(struct json_object *o, const struct source_info *si)
{
	add_i(o, "key_id", si->key_id);
	add_i(o, "auth_ok", (int64_t)si->ctr.auth_ok);
	add_i(o, "auth_missing", (int64_t)si->ctr.verdict[NTPCLIENT_AUTH_MISSING]);
	add_i(o, "auth_keyid", (int64_t)si->ctr.verdict[NTPCLIENT_AUTH_KEYID]);
	add_i(o, "auth_fail", (int64_t)si->ctr.verdict[NTPCLIENT_AUTH_FAIL]);
	add_i(o, "crypto_nak", (int64_t)si->ctr.verdict[NTPCLIENT_CRYPTO_NAK]);
}

void syncreport_sources(struct sync *s, uint64_t c, double mono, struct json_object *data)
{
	struct sources *src = sync_sources(s);
	const struct srcselect_result *res = sync_selection(s);
	struct json_object *arr = json_object_new_array();
	struct sync_status st;

	(void)c;
	sync_status(s, c, &st);
	for (unsigned int i = 0; i < sources_slots(src); i++) {
		struct source_info si;
		struct srcfilter_estimate e;
		char addr[64];

		if (sources_info(src, i, &si) != 0)
			continue;
		struct json_object *o = json_object_new_object();
		enum srcselect_status ss = res->status[i];
		const char *state = state_of(&si, ss);
		add_s(o, "name", si.name);
		add_s(o, "address", sources_addr_text(&si, addr, sizeof(addr)));
		add_s(o, "pool", si.pool);
		add_s(o, "state", state);
		add_s(o, "mark", si.state == SOURCE_ACTIVE ? syncreport_mark(ss) : "?");
		memset(&e, 0, sizeof(e));
		if (si.have_last)
			srcfilter_estimate(si.filter, si.last.local, &e);
		add_i(o, "stratum", si.have_last ? si.last.stratum : 0);
		add_i(o, "poll", si.poll);
		add_i(o, "reach", srcfilter_reach(si.filter));
		add_d(o, "last_rx_ago", si.last_rx_mono >= 0 ? mono - si.last_rx_mono : -1);
		add_d(o, "offset", si.have_last ? si.last.offset : 0);
		add_d(o, "offset_sd", e.valid ? e.offset_sd : 0);
		add_d(o, "delay", si.have_last ? si.last.delay : 0);
		add_d(o, "jitter", e.valid ? e.jitter : 0);
		add_d(o, "root_distance", e.valid ? e.root_distance : 0);
		json_object_object_add(o, "prefer", json_object_new_boolean(si.poll_cfg.prefer));
		json_object_object_add(o, "noselect", json_object_new_boolean(si.poll_cfg.noselect));
		add_s(o, "kod", si.kod);
		add_i(o, "sent", (int64_t)si.ctr.sent);
		add_i(o, "replies", (int64_t)si.ctr.replies);
		add_i(o, "accepted", (int64_t)si.ctr.accepted);
		add_i(o, "bogus", (int64_t)si.ctr.verdict[NTPCLIENT_BOGUS]);
		add_auth(o, &si);
		json_object_array_add(arr, o);
	}
	add_s(data, "outcome", srcselect_outcome_name(res->outcome));
	json_object_object_add(data, "sources", arr);
}

void syncreport_sourcestats(struct sync *s, uint64_t c, struct json_object *data)
{
	struct sources *src = sync_sources(s);
	struct json_object *arr = json_object_new_array();

	(void)c;
	for (unsigned int i = 0; i < sources_slots(src); i++) {
		struct source_info si;
		struct srcfilter_estimate e;
		char addr[64];

		if (sources_info(src, i, &si) != 0)
			continue;
		memset(&e, 0, sizeof(e));
		if (si.have_last)
			srcfilter_estimate(si.filter, si.last.local, &e);
		struct json_object *o = json_object_new_object();
		add_s(o, "name", si.name);
		add_s(o, "address", sources_addr_text(&si, addr, sizeof(addr)));
		add_i(o, "np", e.n_samples);
		add_i(o, "nr", e.n_used);
		add_d(o, "span", srcfilter_span(si.filter));
		add_d(o, "frequency_ppm", e.valid ? e.freq * 1e6 : 0);
		add_d(o, "skew_ppm", e.valid ? e.skew * 1e6 : 0);
		add_d(o, "offset", e.valid ? e.offset : 0);
		add_d(o, "offset_sd", e.valid ? e.offset_sd : 0);
		json_object_array_add(arr, o);
	}
	json_object_object_add(data, "sources", arr);
}

void syncreport_activity(struct sync *s, struct json_object *data)
{
	unsigned int on, off, unres, kod;

	sources_activity(sync_sources(s), &on, &off, &unres, &kod);
	add_i(data, "online", on);
	add_i(data, "offline", off);
	add_i(data, "unresolved", unres);
	add_i(data, "kod", kod);
}

void syncreport_authdata(struct sync *s, const struct authkeys *keys, struct json_object *data)
{
	struct sources *src = sync_sources(s);
	struct json_object *arr = json_object_new_array();

	for (unsigned int i = 0; i < sources_slots(src); i++) {
		struct source_info si;
		char addr[64];
		int bits = 0;

		if (sources_info(src, i, &si) != 0)
			continue;
		for (unsigned int k = 0; si.key_id && k < keys->n; k++)
			if (keys->pub[k].id == si.key_id)
				bits = keys->pub[k].len * 8;
		struct json_object *o = json_object_new_object();
		add_s(o, "name", si.name);
		add_s(o, "address", sources_addr_text(&si, addr, sizeof(addr)));
		add_s(o, "mode", si.key_id ? "SYM" : "-");
		add_s(o, "type", si.key_id ? ntp_mac_type_name(si.key_type) : "-");
		add_i(o, "bits", si.key_type != NTP_MAC_NONE ? bits : 0);
		json_object_object_add(o, "key_missing",
				       json_object_new_boolean(si.key_id && si.key_type == NTP_MAC_NONE));
		add_auth(o, &si);
		add_i(o, "no_key", (int64_t)si.ctr.no_key);
		json_object_array_add(arr, o);
	}
	json_object_object_add(data, "sources", arr);
}
