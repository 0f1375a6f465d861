/*
 * counters: the dataplane's named counters, one list for every process.
 *
 * The dataplane bumps them (one writer per lcore, see shm.h); control and
 * linetimectl print them by name. Every drop has its own reason, so an
 * operator can tell a scan from a broken client from a full ring. Append new
 * counters at the end of a group; the region's ABI version changes when the
 * list does.
 */
#ifndef LT_COUNTERS_H
#define LT_COUNTERS_H

/* X(name, kind, help): kind is one of ok, drop, punt, tx. */
#define LT_COUNTER_LIST(X)                                                      \
	X(rx_frames, ok, "frames received")                                     \
	X(ntp_replies, tx, "NTP client requests answered")                      \
	X(arp_replies, tx, "ARP requests answered")                             \
	X(nd_adverts, tx, "IPv6 neighbour solicitations answered")              \
	X(icmp_echo_replies, tx, "ICMP/ICMPv6 echo requests answered")          \
	X(arp_learned, ok, "neighbours learned from ARP")                       \
	X(nd_learned, ok, "neighbours learned from IPv6 ND")                    \
	X(punted, punt, "frames passed to control")                             \
	X(injected, tx, "frames sent for control")                              \
	X(drop_runt, drop, "frame shorter than its headers")                    \
	X(drop_ethertype, drop, "unsupported ethertype")                        \
	X(drop_not_our_mac, drop, "destination MAC not ours or broadcast")      \
	X(drop_not_our_ip, drop, "destination address not ours")                \
	X(drop_ip_version, drop, "IP version field wrong for the ethertype")    \
	X(drop_ipv4_ihl, drop, "IPv4 header length below 20 bytes")             \
	X(drop_ipv4_options, drop, "IPv4 header with options")                  \
	X(drop_ipv4_len, drop, "IPv4 total length inconsistent with frame")     \
	X(drop_ipv4_csum, drop, "IPv4 header checksum wrong")                   \
	X(drop_ipv4_fragment, drop, "IPv4 fragment")                            \
	X(drop_ipv6_len, drop, "IPv6 payload length inconsistent with frame")   \
	X(drop_ipv6_ext, drop, "IPv6 extension header or fragment")             \
	X(drop_bad_src, drop, "source address multicast, broadcast, zero or loopback") \
	X(drop_l4_proto, drop, "IP protocol not served")                        \
	X(drop_udp_len, drop, "UDP length inconsistent with IP length")         \
	X(drop_udp_csum, drop, "UDP checksum wrong or missing on IPv6")         \
	X(drop_udp_port, drop, "UDP destination port not served")               \
	X(drop_udp_src_port, drop, "UDP source port zero")                      \
	X(drop_ntp_short, drop, "NTP payload shorter than 48 bytes")            \
	X(drop_ntp_version, drop, "NTP version 0 or above 4")                   \
	X(drop_ntp_mode_control, drop, "NTP mode 6 (control) request")          \
	X(drop_ntp_mode_private, drop, "NTP mode 7 (private) request")          \
	X(drop_ntp_mode_other, drop, "NTP mode 0 or 5 packet")                  \
	X(drop_ntp_ext, drop, "NTP extension fields malformed")                 \
	X(drop_arp_bad, drop, "ARP packet malformed")                           \
	X(drop_arp_other, drop, "ARP for another host or unsupported op")       \
	X(drop_icmp_bad, drop, "ICMP/ICMPv6 malformed or bad checksum")         \
	X(drop_icmp_type, drop, "ICMP/ICMPv6 type not served")                  \
	X(drop_nd_bad, drop, "IPv6 ND message invalid (RFC 4861 7.1.1)")        \
	X(drop_nd_other, drop, "IPv6 ND for another target")                    \
	X(drop_tx_full, drop, "reply dropped: TX queue full")                   \
	X(drop_punt_full, drop, "punt dropped: ring to control full")           \
	X(drop_inject_bad, drop, "inject message from control invalid")         \
	X(drop_inject_no_neigh, drop, "inject dropped: next hop not resolved")  \
	X(drop_multiseg, drop, "frame in more than one buffer segment")         \
	X(drop_acl_deny, drop, "NTP request from a denied client, dropped")     \
	X(kod_deny_sent, tx, "NTP request from a denied client, KoD DENY sent") \
	X(drop_ratelimit, drop, "NTP request over the rate limit, dropped")    \
	X(kod_rate_sent, tx, "NTP request over the rate limit, KoD RATE sent") \
	X(ntp_replies_leaked, tx, "NTP request over the rate limit, answered (leak)") \
	X(mssntp_punted, punt, "MS-SNTP request passed to control for signing") \
	X(drop_mssntp_off, drop, "MS-SNTP request while signing (ntpsigndsocket) is off") \
	X(drop_mssntp_extended, drop, "MS-SNTP extended-authenticator request (unsupported)") \
	X(ntp_auth_ok, ok, "authenticated NTP requests answered with a MAC (also in ntp_replies)") \
	X(crypto_nak_unknown_key, tx, "NTP request with a MAC under a key we do not have, crypto-NAK sent") \
	X(crypto_nak_bad_mac, tx, "NTP request whose MAC did not verify, crypto-NAK sent") \
	X(drop_auth_unknown_key, drop, "NTP request with a MAC under a key we do not have, dropped") \
	X(drop_auth_bad_mac, drop, "NTP request whose MAC did not verify, dropped") \
	X(ntp_interleaved, ok, "NTP replies sent in interleaved mode (also in ntp_replies)") \
	X(ntp_interleaved_basic, ok, "interleaved NTP requests answered in basic mode: the previous reply's departure was unknown")

enum lt_ctr {
#define LT_CTR_ENUM(name, kind, help) LT_CTR_##name,
	LT_COUNTER_LIST(LT_CTR_ENUM)
#undef LT_CTR_ENUM
	LT_CTR_MAX
};

/* Counter name ("drop_runt"), kind ("drop") and help text, by id. */
const char *counters_name(unsigned int id);
const char *counters_kind(unsigned int id);
const char *counters_help(unsigned int id);

#endif
