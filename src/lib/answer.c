/*
 * answer.c - ExaBGP's plain-text lines to a process, classified.
 */
#include <string.h>

#include "answer.h"

static const char *const answer_names[ANSWER_MAX] = {
	[ANSWER_EMPTY] = "empty",
	[ANSWER_DONE] = "done",
	[ANSWER_ERROR] = "error",
	[ANSWER_SHUTDOWN] = "shutdown",
	[ANSWER_NEIGHBOR] = "neighbor",
	[ANSWER_SUMMARY] = "summary",
	[ANSWER_OTHER] = "other",
};

const char *
answer_name(enum answer a)
{
	if ((unsigned)a >= ANSWER_MAX)
		return "?";
	return answer_names[a];
}

static int
answer_word(const char *line, size_t len, const char *word)
{
	size_t	 wl = strlen(word);

	return len == wl && memcmp(line, word, wl) == 0;
}

static int
answer_prefix_word(const char *line, size_t len, const char *word)
{
	size_t	 wl = strlen(word);

	return len > wl && memcmp(line, word, wl) == 0 && line[wl] == ' ';
}

/*
 * The header of ExaBGP 4.2's "show neighbor summary":
 * "Peer            AS        up/down state       |     #sent     #recvd"
 * compared word by word, whatever the spacing.
 */
static int
answer_summary_header(const char *line, size_t len)
{
	static const char *const words[] = {
		"Peer", "AS", "up/down", "state", "|", "#sent", "#recvd",
	};
	size_t	 i, w, wl;

	for (i = 0, w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		while (i < len && line[i] == ' ')
			i++;
		wl = strlen(words[w]);
		if (len - i < wl || memcmp(line + i, words[w], wl) != 0)
			return 0;
		i += wl;
		if (i < len && line[i] != ' ')
			return 0;
	}
	while (i < len && line[i] == ' ')
		i++;
	return i == len;
}

enum answer
answer_parse(const char *line, size_t len)
{
	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0)
		return ANSWER_EMPTY;
	if (answer_word(line, len, "done"))
		return ANSWER_DONE;
	if (answer_word(line, len, "error"))
		return ANSWER_ERROR;
	/* "shutdown <pid> <ppid>" in 4.2; a bare "shutdown" too */
	if (answer_word(line, len, "shutdown") ||
	    answer_prefix_word(line, len, "shutdown"))
		return ANSWER_SHUTDOWN;
	if (answer_prefix_word(line, len, "neighbor"))
		return ANSWER_NEIGHBOR;
	if (answer_summary_header(line, len))
		return ANSWER_SUMMARY;
	return ANSWER_OTHER;
}
