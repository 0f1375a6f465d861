/* Tests for shm (region create/attach/validate, rings by value) and seqlock. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "shm.h"
#include "suites.h"

static char path[128];
static const struct shm_geometry geo = {.client_tables = 2, .client_table_bytes = 10000};

static void setup(void)
{
	snprintf(path, sizeof(path), "/tmp/lt-test-region.%ld", (long)getpid());
	unlink(path);
}

static void teardown(void)
{
	char lock[160];

	unlink(path);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	unlink(lock);
}

START_TEST(create_then_attach)
{
	struct lt_region *a, *b;
	char err[256];

	ck_assert_int_eq(shm_attach_existing(path, &geo, &a, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(shm_attach_existing(path, &geo, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(shm_hdr(a)->magic, LT_REGION_MAGIC);
	ck_assert_uint_eq(shm_hdr(a)->abi, LT_REGION_ABI);
	ck_assert_uint_eq(shm_hdr(a)->size, shm_region_size(&geo));
	/* Both mappings see the same memory. */
	shm_stats(a)->w[3].ctr[1][LT_CTR_ntp_replies] = 12345;
	ck_assert_uint_eq(shm_stats(b)->w[3].ctr[1][LT_CTR_ntp_replies], 12345);
	ck_assert_int_eq(shm_replaced(b), 0);
	shm_detach(a);
	shm_detach(b);
}
END_TEST

static void expect_file(const char *p, uid_t uid, gid_t gid)
{
	struct stat st;

	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_msg((st.st_mode & 07777) == 0600, "%s: mode %o, want 0600", p, st.st_mode & 07777);
	ck_assert_uint_eq(st.st_uid, uid);
	ck_assert_uint_eq(st.st_gid, gid);
}

/* With an owner, the region and its lock are that user's, mode 0600:
 * linetimed re-attaches as its user to a region the dataplane (root) made. */
START_TEST(owner_of_region_files)
{
	struct shm_owner me = {.uid = getuid(), .gid = getgid()};
	struct shm_owner nobody = {.uid = 65534, .gid = 65534};
	struct lt_region *a;
	char err[256], lock[160];

	snprintf(lock, sizeof(lock), "%s.lock", path);
	ck_assert_msg(shm_attach(path, &geo, &me, &a, err, sizeof(err)) == 0, "%s", err);
	shm_detach(a);
	expect_file(path, me.uid, me.gid);
	expect_file(lock, me.uid, me.gid);
	if (geteuid() != 0)
		return; /* giving files away needs root; make check runs this as root */
	/* Made by root without an owner, then given to the user on attach. */
	teardown();
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	shm_detach(a);
	expect_file(path, 0, 0);
	ck_assert_msg(shm_attach(path, &geo, &nobody, &a, err, sizeof(err)) == 0, "%s", err);
	shm_detach(a);
	expect_file(path, nobody.uid, nobody.gid);
	expect_file(lock, nobody.uid, nobody.gid);
	/* A region of a third user is not taken over. */
	struct shm_owner other = {.uid = 65533, .gid = 65533};
	ck_assert_int_eq(shm_attach(path, &geo, &other, &a, err, sizeof(err)), -EPERM);
	ck_assert_ptr_nonnull(strstr(err, "owned by uid 65534"));
	/* Replaced because incompatible: the new one is the owner's from the start. */
	struct shm_geometry bigger = {.client_tables = 3, .client_table_bytes = 10000};
	ck_assert_msg(shm_attach(path, &bigger, &nobody, &a, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(shm_hdr(a)->client_tables, 3);
	shm_detach(a);
	expect_file(path, nobody.uid, nobody.gid);
}
END_TEST

START_TEST(reattach_keeps_state)
{
	struct lt_region *a;
	char err[256];

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	shm_proc_start(&shm_hdr(a)->dp);
	shm_stats(a)->w[0].ctr[0][LT_CTR_rx_frames] = 77;
	shm_detach(a);
	/* A restarted process attaches and finds counters and epochs. */
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	ck_assert_uint_eq(shm_stats(a)->w[0].ctr[0][LT_CTR_rx_frames], 77);
	shm_proc_start(&shm_hdr(a)->dp);
	ck_assert_uint_eq(shm_hdr(a)->dp.epoch, 2);
	ck_assert_uint_eq(shm_hdr(a)->dp.pid, (uint64_t)getpid());
	shm_detach(a);
}
END_TEST

static void corrupt(size_t off, const void *v, size_t n)
{
	FILE *f = fopen(path, "r+b");
	ck_assert_ptr_nonnull(f);
	fseek(f, (long)off, SEEK_SET);
	fwrite(v, 1, n, f);
	fclose(f);
}

START_TEST(version_mismatch_rejected_then_replaced)
{
	struct lt_region *a, *b;
	char err[256];
	uint32_t abi = LT_REGION_ABI + 1;

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	shm_detach(a);
	corrupt(offsetof(struct lt_region_hdr, abi), &abi, sizeof(abi));
	ck_assert_int_eq(shm_attach_existing(path, &geo, &b, err, sizeof(err)), -EPROTO);
	ck_assert_ptr_nonnull(strstr(err, "incompatible"));
	/* shm_attach replaces an incompatible region with a fresh one. */
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(shm_hdr(b)->abi, LT_REGION_ABI);
	shm_detach(b);
}
END_TEST

START_TEST(bad_magic_and_short_file)
{
	struct lt_region *a;
	char err[256];
	uint64_t bad = 0x1122334455667788ULL;

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	shm_detach(a);
	corrupt(0, &bad, sizeof(bad));
	ck_assert_int_eq(shm_attach_existing(path, &geo, &a, err, sizeof(err)), -EPROTO);
	ck_assert_int_eq(truncate(path, 16), 0);
	ck_assert_int_eq(shm_attach_existing(path, &geo, &a, err, sizeof(err)), -EPROTO);
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	shm_detach(a);
}
END_TEST

START_TEST(replaced_detected)
{
	struct lt_region *a, *b;
	char err[256];
	uint32_t abi = 999;

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	corrupt(offsetof(struct lt_region_hdr, abi), &abi, sizeof(abi));
	ck_assert_int_eq(shm_attach(path, &geo, NULL, &b, err, sizeof(err)), 0);
	ck_assert_int_eq(shm_replaced(a), 1);
	ck_assert_int_eq(shm_replaced(b), 0);
	shm_detach(a);
	shm_detach(b);
}
END_TEST

START_TEST(client_tables_and_geometry)
{
	struct lt_region *a, *b;
	struct shm_geometry bigger = {.client_tables = 2, .client_table_bytes = 20000};
	char err[256];

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	uint8_t *t0 = shm_client_table(a, 0), *t1 = shm_client_table(a, 1);
	ck_assert_ptr_nonnull(t0);
	ck_assert_ptr_nonnull(t1);
	ck_assert_ptr_null(shm_client_table(a, 2));
	/* Page-aligned, non-overlapping, inside the mapping, zeroed. */
	ck_assert_uint_eq((uintptr_t)t0 % 4096, 0);
	ck_assert_uint_ge((size_t)(t1 - t0), geo.client_table_bytes);
	ck_assert_uint_le((size_t)(t1 + geo.client_table_bytes - (uint8_t *)shm_hdr(a)), shm_region_size(&geo));
	ck_assert_uint_eq(t1[geo.client_table_bytes - 1], 0);
	t1[geo.client_table_bytes - 1] = 9;
	/* Any geometry is accepted when the caller does not care... */
	ck_assert_int_eq(shm_attach_existing(path, NULL, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(((uint8_t *)shm_client_table(b, 1))[geo.client_table_bytes - 1], 9);
	shm_detach(b);
	/* ...but a different client log size is incompatible and is replaced. */
	ck_assert_int_eq(shm_attach_existing(path, &bigger, &b, err, sizeof(err)), -EPROTO);
	ck_assert_int_eq(shm_attach(path, &bigger, NULL, &b, err, sizeof(err)), 0);
	ck_assert_uint_eq(shm_hdr(b)->client_table_bytes, 20000);
	ck_assert_int_eq(shm_replaced(a), 1);
	shm_detach(a);
	shm_detach(b);
}
END_TEST

START_TEST(rings_carry_messages_by_value)
{
	struct lt_region *a, *b;
	char err[256];
	struct lt_msg in, out;

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(shm_attach_existing(path, &geo, &b, err, sizeof(err)), 0);
	/* Two mappings at different addresses: nothing in the ring is a pointer. */
	ck_assert_ptr_ne(shm_punt_ring(a), shm_punt_ring(b));
	for (unsigned int i = 0; i < LT_PUNT_RING_SIZE - 1; i++) {
		memset(&in, 0, sizeof(in));
		in.type = LT_MSG_PUNT_UDP;
		in.len = (uint16_t)(i % LT_MSG_PAYLOAD_MAX);
		in.cookie = i;
		in.payload[0] = (uint8_t)i;
		ck_assert_int_eq(rte_ring_mp_enqueue_elem(shm_punt_ring(a), &in, sizeof(in)), 0);
	}
	/* Full: the producer is refused, never blocked. */
	ck_assert_int_eq(rte_ring_mp_enqueue_elem(shm_punt_ring(a), &in, sizeof(in)), -ENOBUFS);
	for (unsigned int i = 0; i < LT_PUNT_RING_SIZE - 1; i++) {
		ck_assert_int_eq(rte_ring_sc_dequeue_elem(shm_punt_ring(b), &out, sizeof(out)), 0);
		ck_assert_uint_eq(out.cookie, i);
		ck_assert_uint_eq(out.payload[0], (uint8_t)i);
	}
	ck_assert_int_eq(rte_ring_sc_dequeue_elem(shm_punt_ring(b), &out, sizeof(out)), -ENOENT);
	/* Inject ring, the other way. */
	in.type = LT_MSG_INJECT_UDP;
	in.cookie = 42;
	ck_assert_int_eq(rte_ring_sp_enqueue_elem(shm_inject_ring(b), &in, sizeof(in)), 0);
	ck_assert_int_eq(rte_ring_mc_dequeue_elem(shm_inject_ring(a), &out, sizeof(out)), 0);
	ck_assert_uint_eq(out.cookie, 42);
	shm_detach(a);
	shm_detach(b);
}
END_TEST

/* Seqlock under contention: a writer process publishes snapshots whose
 * fields are all equal; readers must never see a mixed one. */
START_TEST(seqlock_no_torn_reads)
{
	struct lt_region *a;
	char err[256];

	ck_assert_int_eq(shm_attach(path, &geo, NULL, &a, err, sizeof(err)), 0);
	struct lt_clock_block *b = shm_clock(a);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct lt_clock_snapshot s;
		for (uint64_t v = 1; v <= 200000; v++) {
			memset(&s, 0, sizeof(s));
			s.tsc.base_counter = v;
			s.tsc.base_ntp = v;
			s.tsc.mult = v;
			s.p.holdover_deadline_tsc = v;
			s.nic[LT_MAX_PORTS - 1].mult = v;
			shm_clock_publish(b, &s);
		}
		_exit(0);
	}
	unsigned long reads = 0;
	int status;
	for (;;) {
		struct lt_clock_snapshot s;
		shm_clock_read(b, &s);
		ck_assert_uint_eq(s.tsc.base_ntp, s.tsc.base_counter);
		ck_assert_uint_eq(s.tsc.mult, s.tsc.base_counter);
		ck_assert_uint_eq(s.p.holdover_deadline_tsc, s.tsc.base_counter);
		ck_assert_uint_eq(s.nic[LT_MAX_PORTS - 1].mult, s.tsc.base_counter);
		reads++;
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
	}
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_uint_eq(b->generation, 200000);
	ck_assert_uint_gt(reads, 0);
	shm_detach(a);
}
END_TEST

START_TEST(seqlock_sequence_parity)
{
	seqlock_t s = {0};

	ck_assert_uint_eq(seqlock_read_begin(&s), 0);
	seqlock_write_begin(&s);
	ck_assert_uint_eq(s.seq & 1, 1);
	seqlock_write_end(&s);
	ck_assert_uint_eq(s.seq, 2);
	uint32_t r = seqlock_read_begin(&s);
	ck_assert_int_eq(seqlock_read_retry(&s, r), 0);
	seqlock_write_begin(&s);
	seqlock_write_end(&s);
	ck_assert_int_ne(seqlock_read_retry(&s, r), 0);
}
END_TEST

/* --- a process killed inside a ring operation ----------------------------- */

/* A ring like the region's (flags as in shm.c), of 8 small elements. */
static struct rte_ring *small_ring(unsigned int flags)
{
	ssize_t sz = rte_ring_get_memsize_elem(sizeof(uint64_t), 8);
	struct rte_ring *r;

	ck_assert_int_gt(sz, 0);
	r = aligned_alloc(64, ((size_t)sz + 63) & ~(size_t)63);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(rte_ring_init(r, "t", 8, flags), 0);
	return r;
}

/* A producer (a dataplane worker on the punt ring) killed between moving
 * the head and the tail: without recovery the next multi-producer enqueue
 * waits for ever; with it, the unfinished enqueue is simply gone. */
START_TEST(ring_producer_killed_mid_enqueue)
{
	struct rte_ring *r = small_ring(RING_F_SC_DEQ);
	uint64_t v = 1, out[4];

	ck_assert_int_eq(rte_ring_mp_enqueue_elem(r, &v, sizeof(v)), 0);
	ck_assert_uint_eq(shm_ring_recover_producer(r), 0);   /* consistent: untouched */
	/* The dead producer's half: head claimed two slots, tail never followed. */
	r->prod.head += 2;
	ck_assert_uint_eq(shm_ring_recover_producer(r), 2);
	ck_assert_uint_eq(r->prod.head, r->prod.tail);
	/* The restarted producer's enqueue completes (it would spin before). */
	v = 2;
	ck_assert_int_eq(rte_ring_mp_enqueue_elem(r, &v, sizeof(v)), 0);
	ck_assert_uint_eq(rte_ring_sc_dequeue_burst_elem(r, out, sizeof(out[0]), 4, NULL), 2);
	ck_assert_uint_eq(out[0], 1);
	ck_assert_uint_eq(out[1], 2);
	free(r);
}
END_TEST

/* A consumer (a dataplane worker on the inject ring) killed mid-dequeue:
 * the slots it claimed count as consumed, nothing is handed out twice, and
 * the next multi-consumer dequeue does not wait for the dead one. */
START_TEST(ring_consumer_killed_mid_dequeue)
{
	struct rte_ring *r = small_ring(RING_F_SP_ENQ);
	uint64_t v[3] = {10, 11, 12}, out[4];

	ck_assert_uint_eq(rte_ring_sp_enqueue_bulk_elem(r, v, sizeof(v[0]), 3, NULL), 3);
	ck_assert_uint_eq(shm_ring_recover_consumer(r), 0);
	r->cons.head += 1;      /* claimed 10, died before the tail */
	ck_assert_uint_eq(shm_ring_recover_consumer(r), 1);
	ck_assert_uint_eq(r->cons.head, r->cons.tail);
	ck_assert_uint_eq(rte_ring_mc_dequeue_burst_elem(r, out, sizeof(out[0]), 4, NULL), 2);
	ck_assert_uint_eq(out[0], 11);
	ck_assert_uint_eq(out[1], 12);
	/* and the slot it claimed is free again */
	ck_assert_uint_eq(rte_ring_free_count(r), rte_ring_get_capacity(r));
	free(r);
}
END_TEST

/* Control (the single producer of the inject ring) killed mid-enqueue: a
 * new control's single-producer enqueue must not publish the slot the dead
 * one never finished. */
START_TEST(ring_single_producer_killed)
{
	struct rte_ring *r = small_ring(RING_F_SP_ENQ);
	uint64_t v = 7, out[4];

	r->prod.head += 1;      /* half-written slot */
	ck_assert_uint_eq(shm_ring_recover_producer(r), 1);
	ck_assert_int_eq(rte_ring_sp_enqueue_elem(r, &v, sizeof(v)), 0);
	ck_assert_uint_eq(rte_ring_mc_dequeue_burst_elem(r, out, sizeof(out[0]), 4, NULL), 1);
	ck_assert_uint_eq(out[0], 7);
	free(r);
}
END_TEST

Suite *shm_suite(void)
{
	Suite *s = suite_create("shm");
	TCase *tc = tcase_create("region");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_then_attach);
	tcase_add_test(tc, owner_of_region_files);
	tcase_add_test(tc, reattach_keeps_state);
	tcase_add_test(tc, version_mismatch_rejected_then_replaced);
	tcase_add_test(tc, bad_magic_and_short_file);
	tcase_add_test(tc, replaced_detected);
	tcase_add_test(tc, client_tables_and_geometry);
	tcase_add_test(tc, rings_carry_messages_by_value);
	tcase_add_test(tc, seqlock_no_torn_reads);
	tcase_add_test(tc, seqlock_sequence_parity);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("recovery");
	tcase_add_test(tc, ring_producer_killed_mid_enqueue);
	tcase_add_test(tc, ring_consumer_killed_mid_dequeue);
	tcase_add_test(tc, ring_single_producer_killed);
	suite_add_tcase(s, tc);
	return s;
}
