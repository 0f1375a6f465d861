/*
 * config: linetime.conf (libconfig syntax) parsed once into a validated
 * struct lt_config. Both processes read the same file: linetimed for time,
 * policy and the admin socket, linetime-dp for ports, addresses and lcores.
 *
 * Every error names the file, the line and the setting, e.g.
 *   /etc/linetime/linetime.conf:12: dataplane.ports.[0].addresses: "198.18.0.1/33": prefix length out of range
 * so a failed start or reload says exactly what to fix. Unknown settings are
 * errors too: a typo must not silently fall back to a default.
 */
#ifndef LT_CONFIG_H
#define LT_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define LT_CFG_MAX_PORTS 8
#define LT_CFG_MAX_ADDRS 4
#define LT_CFG_MAX_LCORES 16
#define LT_CFG_MAX_EAL_ARGS 32
#define LT_CFG_PATH_MAX 256
#define LT_CFG_ERR_MAX 512

#define LT_CONFIG_DEFAULT_PATH "/etc/linetime/linetime.conf"

enum lt_ts_mode {
	LT_TS_AUTO = 0,   /* NIC RX timestamps where the PMD offers them, else TSC */
	LT_TS_SOFTWARE,   /* always the TSC at rx-burst time */
	LT_TS_HARDWARE,   /* NIC timestamps required: port setup fails without */
};

/* Which TSC reading a reply's departure (served in interleaved mode) is
 * taken from: as tx_burst returns, or just before it is called. */
enum lt_tx_anchor {
	LT_TX_AUTO = 0,   /* before for PMDs whose tx_burst delivers in the call (af_packet), else after */
	LT_TX_AFTER,
	LT_TX_BEFORE,
};

#define LT_CFG_TX_CORRECTION_MAX_NS 1000000

struct lt_cfg_addr {
	int family;         /* 4 or 6 */
	uint8_t addr[16];   /* IPv4 in the first 4 bytes, network order */
	uint8_t prefixlen;
};

struct lt_cfg_port {
	char name[32];                    /* operator's name, e.g. "lan0" */
	char device[LT_CFG_PATH_MAX];     /* EAL device: "0000:01:00.0" or "net_af_packet0,iface=eth1" */
	struct lt_cfg_addr addrs[LT_CFG_MAX_ADDRS];
	unsigned int n_addrs;
	struct lt_cfg_addr gw4;           /* family 0 if none; prefixlen 0 (a plain address) */
	struct lt_cfg_addr gw6;
	unsigned int rx_queues;           /* 1.. */
	enum lt_ts_mode timestamping;
	enum lt_tx_anchor tx_departure;   /* "tx_departure" */
	int tx_correction_ns;             /* "tx_correction_ns": added to each departure */
};

#define LT_CFG_MAX_ACCESS 256

/* One "allow"/"deny" rule, in file order (chrony semantics: the most
 * specific prefix wins; an "all" rule first removes the more specific rules
 * given before it inside its prefix). family 0 means every address. */
struct lt_cfg_access {
	uint8_t allow;        /* 1 allow, 0 deny */
	uint8_t all;          /* "allow all" / "deny all" */
	uint8_t family;       /* 0 (everything), 4 or 6 */
	uint8_t prefixlen;
	uint8_t addr[16];     /* network order, host bits cleared */
	unsigned int line;    /* where it came from, for messages */
};

/* chrony's "ratelimit interval I burst B leak L", plus linetime's kod share
 * and the prefix lengths that make one "client". */
struct lt_cfg_ratelimit {
	int enabled;          /* the ratelimit group is present */
	int interval;         /* log2 s between responses, -19..12, default 3 */
	unsigned int burst;   /* 1..255, default 8 */
	unsigned int leak;    /* 1 in 2^leak limited requests answered anyway, 1..4, default 2 */
	unsigned int kod;     /* 1 in 2^kod of the rest answered with KoD RATE; 0 = never (default) */
	unsigned int ipv4_prefix; /* 8..32, default 32 */
	unsigned int ipv6_prefix; /* 16..128, default 64 */
};

#define LT_CFG_MAX_SERVERS 16      /* == SRCSELECT_MAX: servers plus pool members */
#define LT_CFG_MAX_POOLS 4
#define LT_CFG_HOST_MAX 256

/* Poll options shared by "server" and "pool" entries (chrony names). */
struct lt_cfg_poll {
	int minpoll;          /* log2 s, -6..24 (chrony's range), default 6 */
	int maxpoll;          /* log2 s, minpoll..24, default 10 */
	int iburst;           /* four quick requests at start and after unreachability */
	int prefer;           /* prefer this source in selection */
	int noselect;         /* measure and show, never select */
};

/* chrony "server NAME [options]": NAME is an address or a host name. */
struct lt_cfg_server {
	char address[LT_CFG_HOST_MAX];
	struct lt_cfg_poll poll;
	unsigned int key;     /* authenticate with this keyfile key (RFC 5905 MAC); 0 = none */
	unsigned int line;
};

/* chrony "pool NAME [maxsources N] [options]". */
struct lt_cfg_pool {
	char name[LT_CFG_HOST_MAX];
	struct lt_cfg_poll poll;
	unsigned int maxsources;   /* 1..16, default 4 */
	unsigned int line;
};

enum lt_leapsecmode {
	LT_LEAPSECMODE_STEP = 0,   /* chrony "system"/"step": 23:59:59 repeated */
	LT_LEAPSECMODE_SLEW,       /* the second is slewed out after the event */
	LT_LEAPSECMODE_SMEAR,      /* spread over a window (chrony smoothtime ... leaponly) */
};

/* Upstream synchronisation and discipline (chrony directives, same names). */
struct lt_cfg_sync {
	struct lt_cfg_server servers[LT_CFG_MAX_SERVERS];
	unsigned int n_servers;
	struct lt_cfg_pool pools[LT_CFG_MAX_POOLS];
	unsigned int n_pools;
	unsigned int minsources;       /* 1..16, default 1 */
	double maxdistance;            /* s, default 3 */
	double makestep_threshold;     /* s, default 1.0 when makestep is given; 0 = never step */
	int makestep_limit;            /* updates, -1 = always, default 3 */
	double maxslewrate;            /* ppm, default 83333.333 */
	double maxupdateskew;          /* ppm, default 1000 */
	double maxdrift;               /* ppm, default 500 */
	double corrtimeratio;          /* default 3 */
	char driftfile[LT_CFG_PATH_MAX];  /* "" = none */
	enum lt_leapsecmode leapsecmode;
	double smear_window;           /* s, smear mode: whole window, default 86400 */
	int smear_quadratic;           /* 1: quadratic smear (default), 0: linear */
	char leapsectz[64];            /* "" = none; e.g. "right/UTC" */
	int steer_system_clock;        /* also steer CLOCK_REALTIME; default 0 */
	char logdir[LT_CFG_PATH_MAX];  /* "" = no statistics logs */
	int log_measurements, log_statistics, log_tracking;
	double logchange;              /* s: offsets above this go to syslog, default 1.0 */
};

/* Thresholds of linetimectl health (Nagios WARNING / CRITICAL); 0 turns a
 * check's level off. linetimectl may override them per call. */
struct lt_cfg_health {
	double offset_warning;          /* s: |offset of the served clock|, default 0.01 */
	double offset_critical;         /* default 0.1 */
	unsigned int sources_warning;   /* fewer good sources than this, default 1 */
	unsigned int sources_critical;  /* default 0 */
	unsigned int stratum_warning;   /* served stratum at or above this, default 0 */
	unsigned int stratum_critical;  /* default 0 */
	unsigned int ring_drops_warning;  /* ring drops in the last 60 s, default 1 */
	unsigned int ring_drops_critical; /* default 0 */
	double heartbeat_warning;       /* s since the dataplane's heartbeat, default 0.5 */
	double heartbeat_critical;      /* default 1.0 */
};

/* The health group's defaults. */
extern const struct lt_cfg_health config_health_defaults;

#define LT_CFG_LISTEN_MAX 64

struct lt_config {
	char path[LT_CFG_PATH_MAX];        /* file it came from ("<string>" for tests) */

	/* upstream servers and the clock discipline */
	struct lt_cfg_sync sync;

	/* server: what the appliance says in replies when it serves local time */
	unsigned int local_stratum;        /* "local stratum N": 1..15, default 10 */
	double local_distance;             /* s: root distance above which the local
					    * clock takes over from a lost upstream (chrony
					    * "local distance"), default 1.0 */
	int local_orphan;                  /* chrony "local orphan" */
	double holdover;                   /* s the dataplane serves after control stops; default 60 */
	double precision;                  /* advertised precision in s; 0 = measure */

	/* access control and rate limiting (served by the dataplane) */
	struct lt_cfg_access access[LT_CFG_MAX_ACCESS];
	unsigned int n_access;             /* 0: every client is allowed */
	int kod_deny;                      /* answer denied clients with KoD DENY instead of silence */
	struct lt_cfg_ratelimit ratelimit;
	unsigned long clientloglimit;      /* bytes for the client log, all workers; default 524288 */

	/* MS-SNTP: Samba's ntp_signd socket directory (chrony's ntpsigndsocket);
	 * "" = signed time off. The socket is <dir>/socket. */
	char ntpsigndsocket[LT_CFG_PATH_MAX];

	/* Symmetric-key authentication (RFC 5905 7.3, RFC 8573): chrony's
	 * keyfile, "" = none; a request whose MAC fails gets a crypto-NAK
	 * (crypto_nak, default, RFC 5905) or nothing (chrony's way). */
	char keyfile[LT_CFG_PATH_MAX];
	int crypto_nak;

	/* shared region and admin socket */
	char region_path[LT_CFG_PATH_MAX]; /* default /dev/shm/linetime.region */
	char admin_socket[LT_CFG_PATH_MAX];/* default /run/linetime/admin.sock */
	char admin_group[32];              /* group allowed to read; "" = root only */
	char admin_write_group[32];        /* group also allowed to change things; "" = root only */

	/* least privilege (docs/HARDENING.md) */
	char user[32];                     /* linetimed drops root to this user; "" = stays as started */
	int seccomp;                       /* system-call filters on both processes; default 1 */

	/* monitoring */
	struct lt_cfg_health health;
	char metrics_listen[LT_CFG_LISTEN_MAX]; /* "ADDR:PORT" or "[ADDR6]:PORT"; "" = none */
	char pidfile_dir[LT_CFG_PATH_MAX]; /* default /run/linetime */

	/* logging */
	int log_level;                     /* syslog LOG_* value, default LOG_INFO */

	/* dataplane */
	unsigned int main_lcore;           /* housekeeping lcore, default 0 */
	unsigned int lcores[LT_CFG_MAX_LCORES]; /* poll-mode worker lcores */
	unsigned int n_lcores;
	char *eal_args[LT_CFG_MAX_EAL_ARGS];/* extra EAL arguments (owned) */
	unsigned int n_eal_args;
	unsigned int idle_sleep_us;        /* sleep after an empty poll round; 0 = pure busy poll */
	unsigned int mbufs;                /* mbuf pool size per socket, default 8191 */
	struct lt_cfg_port ports[LT_CFG_MAX_PORTS];
	unsigned int n_ports;
};

/* Split a listen address "198.18.0.1:9123" or "[2001:2::1]:9123" into
 * family (4 or 6), address (network order) and port. Returns 0 or -EINVAL
 * with the reason in why. */
int config_parse_listen(const char *text, int *family, uint8_t addr[16], uint16_t *port,
			char *why, size_t whylen);

/* Parse one access rule as the access array takes it ("allow 198.18.0.0/15",
 * "deny all 2001:2::/48", chrony's shorthand "allow 198.18"). Returns 0, or
 * -1 with the reason in why. */
int config_access_rule(const char *text, struct lt_cfg_access *r, char *why, size_t whylen);

/* Fill c with the defaults (no ports). */
void config_defaults(struct lt_config *c);

/* Parse the file at path into c. Returns 0, or -EINVAL with a
 * "file:line: setting: problem" message in err, or the -errno of a file
 * that cannot be opened (-ENOENT, -EACCES, -EISDIR) with "file: cannot
 * open: reason". c is only written on success, and then overwritten without
 * being freed: load a reload into a fresh struct, then config_free() the old
 * one. Release it with config_free(). */
int config_load_file(const char *path, struct lt_config *c, char *err, size_t errlen);

/* Same from text in memory; name stands in for the file name in errors. */
int config_load_string(const char *text, const char *name, struct lt_config *c, char *err,
		       size_t errlen);

/* Release what config_load_*() allocated inside c. */
void config_free(struct lt_config *c);

/* Format an address as text ("198.18.0.1/24"; a gateway without "/len";
 * "none" for family 0). Returns buf. */
const char *config_addr_str(const struct lt_cfg_addr *a, char *buf, size_t len);

#endif
