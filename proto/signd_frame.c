/* signd_frame: ntp_signd socket frames (see signd_frame.h). */
#include "signd_frame.h"

#include <errno.h>
#include <string.h>

#include "bytes.h"

int signd_frame_encode(uint8_t *buf, size_t len, uint16_t packet_id,
		       const uint8_t key_id[SIGND_FRAME_KEYID_LEN],
		       const uint8_t reply[SIGND_FRAME_NTP_LEN])
{
	if (len < SIGND_FRAME_REQ_LEN)
		return -ENOSPC;
	bytes_put_be32(buf + offsetof(struct signd_request_wire, length),
		SIGND_FRAME_REQ_LEN - SIGND_FRAME_PREFIX_LEN);
	bytes_put_be32(buf + offsetof(struct signd_request_wire, version), SIGND_FRAME_VERSION);
	bytes_put_be32(buf + offsetof(struct signd_request_wire, op), SIGND_OP_SIGN_TO_CLIENT);
	buf[offsetof(struct signd_request_wire, packet_id)] = (uint8_t)(packet_id >> 8);
	buf[offsetof(struct signd_request_wire, packet_id) + 1] = (uint8_t)packet_id;
	/* NDR alignment padding before the 32-bit key id; Samba ignores it. */
	buf[offsetof(struct signd_request_wire, pad)] = 0;
	buf[offsetof(struct signd_request_wire, pad) + 1] = 0;
	/* The key id is copied as raw bytes: Samba reads it little-endian,
	 * as the client wrote it, and echoes the same bytes back. */
	memcpy(buf + offsetof(struct signd_request_wire, key_id), key_id, SIGND_FRAME_KEYID_LEN);
	memcpy(buf + offsetof(struct signd_request_wire, reply), reply, SIGND_FRAME_NTP_LEN);
	return SIGND_FRAME_REQ_LEN;
}

enum signd_frame_verdict signd_frame_parse(const uint8_t *buf, size_t len,
					   struct signd_frame_reply *out)
{
	const size_t op_end = offsetof(struct signd_reply_wire, op) + 4;
	uint32_t body, op;

	if (len < SIGND_FRAME_PREFIX_LEN)
		return SIGND_FRAME_NEED_MORE;
	body = bytes_get_be32(buf);
	/* The length alone already rules out what cannot be a signed_reply,
	 * so a peer streaming garbage is caught at its first 4 bytes instead
	 * of after we buffered up to whatever length it claimed. */
	if (body < SIGND_FRAME_REPLY_HDR || body > SIGND_FRAME_BODY_MAX)
		return SIGND_FRAME_BAD;
	if (len >= op_end) {
		op = bytes_get_be32(buf + offsetof(struct signd_reply_wire, op));
		if (op != SIGND_OP_SIGNING_SUCCESS && op != SIGND_OP_SIGNING_FAILURE)
			return SIGND_FRAME_BAD;
		if (op == SIGND_OP_SIGNING_SUCCESS &&
		    body != SIGND_FRAME_REPLY_HDR + SIGND_FRAME_SIGNED_LEN)
			return SIGND_FRAME_BAD;
	}
	if (len < SIGND_FRAME_PREFIX_LEN + (size_t)body)
		return SIGND_FRAME_NEED_MORE;

	out->version = bytes_get_be32(buf + offsetof(struct signd_reply_wire, version));
	out->op = bytes_get_be32(buf + offsetof(struct signd_reply_wire, op));
	out->packet_id = bytes_get_be32(buf + offsetof(struct signd_reply_wire, packet_id));
	out->frame_len = SIGND_FRAME_PREFIX_LEN + (size_t)body;
	/* A FAILURE from Samba carries no payload. Trailing bytes after one
	 * are tolerated and skipped: the length prefix keeps the stream in
	 * step, and the outcome (this request is not signed) is the same
	 * either way, so rejecting them would only cost a reconnect. The
	 * version is reported, not checked: Samba does not promise a value
	 * in replies, and nothing in the payload depends on it. */
	if (out->op == SIGND_OP_SIGNING_SUCCESS) {
		out->payload = buf + sizeof(struct signd_reply_wire);
		out->payload_len = SIGND_FRAME_SIGNED_LEN;
	} else {
		out->payload = NULL;
		out->payload_len = 0;
	}
	return SIGND_FRAME_OK;
}
