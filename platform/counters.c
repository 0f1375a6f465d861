/* counters: names, kinds and help texts of the dataplane counters. */
#include "counters.h"

#define LT_CTR_NAME(name, kind, help) #name,
#define LT_CTR_KIND(name, kind, help) #kind,
#define LT_CTR_HELP(name, kind, help) help,
static const char *const names[LT_CTR_MAX] = {LT_COUNTER_LIST(LT_CTR_NAME)};
static const char *const kinds[LT_CTR_MAX] = {LT_COUNTER_LIST(LT_CTR_KIND)};
static const char *const helps[LT_CTR_MAX] = {LT_COUNTER_LIST(LT_CTR_HELP)};

const char *counters_name(unsigned int id)
{
	return id < LT_CTR_MAX ? names[id] : "unknown";
}

const char *counters_kind(unsigned int id)
{
	return id < LT_CTR_MAX ? kinds[id] : "unknown";
}

const char *counters_help(unsigned int id)
{
	return id < LT_CTR_MAX ? helps[id] : "";
}
