/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The result table the /dev/mshv benchmarks (mshv_irq_bench,
 * mshv_mem_bench) print: one row per measurement, with its value, target,
 * verdict and detail, then a summary line of the targets met.
 */
#ifndef SELFTEST_MSHV_BENCH_TABLE_H
#define SELFTEST_MSHV_BENCH_TABLE_H

#include "mshv_bench_prof.h"

/* A row's verdict: no target (informative), met, not met, not measured. */
enum bench_verdict { V_INFO, V_MET, V_NOT_MET, V_NA };

/* Profiles a row can show. */
#define BENCH_ROW_PROFS	2

/**
 * struct bench_row - one measurement of a benchmark's table
 * @what: what was measured
 * @value: the figure the verdict is on, "n/a" until one is set
 * @target: the target, "-" for an informative row
 * @detail: the figures behind the value (minimum / median, counts)
 * @verdict: the verdict, V_NA until one is set
 * @prof: profiles of what the row measures, printed if it is not met
 */
struct bench_row {
	char what[64];
	char value[32];
	char target[24];
	char detail[96];
	enum bench_verdict verdict;
	const struct bench_prof *prof[BENCH_ROW_PROFS];
};

#define BENCH_MAX_ROWS	40

/* The rows added so far, in order. */
extern struct bench_row bench_rows[BENCH_MAX_ROWS];
extern unsigned int bench_nrows;

struct bench_row *bench_add_row(const char *what, const char *target);
void bench_set_ratio(struct bench_row *r, double ratio, double target);
void bench_row_add_prof(struct bench_row *r, const struct bench_prof *p);
void bench_print_table(void);

#endif /* SELFTEST_MSHV_BENCH_TABLE_H */
