/*
 * writer.c - put one rendered template in place without ever leaving a
 * half-written or unchecked file behind: compare, stage next to the
 * destination, fsync, check, keep a backup, rename, fsync the directory.
 *
 * Any failure leaves the destination as it was; the caller retries at the
 * next change, so the writer never loops on its own.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "creds.h"
#include "ev.h"
#include "listen.h"
#include "log.h"
#include "proc.h"

#define WRITER_DETAIL_MAX	256

struct writer {
	struct ev_loop		*loop;
	struct run_as		 run_as;
	const struct template_conf *tc;
	char			*staged;	/* NULL when nothing staged */
	struct proc		*proc;		/* running check */
	writer_done_cb		 cb;
	void			*arg;
	char			 detail[WRITER_DETAIL_MAX];
};

static const char *const writer_result_names[] = {
	[WRITER_UNCHANGED] = "unchanged",
	[WRITER_WRITTEN] = "written",
	[WRITER_REFUSED] = "refused",
	[WRITER_CHECK_FAILED] = "check-failed",
	[WRITER_ERROR] = "error",
	[WRITER_CANCELLED] = "cancelled",
	[WRITER_PENDING] = "pending",
};

const char *
writer_result_name(enum writer_result r)
{
	if ((size_t)r >= sizeof(writer_result_names) /
	    sizeof(writer_result_names[0]) || writer_result_names[r] == NULL)
		return "unknown";
	return writer_result_names[r];
}

struct writer *
writer_new(struct ev_loop *loop, const struct run_as *ra)
{
	struct writer	*w;

	w = xcalloc(1, sizeof(*w));
	w->loop = loop;
	if (ra != NULL)
		w->run_as = *ra;
	return w;
}

void
writer_free(struct writer *w)
{
	if (w == NULL)
		return;
	writer_cancel(w);
	free(w);
}

const char *
writer_detail(const struct writer *w)
{
	return w->detail;
}

const char *
writer_staged_path(const struct writer *w)
{
	return w->staged != NULL ? w->staged : "";
}

static void
writer_unstage(struct writer *w)
{
	if (w->staged == NULL)
		return;
	if (unlink(w->staged) == -1 && errno != ENOENT)
		log_warn("%s: unlink", w->staged);
	free(w->staged);
	w->staged = NULL;
}

/*
 * 1 if path holds exactly buf, 0 if not (or missing), -1 on a read error
 * other than "missing" (then we try to write anyway and fail there).
 */
static int
writer_same(const char *path, const char *buf, size_t len)
{
	struct stat	 st;
	char		 chunk[8192];
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, same = 0;

	/* O_NONBLOCK: a FIFO at the destination must not stall the loop */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size != (uintmax_t)len)
		goto done;
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto done;
		if (n == 0)
			break;
		if ((size_t)n > len - off ||
		    memcmp(chunk, buf + off, (size_t)n) != 0)
			goto done;
		off += (size_t)n;
	}
	same = off == len;
 done:
	close(fd);
	return same;
}

/* "dir/.base.bgpsd-XXXXXX" beside dest, so rename(2) stays atomic */
static char *
writer_temp_template(const char *dest)
{
	const char	*slash;
	char		*tmpl;
	int		 n;

	slash = strrchr(dest, '/');
	if (slash == NULL)
		n = asprintf(&tmpl, ".%s.bgpsd-XXXXXX", dest);
	else
		n = asprintf(&tmpl, "%.*s/.%s.bgpsd-XXXXXX",
		    (int)(slash - dest), dest, slash + 1);
	if (n == -1)
		fatal("asprintf");
	return tmpl;
}

static int
writer_write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
writer_stage(struct writer *w, const struct creds *owner, const char *buf,
    size_t len)
{
	const struct template_conf *tc = w->tc;
	uid_t		 uid = owner != NULL ? owner->uid : CREDS_KEEP_UID;
	gid_t		 gid = owner != NULL ? owner->gid : CREDS_KEEP_GID;
	char		*path;
	const char	*step;
	int		 fd, saved;

	path = writer_temp_template(tc->destination);
	/* mkostemp opens with O_CREAT|O_EXCL, mode 0600 until fchmod */
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1) {
		saved = errno;
		log_warn("%s: cannot stage in its directory",
		    tc->destination);
		snprintf(w->detail, sizeof(w->detail), "stage: %s",
		    strerror(saved));
		free(path);
		return -1;
	}
	w->staged = path;
	step = "fchmod";
	if (fchmod(fd, tc->perms) == -1)
		goto fail;
	step = "fchown";
	if ((uid != CREDS_KEEP_UID || gid != CREDS_KEEP_GID) &&
	    fchown(fd, uid, gid) == -1)
		goto fail;
	step = "write";
	if (writer_write_all(fd, buf, len) == -1)
		goto fail;
	step = "fsync";
	if (fsync(fd) == -1)
		goto fail;
	step = "close";
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
 fail:
	saved = errno;
	log_warn("%s: %s of staged %s", tc->destination, step, w->staged);
	snprintf(w->detail, sizeof(w->detail), "%s: %s", step,
	    strerror(saved));
	if (fd != -1)
		close(fd);
	writer_unstage(w);
	return -1;
}

/* move the staged file over the destination; 0 or -1 (staged removed) */
static int
writer_commit(struct writer *w)
{
	const struct template_conf *tc = w->tc;
	char		*bak = NULL, *baktmp = NULL, *dir;
	const char	*slash;
	int		 dfd, saved;

	if (tc->backup && access(tc->destination, F_OK) == 0) {
		/*
		 * A hard link keeps the old inode as .bak while the
		 * destination itself never disappears; linking to a fresh
		 * name and renaming that over .bak makes .bak atomic too.
		 */
		if (asprintf(&bak, "%s.bak", tc->destination) == -1 ||
		    asprintf(&baktmp, "%s.bak-tmp", w->staged) == -1)
			fatal("asprintf");
		if (link(tc->destination, baktmp) == -1 ||
		    rename(baktmp, bak) == -1) {
			saved = errno;
			log_warn("%s: backup to %s", tc->destination, bak);
			snprintf(w->detail, sizeof(w->detail), "backup: %s",
			    strerror(saved));
			unlink(baktmp);
			free(bak);
			free(baktmp);
			writer_unstage(w);
			return -1;
		}
		free(bak);
		free(baktmp);
	}
	if (rename(w->staged, tc->destination) == -1) {
		saved = errno;
		log_warn("%s: rename from %s", tc->destination, w->staged);
		snprintf(w->detail, sizeof(w->detail), "rename: %s",
		    strerror(saved));
		writer_unstage(w);
		return -1;
	}
	free(w->staged);
	w->staged = NULL;

	/* the rename is durable only once the directory is synced */
	slash = strrchr(tc->destination, '/');
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == tc->destination)
		dir = xstrdup("/");
	else if ((dir = strndup(tc->destination,
	    (size_t)(slash - tc->destination))) == NULL)
		fatal("strndup");
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		log_warn("%s: open directory", dir);
	else {
		if (fsync(dfd) == -1 && errno != EINVAL)
			log_warn("%s: fsync directory", dir);
		close(dfd);
	}
	free(dir);
	snprintf(w->detail, sizeof(w->detail), "written");
	log_info("%s: written", tc->destination);
	return 0;
}

/* first line of a command's output, for the status detail */
static void
writer_first_line(const char *out, char *buf, size_t len)
{
	size_t	n;

	buf[0] = '\0';
	if (out == NULL)
		return;
	n = strcspn(out, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, out, n);
	buf[n] = '\0';
}

static void
writer_check_done(const struct proc_result *res, void *arg)
{
	struct writer	*w = arg;
	enum writer_result r;
	char		 st[64], line[160], who[PATH_MAX + 16];
	int		 ok;

	w->proc = NULL;
	proc_status_str(res, st, sizeof(st));
	ok = !res->timed_out && res->spawn_errno == 0 &&
	    WIFEXITED(res->status) && WEXITSTATUS(res->status) == 0;
	/* the check's output belongs in the log, never on our stdout */
	snprintf(who, sizeof(who), "%s: check", w->tc->destination);
	commands_log_output(who, res->output, !ok);
	if (ok) {
		r = writer_commit(w) == 0 ? WRITER_WRITTEN : WRITER_ERROR;
	} else {
		writer_first_line(res->output, line, sizeof(line));
		log_warnx("%s: check failed (%s)%s%s; old file kept",
		    w->tc->destination, st, line[0] != '\0' ? ": " : "",
		    line);
		snprintf(w->detail, sizeof(w->detail), "check %s%s%s", st,
		    line[0] != '\0' ? ": " : "", line);
		writer_unstage(w);
		r = WRITER_CHECK_FAILED;
	}
	w->cb(r, w->arg);
}

static int
writer_start_check(struct writer *w)
{
	const struct template_conf *tc = w->tc;
	struct proc_spec spec;
	char		**argv, *env[2];
	size_t		 i, n;
	int		 rc = 0;

	for (n = 0; tc->check.argv[n] != NULL; n++)
		;
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 0; i < n; i++)
		argv[i] = commands_expand(tc->check.argv[i], w->staged,
		    tc->check.shell);
	if (asprintf(&env[0], "BGPSD_STAGED=%s", w->staged) == -1)
		fatal("asprintf");
	env[1] = NULL;

	memset(&spec, 0, sizeof(spec));
	spec.argv = (const char *const *)argv;
	spec.shell = tc->check.shell;
	spec.env = (const char *const *)env;
	spec.uid = w->run_as.uid;
	spec.gid = w->run_as.gid;
	spec.drop = w->run_as.drop;
	spec.timeout = (uint64_t)(tc->command_timeout * (double)EV_NSEC);
	/* a check validates a file: nothing it starts may outlive it */
	spec.kill_group = 1;
	w->proc = proc_run(w->loop, &spec, writer_check_done, w);
	if (w->proc == NULL) {
		snprintf(w->detail, sizeof(w->detail), "check: spawn failed");
		writer_unstage(w);
		rc = -1;
	}
	/* proc_run copied what it needs before returning */
	for (i = 0; i < n; i++)
		free(argv[i]);
	free(argv);
	free(env[0]);
	return rc;
}

enum writer_result
writer_write(struct writer *w, const struct template_conf *tc,
    const struct creds *owner, const char *buf, size_t len,
    writer_done_cb cb, void *arg)
{
	if (w->proc != NULL || w->staged != NULL)
		fatalx("writer_write: a write is already pending");
	w->tc = tc;
	w->cb = cb;
	w->arg = arg;
	w->detail[0] = '\0';

	if (writer_same(tc->destination, buf, len) == 1) {
		snprintf(w->detail, sizeof(w->detail), "unchanged");
		log_debug("%s: unchanged", tc->destination);
		return WRITER_UNCHANGED;
	}
	if (writer_stage(w, owner, buf, len) == -1)
		return WRITER_ERROR;
	if (tc->check.argv != NULL && tc->check.argv[0] != NULL) {
		if (writer_start_check(w) == -1)
			return WRITER_ERROR;
		return WRITER_PENDING;
	}
	return writer_commit(w) == 0 ? WRITER_WRITTEN : WRITER_ERROR;
}

/*
 * Remove staged files a killed predecessor left next to dest: exactly
 * ".<base>.bgpsd-" and six more characters, as mkostemp made them.
 */
int
writer_sweep(const char *dest)
{
	DIR		*d;
	struct dirent	*de;
	const char	*slash, *base;
	char		*dir, *prefix, *path;
	size_t		 plen;
	int		 n = 0;

	slash = strrchr(dest, '/');
	base = slash != NULL ? slash + 1 : dest;
	if (slash == NULL)
		dir = xstrdup(".");
	else if (slash == dest)
		dir = xstrdup("/");
	else if ((dir = strndup(dest, (size_t)(slash - dest))) == NULL)
		fatal("strndup");
	if (asprintf(&prefix, ".%s.bgpsd-", base) == -1)
		fatal("asprintf");
	plen = strlen(prefix);
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strncmp(de->d_name, prefix, plen) != 0 ||
			    strlen(de->d_name) != plen + 6)
				continue;
			if (asprintf(&path, "%s/%s", dir, de->d_name) == -1)
				fatal("asprintf");
			if (unlink(path) == 0) {
				log_info("%s: removed stale staged file", path);
				n++;
			}
			free(path);
		}
		closedir(d);
	}
	free(prefix);
	free(dir);
	return n;
}

void
writer_cancel(struct writer *w)
{
	if (w->proc != NULL) {
		proc_cancel(w->proc);
		w->proc = NULL;
	}
	writer_unstage(w);
}
