// SPDX-License-Identifier: GPL-2.0
/*
 * The result table of the /dev/mshv benchmarks; see mshv_bench_table.h.
 */
#include <stdio.h>
#include <string.h>

#include "mshv_bench_table.h"

struct bench_row bench_rows[BENCH_MAX_ROWS];
unsigned int bench_nrows;

/*
 * A new row, not measured yet. Past BENCH_MAX_ROWS the last row is
 * reused, so that a benchmark that adds too many loses rows, not memory.
 */
struct bench_row *bench_add_row(const char *what, const char *target)
{
	struct bench_row *r;

	if (bench_nrows < BENCH_MAX_ROWS)
		bench_nrows++;
	r = &bench_rows[bench_nrows - 1];
	memset(r, 0, sizeof(*r));
	snprintf(r->what, sizeof(r->what), "%s", what);
	snprintf(r->target, sizeof(r->target), "%s", target);
	snprintf(r->value, sizeof(r->value), "n/a");
	r->verdict = V_NA;
	return r;
}

/* Set @r's value to @ratio, met if it is at most @target. */
void bench_set_ratio(struct bench_row *r, double ratio, double target)
{
	snprintf(r->value, sizeof(r->value), "%.3f", ratio);
	r->verdict = ratio <= target ? V_MET : V_NOT_MET;
}

/* Show profile @p under @r's table if @r is not met. */
void bench_row_add_prof(struct bench_row *r, const struct bench_prof *p)
{
	unsigned int i;

	for (i = 0; i < BENCH_ROW_PROFS; i++) {
		if (!r->prof[i]) {
			r->prof[i] = p;
			return;
		}
	}
}

static const char *bench_verdict_name(enum bench_verdict v)
{
	switch (v) {
	case V_MET:
		return "met";
	case V_NOT_MET:
		return "NOT MET";
	case V_INFO:
		return "-";
	default:
		return "n/a";
	}
}

/*
 * Print the table, then the profiles of the rows not met, and start the
 * summary line with the count of targets met; the caller ends the line
 * with its own figures.
 */
void bench_print_table(void)
{
	unsigned int i, j, met = 0, targets = 0, na = 0;
	const struct bench_row *r;

	printf("%-48s %-12s %-13s %-8s %s\n", "measurement", "value", "target",
	       "result", "detail");
	for (i = 0; i < bench_nrows; i++) {
		r = &bench_rows[i];
		printf("%-48s %-12s %-13s %-8s %s\n", r->what, r->value,
		       r->target, bench_verdict_name(r->verdict), r->detail);
		if (r->verdict == V_MET || r->verdict == V_NOT_MET)
			targets++;
		if (r->verdict == V_MET)
			met++;
		if (r->verdict == V_NA)
			na++;
	}
	for (i = 0, j = 0; i < bench_nrows && !j; i++)
		j = bench_rows[i].verdict == V_NOT_MET && bench_rows[i].prof[0];
	if (j)
		printf("\n%s%llu%s\n%s\n%s\n%s\n",
		       "Profiles of the rows not met: the cpu-clock event samples every ",
		       BENCH_PROF_PERIOD_NS / 1000, " us of",
		       "the thread's CPU time, but at most once per timer tick without high-resolution",
		       "timers; a sample due while interrupts are disabled lands where they are enabled",
		       "again (_raw_spin_unlock_irqrestore, lock_acquire, the end of a dispatch).");
	for (i = 0; i < bench_nrows; i++) {
		r = &bench_rows[i];
		if (r->verdict != V_NOT_MET)
			continue;
		for (j = 0; j < BENCH_ROW_PROFS && r->prof[j]; j++) {
			printf("\n%s: NOT MET (%s), ", r->what, r->value);
			bench_prof_print(r->prof[j], 12);
		}
	}
	printf("\nsummary: %u/%u targets met, %u not measured; ", met, targets,
	       na);
}
