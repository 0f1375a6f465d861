/* shm: creating, validating and mapping the shared region. */
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "log.h"

#define PAGE 4096UL
/* Rounded to 2 MiB so the file can live on hugetlbfs as well as tmpfs. */
#define REGION_ALIGN (2UL * 1024 * 1024)

struct lt_region {
	uint8_t *base;
	size_t size;
	dev_t dev;
	ino_t ino;
	char path[256];
};

struct layout {
	size_t off_clock, off_policy, off_stats, off_ports, off_punt, off_inject, off_clients;
	size_t client_stride, size;
};

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static void compute_layout(const struct shm_geometry *g, struct layout *l)
{
	size_t off = align_up(sizeof(struct lt_region_hdr), PAGE);

	l->off_clock = off;
	off = align_up(off + sizeof(struct lt_clock_block), PAGE);
	l->off_policy = off;
	off = align_up(off + sizeof(struct lt_policy_block), PAGE);
	l->off_stats = off;
	off = align_up(off + sizeof(struct lt_stats_block), PAGE);
	l->off_ports = off;
	off = align_up(off + sizeof(struct lt_ports_block), PAGE);
	l->off_punt = off;
	off = align_up(off + rte_ring_get_memsize_elem(sizeof(struct lt_msg), LT_PUNT_RING_SIZE), PAGE);
	l->off_inject = off;
	off = align_up(off + rte_ring_get_memsize_elem(sizeof(struct lt_msg), LT_INJECT_RING_SIZE),
		       PAGE);
	l->off_clients = off;
	l->client_stride = align_up(g->client_table_bytes, PAGE);
	off += l->client_stride * g->client_tables;
	l->size = align_up(off, REGION_ALIGN);
}

size_t shm_region_size(const struct shm_geometry *g)
{
	struct layout l;

	compute_layout(g, &l);
	return l.size;
}

int shm_validate(const struct lt_region_hdr *h, size_t mapped, const struct shm_geometry *want)
{
	struct shm_geometry have;
	struct layout l;

	if (mapped < sizeof(*h) || h->magic != LT_REGION_MAGIC || h->abi != LT_REGION_ABI)
		return -EPROTO;
	have.client_tables = h->client_tables;
	have.client_table_bytes = h->client_table_bytes;
	if (want && (want->client_tables != have.client_tables ||
		     want->client_table_bytes != have.client_table_bytes))
		return -EPROTO;
	compute_layout(&have, &l);
	if (
	    h->hdr_size != sizeof(*h) || h->size != l.size || mapped < l.size ||
	    h->msg_size != sizeof(struct lt_msg) || h->off_clock != l.off_clock ||
	    h->off_policy != l.off_policy || h->off_stats != l.off_stats ||
	    h->off_ports != l.off_ports || h->off_punt != l.off_punt ||
	    h->off_inject != l.off_inject || h->off_clients != l.off_clients ||
	    h->punt_count != LT_PUNT_RING_SIZE ||
	    h->inject_count != LT_INJECT_RING_SIZE || h->n_workers_max != LT_MAX_WORKERS)
		return -EPROTO;
	return 0;
}

static int map_fd(int fd, size_t size, uint8_t **base)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -errno;
	*base = p;
	return 0;
}

static int attach_fd(const char *path, int fd, const struct shm_geometry *g, struct lt_region **out,
		     char *err, size_t errlen)
{
	struct stat st;
	struct lt_region *r;
	int rc;

	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fstat: %s", path, strerror(-rc));
		return rc;
	}
	if ((size_t)st.st_size < sizeof(struct lt_region_hdr)) {
		snprintf(err, errlen, "%s: too small to be a linetime region", path);
		return -EPROTO;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	rc = map_fd(fd, (size_t)st.st_size, &r->base);
	if (rc) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(-rc));
		free(r);
		return rc;
	}
	r->size = (size_t)st.st_size;
	rc = shm_validate((struct lt_region_hdr *)r->base, r->size, g);
	if (rc) {
		const struct lt_region_hdr *h = (const void *)r->base;
		snprintf(err, errlen,
			 "%s: incompatible region (magic %#llx abi %u, %u client tables of %llu bytes; want abi %u%s)",
			 path, (unsigned long long)h->magic, h->abi, h->client_tables,
			 (unsigned long long)h->client_table_bytes, LT_REGION_ABI,
			 g ? " and the configured client log size" : "");
		munmap(r->base, r->size);
		free(r);
		return rc;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	snprintf(r->path, sizeof(r->path), "%s", path);
	*out = r;
	return 0;
}

int shm_attach_existing(const char *path, const struct shm_geometry *g, struct lt_region **out,
			char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = attach_fd(path, fd, g, out, err, errlen);
	close(fd);
	return rc;
}

static void init_region(uint8_t *base, const struct shm_geometry *g, const struct layout *l)
{
	struct lt_region_hdr *h = (struct lt_region_hdr *)base;

	memset(base, 0, l->size);
	h->abi = LT_REGION_ABI;
	h->hdr_size = sizeof(*h);
	h->size = l->size;
	h->created_unix = (uint64_t)time(NULL);
	h->off_clock = l->off_clock;
	h->off_policy = l->off_policy;
	h->off_stats = l->off_stats;
	h->off_ports = l->off_ports;
	h->off_punt = l->off_punt;
	h->off_inject = l->off_inject;
	h->off_clients = l->off_clients;
	h->client_tables = g->client_tables;
	h->client_table_bytes = g->client_table_bytes;
	h->punt_count = LT_PUNT_RING_SIZE;
	h->inject_count = LT_INJECT_RING_SIZE;
	h->msg_size = sizeof(struct lt_msg);
	h->n_workers_max = LT_MAX_WORKERS;
	/* Punt: every worker enqueues, control alone dequeues. Inject:
	 * control alone enqueues, any worker may dequeue. */
	rte_ring_init((struct rte_ring *)(base + l->off_punt), "lt_punt", LT_PUNT_RING_SIZE,
		      RING_F_SC_DEQ);
	rte_ring_init((struct rte_ring *)(base + l->off_inject), "lt_inject", LT_INJECT_RING_SIZE,
		      RING_F_SP_ENQ);
	/* The magic goes last: a region is valid only once fully built. */
	__atomic_store_n(&h->magic, LT_REGION_MAGIC, __ATOMIC_RELEASE);
}

/* Make the open file fd (path) owner's, unless someone else's already. */
static int give_to(const char *path, int fd, const struct shm_owner *o, char *err, size_t errlen)
{
	struct stat st;
	int rc;

	if (!o)
		return 0;
	if (fstat(fd, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: fstat: %s", path, strerror(-rc));
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		return -EINVAL;
	}
	if (st.st_uid == o->uid && st.st_gid == o->gid)
		return 0;
	if (st.st_uid != 0 && st.st_uid != o->uid) {
		snprintf(err, errlen, "%s: owned by uid %u, neither root nor the configured user (uid %u)",
			 path, (unsigned int)st.st_uid, (unsigned int)o->uid);
		return -EPERM;
	}
	if (fchown(fd, o->uid, o->gid) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: chown to %u:%u: %s", path, (unsigned int)o->uid,
			 (unsigned int)o->gid, strerror(-rc));
		return rc;
	}
	return 0;
}

/* An existing region file at path: give it to owner (an upgrade from a
 * region made before linetimed had a user). */
static int give_region(const char *path, const struct shm_owner *o, char *err, size_t errlen)
{
	int fd, rc;

	if (!o)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	rc = give_to(path, fd, o, err, errlen);
	close(fd);
	return rc;
}

/* The lock file, made if missing. Opened without O_CREAT when it exists:
 * with fs.protected_regular, even root may not O_CREAT-open another
 * user's file in a sticky directory such as /dev/shm. */
static int open_lock(const char *lockpath, char *err, size_t errlen)
{
	int fd = -1;

	for (int tries = 0; fd < 0 && tries < 3; tries++) {
		fd = open(lockpath, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			fd = open(lockpath, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0 && errno != ENOENT && errno != EEXIST)
			break;
	}
	if (fd < 0) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", lockpath, strerror(-rc));
		return rc;
	}
	return fd;
}

/* Build a new region under a temporary name and rename it into place. */
static int create_region(const char *path, const struct shm_geometry *g, const struct shm_owner *o,
			 char *err, size_t errlen)
{
	struct layout l;
	char tmp[300];
	uint8_t *base = NULL;
	int fd, rc;

	compute_layout(g, &l);
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: create: %s", tmp, strerror(-rc));
		return rc;
	}
	if (ftruncate(fd, (off_t)l.size) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: ftruncate %zu: %s", tmp, l.size, strerror(-rc));
		goto fail;
	}
	if ((rc = give_to(tmp, fd, o, err, errlen)))
		goto fail;
	rc = map_fd(fd, l.size, &base);
	if (rc) {
		snprintf(err, errlen, "%s: mmap: %s", tmp, strerror(-rc));
		goto fail;
	}
	init_region(base, g, &l);
	munmap(base, l.size);
	if (rename(tmp, path) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: rename: %s", path, strerror(-rc));
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return rc;
}

int shm_attach(const char *path, const struct shm_geometry *g, const struct shm_owner *owner,
	       struct lt_region **out, char *err, size_t errlen)
{
	char lockpath[300];
	int lockfd, rc;

	/* The lock serialises creation between the two processes starting at once. */
	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	lockfd = open_lock(lockpath, err, errlen);
	if (lockfd < 0)
		return lockfd;
	if ((rc = give_to(lockpath, lockfd, owner, err, errlen))) {
		close(lockfd);
		return rc;
	}
	while (flock(lockfd, LOCK_EX) != 0 && errno == EINTR)
		;
	rc = shm_attach_existing(path, g, out, err, errlen);
	if (rc == 0 && (rc = give_region(path, owner, err, errlen)) != 0) {
		shm_detach(*out);
		*out = NULL;
	} else if (rc == -ENOENT || rc == -EPROTO) {
		if (rc == -EPROTO)
			log_msg(LOG_WARNING, "%s; replacing it with a new region", err);
		rc = create_region(path, g, owner, err, errlen);
		if (rc == 0)
			rc = shm_attach_existing(path, g, out, err, errlen);
	}
	flock(lockfd, LOCK_UN);
	close(lockfd);
	return rc;
}

void shm_detach(struct lt_region *r)
{
	if (!r)
		return;
	munmap(r->base, r->size);
	free(r);
}

int shm_replaced(const struct lt_region *r)
{
	struct stat st;

	if (stat(r->path, &st) != 0)
		return 1;
	return st.st_dev != r->dev || st.st_ino != r->ino;
}

struct lt_region_hdr *shm_hdr(struct lt_region *r)
{
	return (struct lt_region_hdr *)r->base;
}

struct lt_clock_block *shm_clock(struct lt_region *r)
{
	return (struct lt_clock_block *)(r->base + shm_hdr(r)->off_clock);
}

struct lt_policy_block *shm_policy(struct lt_region *r)
{
	return (struct lt_policy_block *)(r->base + shm_hdr(r)->off_policy);
}

struct lt_stats_block *shm_stats(struct lt_region *r)
{
	return (struct lt_stats_block *)(r->base + shm_hdr(r)->off_stats);
}

struct lt_ports_block *shm_ports(struct lt_region *r)
{
	return (struct lt_ports_block *)(r->base + shm_hdr(r)->off_ports);
}

struct rte_ring *shm_punt_ring(struct lt_region *r)
{
	return (struct rte_ring *)(r->base + shm_hdr(r)->off_punt);
}

struct rte_ring *shm_inject_ring(struct lt_region *r)
{
	return (struct rte_ring *)(r->base + shm_hdr(r)->off_inject);
}

void *shm_client_table(struct lt_region *r, unsigned int i)
{
	struct lt_region_hdr *h = shm_hdr(r);

	if (i >= h->client_tables)
		return NULL;
	return r->base + h->off_clients + (size_t)i * align_up(h->client_table_bytes, PAGE);
}

const char *shm_path(const struct lt_region *r)
{
	return r->path;
}

void shm_clock_publish(struct lt_clock_block *b, const struct lt_clock_snapshot *s)
{
	seqlock_write_begin(&b->lock);
	seqlock_copy(&b->snap, s, sizeof(*s));
	b->generation++;
	seqlock_write_end(&b->lock);
}

void shm_clock_read(const struct lt_clock_block *b, struct lt_clock_snapshot *out)
{
	uint32_t seq;

	do {
		seq = seqlock_read_begin(&b->lock);
		seqlock_copy(out, &b->snap, sizeof(*out));
	} while (seqlock_read_retry(&b->lock, seq));
}

void shm_ports_read(const struct lt_ports_block *b, struct lt_ports_block *out)
{
	uint32_t seq;

	do {
		seq = seqlock_read_begin(&b->lock);
		seqlock_copy(out, b, sizeof(*out));
	} while (seqlock_read_retry(&b->lock, seq));
	if (out->n_ports > LT_MAX_PORTS)
		out->n_ports = LT_MAX_PORTS;
	if (out->n_workers > LT_MAX_WORKERS)
		out->n_workers = LT_MAX_WORKERS;
}

void shm_proc_start(struct lt_proc_info *p)
{
	__atomic_store_n(&p->pid, (uint64_t)getpid(), __ATOMIC_RELAXED);
	__atomic_store_n(&p->started_unix, (uint64_t)time(NULL), __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->epoch, 1, __ATOMIC_RELEASE);
}

void shm_proc_beat(struct lt_proc_info *p, uint64_t tsc)
{
	__atomic_store_n(&p->alive_tsc, tsc, __ATOMIC_RELAXED);
	__atomic_fetch_add(&p->heartbeat, 1, __ATOMIC_RELEASE);
}

/* Head back to tail: the enqueue in progress never happened. The consumer
 * only reads the producers' tail, so a live consumer is not disturbed. */
unsigned int shm_ring_recover_producer(struct rte_ring *r)
{
	uint32_t head = __atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);
	uint32_t tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);

	if (head == tail || (r->prod.sync_type != RTE_RING_SYNC_MT &&
			     r->prod.sync_type != RTE_RING_SYNC_ST))
		return 0;
	__atomic_store_n(&r->prod.head, tail, __ATOMIC_RELEASE);
	return head - tail;
}

/* Tail up to head: the slots the dead consumer claimed are free. The
 * producer only reads the consumers' tail, and sees more room. */
unsigned int shm_ring_recover_consumer(struct rte_ring *r)
{
	uint32_t head = __atomic_load_n(&r->cons.head, __ATOMIC_ACQUIRE);
	uint32_t tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);

	if (head == tail || (r->cons.sync_type != RTE_RING_SYNC_MT &&
			     r->cons.sync_type != RTE_RING_SYNC_ST))
		return 0;
	__atomic_store_n(&r->cons.tail, head, __ATOMIC_RELEASE);
	return head - tail;
}
