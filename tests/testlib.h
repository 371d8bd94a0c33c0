/*
 * testlib.h - the plumbing the cmocka unit tests share: a temporary
 * directory made and removed, whole files read and written, directory
 * entries counted, the event loop run until a flag or a deadline, a
 * descriptor captured into a file, processes waited for, a loopback
 * socket. Linked into every tests/test_* binary (see the Makefile).
 *
 * A helper that cannot do its job fails the running test (cmocka's
 * fail_msg and assert macros) unless it says otherwise; a cmocka setup
 * or teardown returns -1 instead, as cmocka wants.
 */
#ifndef BGPSD_TESTLIB_H
#define BGPSD_TESTLIB_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/types.h>
#include <cmocka.h>

struct addr;
struct ev_loop;
struct exabgp_msg;
struct prefix;
struct rib;

/* the number of elements of an array */
#define TL_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* a test run with the file's own functions named setup and teardown */
#define TL_TEST(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
/* a test run with tl_msg made for it (tl_msg_setup), freed after it */
#define TL_MSG_TEST(f) \
	cmocka_unit_test_setup_teardown(f, tl_msg_setup, tl_msg_teardown)
/* a test run with a fresh tl_tmpdir, removed after it */
#define TL_TMPDIR_TEST(f) \
	cmocka_unit_test_setup_teardown(f, tl_tmpdir_setup, tl_tmpdir_teardown)
/* a test run with a fresh event loop (tl_loop, *state), freed after it */
#define TL_LOOP_TEST(f) \
	cmocka_unit_test_setup_teardown(f, tl_loop_setup, tl_loop_teardown)
/* a test run with both, a fresh tl_tmpdir and a fresh tl_loop */
#define TL_DIR_LOOP_TEST(f) \
	cmocka_unit_test_setup_teardown(f, tl_setup, tl_teardown)
/* the same with the file's own setup (which calls tl_setup first) */
#define TL_SETUP_TEST(f) \
	cmocka_unit_test_setup_teardown(f, setup, tl_teardown)

/* qsort(3) comparator of uint64_t, ascending */
int		 tl_u64cmp(const void *a, const void *b);

/* ---- logging ---- */

/*
 * cmocka group setups: log_init as the program (to stderr), without and
 * with debug messages, before the first test. Return 0.
 */
int		 tl_log_setup(void **state);
int		 tl_log_debug_setup(void **state);

/* ---- the temporary directory ---- */

/* "/tmp/<program>.XXXXXX" while a test has one, else "" */
extern char	tl_tmpdir[64];

/*
 * cmocka setup: make tl_tmpdir (mode 0700). Returns 0, or -1 when it
 * cannot be made.
 */
int		 tl_tmpdir_setup(void **state);
/*
 * cmocka teardown: remove tl_tmpdir and everything below it, whatever
 * the modes of its folders. Returns 0, or -1 when something stays.
 */
int		 tl_tmpdir_teardown(void **state);
/*
 * Remove path: a file, or a folder with everything below it; folders are
 * made writable first (a test may leave one read-only). Symbolic links
 * are removed, never followed. Returns 0, or -1 when something stays.
 */
int		 tl_rmtree(const char *path);
/* tl_tmpdir "/" the formatted name, valid until tl_tmpdir_teardown */
const char	*tl_path(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));

/* ---- files ---- */

/*
 * The whole of path, NUL-terminated, or NULL (errno set) when it cannot
 * be opened. The text lives in one of eight rotating buffers shared
 * with tl_capture_text/tl_capture_stop: valid until the eighth such call
 * after this one.
 */
char		*tl_slurp(const char *path);
/* write text to path (created or truncated, mode 0666 & ~umask) */
void		 tl_spit(const char *path, const char *text);
/* write text to tl_path(name); returns that path */
const char	*tl_put(const char *name, const char *text);
/* the entries of folder dir other than "." and ".." */
size_t		 tl_entries(const char *dir);
/*
 * fn(line, arg) for every line of path, without its newline; returns
 * how many. A file that cannot be opened fails the test.
 */
size_t		 tl_each_line(const char *path,
		    void (*fn)(const char *line, void *arg), void *arg);
/* how many times needle (not "") occurs in hay, not overlapping */
size_t		 tl_count(const char *hay, const char *needle);
/*
 * fn(stem) for every file name*suffix in folder dir, in name order
 * (stem: the name without suffix); returns how many. A folder that
 * cannot be read fails the test.
 */
size_t		 tl_each_file(const char *dir, const char *suffix,
		    void (*fn)(const char *stem));
/*
 * Text must equal the golden file path (the test fails, showing text,
 * when it differs or the file is missing); with BGPSD_REGEN=1 in the
 * environment text is written to path instead (after a review).
 */
void		 tl_golden(const char *path, const char *text);

/* ---- the event loop ---- */

/* the loop of tl_loop_setup (one per process: ev_new), else NULL */
extern struct ev_loop	*tl_loop;

/* cmocka setup: make tl_loop, also in *state; 0, or -1 */
int		 tl_loop_setup(void **state);
/* cmocka teardown: free tl_loop */
int		 tl_loop_teardown(void **state);
/* cmocka setup and teardown of both, tl_tmpdir and tl_loop */
int		 tl_setup(void **state);
int		 tl_teardown(void **state);
/*
 * Run loop until *flag is non-zero or max_ns passed (a bounded loop;
 * every iteration must return 0); returns *flag.
 */
int		 tl_run_until(struct ev_loop *loop, const int *flag,
		    uint64_t max_ns);
/* run loop for ns (0: not at all), whatever happens meanwhile */
void		 tl_run_for(struct ev_loop *loop, uint64_t ns);

/* what a "done" callback void (*)(int nfailed, void *arg) was told */
struct tl_done {
	int	 called;	/* how many times it ran */
	int	 nfailed;	/* its nfailed the last time */
};

/* such a callback; arg is a struct tl_done */
void		 tl_done_cb(int nfailed, void *arg);

/* ---- processes ---- */

/* pid is gone, or a zombie nobody reaps (init in a container may not) */
int		 tl_pid_gone(pid_t pid);
/*
 * Wait up to max_ns for pid to be gone; returns 1 when it went. One
 * still there is killed (SIGKILL), so no stray outlives the test, and
 * 0 is returned.
 */
int		 tl_wait_gone(pid_t pid, uint64_t max_ns);
/*
 * fn(arg) as an unprivileged user: as root in a child that switched to
 * "nobody" (uid and gid 65534 when there is no such user, no groups),
 * otherwise here. Returns what fn returned (0..254), or -1 when the
 * child could not switch or did not exit. fn reports by its result, not
 * with cmocka's asserts (in the child they would not reach the test).
 */
int		 tl_as_nobody(int (*fn)(void *), void *arg);

/* ---- output capture ---- */

/*
 * Descriptor fd (1 or 2) pointed at an unlinked temporary file, children
 * included. Stop before asserting: a failure message written while fd 1
 * or 2 is captured would be captured too.
 */
struct tl_capture {
	int	 fd;		/* the descriptor captured */
	int	 saved;		/* a copy of what fd was before */
	int	 file;		/* the temporary file */
	size_t	 len;		/* bytes in the file at the last read */
};

void		 tl_capture_start(struct tl_capture *c, int fd);
/* what was written to it so far (NUL-terminated; see tl_slurp) */
const char	*tl_capture_text(struct tl_capture *c);
/* fd restored; returns all that was written (see tl_slurp) */
const char	*tl_capture_stop(struct tl_capture *c);
/*
 * tl_capture_stop, then each string of the NULL-terminated list must be
 * somewhere in what was written
 */
void		 tl_capture_expect(struct tl_capture *c, ...)
		    __attribute__((sentinel));

/* ---- addresses, ExaBGP's JSON and the RIB ---- */

/* the canonical text of a (addr_fmt, prefix_fmt) must be want */
void		 tl_assert_addr(const struct addr *a, const char *want);
void		 tl_assert_prefix(const struct prefix *p, const char *want);

/* the message tl_feed decodes into, reused as bgpsd-listen reuses one */
extern struct exabgp_msg	 tl_msg;

/* cmocka setup and teardown: exabgp_msg_init and _free of tl_msg */
int		 tl_msg_setup(void **state);
int		 tl_msg_teardown(void **state);
/*
 * line decoded into tl_msg as bgpsd-listen decodes it (a line refused
 * fails the test) and applied to rib; returns what rib_apply returned.
 */
int		 tl_feed(struct rib *rib, const char *line);
/*
 * tl_feed of the line printf makes of fmt and what follows (up to 8 KiB;
 * a longer one fails the test)
 */
int		 tl_feedf(struct rib *rib, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/*
 * tl_feed of an update from peer announcing prefix (next hop "x") with
 * the JSON list comm of communities and, unless NULL, large of large
 * communities
 */
void		 tl_announce(struct rib *rib, const char *peer,
		    const char *prefix, const char *comm, const char *large);
/* the real ExaBGP 4.2 captures, from tests/ (where the tests run) */
#define TL_FIXTURES	"data/fixtures/exabgp-4.2/"
/*
 * A new RIB (AS 12345, host routes only) fed every line of the capture
 * TL_FIXTURES name ".jsonl" (one ExaBGP message a line) through tl_msg;
 * a line that does not decode is skipped, as bgpsd-listen logs and
 * skips it. A capture that cannot be opened fails the test.
 */
struct rib	*tl_capture_rib(const char *name);
/* rib_new with these fields of rib_conf, the rest 0 */
struct rib	*tl_rib_new(uint32_t asn, int large, int host_only,
		    int64_t max_routes);

/* ---- sockets ---- */

/*
 * A nonblocking TCP socket on 127.0.0.1 (AF_INET) or ::1 (AF_INET6)
 * bound to an ephemeral port, listening when backlog >= 0; *port is its
 * port. Returns the fd, or -1 (no failure: a host may lack ::1).
 */
int		 tl_lo_socket(int family, int backlog, uint16_t *port);

#endif
