// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the Hyper-V partition type decision in hv_common.c.
 *
 * The decision depends on three privileges of the high half of the
 * partition privilege mask (partition creation, CPU management and
 * isolation) and on whether root partition support is built in. The table
 * below lists every combination of those four inputs and the expected
 * partition type, plus masks with unrelated privileges set.
 */

#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/module.h>
#include <asm/hyperv-tlfs.h>
#include <asm/mshyperv.h>

struct hv_partition_type_case {
	const char *name;
	u32 priv_high;
	bool mshv_root_enabled;
	enum hv_partition_type expected;
};

#define CREATE	HV_CREATE_PARTITIONS
#define CPUMGMT	HV_CPU_MANAGEMENT
#define ISOL	HV_ISOLATION

/* Privileges that have no say in the partition type */
#define UNRELATED	(HV_ACCESS_PARTITION_ID | HV_ACCESS_MEMORY_POOL | \
			 HV_POST_MESSAGES | HV_SIGNAL_EVENTS | \
			 HV_ACCESS_STATS | HV_DEBUGGING | \
			 HV_ENABLE_EXTENDED_HYPERCALLS)

static const struct hv_partition_type_case hv_partition_type_cases[] = {
	/* With root partition support built in */
	{ "none, root support", 0, true, HV_PARTITION_TYPE_GUEST },
	{ "create, root support", CREATE, true, HV_PARTITION_TYPE_L1VH },
	{ "cpumgmt, root support", CPUMGMT, true, HV_PARTITION_TYPE_GUEST },
	{ "create+cpumgmt, root support", CREATE | CPUMGMT, true,
	  HV_PARTITION_TYPE_ROOT },
	{ "isolation, root support", ISOL, true, HV_PARTITION_TYPE_GUEST },
	{ "create+isolation, root support", CREATE | ISOL, true,
	  HV_PARTITION_TYPE_GUEST },
	{ "cpumgmt+isolation, root support", CPUMGMT | ISOL, true,
	  HV_PARTITION_TYPE_GUEST },
	{ "create+cpumgmt+isolation, root support", CREATE | CPUMGMT | ISOL,
	  true, HV_PARTITION_TYPE_GUEST },

	/* Without it, every partition is a guest */
	{ "none, no root support", 0, false, HV_PARTITION_TYPE_GUEST },
	{ "create, no root support", CREATE, false, HV_PARTITION_TYPE_GUEST },
	{ "cpumgmt, no root support", CPUMGMT, false, HV_PARTITION_TYPE_GUEST },
	{ "create+cpumgmt, no root support", CREATE | CPUMGMT, false,
	  HV_PARTITION_TYPE_GUEST },
	{ "isolation, no root support", ISOL, false, HV_PARTITION_TYPE_GUEST },
	{ "create+isolation, no root support", CREATE | ISOL, false,
	  HV_PARTITION_TYPE_GUEST },
	{ "cpumgmt+isolation, no root support", CPUMGMT | ISOL, false,
	  HV_PARTITION_TYPE_GUEST },
	{ "create+cpumgmt+isolation, no root support", CREATE | CPUMGMT | ISOL,
	  false, HV_PARTITION_TYPE_GUEST },

	/* Unrelated privileges change nothing */
	{ "unrelated only, root support", UNRELATED, true,
	  HV_PARTITION_TYPE_GUEST },
	{ "unrelated+create, root support", UNRELATED | CREATE, true,
	  HV_PARTITION_TYPE_L1VH },
	{ "unrelated+create+cpumgmt, root support", UNRELATED | CREATE | CPUMGMT,
	  true, HV_PARTITION_TYPE_ROOT },
	{ "all bits, root support", U32_MAX, true, HV_PARTITION_TYPE_GUEST },
	{ "all bits but isolation, root support", U32_MAX & ~ISOL, true,
	  HV_PARTITION_TYPE_ROOT },
};

static void hv_partition_type_case_desc(const struct hv_partition_type_case *c,
					char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hv_partition_type, hv_partition_type_cases,
		  hv_partition_type_case_desc);

static void hv_partition_type_test(struct kunit *test)
{
	const struct hv_partition_type_case *c = test->param_value;

	KUNIT_EXPECT_EQ_MSG(test,
			    hv_partition_type_from_privileges(c->priv_high,
							      c->mshv_root_enabled),
			    c->expected, "priv_high %#010x, root support %d",
			    c->priv_high, c->mshv_root_enabled);
}

static struct kunit_case hv_partition_type_test_cases[] = {
	KUNIT_CASE_PARAM(hv_partition_type_test, hv_partition_type_gen_params),
	{}
};

static struct kunit_suite hv_partition_type_suite = {
	.name = "hv_partition_type",
	.test_cases = hv_partition_type_test_cases,
};

kunit_test_suite(hv_partition_type_suite);

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for Hyper-V partition type detection");
MODULE_LICENSE("GPL");
