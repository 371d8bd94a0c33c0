/*
 * test_cfg.c - libconfig loading: file:line errors (main and included
 * files, stdin), integers beyond 32 bits (libconfig 1.5 would truncate
 * them), and the typed getters with their ranges and defaults.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "cfg.h"
#include "testlib.h"

static config_t *
load_ok(const char *name, const char *text)
{
	struct cfg_err	 err;
	config_t	*cf;

	cf = cfg_load(tl_put(name, text), &err);
	if (cf == NULL)
		fail_msg("unexpected error: %s", err.msg);
	assert_int_equal(err.set, 0);
	return cf;
}

/* load must fail with exactly "<tmpdir>/<file>:<rest>" */
static void
load_bad(const char *name, const char *text, const char *file,
    const char *rest)
{
	struct cfg_err	 err;
	char		 want[512];

	assert_null(cfg_load(tl_put(name, text), &err));
	assert_int_equal(err.set, 1);
	snprintf(want, sizeof(want), "%s:%s", tl_path("%s", file), rest);
	assert_string_equal(err.msg, want);
}

/* setting name of cf stands at line of file (in tl_tmpdir) */
static void
assert_at(config_t *cf, const char *name, int line, const char *file)
{
	const config_setting_t	*s = config_lookup(cf, name);

	assert_non_null(s);
	assert_int_equal(cfg_line(s), line);
	assert_string_equal(cfg_file(s), tl_path("%s", file));
}

static void
test_syntax_error_line(void **state)
{
	static const struct {
		const char	*text, *rest;
	} t[] = {
		{ "a = 1;\nb = 2;\n\nc = ;\n", "4: syntax error" },
		{ "a = 1;\n# c\na = 2;\n", "3: duplicate setting name" },
		{ "a = [ 1, \"x\" ];\n", "1: mismatched element type in array" },
		/* strings where the grammar has none: found before libconfig */
		{ "a = 1;\n\"x\" = 1;\n", "2: syntax error" },
		{ "a = [ . \"x\" ];\n", "1: syntax error" },
		{ "g = { a = 1, \"x\" };\n", "1: syntax error" },
		{ "l = ( 1\n \"x\" );\n", "2: syntax error" },
	};
	size_t	 i;

	for (i = 0; i < TL_NITEMS(t); i++)
		load_bad("syn.conf", t[i].text, "syn.conf", t[i].rest);
}

static void
test_missing_file(void **state)
{
	struct cfg_err	 err;
	const char	*path = tl_path("nope.conf");
	char		 want[256];

	assert_null(cfg_load(path, &err));
	snprintf(want, sizeof(want), "%s: No such file or directory", path);
	assert_string_equal(err.msg, want);
}

static void
test_nul_byte(void **state)
{
	struct cfg_err	 err;
	const char	*path = tl_put("nul.conf", "a = 1;\n");
	FILE		*fp = fopen(path, "a");

	assert_non_null(fp);
	fputc('\0', fp);
	fclose(fp);
	assert_null(cfg_load(path, &err));
	assert_non_null(strstr(err.msg, "NUL byte"));
}

/*
 * found by the hardening suite: a value quoted in a message ("bad service
 * name 'a<newline>b'") split -n's one-line error in two
 */
static void
test_error_one_line(void **state)
{
	struct cfg_err	 err;
	config_t	*cf;
	char		*s = NULL;

	cf = load_ok("ctl.conf", "s = \"a\\nb\\tc\\x1bd\";\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_get_string(config_root_setting(cf), "s", NULL,
	    &s, &err), 0);
	assert_string_equal(s, "a\nb\tc\033d");
	cfg_error(&err, config_lookup(cf, "s"), "bad value '%s'", s);
	assert_int_equal(err.set, 1);
	assert_non_null(strstr(err.msg, ":1: bad value 'a?b?c?d'"));
	free(s);
	cfg_free(cf);
}

static int64_t
get_i(config_t *cf, const char *name)
{
	struct cfg_err	 err;
	int64_t		 v;

	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_get_int(config_root_setting(cf), name, 0,
	    INT64_MIN, INT64_MAX, &v, &err), 0);
	return v;
}

/* libconfig 1.5 reads 4294967295 as -1 unless cfg_load adds the L */
static void
test_big_integers(void **state)
{
	config_t	*cf;
	struct cfg_err	 err;
	double		 d;
	char		*s;
	const config_setting_t *a;

	cf = load_ok("big.conf",
	    "a = 4294967295;\n"
	    "b = -3000000000;\n"
	    "c = 2147483647;\n"
	    "d = [ 65000, 4200000000 ];\n"
	    "e = [ 1, 2 ];\n"
	    "f = 1.5e10;\n"
	    "g = \"4200000000\"; # 5000000000 in a comment\n"
	    "h4294967296 = 0x80000000;\n"
	    "i = 5000000000L;\n"
	    "/* 9999999999 */ j = .5;\n"
	    "k = ( 7, 4200000000 );\n");
	assert_int_equal(get_i(cf, "a"), 4294967295LL);
	assert_int_equal(get_i(cf, "b"), -3000000000LL);
	assert_int_equal(get_i(cf, "c"), 2147483647);
	a = config_lookup(cf, "d");
	assert_int_equal(config_setting_get_int64_elem(a, 0), 65000);
	assert_int_equal(config_setting_get_int64_elem(a, 1), 4200000000LL);
	a = config_lookup(cf, "e");
	assert_int_equal(config_setting_type(config_setting_get_elem(a, 0)),
	    CONFIG_TYPE_INT);
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_get_duration(config_root_setting(cf), "f", 0, 0,
	    1e11, &d, &err), 0);
	assert_true(d == 1.5e10);
	assert_int_equal(cfg_get_string(config_root_setting(cf), "g", NULL,
	    &s, &err), 0);
	assert_string_equal(s, "4200000000");
	free(s);
	assert_int_equal(get_i(cf, "h4294967296"), 0x80000000LL);
	assert_int_equal(get_i(cf, "i"), 5000000000LL);
	a = config_lookup(cf, "k");
	assert_int_equal(config_setting_get_int64(config_setting_get_elem(a,
	    1)), 4200000000LL);
	cfg_free(cf);

	load_bad("huge.conf", "a = 1;\nb = 99999999999999999999;\n",
	    "huge.conf", "2: integer 99999999999999999999 out of range");
}

static void
test_include(void **state)
{
	struct cfg_err	 err;
	config_t	*cf;
	char		 want[256];

	tl_put("inc1.inc", "x = 5;\n\ny = \"in\";\n");
	cf = load_ok("inc.conf", "a = 1;\n@include \"inc1.inc\"\nb = 2;\n");
	assert_at(cf, "y", 3, "inc1.inc");
	assert_at(cf, "b", 3, "inc.conf");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_error(&err, config_lookup(cf, "y"), "bad %s",
	    "thing"), -1);
	snprintf(want, sizeof(want), "%s:3: bad thing", tl_path("inc1.inc"));
	assert_string_equal(err.msg, want);
	cfg_free(cf);

	tl_put("inc2.inc", "\n\nq = ;\n");
	load_bad("inc2.conf", "a = 1;\n@include \"inc2.inc\"\n", "inc2.inc",
	    "3: syntax error");
	/* included files are read like the main one: no L needed there */
	tl_put("inc3.inc", "ok = 4200000000L;\nbig = 4200000000;\n");
	cf = load_ok("inc3.conf", "@include \"inc3.inc\"\n");
	assert_int_equal(get_i(cf, "big"), 4200000000LL);
	cfg_free(cf);
	snprintf(want, sizeof(want), "2: cannot open include file %s: "
	    "No such file or directory", tl_path("none.inc"));
	load_bad("inc4.conf", "a = 1;\n@include \"none.inc\"\n", "inc4.conf",
	    want);
	/* an include of itself ends at the depth limit, not in a loop */
	load_bad("self.conf", "a = 1;\n@include \"self.conf\"\n",
	    "self.conf", "2: includes nested more than 10 deep");
}

/*
 * A name is relative to the directory of the file that includes it (not
 * to the main file's, as libconfig 1.5 would have it); an absolute name
 * is taken as is (libconfig 1.5 would prefix it too).
 */
static void
test_include_paths(void **state)
{
	config_t	*cf;
	char		 text[256];

	assert_int_equal(mkdir(tl_path("sub"), 0755), 0);
	assert_int_equal(mkdir(tl_path("sub/deeper"), 0755), 0);
	tl_put("sub/one.inc", "one = 1;\n@include \"deeper/two.inc\"\n"
	    "after = 3;\n");
	tl_put("sub/deeper/two.inc", "\ntwo = 2;\n");
	tl_put("abs.inc", "# absolute\nabs = 4;\n");
	snprintf(text, sizeof(text), "main = 0;\n@include \"sub/one.inc\"\n"
	    "@include \"%s\"\nlast = 5;\n", tl_path("abs.inc"));
	cf = load_ok("paths.conf", text);
	assert_int_equal(get_i(cf, "two"), 2);
	assert_at(cf, "two", 2, "sub/deeper/two.inc");
	assert_at(cf, "after", 3, "sub/one.inc");
	assert_at(cf, "abs", 2, "abs.inc");
	assert_at(cf, "last", 4, "paths.conf");
	cfg_free(cf);
	/* an error deep down names the deep file and its own line */
	tl_put("sub/deeper/bad.inc", "\n\nq = ;\n");
	tl_put("sub/mid.inc", "@include \"deeper/bad.inc\"\n");
	load_bad("deep.conf", "x = 1;\n@include \"sub/mid.inc\"\n",
	    "sub/deeper/bad.inc", "3: syntax error");
}

/* FIFOs and devices are refused at once, never opened blocking */
static void
test_special_files(void **state)
{
	struct cfg_err	 err;
	const char	*path = tl_path("fifo.conf");
	char		 want[256], text[256];

	assert_int_equal(mkfifo(path, 0600), 0);
	assert_null(cfg_load(path, &err));
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err.msg, want);
	assert_null(cfg_load("/dev/null", &err));
	assert_string_equal(err.msg, "/dev/null: not a regular file");
	snprintf(text, sizeof(text), "a = 1;\n@include \"fifo.conf\"\n");
	snprintf(want, sizeof(want), "2: cannot open include file "
	    "%s: not a regular file", path);
	load_bad("inc-fifo.conf", text, "inc-fifo.conf", want);
	snprintf(text, sizeof(text), "a = 1;\n\n@include \"/dev/zero\"\n");
	load_bad("inc-dev.conf", text, "inc-dev.conf", "3: cannot open "
	    "include file /dev/zero: not a regular file");
}

/* "-" and /dev/stdin read the standard input, errors named after it */
static void
test_stdin(void **state)
{
	struct cfg_err	 err;
	config_t	*cf;
	const char	*path;

	path = tl_put("stdin.conf", "a = 4200000000;\n");
	assert_non_null(freopen(path, "r", stdin));
	cf = cfg_load("-", &err);
	assert_non_null(cf);
	assert_int_equal(get_i(cf, "a"), 4200000000LL);
	assert_string_equal(cfg_file(config_lookup(cf, "a")), "-");
	cfg_free(cf);

	path = tl_put("stdin2.conf", "a = 1;\nb = ;\n");
	assert_non_null(freopen(path, "r", stdin));
	assert_null(cfg_load("/dev/stdin", &err));
	assert_string_equal(err.msg, "/dev/stdin:2: syntax error");
}

static void
test_getters(void **state)
{
	config_t	*cf;
	const config_setting_t *g;
	struct cfg_err	 err;
	int64_t		 i;
	double		 d;
	int		 b;
	char		*s, **v;
	size_t		 n;
	char		 want[256];

	cf = load_ok("get.conf",
	    "g = {\n"
	    "  port = 80;\n"
	    "  big = 70000;\n"
	    "  str = \"x\";\n"
	    "  f = 0.25;\n"
	    "  ival = 3;\n"
	    "  neg = -1;\n"
	    "  yes = true;\n"
	    "  list = [ \"a\", \"b\" ];\n"
	    "  mixed = ( \"a\", 1 );\n"
	    "};\n");
	g = config_lookup(cf, "g");

#define RESET()	memset(&err, 0, sizeof(err))
	RESET();
	assert_int_equal(cfg_get_int(g, "port", 1, 1, 65535, &i, &err), 0);
	assert_int_equal(i, 80);
	assert_int_equal(cfg_get_int(g, "absent", 7, 1, 65535, &i, &err), 1);
	assert_int_equal(i, 7);
	assert_int_equal(cfg_get_int(g, "big", 1, 1, 65535, &i, &err), -1);
	snprintf(want, sizeof(want), "%s:3: 'big' must be between 1 "
	    "and 65535, not 70000", tl_path("get.conf"));
	assert_string_equal(err.msg, want);
	/* the first error wins */
	assert_int_equal(cfg_get_int(g, "str", 1, 1, 65535, &i, &err), -1);
	assert_string_equal(err.msg, want);
	RESET();
	assert_int_equal(cfg_get_int(g, "str", 1, 1, 65535, &i, &err), -1);
	assert_non_null(strstr(err.msg, ":4: 'str' must be an integer"));
	RESET();
	assert_int_equal(cfg_get_int(g, "f", 1, 1, 65535, &i, &err), -1);
	assert_non_null(strstr(err.msg, ":5: 'f' must be an integer"));

	RESET();
	assert_int_equal(cfg_get_duration(g, "f", 1, 0, 10, &d, &err), 0);
	assert_true(d == 0.25);
	assert_int_equal(cfg_get_duration(g, "ival", 1, 0, 10, &d, &err), 0);
	assert_true(d == 3.0);
	assert_int_equal(cfg_get_duration(g, "none", 1.5, 0, 10, &d, &err),
	    1);
	assert_true(d == 1.5);
	assert_int_equal(cfg_get_duration(g, "neg", 1, 0.01, 10, &d, &err),
	    -1);
	assert_non_null(strstr(err.msg, ":7: 'neg' must be between 0.01 and "
	    "10 seconds, not -1"));
	RESET();
	assert_int_equal(cfg_get_duration(g, "str", 1, 0, 10, &d, &err), -1);
	assert_non_null(strstr(err.msg, ":4: 'str' must be a number of "
	    "seconds"));

	RESET();
	assert_int_equal(cfg_get_bool(g, "yes", 0, &b, &err), 0);
	assert_int_equal(b, 1);
	assert_int_equal(cfg_get_bool(g, "nope", 1, &b, &err), 1);
	assert_int_equal(b, 1);
	assert_int_equal(cfg_get_bool(g, "port", 0, &b, &err), -1);
	assert_non_null(strstr(err.msg, ":2: 'port' must be true or false"));

	RESET();
	assert_int_equal(cfg_get_string(g, "str", NULL, &s, &err), 0);
	assert_string_equal(s, "x");
	free(s);
	assert_int_equal(cfg_get_string(g, "none", "def", &s, &err), 1);
	assert_string_equal(s, "def");
	free(s);
	assert_int_equal(cfg_get_string(g, "none", NULL, &s, &err), 1);
	assert_null(s);
	assert_int_equal(cfg_get_string(g, "port", NULL, &s, &err), -1);
	assert_null(s);
	assert_non_null(strstr(err.msg, ":2: 'port' must be a string"));

	RESET();
	assert_int_equal(cfg_get_strings(g, "list", &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b");
	assert_null(v[2]);
	cfg_strings_free(v);
	assert_int_equal(cfg_get_strings(g, "none", &v, &n, &err), 1);
	assert_null(v);
	assert_int_equal(n, 0);
	assert_int_equal(cfg_get_strings(g, "mixed", &v, &n, &err), -1);
	assert_non_null(strstr(err.msg, ":10: 'mixed' must be an array of "
	    "strings"));
	RESET();
	assert_int_equal(cfg_get_strings(g, "str", &v, &n, &err), -1);

	/* a missing group reads as all defaults */
	RESET();
	assert_int_equal(cfg_get_int(NULL, "port", 9, 1, 65535, &i, &err), 1);
	assert_int_equal(i, 9);
	assert_int_equal(err.set, 0);
	cfg_free(cf);
}

/* libconfig 1.5 numbers a list member after the token that follows it */
static void
test_member_lines(void **state)
{
	config_t	*cf;
	const config_setting_t *l;

	cf = load_ok("lines.conf",
	    "l = (\n"
	    "  \"a\",\n"
	    "  \"b\"\n"
	    "  # comment\n"
	    ");\n"
	    "n = [ 1,\n"
	    "  22\n"
	    "];\n"
	    "m = ( \"x\", \"y\" );\n");
	l = config_lookup(cf, "l");
	assert_int_equal(cfg_line(config_setting_get_elem(l, 0)), 2);
	assert_int_equal(cfg_line(config_setting_get_elem(l, 1)), 3);
	l = config_lookup(cf, "n");
	assert_int_equal(cfg_line(config_setting_get_elem(l, 0)), 6);
	assert_int_equal(cfg_line(config_setting_get_elem(l, 1)), 7);
	l = config_lookup(cf, "m");
	assert_int_equal(cfg_line(config_setting_get_elem(l, 1)), 9);
	cfg_free(cf);
}

static void
test_check_keys(void **state)
{
	static const char *const top[] = { "a", "g", "l", NULL };
	static const char *const inner[] = { "x", NULL };
	config_t	*cf;
	struct cfg_err	 err;
	char		 want[256];

	cf = load_ok("keys.conf",
	    "a = 1;\n"
	    "g = { x = 1;\n"
	    "  y = 2; };\n"
	    "l = ( { x = 1; }, { z = 1; } );\n"
	    "extra = 1;\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_check_keys(config_root_setting(cf), top, &err),
	    -1);
	snprintf(want, sizeof(want), "%s:5: unknown key 'extra'",
	    tl_path("keys.conf"));
	assert_string_equal(err.msg, want);
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_check_keys(config_lookup(cf, "g"), inner, &err),
	    -1);
	assert_non_null(strstr(err.msg, "keys.conf:3: unknown key 'y' in "
	    "'g'"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_check_keys(config_setting_get_elem(
	    config_lookup(cf, "l"), 0), inner, &err), 0);
	assert_int_equal(cfg_check_keys(config_setting_get_elem(
	    config_lookup(cf, "l"), 1), inner, &err), -1);
	assert_non_null(strstr(err.msg, "keys.conf:4: unknown key 'z' in a "
	    "'l' entry"));
	memset(&err, 0, sizeof(err));
	assert_int_equal(cfg_check_keys(config_lookup(cf, "a"), inner, &err),
	    -1);
	assert_non_null(strstr(err.msg, ":1: 'a' must be a group"));
	cfg_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax_error_line),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_error_one_line),
		cmocka_unit_test(test_big_integers),
		cmocka_unit_test(test_include),
		cmocka_unit_test(test_include_paths),
		cmocka_unit_test(test_special_files),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_getters),
		cmocka_unit_test(test_member_lines),
		cmocka_unit_test(test_check_keys),
	};

	return cmocka_run_group_tests(tests, tl_tmpdir_setup,
	    tl_tmpdir_teardown);
}
