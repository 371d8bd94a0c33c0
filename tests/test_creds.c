/*
 * test_creds.c - user and group names or numbers to ids: names, numbers,
 * the primary group, unknown names with their message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <cmocka.h>

#include "creds.h"

static void
test_names_and_numbers(void **state)
{
	struct creds	 c;
	struct passwd	*pw;
	char		 err[128];

	(void)state;
	assert_int_equal(creds_resolve(NULL, NULL, 1, &c, err, sizeof(err)),
	    0);
	assert_true(c.uid == CREDS_KEEP_UID && c.gid == CREDS_KEEP_GID);
	assert_int_equal(creds_resolve("root", NULL, 0, &c, err, sizeof(err)),
	    0);
	assert_int_equal(c.uid, 0);
	assert_true(c.gid == CREDS_KEEP_GID);
	assert_int_equal(creds_resolve("root", NULL, 1, &c, err, sizeof(err)),
	    0);
	assert_int_equal(c.gid, 0);
	assert_int_equal(creds_resolve("12345", "54321", 1, &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.uid, 12345);
	assert_int_equal(c.gid, 54321);
	if ((pw = getpwnam("nobody")) != NULL) {
		/* a number of a known user brings its primary group */
		assert_int_equal(creds_resolve("65534", NULL, 1, &c, err,
		    sizeof(err)), 0);
		assert_int_equal(c.uid, 65534);
		if (pw->pw_uid == 65534)
			assert_int_equal(c.gid, pw->pw_gid);
		/* a group given wins over the primary one */
		assert_int_equal(creds_resolve("nobody", "0", 1, &c, err,
		    sizeof(err)), 0);
		assert_int_equal(c.uid, pw->pw_uid);
		assert_int_equal(c.gid, 0);
	}
}

static void
test_unknown(void **state)
{
	struct creds	 c;
	char		 err[128];

	(void)state;
	assert_int_equal(creds_resolve("no-such-user-bgpsd", NULL, 1, &c,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "unknown user 'no-such-user-bgpsd'");
	assert_int_equal(creds_resolve(NULL, "no-such-group-bgpsd", 0, &c,
	    err, sizeof(err)), -1);
	assert_string_equal(err, "unknown group 'no-such-group-bgpsd'");
	/* digits then letters is a name, not a number */
	assert_int_equal(creds_resolve("12x", NULL, 0, &c, err, sizeof(err)),
	    -1);
	assert_int_equal(creds_resolve("", NULL, 0, &c, err, sizeof(err)),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_numbers),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
