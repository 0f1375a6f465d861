# linetime: one non-recursive Makefile with explicit source lists.
#
#   make            build linetime-dp, linetimed, linetimectl
#   make check      install deps, build, run unit (plain + ASan/UBSan) and integration tests
#   make demo       install deps, bring up the lab, query it with real clients, stay up
#   make unit       unit tests only (no root needed)
#   make fuzz       libFuzzer harnesses, FUZZ_SECONDS (60) each (clang; docs/HARDENING.md)
#   make fuzz-smoke every harness briefly (under a minute in all; part of check)
#   make docs-check the man pages against the code (no root needed)

CC      ?= cc
BUILD   := build
PKGS    := libdpdk libconfig json-c
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
           -Wno-address-of-packed-member
CSTD    := -std=gnu11
OPT     ?= -O2 -g
INCS    := -Iproto -Iplatform -Idataplane -Icontrol -Itools/board
DPDK_CFLAGS := $(shell pkg-config --cflags libdpdk 2>/dev/null)
DPDK_LIBS   := $(shell pkg-config --libs libdpdk 2>/dev/null)
CFG_CFLAGS  := $(shell pkg-config --cflags libconfig json-c nettle 2>/dev/null)
CFG_LIBS    := $(shell pkg-config --libs libconfig json-c nettle 2>/dev/null)
CHECK_LIBS  := $(shell pkg-config --libs check 2>/dev/null)
MHD_LIBS    := $(shell pkg-config --libs libmicrohttpd 2>/dev/null)
# Privilege drop and seccomp (docs/HARDENING.md): the two daemons and the unit tests.
SANDBOX_LIBS := $(shell pkg-config --libs libseccomp libcap 2>/dev/null)
# DPDK's headers want at least SSE4.2 on x86; keep to what the N100 has.
ARCH    := -march=x86-64-v2
VERSION ?= 0.1.0
CFLAGS_ALL = $(CSTD) $(OPT) $(ARCH) $(WARN) $(INCS) $(DPDK_CFLAGS) $(CFG_CFLAGS) -D_GNU_SOURCE \
             -DLT_VERSION=\"$(VERSION)\"
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# --- sources, by what they are -------------------------------------------
PROTO_SRCS    := proto/ntp_time.c proto/ntp_packet.c proto/ntp_mac.c proto/inet.c proto/admin_proto.c \
                 proto/signd_frame.c proto/md5.c
PLATFORM_SRCS := platform/counters.c platform/config.c platform/log.c platform/tsc.c platform/cmdline.c \
                 platform/sbuf.c platform/ealargs.c \
                 platform/clockmap.c platform/shm.c
SANDBOX_SRCS  := platform/privdrop.c platform/sandbox.c
DPLOGIC_SRCS  := dataplane/pktproc.c dataplane/neigh.c dataplane/inject.c dataplane/tstamp.c dataplane/keytab.c \
                 dataplane/acl.c dataplane/clientlog.c dataplane/policy.c
DPDPDK_SRCS   := dataplane/dp_main.c dataplane/port.c dataplane/worker.c
SYNC_SRCS     := control/srcfilter.c control/srcselect.c control/discipline.c control/clockmodel.c \
                 control/ntpclient.c control/sources.c control/sync.c control/synclog.c \
                 control/sysclock.c control/leapdb.c
CTL_SRCS      := control/linetimed.c control/localclock.c control/admin.c control/report.c \
                 control/keyfile.c control/authkeys.c \
                 control/punt.c control/clients.c control/signd.c control/mssntp.c \
                 control/health.c $(SYNC_SRCS) control/syncreport.c control/upstream.c \
                 control/metrics.c control/httpmetrics.c \
                 dataplane/policy.c dataplane/keytab.c dataplane/acl.c dataplane/clientlog.c dataplane/tstamp.c
CTLTOOL_SRCS  := tools/linetimectl.c
GENLOGIC_SRCS := tools/gen/genreq.c tools/gen/genval.c tools/gen/genstats.c tools/gen/genrate.c
GENDPDK_SRCS  := tools/gen/gen_main.c tools/gen/gen_port.c
PKTBENCH_SRCS := tools/bench/pktbench.c
IMPORT_SRCS   := tools/import_chrony/chronyconf.c tools/import_chrony/import.c
BOARDLIB_SRCS := tools/board/board.c

UNIT_SRCS     := tests/unit/check_main.c tests/unit/test_ntp_time.c tests/unit/test_ntp_packet.c \
                 tests/unit/test_pktproc.c tests/unit/test_neigh.c tests/unit/test_inject.c \
                 tests/unit/test_config.c tests/unit/test_admin_proto.c tests/unit/test_shm.c \
                 tests/unit/test_clockmap.c tests/unit/test_tstamp.c tests/unit/test_report.c \
                 tests/unit/test_acl.c tests/unit/test_clientlog.c tests/unit/test_gen.c \
                 tests/unit/test_signd.c tests/unit/test_mssntp.c tests/unit/test_health.c \
                 tests/unit/test_discipline.c tests/unit/test_synclog.c tests/unit/simclock.c \
                 tests/unit/pcap_read.c tests/unit/testutil.c tests/unit/test_sysclock.c \
                 tests/unit/test_leapdb.c tests/unit/test_ntpclient.c tests/unit/test_sources.c \
                 tests/unit/test_clockmodel.c tests/unit/test_sync.c tests/unit/test_import_chrony.c \
                 tests/unit/test_metrics.c tests/unit/test_sandbox.c tests/unit/test_auth.c \
                 tests/unit/test_board.c

COMMON_SRCS := $(PROTO_SRCS) $(PLATFORM_SRCS)
DP_SRCS     := $(COMMON_SRCS) $(SANDBOX_SRCS) $(DPLOGIC_SRCS) $(DPDPDK_SRCS)
CTLD_SRCS   := $(COMMON_SRCS) $(SANDBOX_SRCS) $(CTL_SRCS)
CTLCLI_SRCS := $(COMMON_SRCS) $(CTLTOOL_SRCS)
TEST_SRCS   := $(COMMON_SRCS) $(SANDBOX_SRCS) $(DPLOGIC_SRCS) control/report.c control/localclock.c \
               control/clients.c $(SYNC_SRCS) control/syncreport.c \
               control/signd.c control/mssntp.c control/health.c control/metrics.c control/keyfile.c control/authkeys.c \
               $(GENLOGIC_SRCS) $(IMPORT_SRCS) $(BOARDLIB_SRCS) $(UNIT_SRCS)
GEN_SRCS    := $(COMMON_SRCS) $(GENLOGIC_SRCS) $(GENDPDK_SRCS)
PKTB_SRCS   := $(COMMON_SRCS) $(DPLOGIC_SRCS) tools/gen/genreq.c $(PKTBENCH_SRCS)
IMPB_SRCS   := $(COMMON_SRCS) $(IMPORT_SRCS) tools/import_chrony/import_main.c
BOARD_SRCS  := $(COMMON_SRCS) $(BOARDLIB_SRCS) tools/board/board_main.c

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

BINS := $(BUILD)/linetime-dp $(BUILD)/linetimed $(BUILD)/linetimectl $(BUILD)/linetime-gen \
        $(BUILD)/pktbench $(BUILD)/linetime-import-chrony $(BUILD)/linetime-board

.PHONY: all check unit unit-asan integration docs-check demo deps clean install bench bench-signd
.PHONY: deb package-check image image-test
.PHONY: fuzz fuzz-smoke fuzz-build
all: $(BINS)

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/asan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) $(SAN) -O1 -MMD -MP -c $< -o $@

$(BUILD)/linetime-dp: $(call obj,rel,$(DP_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) $(SANDBOX_LIBS) -lm
$(BUILD)/linetimed: $(call obj,rel,$(CTLD_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) $(MHD_LIBS) $(SANDBOX_LIBS) -lm
$(BUILD)/linetimectl: $(call obj,rel,$(CTLCLI_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm
$(BUILD)/linetime-gen: $(call obj,rel,$(GEN_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm
$(BUILD)/pktbench: $(call obj,rel,$(PKTB_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm
$(BUILD)/linetime-import-chrony: $(call obj,rel,$(IMPB_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm
$(BUILD)/linetime-board: $(call obj,rel,$(BOARD_SRCS))
	$(CC) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm
$(BUILD)/unit-tests: $(call obj,rel,$(TEST_SRCS))
	$(CC) $^ -o $@ $(CHECK_LIBS) $(DPDK_LIBS) $(CFG_LIBS) $(SANDBOX_LIBS) -lm
$(BUILD)/unit-tests-asan: $(call obj,asan,$(TEST_SRCS))
	$(CC) $(SAN) $^ -o $@ $(CHECK_LIBS) $(DPDK_LIBS) $(CFG_LIBS) $(SANDBOX_LIBS) -lm

# The daemons and CLI with ASan/UBSan, for the integration tests (same
# objects as unit-tests-asan; tests/integration/run.sh sets the options).
# The runtimes are linked statically: gcc's shared libasan and libubsan
# interpose each other's report-path setter, and UBSan then ignores
# log_path and writes to stderr, where the harness would not see it.
SAN_BINS := $(BUILD)/asan/linetime-dp $(BUILD)/asan/linetimed $(BUILD)/asan/linetimectl
SAN_LINK := $(SAN) -static-libasan -static-libubsan
$(BUILD)/asan/linetime-dp: $(call obj,asan,$(DP_SRCS))
	$(CC) $(SAN_LINK) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) $(SANDBOX_LIBS) -lm
$(BUILD)/asan/linetimed: $(call obj,asan,$(CTLD_SRCS))
	$(CC) $(SAN_LINK) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) $(MHD_LIBS) $(SANDBOX_LIBS) -lm
$(BUILD)/asan/linetimectl: $(call obj,asan,$(CTLCLI_SRCS))
	$(CC) $(SAN_LINK) $^ -o $@ $(DPDK_LIBS) $(CFG_LIBS) -lm

deps:
	scripts/deps.sh

unit: $(BUILD)/unit-tests
	CK_DEFAULT_TIMEOUT=30 $(BUILD)/unit-tests

unit-asan: $(BUILD)/unit-tests-asan
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 CK_FORK=no \
	  CK_DEFAULT_TIMEOUT=60 $(BUILD)/unit-tests-asan

# --- fuzzing: libFuzzer harnesses in tests/fuzz (docs/HARDENING.md) -----
# clang with -fsanitize=fuzzer,address,undefined. Only plain-C sources go
# in (no DPDK header, no shm.c, no log.c: the harnesses bring a silent
# log_msg), archived so each harness links just the modules it calls.
FUZZ_CC       ?= clang
FUZZ_SECONDS  ?= 60
FUZZ_SMOKE_SECONDS ?= 6
FUZZ_HARNESSES := pktproc config admin_proto admin_server signd ntpclient import_chrony
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_CFLAGS    = $(CSTD) -O1 -g $(ARCH) $(WARN) $(INCS) -Itools/import_chrony -Itests/fuzz \
                 $(CFG_CFLAGS) -D_GNU_SOURCE -DLT_VERSION=\"$(VERSION)\" $(FUZZ_SAN) \
                 -fsanitize=fuzzer-no-link
FUZZ_LIB_SRCS := $(filter-out platform/shm.c platform/log.c,$(COMMON_SRCS)) $(DPLOGIC_SRCS) \
                 $(SYNC_SRCS) control/signd.c control/mssntp.c control/admin.c $(IMPORT_SRCS)
FUZZ_BINS     := $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZ_HARNESSES))

.PRECIOUS: $(BUILD)/fuzz/obj/%.o
$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/fuzz/liblt.a: $(call obj,fuzz/obj,$(FUZZ_LIB_SRCS))
	rm -f $@ && ar rcs $@ $^
$(BUILD)/fuzz/fuzz_%: $(BUILD)/fuzz/obj/tests/fuzz/fuzz_%.o $(BUILD)/fuzz/obj/tests/fuzz/fuzz_common.o \
                      $(BUILD)/fuzz/liblt.a
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer $^ -o $@ $(CFG_LIBS) -lm

fuzz-build: $(FUZZ_BINS)

# fuzz: each harness FUZZ_SECONDS on a copy of its seed corpus, one at a time.
fuzz: $(FUZZ_BINS)
	tests/fuzz/run.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_HARNESSES)

# fuzz-smoke: every harness FUZZ_SMOKE_SECONDS; fails on any finding.
fuzz-smoke: $(FUZZ_BINS)
	tests/fuzz/run.sh --smoke $(BUILD)/fuzz $(FUZZ_SMOKE_SECONDS) $(FUZZ_HARNESSES)

# integration: the daemons run as their ASan/UBSan builds (LT_SAN=1, see
# tests/integration/run.sh); `make integration LT_SAN=0` runs the optimised ones.
LT_SAN ?= 1
integration: $(BINS) $(SAN_BINS)
	LT_SAN=$(LT_SAN) tests/integration/run.sh

# docs-check: the man pages against the code, no root or lab (also run by integration).
docs-check: $(BUILD)/linetimectl $(BUILD)/linetimed
	tests/integration/t07_docs.sh

# check: deps first (a fresh machine needs nothing else), then every test.
check:
	scripts/deps.sh
	$(MAKE) all $(BUILD)/unit-tests $(BUILD)/unit-tests-asan $(SAN_BINS)
	$(MAKE) unit
	$(MAKE) unit-asan
	$(MAKE) package-check
	$(MAKE) fuzz-smoke
	$(MAKE) integration

# bench: root, bounded (a few minutes); prints one table, writes docs/BENCHMARKS.md figures.
bench:
	scripts/deps.sh
	$(MAKE) all
	scripts/bench.sh

# bench-signd: root, about a minute; the MS-SNTP signed path through a real Samba.
bench-signd:
	scripts/deps.sh
	$(MAKE) all
	scripts/bench-signd.sh

demo:
	scripts/deps.sh
	$(MAKE) all
	scripts/demo.sh

# install: everything the .deb holds (scripts/build-deb.sh stages it with DESTDIR).
BOARDS  := lab n100-i226 virtio-vm
UNITS   := dist/systemd/linetimed.service dist/systemd/linetime-dp.service \
           dist/systemd/linetime-setup.service dist/systemd/linetime-firstboot.service \
           dist/systemd/mnt-huge.mount
install: $(BINS)
	install -d $(DESTDIR)/usr/sbin $(DESTDIR)/usr/bin $(DESTDIR)/etc/linetime
	install -m 0755 $(BUILD)/linetime-dp $(BUILD)/linetimed $(DESTDIR)/usr/sbin/
	install -m 0755 $(BUILD)/linetimectl $(BUILD)/linetime-gen $(BUILD)/linetime-import-chrony \
	  $(BUILD)/linetime-board $(DESTDIR)/usr/bin/
	install -d $(DESTDIR)/usr/share/man/man1 $(DESTDIR)/usr/share/man/man5 $(DESTDIR)/usr/share/man/man8
	install -m 0644 docs/man/*.1 $(DESTDIR)/usr/share/man/man1/
	install -m 0644 docs/man/*.5 $(DESTDIR)/usr/share/man/man5/
	install -m 0644 docs/man/*.8 $(DESTDIR)/usr/share/man/man8/
	install -d $(DESTDIR)/usr/lib/systemd/system $(DESTDIR)/usr/lib/sysusers.d \
	  $(DESTDIR)/usr/lib/tmpfiles.d $(DESTDIR)/usr/lib/linetime $(DESTDIR)/etc/logrotate.d \
	  $(DESTDIR)/etc/default $(DESTDIR)/usr/share/doc/linetime
	install -m 0644 $(UNITS) $(DESTDIR)/usr/lib/systemd/system/
	install -m 0644 dist/sysusers.conf $(DESTDIR)/usr/lib/sysusers.d/linetime.conf
	install -m 0644 dist/tmpfiles.conf $(DESTDIR)/usr/lib/tmpfiles.d/linetime.conf
	install -m 0755 dist/linetime-setup $(DESTDIR)/usr/lib/linetime/linetime-setup
	install -m 0644 dist/logrotate $(DESTDIR)/etc/logrotate.d/linetime
	install -m 0644 dist/default $(DESTDIR)/etc/default/linetime
	install -m 0644 dist/firewall.nft $(DESTDIR)/etc/linetime/firewall.nft
	install -m 0644 etc/linetime.conf.example README.md docs/DEPLOY.md docs/CONFIG.md \
	  docs/HARDENING.md $(DESTDIR)/usr/share/doc/linetime/
	for b in $(BOARDS); do \
	  install -d $(DESTDIR)/usr/share/linetime/boards/$$b && \
	  install -m 0644 board/$$b/board.conf board/$$b/linetime.conf \
	    $(DESTDIR)/usr/share/linetime/boards/$$b/ || exit 1; \
	done

# deb: build/linetime_VERSION_ARCH.deb from a staged install (scripts/build-deb.sh).
deb: $(BINS)
	scripts/build-deb.sh $(BUILD) $(VERSION)

# package-check: the .deb installs into and leaves a throwaway root; the units verify.
package-check: deb
	tests/package/run.sh $(BUILD) $(VERSION)

# image: a bootable trixie disk image (docs/DEPLOY.md); image-test boots it under qemu.
IMAGE_BOARD ?= virtio-vm
image:
	scripts/image-deps.sh
	scripts/build-image.sh --board $(IMAGE_BOARD) --out $(BUILD)/image

image-test: image
	scripts/image-test.sh $(BUILD)/image

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -path $(BUILD)/image -prune -o -name '*.d' -type f -print 2>/dev/null)
