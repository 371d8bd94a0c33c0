/*
 * answer.h - the plain-text lines ExaBGP 4.2 writes on a process's stdin
 * besides the JSON of updates: the answers to commands ("done", "error",
 * the header of "show neighbor summary"), neighbor state lines of the
 * text encoder, and "shutdown". Both programs classify them here.
 */
#ifndef BGPSD_ANSWER_H
#define BGPSD_ANSWER_H

#include <stddef.h>

enum answer {
	ANSWER_EMPTY,		/* "" (the line after a neighbor line) */
	ANSWER_DONE,		/* a command was done */
	ANSWER_ERROR,		/* a command was refused */
	ANSWER_SHUTDOWN,	/* "shutdown <pid> <ppid>": ExaBGP stops */
	ANSWER_NEIGHBOR,	/* "neighbor X up / connected / down - why" */
	ANSWER_SUMMARY,		/* "Peer AS up/down state | #sent #recvd" */
	ANSWER_OTHER,
	ANSWER_MAX
};

/*
 * One line, without its newline (a trailing "\r" is ignored). Exact
 * words only: "done " or "Done" is ANSWER_OTHER.
 */
enum answer	 answer_parse(const char *line, size_t len);
const char	*answer_name(enum answer);

#endif
