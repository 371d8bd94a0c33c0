/*
 * outq.h - the lines a process writes to ExaBGP on its stdout: queued,
 * written as the pipe takes them without ever blocking (O_NONBLOCK, the
 * rest waits for EV_WRITE), each line's owner told when its last byte
 * went out. EPIPE means ExaBGP is gone. Both programs write through it:
 * bgpsd-announce its routes, bgpsd-listen its table-recovery request.
 */
#ifndef BGPSD_OUTQ_H
#define BGPSD_OUTQ_H

#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct outq;

/* a line's last byte was written: seq as outq_push returned it */
typedef void	(*outq_written_cb)(uint64_t seq, const char *line,
		    uintptr_t tag, void *arg);
/* write(2) failed for good (errno: EPIPE when ExaBGP is gone) */
typedef void	(*outq_error_cb)(int err, void *arg);

/*
 * fd is made nonblocking here and its flags are restored by outq_free.
 * NULL (logged) if they cannot be set.
 */
struct outq	*outq_new(struct ev_loop *, int fd, outq_written_cb,
		    outq_error_cb, void *arg);
void		 outq_free(struct outq *);
/*
 * Queue line (copied; its newline is added here) with the caller's tag;
 * outq_flush writes it (so a caller can note the sequence number before
 * the written callback may name it). Returns its sequence number (from
 * 1). After an error nothing more is written.
 */
uint64_t	 outq_push(struct outq *, const char *line, uintptr_t tag);
/* write what the pipe takes now */
void		 outq_flush(struct outq *);
/* lines (a part written counts as not written) and bytes still queued */
size_t		 outq_lines(const struct outq *);
size_t		 outq_bytes(const struct outq *);
/* the i-th line still queued, oldest first: its text, tag and seq */
const char	*outq_line(const struct outq *, size_t i, uintptr_t *tag,
		    uint64_t *seq);
/* 1 after a write failed for good */
int		 outq_failed(const struct outq *);

#endif
