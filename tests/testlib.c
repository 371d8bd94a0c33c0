/*
 * testlib.c - the plumbing the cmocka unit tests share; see testlib.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "testlib.h"

#define TL_NRING	8	/* buffers of tl_slurp and the captures */

char			 tl_tmpdir[64];
struct ev_loop		*tl_loop;
struct exabgp_msg	 tl_msg;

/* what tl_path made, freed with the directory */
static char	**paths;
static size_t	 npaths;

static char	*ring[TL_NRING];
static size_t	 ringcap[TL_NRING];
static unsigned	 ringnext;

/*
 * All of fd into the next ring buffer, NUL-terminated: from offset 0
 * with pread when positional (the file's offset stays where it is),
 * else with read from where it stands.
 */
static char *
read_all(int fd, int positional, size_t *lenp)
{
	unsigned	 i = ringnext++ % TL_NRING;
	size_t		 len = 0;
	ssize_t		 n;
	char		*p;

	for (;;) {
		if (ringcap[i] - len < 4096) {
			p = realloc(ring[i], ringcap[i] + 65536);
			if (p == NULL)
				fail_msg("out of memory");
			ring[i] = p;
			ringcap[i] += 65536;
		}
		if (positional)
			n = pread(fd, ring[i] + len, ringcap[i] - len - 1,
			    (off_t)len);
		else
			n = read(fd, ring[i] + len, ringcap[i] - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			fail_msg("read: %s", strerror(errno));
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ring[i][len] = '\0';
	if (lenp != NULL)
		*lenp = len;
	return ring[i];
}

int
tl_u64cmp(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- logging ---- */

int
tl_log_setup(void **state)
{
	(void)state;
	log_init(program_invocation_short_name, 0, 0);
	return 0;
}

int
tl_log_debug_setup(void **state)
{
	(void)state;
	log_init(program_invocation_short_name, 0, 1);
	return 0;
}

/* ---- the temporary directory ---- */

int
tl_tmpdir_setup(void **state)
{
	(void)state;
	snprintf(tl_tmpdir, sizeof(tl_tmpdir), "/tmp/%.40s.XXXXXX",
	    program_invocation_short_name);
	if (mkdtemp(tl_tmpdir) == NULL) {
		tl_tmpdir[0] = '\0';
		return -1;
	}
	return 0;
}

int
tl_tmpdir_teardown(void **state)
{
	int	 rc;

	(void)state;
	if (tl_tmpdir[0] == '\0')
		return 0;
	rc = tl_rmtree(tl_tmpdir);
	tl_tmpdir[0] = '\0';
	while (npaths > 0)
		free(paths[--npaths]);
	free(paths);
	paths = NULL;
	return rc;
}

int
tl_rmtree(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[PATH_MAX];
	int		 rc = 0;

	if (lstat(path, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* a read-only folder keeps its entries from all but root */
	(void)chmod(path, 0700);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", path,
		    de->d_name) >= sizeof(sub) || tl_rmtree(sub) == -1)
			rc = -1;
	}
	closedir(d);
	if (rmdir(path) == -1)
		return -1;
	return rc;
}

const char *
tl_path(const char *fmt, ...)
{
	char	 name[PATH_MAX], **v, *p;
	va_list	 ap;
	int	 n;

	if (tl_tmpdir[0] == '\0')
		fail_msg("tl_path: no temporary directory (tl_tmpdir_setup)");
	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name))
		fail_msg("tl_path: name too long");
	if (asprintf(&p, "%s/%s", tl_tmpdir, name) == -1 ||
	    (v = reallocarray(paths, npaths + 1, sizeof(*v))) == NULL)
		fail_msg("out of memory");
	paths = v;
	paths[npaths++] = p;
	return p;
}

/* ---- files ---- */

char *
tl_slurp(const char *path)
{
	char	*text;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	text = read_all(fd, 0, NULL);
	close(fd);
	return text;
}

void
tl_spit(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	if (fputs(text, f) == EOF)
		fail_msg("%s: %s", path, strerror(errno));
	if (fclose(f) == EOF)
		fail_msg("%s: %s", path, strerror(errno));
}

const char *
tl_put(const char *name, const char *text)
{
	const char	*path = tl_path("%s", name);

	tl_spit(path, text);
	return path;
}

size_t
tl_entries(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 n = 0;

	if ((d = opendir(dir)) == NULL)
		fail_msg("%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

size_t
tl_each_line(const char *path, void (*fn)(const char *line, void *arg),
    void *arg)
{
	char	*line = NULL;
	size_t	 cap = 0, count = 0;
	ssize_t	 len;
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		fn(line, arg);
		count++;
	}
	free(line);
	fclose(f);
	return count;
}

size_t
tl_count(const char *hay, const char *needle)
{
	size_t	 n = 0, len = strlen(needle);

	assert_true(len > 0);
	for (; (hay = strstr(hay, needle)) != NULL; hay += len)
		n++;
	return n;
}

size_t
tl_each_file(const char *dir, const char *suffix,
    void (*fn)(const char *stem))
{
	struct dirent	**names;
	size_t		 count = 0, len, slen = strlen(suffix);
	char		 stem[NAME_MAX + 1];
	int		 i, n;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1)
		fail_msg("%s: %s", dir, strerror(errno));
	for (i = 0; i < n; i++) {
		len = strlen(names[i]->d_name);
		if (len > slen && strcmp(names[i]->d_name + len - slen,
		    suffix) == 0) {
			snprintf(stem, sizeof(stem), "%.*s", (int)(len - slen),
			    names[i]->d_name);
			fn(stem);
			count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

void
tl_golden(const char *path, const char *text)
{
	const char	*regen = getenv("BGPSD_REGEN");
	const char	*want;

	if (regen != NULL && strcmp(regen, "1") == 0) {
		tl_spit(path, text);
		return;
	}
	if ((want = tl_slurp(path)) == NULL)
		fail_msg("%s: missing (BGPSD_REGEN=1 makes it)", path);
	if (strcmp(want, text) != 0)
		fail_msg("%s differs; got:\n%s", path, text);
}

/* ---- the event loop ---- */

int
tl_loop_setup(void **state)
{
	if ((tl_loop = ev_new()) == NULL)
		return -1;
	*state = tl_loop;
	return 0;
}

int
tl_loop_teardown(void **state)
{
	ev_free(tl_loop);
	tl_loop = NULL;
	*state = NULL;
	return 0;
}

int
tl_setup(void **state)
{
	if (tl_tmpdir_setup(state) == -1)
		return -1;
	return tl_loop_setup(state);
}

int
tl_teardown(void **state)
{
	tl_loop_teardown(state);
	return tl_tmpdir_teardown(state);
}

int
tl_run_until(struct ev_loop *loop, const int *flag, uint64_t max_ns)
{
	uint64_t	 end = ev_monotonic() + max_ns;

	while (*flag == 0 && ev_monotonic() < end)
		assert_int_equal(ev_run_once(loop, 10 * EV_MSEC), 0);
	return *flag;
}

void
tl_run_for(struct ev_loop *loop, uint64_t ns)
{
	uint64_t	 end = ev_monotonic() + ns, now;

	while ((now = ev_monotonic()) < end)
		assert_int_equal(ev_run_once(loop, (int64_t)(end - now)), 0);
}

void
tl_done_cb(int nfailed, void *arg)
{
	struct tl_done	*d = arg;

	d->called++;
	d->nfailed = nfailed;
}

/* ---- processes ---- */

int
tl_pid_gone(pid_t pid)
{
	char	 path[64], line[512], *s;
	FILE	*f;
	int	 gone = 1;

	if (kill(pid, 0) == -1 && errno == ESRCH)
		return 1;
	/* "pid (comm) S ...": comm may hold anything, ')' included */
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	if (fgets(line, sizeof(line), f) != NULL &&
	    (s = strrchr(line, ')')) != NULL && s[1] == ' ')
		gone = s[2] == 'Z' || s[2] == 'X';
	fclose(f);
	return gone;
}

int
tl_wait_gone(pid_t pid, uint64_t max_ns)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	uint64_t	 end = ev_monotonic() + max_ns;

	while (!tl_pid_gone(pid)) {
		if (ev_monotonic() >= end) {
			(void)kill(pid, SIGKILL);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	return 1;
}

int
tl_as_nobody(int (*fn)(void *), void *arg)
{
	struct passwd	*pw;
	uid_t		 uid = 65534;
	gid_t		 gid = 65534;
	pid_t		 pid;
	int		 status;

	if (geteuid() != 0)
		return fn(arg);
	if ((pw = getpwnam("nobody")) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		fail_msg("fork: %s", strerror(errno));
	if (pid == 0) {
		if (setgroups(0, NULL) == -1 || setgid(gid) == -1 ||
		    setuid(uid) == -1)
			_exit(255);
		_exit(fn(arg) & 0xff);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			fail_msg("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 255)
		return -1;
	return WEXITSTATUS(status);
}

/* ---- output capture ---- */

void
tl_capture_start(struct tl_capture *c, int fd)
{
	char	 path[] = "/tmp/tl_capture.XXXXXX";

	memset(c, 0, sizeof(*c));
	c->fd = fd;
	if ((c->file = mkstemp(path)) == -1)
		fail_msg("mkstemp: %s", strerror(errno));
	unlink(path);
	fflush(stdout);
	fflush(stderr);
	if ((c->saved = dup(fd)) == -1 || dup2(c->file, fd) == -1)
		fail_msg("capture of fd %d: %s", fd, strerror(errno));
}

const char *
tl_capture_text(struct tl_capture *c)
{
	fflush(stdout);
	fflush(stderr);
	return read_all(c->file, 1, &c->len);
}

const char *
tl_capture_stop(struct tl_capture *c)
{
	const char	*text = tl_capture_text(c);

	if (dup2(c->saved, c->fd) == -1)
		fail_msg("restore of fd %d: %s", c->fd, strerror(errno));
	close(c->saved);
	close(c->file);
	c->saved = c->file = -1;
	return text;
}

void
tl_capture_expect(struct tl_capture *c, ...)
{
	const char	*text = tl_capture_stop(c), *want;
	va_list		 ap;

	va_start(ap, c);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(text, want) == NULL)
			fail_msg("\"%s\" not in: %s", want, text);
	va_end(ap);
}

/* ---- addresses, ExaBGP's JSON and the RIB ---- */

void
tl_assert_addr(const struct addr *a, const char *want)
{
	char	 buf[ADDR_STRLEN];

	assert_string_equal(addr_fmt(a, buf, sizeof(buf)), want);
}

void
tl_assert_prefix(const struct prefix *p, const char *want)
{
	char	 buf[PREFIX_STRLEN];

	assert_string_equal(prefix_fmt(p, buf, sizeof(buf)), want);
}

int
tl_msg_setup(void **state)
{
	(void)state;
	exabgp_msg_init(&tl_msg);
	return 0;
}

int
tl_msg_teardown(void **state)
{
	(void)state;
	exabgp_msg_free(&tl_msg);
	return 0;
}

int
tl_feed(struct rib *rib, const char *line)
{
	char	 err[256];

	if (exabgp_decode(&tl_msg, line, strlen(line), err,
	    sizeof(err)) == -1)
		fail_msg("test line refused: %s: %s", err, line);
	return rib_apply(rib, &tl_msg);
}

int
tl_feedf(struct rib *rib, const char *fmt, ...)
{
	char	 line[8192];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		fail_msg("test line too long (%d bytes): %.80s...", n, line);
	return tl_feed(rib, line);
}

void
tl_announce(struct rib *rib, const char *peer, const char *prefix,
    const char *comm, const char *large)
{
	tl_feedf(rib, "{ \"type\": \"update\", \"neighbor\": {"
	    " \"address\": { \"peer\": \"%s\" }, \"message\": { \"update\": { "
	    "\"attribute\": { \"community\": %s%s%s }, \"announce\": { "
	    "\"%s unicast\": { \"x\": [ \"%s\" ] } } } } } }", peer, comm,
	    large != NULL ? ", \"large-community\": " : "",
	    large != NULL ? large : "", strchr(prefix, ':') ? "ipv6" : "ipv4",
	    prefix);
}

/* a line of a capture into the RIB arg, unless it does not decode */
static void
capture_line(const char *line, void *arg)
{
	char	 err[256];

	if (exabgp_decode(&tl_msg, line, strlen(line), err,
	    sizeof(err)) == 0)
		rib_apply(arg, &tl_msg);
}

struct rib *
tl_capture_rib(const char *name)
{
	struct rib	*rib = tl_rib_new(12345, 0, 1, 0);
	char		 path[PATH_MAX];

	snprintf(path, sizeof(path), TL_FIXTURES "%s.jsonl", name);
	tl_each_line(path, capture_line, rib);
	return rib;
}

struct rib *
tl_rib_new(uint32_t asn, int large, int host_only, int64_t max_routes)
{
	struct rib_conf	 rc;

	memset(&rc, 0, sizeof(rc));
	rc.asn = asn;
	rc.large = large;
	rc.host_routes_only = host_only;
	rc.max_routes = max_routes;
	return rib_new(&rc);
}

/* ---- sockets ---- */

int
tl_lo_socket(int family, int backlog, uint16_t *port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		len = sizeof(*s6);
	} else {
		s4->sin_family = AF_INET;
		s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*s4);
	}
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    (backlog >= 0 && listen(fd, backlog) == -1) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1) {
		close(fd);
		return -1;
	}
	*port = ntohs(family == AF_INET6 ? s6->sin6_port : s4->sin_port);
	return fd;
}
