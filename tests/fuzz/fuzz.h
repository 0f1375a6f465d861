/*
 * fuzz: what the libFuzzer harnesses under tests/fuzz share. Each harness
 * is one fuzz_NAME.c with LLVMFuzzerTestOneInput(); `make fuzz` and `make
 * fuzz-smoke` build and run them (docs/HARDENING.md).
 *
 * A harness checks the documented contract of its module, not only that
 * it does not crash: a broken promise is FUZZ_CHECK(), which prints why
 * and aborts, so libFuzzer saves the input like any sanitizer report.
 *
 * log_msg() is replaced here (platform/log.c is not linked): every message
 * is still formatted, so ASan sees bad arguments, but nothing is printed
 * unless FUZZ_LOG is set in the environment.
 */
#ifndef LT_FUZZ_H
#define LT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Whether FUZZ_LOG is set: harnesses then say what they saw, on stderr. */
int fuzz_verbose(void);

/* Abort with a message: the input broke a promise the module makes. */
void fuzz_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

#define FUZZ_CHECK(cond, ...)                                     \
	do {                                                      \
		if (!(cond))                                      \
			fuzz_fail(__FILE__, __LINE__, __VA_ARGS__); \
	} while (0)

/* The input as a stream of fields: a read past the end gives zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

uint8_t fuzz_u8(struct fuzz_in *in);
uint16_t fuzz_u16(struct fuzz_in *in);
uint32_t fuzz_u32(struct fuzz_in *in);
uint64_t fuzz_u64(struct fuzz_in *in);
/* Up to want bytes, pointing into the input; *got says how many. */
const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t want, size_t *got);

/* A NUL-terminated malloc'd copy of data[0..size). */
char *fuzz_strdup(const uint8_t *data, size_t size);

/* RFC 1071 Internet checksum, the slow obvious way (independent of
 * proto/inet.c): the folded one's complement sum, not yet inverted. */
uint32_t fuzz_sum(uint32_t sum, const uint8_t *p, size_t n);
uint16_t fuzz_fold(uint32_t sum);

/* A fresh directory under $TMPDIR (or /tmp) for this process, removed at
 * exit with what the harness left in it. */
const char *fuzz_tmpdir(void);

#endif
