/* tests/unit/test_mmc_sg_sysfs.c - the sr<->sg map and drive listing read
 * a sysfs tree (here a fake one built in a temporary directory), refuse
 * names that could escape it, and the SG_IO result mapping follows the
 * transport contract.  Real SG_IO needs a drive: the VM lane covers it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mmc/sg_linux.h"

static char root[256];

static void mk(const char *rel)
{
	char path[512], *p;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (p = path + strlen(root) + 1; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
}

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **st)
{
	snprintf(root, sizeof(root), "/tmp/dfs-sysfs-XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("block/sr0/device/scsi_generic/sg1");
	put("block/sr0/device/vendor", "HL-DT-ST\n");
	put("block/sr0/device/model", "BD-RE  BH16NS40 \n");
	put("block/sr0/device/rev", "1.02\n");
	mk("block/sr10/device");
	put("block/sr10/device/vendor", "TSSTcorp\n");
	mk("block/sr2/device/scsi_generic/sg3");
	mk("block/sda/device/scsi_generic/sg0");
	mk("class/scsi_generic/sg1/device/block/sr0");
	mk("class/scsi_generic/sg0/device/block/sda");
	mk("class/scsi_generic/sg3/device/block/sr2");
	return 0;
}

static int teardown(void **st)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_sr_maps_to_its_sg_sibling(void **st)
{
	char sg[32];

	assert_int_equal(mmc_sg_sr_to_sg(root, "sr0", sg, sizeof(sg), NULL), 0);
	assert_string_equal(sg, "sg1");
	assert_int_equal(mmc_sg_sr_to_sg(root, "sr2", sg, sizeof(sg), NULL), 0);
	assert_string_equal(sg, "sg3");
}

static void test_sg_maps_back_to_sr(void **st)
{
	char sr[32];

	assert_int_equal(mmc_sg_sg_to_sr(root, "sg1", sr, sizeof(sr), NULL), 0);
	assert_string_equal(sr, "sr0");
}

static void test_missing_sibling_is_enoent(void **st)
{
	char out[32];
	discfs_error err;

	assert_int_equal(mmc_sg_sr_to_sg(root, "sr10", out, sizeof(out), &err),
			 -DISCFS_ENOENT);
	assert_non_null(strstr(err.msg, "sr10"));
	/* sg0 is a disk, not an optical drive */
	assert_int_equal(mmc_sg_sg_to_sr(root, "sg0", out, sizeof(out), &err),
			 -DISCFS_ENOENT);
	assert_int_equal(mmc_sg_sr_to_sg(root, "sr7", out, sizeof(out), NULL),
			 -DISCFS_ENOENT);
}

static void test_names_that_escape_are_refused(void **st)
{
	char out[32];

	assert_int_equal(mmc_sg_sr_to_sg(root, "../sr0", out, sizeof(out), NULL),
			 -DISCFS_EINVAL);
	assert_int_equal(mmc_sg_sr_to_sg(root, "sr0/..", out, sizeof(out), NULL),
			 -DISCFS_EINVAL);
	assert_int_equal(mmc_sg_sr_to_sg(root, "sr", out, sizeof(out), NULL),
			 -DISCFS_EINVAL);
	assert_int_equal(mmc_sg_sg_to_sr(root, "sr0", out, sizeof(out), NULL),
			 -DISCFS_EINVAL);
}

static void test_sibling_of_a_device_path(void **st)
{
	char out[64];
	discfs_error err;

	assert_int_equal(mmc_sg_sibling(root, "/dev/sr0", out, sizeof(out),
					NULL), 0);
	assert_string_equal(out, "/dev/sg1");
	assert_int_equal(mmc_sg_sibling(root, "/dev/sg3", out, sizeof(out),
					NULL), 0);
	assert_string_equal(out, "/dev/sr2");
	assert_int_equal(mmc_sg_sibling(root, "/dev/sr10", out, sizeof(out),
					NULL), -DISCFS_ENOENT);
	assert_int_equal(mmc_sg_sibling(root, "/dev/sda", out, sizeof(out),
					&err), -DISCFS_ENOENT);
	assert_non_null(strstr(err.msg, "/dev/sda"));
	/* too small for "/dev/sg1" */
	assert_int_equal(mmc_sg_sibling(root, "/dev/sr0", out, 6, NULL),
			 -DISCFS_EINVAL);
}

static void test_small_output_buffer_is_not_overrun(void **st)
{
	char out[3];

	assert_int_equal(mmc_sg_sr_to_sg(root, "sr0", out, sizeof(out), NULL),
			 -DISCFS_ENOENT);
}

static void test_list_is_sorted_by_number_with_identity(void **st)
{
	struct mmc_sg_dev d[8];
	size_t n;

	assert_int_equal(mmc_sg_list(root, d, 8, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_string_equal(d[0].sr, "sr0");
	assert_string_equal(d[0].sg, "sg1");
	assert_string_equal(d[0].vendor, "HL-DT-ST");
	assert_string_equal(d[0].model, "BD-RE  BH16NS40");
	assert_string_equal(d[0].revision, "1.02");
	assert_string_equal(d[1].sr, "sr2");
	assert_string_equal(d[2].sr, "sr10");
	assert_string_equal(d[2].sg, "");
	assert_string_equal(d[2].vendor, "TSSTcorp");
}

static void test_list_counts_beyond_max(void **st)
{
	struct mmc_sg_dev d[1];
	size_t n;

	assert_int_equal(mmc_sg_list(root, d, 1, &n, NULL), 0);
	assert_int_equal(n, 3);
}

static void test_list_without_sysfs_is_empty(void **st)
{
	struct mmc_sg_dev d[1];
	size_t n = 99;

	assert_int_equal(mmc_sg_list("/nonexistent-dfs", d, 1, &n, NULL), 0);
	assert_int_equal(n, 0);
}

static void test_result_mapping(void **st)
{
	discfs_error err;

	assert_int_equal(mmc_sg_map_result(0, 0, "X", NULL), 0);
	assert_int_equal(mmc_sg_map_result(0, 0x08, "X", NULL), 0); /* sense */
	assert_int_equal(mmc_sg_map_result(0x01, 0, "X", &err), -DISCFS_ENODEV);
	assert_non_null(strstr(err.msg, "gone"));
	assert_int_equal(mmc_sg_map_result(0x03, 0, "X", &err), -DISCFS_EIO);
	assert_non_null(strstr(err.msg, "timed out"));
	assert_int_equal(mmc_sg_map_result(0, 0x06, "X", NULL), -DISCFS_EIO);
	assert_int_equal(mmc_sg_map_result(0x08, 0, "X", NULL), -DISCFS_ECHANGED);
	assert_int_equal(mmc_sg_map_result(0x02, 0, "X", NULL), -DISCFS_EBUSY);
	assert_int_equal(mmc_sg_map_result(0, 0x04, "X", NULL), -DISCFS_EIO);
}

static void test_open_refuses_what_is_not_a_scsi_device(void **st)
{
	struct mmc_transport *t = (void *)1;
	discfs_error err;

	assert_int_equal(mmc_sg_open("/nonexistent/sr9", &t, &err),
			 -DISCFS_ENODEV);
	assert_null(t);
	assert_int_equal(mmc_sg_open("/dev/null", &t, &err), -DISCFS_ENODEV);
	assert_non_null(strstr(err.msg, "not a SCSI device"));
	assert_null(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sr_maps_to_its_sg_sibling),
		cmocka_unit_test(test_sg_maps_back_to_sr),
		cmocka_unit_test(test_missing_sibling_is_enoent),
		cmocka_unit_test(test_names_that_escape_are_refused),
		cmocka_unit_test(test_sibling_of_a_device_path),
		cmocka_unit_test(test_small_output_buffer_is_not_overrun),
		cmocka_unit_test(test_list_is_sorted_by_number_with_identity),
		cmocka_unit_test(test_list_counts_beyond_max),
		cmocka_unit_test(test_list_without_sysfs_is_empty),
		cmocka_unit_test(test_result_mapping),
		cmocka_unit_test(test_open_refuses_what_is_not_a_scsi_device),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
