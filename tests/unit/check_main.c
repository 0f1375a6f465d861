/* Unit-test runner: every module's Check suite in one SRunner. */
#include <stdlib.h>

#include "suites.h"

const char *test_captures_dir(void)
{
	const char *d = getenv("LT_CAPTURES_DIR");
	return d ? d : "tests/data/captures";
}

int main(void)
{
	SRunner *sr = srunner_create(NULL);
#define LT_SUITE_ADD(name) srunner_add_suite(sr, name##_suite());
	LT_SUITES(LT_SUITE_ADD)
#undef LT_SUITE_ADD
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
