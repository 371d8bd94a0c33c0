/*
 * test_jarena.c - the per-line arena behind jansson: what is allocated
 * during a line comes from the block and is reset after it, everything
 * else (outside a line, too big for the block) is plain malloc/free, and
 * the live/leak/stray counters that prove nothing of a line outlives it
 * do count what they claim.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <jansson.h>

#include "listen.h"

static const char	*progname;	/* argv[0]: re-run for test_env_off */

static void
stats(struct jarena_stats *s)
{
	jarena_stats(s);
}

static int
setup(void **state)
{
	jarena_install();
	jarena_enable(1);
	return 0;
}

/* json values made outside a line use malloc and outlive lines */
static void
test_outside_line(void **state)
{
	json_t			*o, *v;
	json_error_t		 jerr;
	struct jarena_stats	 s;
	int			 i;

	o = json_pack("{s:s, s:[i,i]}", "name", "http", "ports", 80, 443);
	assert_non_null(o);
	assert_false(jarena_owns(o));
	for (i = 0; i < 3; i++) {
		assert_int_equal(jarena_begin(100), 1);
		v = json_loads("{\"a\": [1, 2, {\"b\": \"c\"}]}", 0, &jerr);
		assert_non_null(v);
		assert_true(jarena_owns(v));
		json_decref(v);
		stats(&s);
		assert_int_equal(s.live, 0);
		jarena_end();
	}
	/* still intact after three resets, freed by free() */
	assert_string_equal(json_string_value(json_object_get(o, "name")),
	    "http");
	assert_int_equal(json_integer_value(json_array_get(
	    json_object_get(o, "ports"), 1)), 443);
	json_decref(o);
	stats(&s);
	assert_int_equal(s.leaks, 0);
	assert_int_equal(s.strays, 0);
}

/* two lines get the same memory: the block is reset, not grown */
static void
test_reset_reuses(void **state)
{
	json_t		*a, *b;
	json_error_t	 jerr;
	void		*pa;

	assert_int_equal(jarena_begin(40), 1);
	a = json_loads("[\"first line\", 1]", 0, &jerr);
	assert_non_null(a);
	pa = a;
	json_decref(a);
	jarena_end();
	assert_int_equal(jarena_begin(40), 1);
	b = json_loads("[\"second line\", 2]", 0, &jerr);
	assert_non_null(b);
	assert_ptr_equal(b, pa);
	assert_string_equal(json_string_value(json_array_get(b, 0)),
	    "second line");
	json_decref(b);
	jarena_end();
}

static void
test_alignment(void **state)
{
	json_t	*v[20];
	size_t	 i;

	assert_int_equal(jarena_begin(1000), 1);
	for (i = 0; i < 20; i++) {
		/* strings of odd lengths between the values */
		v[i] = json_stringn("abcdefghijklmnopqrs", i);
		assert_non_null(v[i]);
		assert_true(jarena_owns(v[i]));
		assert_int_equal((uintptr_t)v[i] % 16, 0);
		assert_int_equal(
		    (uintptr_t)json_string_value(v[i]) % 16, 0);
	}
	for (i = 0; i < 20; i++)
		json_decref(v[i]);
	jarena_end();
}

/* what does not fit the block comes from malloc, inside a line too */
static void
test_fallback(void **state)
{
	struct jarena_stats	 s0, s;
	json_t			*big, *small;
	char			*text;
	size_t			 n = 200 * 1024;

	text = malloc(n + 1);
	assert_non_null(text);
	memset(text, 'x', n);
	text[n] = '\0';
	stats(&s0);
	assert_int_equal(jarena_begin(10), 1);
	stats(&s);
	assert_true(s.size < n);
	small = json_string("fits");
	big = json_string(text);	/* its copy cannot fit */
	assert_non_null(small);
	assert_non_null(big);
	assert_true(jarena_owns(small));
	assert_false(jarena_owns(json_string_value(big)));
	assert_int_equal(strlen(json_string_value(big)), n);
	stats(&s);
	assert_true(s.fallbacks > s0.fallbacks);
	json_decref(big);
	json_decref(small);
	jarena_end();
	stats(&s);
	assert_int_equal(s.leaks, s0.leaks);
	free(text);
}

/*
 * The block follows the line: 16 bytes per byte of line, so bounded by
 * the caller's max_line; grown for a long line, given back after it.
 */
static void
test_growth_bounded(void **state)
{
	struct jarena_stats	 s;
	size_t			 small;

	assert_int_equal(jarena_begin(100), 1);
	jarena_end();
	stats(&s);
	small = s.size;
	assert_true(small >= 64 * 1024);
	assert_int_equal(jarena_begin(262144), 1);	/* max_line */
	stats(&s);
	assert_true(s.size >= 16 * 262144);
	assert_true(s.size <= 16 * 262144 + 4096);
	jarena_end();
	assert_int_equal(jarena_begin(100), 1);
	stats(&s);
	assert_int_equal(s.size, small);
	jarena_end();
	/* absurd lengths are not turned into absurd blocks */
	assert_int_equal(jarena_begin(SIZE_MAX / 2), 0);
	stats(&s);
	assert_int_equal(s.size, small);
	assert_false(jarena_owns(&s));
}

/* the counters that let the tests prove lines do not leak values */
static void
test_leak_and_stray_counted(void **state)
{
	struct jarena_stats	 s0, s;
	json_t			*v;

	stats(&s0);
	assert_int_equal(jarena_begin(100), 1);
	v = json_integer(7);
	assert_true(jarena_owns(v));
	stats(&s);
	assert_int_equal(s.live, 1);
	jarena_end();		/* v escaped its line */
	stats(&s);
	assert_int_equal(s.leaks, s0.leaks + 1);
	json_decref(v);		/* freed after its line: ignored, counted */
	stats(&s);
	assert_int_equal(s.strays, s0.strays + 1);
	assert_int_equal(s.lines, s0.lines + 1);
}

/* nested begin is refused; end without begin is harmless */
static void
test_nesting(void **state)
{
	struct jarena_stats	 s0, s;

	stats(&s0);
	jarena_end();
	assert_int_equal(jarena_begin(10), 1);
	assert_int_equal(jarena_begin(10), 0);
	jarena_end();
	jarena_end();
	stats(&s);
	assert_int_equal(s.lines, s0.lines + 1);
}

/* off: every allocation through malloc, decoding unchanged */
static void
test_disabled(void **state)
{
	struct exabgp_msg	 m;
	char			 err[128];
	const char		*line = "{ \"type\": \"state\", \"neighbor\": { "
	    "\"address\": { \"peer\": \"192.0.2.1\" }, \"state\": \"up\" } }";
	json_t			*v;
	struct jarena_stats	 s;

	jarena_enable(0);
	stats(&s);
	assert_int_equal(s.enabled, 0);
	assert_int_equal(s.size, 0);
	assert_int_equal(jarena_begin(10), 0);
	v = json_string("x");
	assert_false(jarena_owns(v));
	json_decref(v);
	jarena_end();
	exabgp_msg_init(&m);
	assert_int_equal(exabgp_decode(&m, line, strlen(line), err,
	    sizeof(err)), 0);
	assert_int_equal(m.type, EXABGP_MSG_STATE);
	exabgp_msg_free(&m);
	jarena_enable(1);
	stats(&s);
	assert_int_equal(s.enabled, 1);
}

/* BGPSD_JARENA=0 in the environment: off from the start */
static void
test_env_off(void **state)
{
	pid_t	 pid;
	int	 status;

	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		/* a fresh process image has not installed anything yet */
		setenv("BGPSD_JARENA", "0", 1);
		execl(progname, progname, "--env-child", (char *)NULL);
		_exit(3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static int
env_child(void)
{
	struct jarena_stats	 s;
	struct exabgp_msg	 m;
	char			 err[64];

	jarena_install();
	jarena_stats(&s);
	if (s.enabled)
		return 1;
	if (jarena_begin(10) != 0)
		return 2;
	jarena_end();
	exabgp_msg_init(&m);
	if (exabgp_decode(&m, "{ \"type\": \"open\" }", 18, err,
	    sizeof(err)) != 0 || m.type != EXABGP_MSG_IGNORED)
		return 4;
	exabgp_msg_free(&m);
	jarena_stats(&s);
	return s.allocs == 0 && s.lines == 0 ? 0 : 5;
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_outside_line, setup),
		cmocka_unit_test_setup(test_reset_reuses, setup),
		cmocka_unit_test_setup(test_alignment, setup),
		cmocka_unit_test_setup(test_fallback, setup),
		cmocka_unit_test_setup(test_growth_bounded, setup),
		cmocka_unit_test_setup(test_leak_and_stray_counted, setup),
		cmocka_unit_test_setup(test_nesting, setup),
		cmocka_unit_test_setup(test_disabled, setup),
		cmocka_unit_test(test_env_off),
	};

	progname = argv[0];
	if (argc == 2 && strcmp(argv[1], "--env-child") == 0)
		return env_child();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
