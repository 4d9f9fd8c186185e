/*
 * tests/unit/test_cpu_follow.c - the daemon's loop follows the CPU of its
 * one busy client (fused/cpu_follow.h): it reads where a process runs,
 * moves only after seeing the same sender twice, and goes back to all
 * its CPUs for a second sender or a request that asks for it.
 */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <cmocka.h>

#include "fused/cpu_follow.c"

static int cpus_allowed(void)
{
	cpu_set_t s;

	assert_int_equal(sched_getaffinity(0, sizeof(s), &s), 0);
	return CPU_COUNT(&s);
}

static void pin_self(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	sched_yield(); /* be scheduled there before /proc is read */
}

static void feed(struct dfs_cpu_follow *f, uint32_t pid, int n, bool unpin)
{
	for (int i = 0; i < n; i++)
		dfs_cpu_follow_request(f, pid, unpin);
}

static cpu_set_t start_cpus; /* the test's CPUs when it started */

/* The n-th CPU this test may run on, or -1. */
static int nth_cpu(int n)
{
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &start_cpus) && n-- == 0)
			return i;
	return -1;
}

static int setup_all_cpus(void **state)
{
	(void)state;
	return sched_setaffinity(0, sizeof(start_cpus), &start_cpus);
}

static void reads_the_cpu_a_process_last_ran_on(void **state)
{
	(void)state;
	for (int n = 0; n < 2 && nth_cpu(n) >= 0; n++) {
		pin_self(nth_cpu(n));
		assert_int_equal(dfs_cpu_of_pid((uint32_t)getpid()), nth_cpu(n));
	}
}

static void a_name_with_spaces_and_parens_does_not_fool_it(void **state)
{
	char old[17] = "";

	(void)state;
	prctl(PR_GET_NAME, old);
	assert_int_equal(prctl(PR_SET_NAME, "a) b (c) 7 8"), 0);
	pin_self(nth_cpu(0));
	assert_int_equal(dfs_cpu_of_pid((uint32_t)getpid()), nth_cpu(0));
	prctl(PR_SET_NAME, old);
}

static void a_missing_process_has_no_cpu(void **state)
{
	(void)state;
	assert_int_equal(dfs_cpu_of_pid(0x7ffffff0u), -1);
}

static void one_busy_client_is_followed_after_two_looks(void **state)
{
	struct dfs_cpu_follow f;
	uint32_t me = (uint32_t)getpid();

	(void)state;
	if (nth_cpu(1) < 0)
		skip(); /* nothing to follow on one CPU: reported, not hidden */
	dfs_cpu_follow_init(&f, true);
	assert_true(f.enabled);
	feed(&f, me, DFS_FOLLOW_EVERY, false);
	assert_false(f.pinned); /* first look: only remembers the sender */
	feed(&f, me, DFS_FOLLOW_EVERY, false);
	assert_true(f.pinned);
	assert_int_equal(cpus_allowed(), 1);
	dfs_cpu_follow_release(&f);
	assert_int_equal(cpus_allowed(), CPU_COUNT(&f.all));
}

static void a_second_client_puts_it_back_on_all_cpus(void **state)
{
	struct dfs_cpu_follow f;
	uint32_t me = (uint32_t)getpid();

	(void)state;
	if (nth_cpu(1) < 0)
		skip();
	dfs_cpu_follow_init(&f, true);
	feed(&f, me, 2 * DFS_FOLLOW_EVERY, false);
	assert_true(f.pinned);
	feed(&f, (uint32_t)getppid(), DFS_FOLLOW_EVERY, false);
	assert_false(f.pinned);
	assert_int_equal(cpus_allowed(), CPU_COUNT(&f.all));
}

static void a_request_that_may_commit_runs_on_all_cpus(void **state)
{
	struct dfs_cpu_follow f;
	uint32_t me = (uint32_t)getpid();

	(void)state;
	if (nth_cpu(1) < 0)
		skip();
	dfs_cpu_follow_init(&f, true);
	feed(&f, me, 2 * DFS_FOLLOW_EVERY, false);
	assert_true(f.pinned);
	feed(&f, me, 1, true);
	assert_false(f.pinned);
	assert_int_equal(cpus_allowed(), CPU_COUNT(&f.all));
}

static void kernel_requests_and_a_disabled_follower_change_nothing(void **state)
{
	struct dfs_cpu_follow f;
	int before = cpus_allowed();

	(void)state;
	dfs_cpu_follow_init(&f, true);
	feed(&f, 0, 4 * DFS_FOLLOW_EVERY, false); /* pid 0: the kernel's own */
	assert_false(f.pinned);
	dfs_cpu_follow_init(&f, false);
	feed(&f, (uint32_t)getpid(), 4 * DFS_FOLLOW_EVERY, false);
	assert_false(f.pinned);
	assert_int_equal(cpus_allowed(), before);
}

int main(void)
{
	if (sched_getaffinity(0, sizeof(start_cpus), &start_cpus) != 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(reads_the_cpu_a_process_last_ran_on, setup_all_cpus),
		cmocka_unit_test_setup(a_name_with_spaces_and_parens_does_not_fool_it, setup_all_cpus),
		cmocka_unit_test_setup(a_missing_process_has_no_cpu, setup_all_cpus),
		cmocka_unit_test_setup(one_busy_client_is_followed_after_two_looks, setup_all_cpus),
		cmocka_unit_test_setup(a_second_client_puts_it_back_on_all_cpus, setup_all_cpus),
		cmocka_unit_test_setup(a_request_that_may_commit_runs_on_all_cpus, setup_all_cpus),
		cmocka_unit_test_setup(kernel_requests_and_a_disabled_follower_change_nothing, setup_all_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
