/*
 * log.h - OpenBSD-style logging. Never writes to stdout: stdout of
 * bgpsd-announce is ExaBGP's command channel.
 */
#ifndef BGPSD_LOG_H
#define BGPSD_LOG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * log_init: to_syslog != 0 logs to syslog(3) with facility LOG_DAEMON,
 * else to stderr as "ident: message". verbose: 0 = info and up,
 * 1 = debug too.
 */
void	log_init(const char *ident, int to_syslog, int verbose);
void	log_setverbose(int verbose);
int	log_getverbose(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));
__attribute__((noreturn)) void
	fatal(const char *, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void
	fatalx(const char *, ...) __attribute__((format(printf, 1, 2)));

/* allocation helpers: fatal on out of memory */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

#endif
