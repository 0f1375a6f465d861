/*
 * linetime-dp: the dataplane process. Reads the ports, addresses and lcores
 * from linetime.conf, initialises DPDK, attaches the shared region, starts
 * one poll-mode worker per lcore, and keeps the main lcore for
 * housekeeping: heartbeat, port state and NIC-clock samples every 100 ms.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "cmdline.h"
#include "clientlog.h"
#include "config.h"
#include "ealargs.h"
#include "log.h"
#include "policy.h"
#include "port.h"
#include "privdrop.h"
#include "sandbox.h"
#include "shm.h"
#include "tsc.h"
#include "worker.h"

#define TICK_US 10000          /* policy changes are picked up within this */
#define HOUSEKEEPING_TICKS 10   /* heartbeat, port state every 100 ms */
#define MBUF_CACHE 256

static volatile int stop;
static volatile int worker_failed;
static int seccomp_on;

/* The policy the workers use, and one replaced policy waiting until every
 * worker has finished the poll round that may still be using it. */
static struct dp_policy *current_policy;
static struct dp_policy *retired_policy;
static uint64_t retired_polls[LT_MAX_WORKERS];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void log_policy(const struct dp_policy *p)
{
	if (p->rl.enabled)
		log_msg(LOG_INFO,
			"policy generation %u: %u access rule(s)%s, rate limit burst %u, %.6f s per response, leak 1/%u, KoD 1/%u",
			p->generation, p->n_access, p->kod_deny ? " (KoD DENY)" : "", p->rl.burst,
			(double)p->rl.interval_ticks / (double)rte_get_tsc_hz(), 1U << p->rl.leak,
			p->rl.kod ? 1U << p->rl.kod : 0);
	else
		log_msg(LOG_INFO, "policy generation %u: %u access rule(s)%s, no rate limit",
			p->generation, p->n_access, p->kod_deny ? " (KoD DENY)" : "");
}

/* Pick up a newly published policy; free a retired one once it is safe. */
static void policy_tick(struct lt_policy_block *b, struct worker_ctx *w, unsigned int n)
{
	static struct lt_policy pol;
	char err[256];

	if (retired_policy) {
		for (unsigned int i = 0; i < n; i++)
			if (__atomic_load_n(&w[i].stats->polls, __ATOMIC_ACQUIRE) <= retired_polls[i])
				return;
		policy_free(retired_policy);
		retired_policy = NULL;
	}
	uint32_t gen = __atomic_load_n(&b->generation, __ATOMIC_ACQUIRE);
	if (gen == 0 || gen == current_policy->generation)
		return;
	gen = policy_read(b, &pol);
	struct dp_policy *next = policy_compile(&pol, gen, rte_get_tsc_hz(), err, sizeof(err));
	if (!next) {
		/* Keep enforcing the old one; control validated this, so say so loudly. */
		log_msg(LOG_ERR, "policy generation %u rejected: %s; keeping generation %u", gen, err,
			current_policy->generation);
		return;
	}
	retired_policy = current_policy;
	for (unsigned int i = 0; i < n; i++)
		retired_polls[i] = __atomic_load_n(&w[i].stats->polls, __ATOMIC_ACQUIRE);
	__atomic_store_n(&current_policy, next, __ATOMIC_RELEASE);
	log_policy(next);
}

/* A worker thread: its own filter first (it reads the wire), then the poll loop. */
static int worker_entry(void *arg)
{
	struct worker_ctx *w = arg;
	char err[256];

	if (seccomp_on && sandbox_apply(SANDBOX_DP_WORKER, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "worker %u: %s", w->index, err);
		worker_failed = 1;
		stop = 1;
		return -1;
	}
	return worker_main(w);
}

/* The region belongs to linetimed's user when it has one, so linetimed
 * can re-attach to a region this process made. */
static int region_owner(const struct lt_config *c, struct shm_owner *o)
{
	struct privdrop_user u;
	char err[256];

	if (!c->user[0])
		return 0;
	if (privdrop_lookup(c->user, &u, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s: user: %s", c->path, err);
		return -1;
	}
	o->uid = u.uid;
	o->gid = u.gid;
	return 1;
}

int main(int argc, char **argv)
{
	struct cmdline cl;
	int exit_code = 0;
	struct lt_config cfg;
	char err[LT_CFG_ERR_MAX];

	int status = cmdline_start(argc, argv, "linetime-dp",
				   "EAL arguments come from dataplane.eal in the configuration, then from\n"
				   "the command line after --.\n",
				   &cl, &cfg);
	if (status >= 0)
		return status;
	const char *cfg_path = cl.config;
	if (cfg.n_ports == 0) {
		log_msg(LOG_ERR, "%s: dataplane.ports: no ports configured; nothing to serve", cfg_path);
		return 1;
	}
	if (cfg.n_lcores > LT_MAX_WORKERS) {
		log_msg(LOG_ERR, "%s: dataplane.lcores: at most %d workers", cfg_path, LT_MAX_WORKERS);
		return 1;
	}

	char *eal_argv[LT_CFG_MAX_EAL_ARGS + 2 * LT_CFG_MAX_PORTS + 64];
	char eal_bufs[1024];
	int eal_argc = ealargs_build(&cfg, argc - cl.next, argv + cl.next, eal_argv,
				      (int)(sizeof(eal_argv) / sizeof(eal_argv[0])), eal_bufs,
				      sizeof(eal_bufs));
	if (eal_argc < 0) {
		log_msg(LOG_ERR, "too many EAL arguments");
		return 1;
	}
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		log_msg(LOG_ERR, "EAL init failed: %s", rte_strerror(rte_errno));
		return 1;
	}
	if (!tsc_invariant())
		log_msg(LOG_WARNING, "CPU does not report an invariant TSC; timestamps may drift between cores");

	struct lt_region *region;
	struct shm_geometry geo;
	struct shm_owner owner;
	int has_owner = region_owner(&cfg, &owner);
	if (has_owner < 0) {
		rte_eal_cleanup();
		return 1;
	}
	policy_geometry(&cfg, &geo);
	if (shm_attach(cfg.region_path, &geo, has_owner ? &owner : NULL, &region, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "shared region: %s", err);
		rte_eal_cleanup();
		return 1;
	}
	struct lt_region_hdr *hdr = shm_hdr(region);
	shm_proc_start(&hdr->dp);
	/* Our ends of the rings, as a dataplane killed mid-operation left them. */
	unsigned int stale = shm_ring_recover_producer(shm_punt_ring(region)) +
			     shm_ring_recover_consumer(shm_inject_ring(region));
	if (stale)
		log_msg(LOG_WARNING, "rings: %u slot(s) left half done by the previous dataplane, reclaimed",
			stale);
	log_msg(LOG_INFO, "attached region %s (dataplane epoch %llu, control epoch %llu)",
		cfg.region_path, (unsigned long long)hdr->dp.epoch,
		(unsigned long long)hdr->ctl.epoch);

	unsigned int n_workers = cfg.n_lcores;
	unsigned int mbufs = cfg.mbufs;
	struct rte_mempool *pool = rte_pktmbuf_pool_create("lt_mbufs", mbufs, MBUF_CACHE, 0,
							   RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (!pool) {
		log_msg(LOG_ERR, "mbuf pool of %u: %s", mbufs, rte_strerror(rte_errno));
		goto fail_region;
	}
	static struct dp_port ports[LT_MAX_PORTS];
	if (port_init_all(&cfg, n_workers, pool, ports) != 0)
		goto fail_region;

	/* Enforce control's last published policy if there is one (it may be
	 * newer than our file after a reload), else our own config's. */
	static struct lt_policy start_pol;
	uint32_t gen = policy_read(shm_policy(region), &start_pol);
	if (gen == 0)
		policy_from_config(&cfg, &start_pol);
	current_policy = policy_compile(&start_pol, gen, rte_get_tsc_hz(), err, sizeof(err));
	if (!current_policy) {
		log_msg(LOG_ERR, "policy: %s", err);
		goto fail_ports;
	}
	log_policy(current_policy);

	uint32_t entries = clientlog_entries_for(cfg.clientloglimit / n_workers);
	static struct worker_ctx workers[LT_MAX_WORKERS];
	worker_assign_queues(workers, n_workers, ports, cfg.n_ports);
	for (unsigned int i = 0; i < n_workers; i++) {
		struct worker_ctx *w = &workers[i];
		w->index = i;
		w->lcore = cfg.lcores[i];
		w->ports = ports;
		w->n_ports = cfg.n_ports;
		w->clock = shm_clock(region);
		w->stats = &shm_stats(region)->w[i];
		w->punt = shm_punt_ring(region);
		w->inject = shm_inject_ring(region);
		w->pool = pool;
		w->idle_sleep_us = cfg.idle_sleep_us;
		w->stop = &stop;
		w->policy = &current_policy;
		w->clog = shm_client_table(region, i);
		/* A restarted dataplane keeps its clients (and their limits). */
		if (w->clog->n_entries != entries)
			clientlog_init(w->clog, entries, rte_get_tsc_hz(),
				       tsc_read() ^ ((uint64_t)i << 32) ^ (uint64_t)getpid());
		else
			w->clog->tsc_hz = rte_get_tsc_hz();
		neigh_init(&w->neigh, (uint64_t)rte_get_tsc_hz());
		if (!rte_lcore_is_enabled(w->lcore)) {
			log_msg(LOG_ERR, "lcore %u is not available to EAL", w->lcore);
			goto fail_ports;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	port_publish(ports, cfg.n_ports, n_workers, shm_ports(region));
	/* EAL and the ports are up: every thread loses what DPDK never needs
	 * from now on; each worker narrows itself further as it starts. */
	seccomp_on = cfg.seccomp;
	if (!seccomp_on) {
		log_msg(LOG_WARNING, "seccomp = false: running without system-call filters");
	} else if (sandbox_apply(SANDBOX_DP_PROCESS, err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s", err);
		goto fail_policy;
	} else {
		log_msg(LOG_INFO, "seccomp: %s filter loaded; workers load %s",
			sandbox_profile_name(SANDBOX_DP_PROCESS), sandbox_profile_name(SANDBOX_DP_WORKER));
	}
	for (unsigned int i = 0; i < n_workers; i++) {
		int rc = rte_eal_remote_launch(worker_entry, &workers[i], workers[i].lcore);
		if (rc != 0) {
			log_msg(LOG_ERR, "launch on lcore %u: %s", workers[i].lcore, rte_strerror(-rc));
			stop = 1;
			break;
		}
		log_msg(LOG_INFO, "worker %u on lcore %u polls %u queue(s)", i, workers[i].lcore,
			workers[i].n_rxq);
	}
	log_msg(LOG_INFO, "serving on %u port(s)", cfg.n_ports);

	unsigned int tick = 0;
	while (!stop) {
		rte_delay_us_sleep(TICK_US);
		policy_tick(shm_policy(region), workers, n_workers);
		if (++tick % HOUSEKEEPING_TICKS)
			continue;
		shm_proc_beat(&hdr->dp, tsc_read());
		port_publish(ports, cfg.n_ports, n_workers, shm_ports(region));
		if (shm_replaced(region)) {
			/* Only an incompatible upgrade of control replaces the region;
			 * a clean restart attaches the new one. */
			log_msg(LOG_ERR, "region %s was replaced by another process; exiting to re-attach",
				cfg.region_path);
			exit_code = 1;
			stop = 1;
		}
	}
	if (worker_failed)
		exit_code = 1;
	log_msg(LOG_INFO, "stopping");
	rte_eal_mp_wait_lcore();
	policy_free(retired_policy);
	policy_free(current_policy);
	port_fini_all(ports, cfg.n_ports);
	shm_detach(region);
	config_free(&cfg);
	rte_eal_cleanup();
	return exit_code;

fail_policy:
	policy_free(current_policy);
fail_ports:
	port_fini_all(ports, cfg.n_ports);
fail_region:
	shm_detach(region);
	config_free(&cfg);
	rte_eal_cleanup();
	return 1;
}
