/*
 * cfg.c - libconfig loading with "file:line: message" errors, and typed
 * getters with range checks.
 *
 * libconfig 1.5 (Debian 12) silently truncates an integer literal that
 * does not fit in 32 bits unless it carries an "L" suffix: "asn =
 * 4200000000;" would read back as a negative number. A 32-bit ASN is an
 * ordinary value here, so cfg_load() scans the text first and appends the
 * "L" itself (to every integer of an array that needs one: arrays must be
 * homogeneous). Included files are read by libconfig directly, so there
 * such a literal is reported as an error instead. Lines never move.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "log.h"

#define CFG_MAX_SIZE	(16 * 1024 * 1024)	/* sanity cap on input */
#define CFG_MAX_DEPTH	10			/* nested @include */
#define CFG_MAX_FILES	64

/* a file's text with the offset of each line, for cfg_line() */
struct cfg_text {
	char		*name;		/* NULL for the main file */
	char		*text;
	size_t		*lines;		/* lines[i] = offset of line i + 1 */
	size_t		 nlines;
};

/* config_t comes first: settings point back to it (setting->config) */
struct cfg_doc {
	config_t	 cf;
	char		*path;		/* as given: used for the main file */
	char		*dir;		/* include dir; NULL for stdin */
	char		*names[CFG_MAX_FILES];	/* resolved include names */
	size_t		 nnames;
	struct cfg_text	*texts;		/* for cfg_line(), see there */
	size_t		 ntexts;
};

/* where a literal needs an "L" (rewrite) or is an error (include) */
struct cfg_fix {
	size_t		*off;		/* offsets just past the literal */
	size_t		 n, cap;
	int		 detect;	/* included file: report, do not fix */
	int		 syntax_line;	/* a string where none can be */
	int		 bad_line;	/* first out-of-range literal */
	char		 bad_text[32];
};

static int
cfg_is_stdin(const char *path)
{
	return strcmp(path, "-") == 0 || strcmp(path, "/dev/stdin") == 0;
}

static void
cfg_fix_add(struct cfg_fix *fx, size_t off)
{
	if (fx->n == fx->cap) {
		fx->cap = fx->cap ? fx->cap * 2 : 16;
		fx->off = xreallocarray(fx->off, fx->cap, sizeof(*fx->off));
	}
	fx->off[fx->n++] = off;
}

static int
cfg_name_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '*';
}

/*
 * Does the integer literal text[s..e) (optional sign, decimal or hex, no
 * suffix) fit in a 32-bit int as libconfig 1.5 reads it? 0 yes, 1 it
 * needs "L", -1 it does not even fit in 64 bits.
 */
static int
cfg_int_needs_l(const char *text, size_t s, size_t e)
{
	char		 buf[64];
	size_t		 len = e - s;
	const char	*p;
	int		 neg = 0, hex;
	unsigned long long v;
	char		*end;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, text + s, len);
	buf[len] = '\0';
	p = buf;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	hex = p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
	errno = 0;
	v = strtoull(hex ? p + 2 : p, &end, hex ? 16 : 10);
	if (errno != 0 || *end != '\0')
		return -1;
	if (hex)	/* libconfig keeps the bit pattern of hex literals */
		return v > INT32_MAX;
	if (neg)
		return v > (unsigned long long)INT64_MAX + 1 ? -1 :
		    v > (unsigned long long)INT32_MAX + 1;
	return v > INT64_MAX ? -1 : v > INT32_MAX;
}

/*
 * Scan libconfig text for integer literals that need an "L" suffix.
 * Comments, strings and setting names are skipped; numbers with '.' or
 * an exponent are floats and left alone. Include file names found are
 * handed to incl() when not NULL.
 *
 * It also finds one syntax error itself: a string literal where the
 * grammar has no place for one ('"x" = 1;'). libconfig 1.5 leaks that
 * string when it rejects it, and a daemon re-reading a bad file on every
 * SIGHUP should not.
 */
static void
cfg_scan(const char *text, size_t len, struct cfg_fix *fx,
    void (*incl)(const char *, size_t, int, void *), void *arg)
{
	size_t	 i = 0, s, arr_first = 0;
	int	 line = 1, in_array = 0, arr_needs = 0, r, is_float;
	int	 depth = 0, in_group;
	char	 prev = 0, stack[64];	/* open brackets, innermost last */

	while (i < len) {
		char ch = text[i];

		if (ch == '\n') {
			line++;
			i++;
		} else if (ch == '#' || (ch == '/' && i + 1 < len &&
		    text[i + 1] == '/')) {
			while (i < len && text[i] != '\n')
				i++;
		} else if (ch == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2; i < len && !(text[i] == '*' &&
			    i + 1 < len && text[i + 1] == '/'); i++)
				if (text[i] == '\n')
					line++;
			i += 2;
		} else if (ch == '"') {
			in_group = depth == 0 || (depth <= (int)sizeof(stack) &&
			    stack[depth - 1] == '{');
			if (!(prev == '=' || prev == ':' || prev == '(' ||
			    prev == '[' || prev == '"' || (prev == ',' &&
			    !in_group)) && fx->syntax_line == 0)
				fx->syntax_line = line;
			prev = '"';
			for (i++; i < len && text[i] != '"'; i++) {
				if (text[i] == '\\' && i + 1 < len)
					i++;
				if (text[i] == '\n')
					line++;
			}
			i++;
		} else if (ch == '@') {
			/* @include "file" */
			s = i;
			for (i++; i < len && isalpha((unsigned char)text[i]);
			    i++)
				;
			if (i - s == 8 && strncmp(text + s, "@include", 8) ==
			    0) {
				while (i < len && (text[i] == ' ' ||
				    text[i] == '\t'))
					i++;
				if (i < len && text[i] == '"') {
					s = ++i;
					while (i < len && text[i] != '"' &&
					    text[i] != '\n')
						i++;
					if (incl != NULL)
						incl(text + s, i - s, line, arg);
					if (i < len && text[i] == '"')
						i++;
				}
			}
		} else if (isalpha((unsigned char)ch) || ch == '*' ||
		    ch == '_') {
			while (i < len && cfg_name_char((unsigned char)text[i]))
				i++;
			prev = 'n';
		} else if (isdigit((unsigned char)ch) || ((ch == '-' ||
		    ch == '+' || ch == '.') && i + 1 < len &&
		    (isdigit((unsigned char)text[i + 1]) ||
		    text[i + 1] == '.'))) {
			s = i;
			prev = 'v';
			is_float = ch == '.';
			if (ch == '-' || ch == '+')
				i++;
			if (text[i] == '0' && i + 1 < len &&
			    (text[i + 1] == 'x' || text[i + 1] == 'X')) {
				for (i += 2; i < len &&
				    isxdigit((unsigned char)text[i]); i++)
					;
			} else {
				while (i < len && (isdigit((unsigned char)
				    text[i]) || text[i] == '.' ||
				    text[i] == 'e' || text[i] == 'E' ||
				    ((text[i] == '-' || text[i] == '+') &&
				    (text[i - 1] == 'e' || text[i - 1] == 'E')))) {
					if (!isdigit((unsigned char)text[i]))
						is_float = 1;
					i++;
				}
			}
			if (is_float)
				continue;
			if (i < len && text[i] == 'L') {
				while (i < len && text[i] == 'L')
					i++;
				continue;
			}
			r = cfg_int_needs_l(text, s, i);
			if (r < 0 || (r > 0 && fx->detect)) {
				if (fx->bad_line == 0) {
					fx->bad_line = line;
					snprintf(fx->bad_text,
					    sizeof(fx->bad_text), "%.*s",
					    (int)(i - s), text + s);
				}
			} else if (r > 0) {
				if (in_array)
					arr_needs = 1;
				else
					cfg_fix_add(fx, i);
			}
			if (in_array && r >= 0)
				cfg_fix_add(fx, i | ((size_t)1 <<
				    (sizeof(size_t) * CHAR_BIT - 1)));
		} else if (ch == '[') {
			if (depth < (int)sizeof(stack))
				stack[depth] = '[';
			depth++;
			prev = '[';
			in_array = 1;
			arr_needs = 0;
			arr_first = fx->n;
			i++;
		} else if (ch == ']') {
			size_t j, k = arr_first;

			/* keep array members only when one needs an L */
			for (j = arr_first; j < fx->n; j++) {
				size_t o = fx->off[j];
				size_t bit = (size_t)1 <<
				    (sizeof(size_t) * CHAR_BIT - 1);

				if ((o & bit) && !arr_needs)
					continue;
				fx->off[k++] = o & ~bit;
			}
			fx->n = k;
			in_array = 0;
			if (depth > 0)
				depth--;
			prev = ']';
			i++;
		} else {
			if (ch == '{' || ch == '(') {
				if (depth < (int)sizeof(stack))
					stack[depth] = ch;
				depth++;
			} else if ((ch == '}' || ch == ')') && depth > 0)
				depth--;
			if (strchr("{}():=;,", ch) != NULL)
				prev = ch;
			else if (!isspace((unsigned char)ch))
				prev = '?';	/* not libconfig's: an error */
			i++;
		}
	}
	if (in_array) {		/* unterminated: libconfig will complain */
		size_t j, k = arr_first;
		size_t bit = (size_t)1 << (sizeof(size_t) * CHAR_BIT - 1);

		for (j = arr_first; j < fx->n; j++)
			if (!(fx->off[j] & bit))
				fx->off[k++] = fx->off[j];
		fx->n = k;
	}
}

static int
cfg_errf(struct cfg_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static struct cfg_text *cfg_text_add(struct cfg_doc *, const char *,
    char *);

static int
cfg_errf(struct cfg_err *err, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	if (err->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* values quoted in messages may hold "\n": keep it one line */
	for (p = err->msg; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	err->set = 1;
	return -1;
}

/* read a whole stream; NULL with errno on failure */
static char *
cfg_slurp(FILE *fp, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > CFG_MAX_SIZE + 8192) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			buf = xreallocarray(buf, cap, 1);
		}
		n = fread(buf + len, 1, cap - len - 1, fp);
		len += n;
		if (n == 0) {
			if (ferror(fp)) {
				free(buf);
				errno = errno ? errno : EIO;
				return NULL;
			}
			break;
		}
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/* name under which a file reported by libconfig is shown */
static const char *
cfg_doc_name(struct cfg_doc *doc, const char *file)
{
	size_t	 i;
	char	*s;

	if (file == NULL)
		return doc->path;
	if (file[0] == '/' || doc->dir == NULL)
		return file;
	for (i = 0; i < doc->nnames; i++) {
		size_t dl = strlen(doc->dir);

		if (strncmp(doc->names[i], doc->dir, dl) == 0 &&
		    doc->names[i][dl] == '/' &&
		    strcmp(doc->names[i] + dl + 1, file) == 0)
			return doc->names[i];
	}
	if (doc->nnames == CFG_MAX_FILES)
		return file;
	if (asprintf(&s, "%s/%s", doc->dir, file) == -1)
		fatal("asprintf");
	doc->names[doc->nnames++] = s;
	return s;
}

struct cfg_incl {
	struct cfg_doc	*doc;
	struct cfg_err	*err;
	const char	*from;
	int		 depth;
};

static void	cfg_check_include(const char *, size_t, int, void *);

/* included files are parsed by libconfig: only report what it would lose */
static void
cfg_check_include(const char *name, size_t len, int line, void *arg)
{
	struct cfg_incl	*ci = arg, sub;
	struct cfg_fix	 fx;
	char		*file, *text;
	size_t		 tlen;
	FILE		*fp;

	if (ci->err->set)
		return;
	if (ci->depth >= CFG_MAX_DEPTH) {
		cfg_errf(ci->err, "%s:%d: includes nested too deeply",
		    ci->from, line);
		return;
	}
	if (len > 0 && name[0] != '/' && ci->doc->dir != NULL) {
		if (asprintf(&file, "%s/%.*s", ci->doc->dir, (int)len,
		    name) == -1)
			fatal("asprintf");
	} else if (asprintf(&file, "%.*s", (int)len, name) == -1)
		fatal("asprintf");
	if ((fp = fopen(file, "r")) == NULL) {
		cfg_errf(ci->err, "%s:%d: cannot open include file %s: %s",
		    ci->from, line, file, strerror(errno));
		free(file);
		return;
	}
	text = cfg_slurp(fp, &tlen);
	fclose(fp);
	if (text == NULL) {
		cfg_errf(ci->err, "%s:%d: cannot read include file %s: %s",
		    ci->from, line, file, strerror(errno));
		free(file);
		return;
	}
	memset(&fx, 0, sizeof(fx));
	fx.detect = 1;
	sub = *ci;
	sub.from = file;
	sub.depth++;
	cfg_scan(text, tlen, &fx, cfg_check_include, &sub);
	if (fx.syntax_line != 0 && (fx.bad_line == 0 ||
	    fx.syntax_line <= fx.bad_line))
		cfg_errf(ci->err, "%s:%d: syntax error", file, fx.syntax_line);
	else if (fx.bad_line != 0)
		cfg_errf(ci->err, "%s:%d: integer %s out of range (in an "
		    "included file, write values beyond 32 bits with an L "
		    "suffix)", file, fx.bad_line, fx.bad_text);
	free(fx.off);
	free(text);
	free(file);
}

config_t *
cfg_load(const char *path, struct cfg_err *err)
{
	struct cfg_doc	*doc;
	struct cfg_fix	 fx;
	struct cfg_incl	 ci;
	FILE		*fp;
	char		*text = NULL, *fixed = NULL, *slash;
	size_t		 len, i, o, k;

	memset(err, 0, sizeof(*err));
	memset(&fx, 0, sizeof(fx));
	doc = xcalloc(1, sizeof(*doc));
	doc->path = xstrdup(path);
	config_init(&doc->cf);

	if (cfg_is_stdin(path))
		fp = stdin;
	else {
		if ((fp = fopen(path, "r")) == NULL) {
			cfg_errf(err, "%s: %s", path, strerror(errno));
			goto fail;
		}
		/* @include "x" is relative to the including file */
		doc->dir = xstrdup(path);
		if ((slash = strrchr(doc->dir, '/')) == NULL) {
			free(doc->dir);
			doc->dir = xstrdup(".");
		} else if (slash == doc->dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		config_set_include_dir(&doc->cf, doc->dir);
	}
	text = cfg_slurp(fp, &len);
	if (fp != stdin)
		fclose(fp);
	if (text == NULL) {
		cfg_errf(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (memchr(text, '\0', len) != NULL) {
		cfg_errf(err, "%s: contains a NUL byte", path);
		goto fail;
	}

	ci.doc = doc;
	ci.err = err;
	ci.from = path;
	ci.depth = 0;
	cfg_scan(text, len, &fx, cfg_check_include, &ci);
	if (err->set)
		goto fail;
	if (fx.syntax_line != 0 && (fx.bad_line == 0 ||
	    fx.syntax_line <= fx.bad_line)) {
		cfg_errf(err, "%s:%d: syntax error", path, fx.syntax_line);
		goto fail;
	}
	if (fx.bad_line != 0) {
		cfg_errf(err, "%s:%d: integer %s out of range", path,
		    fx.bad_line, fx.bad_text);
		goto fail;
	}
	fixed = xmalloc(len + fx.n + 1);
	for (i = o = k = 0; i <= len; i++) {
		while (k < fx.n && fx.off[k] == i) {
			fixed[o++] = 'L';
			k++;
		}
		if (i < len)
			fixed[o++] = text[i];
	}
	fixed[o] = '\0';
	/* done with the original: free it before libconfig builds its tree */
	free(text);
	text = NULL;

	if (config_read_string(&doc->cf, fixed) != CONFIG_TRUE) {
		const char *file = cfg_doc_name(doc,
		    config_error_file(&doc->cf));

		if (config_error_line(&doc->cf) > 0)
			cfg_errf(err, "%s:%d: %s", file,
			    config_error_line(&doc->cf),
			    config_error_text(&doc->cf));
		else
			cfg_errf(err, "%s: %s", file,
			    config_error_text(&doc->cf));
		goto fail;
	}
	free(fx.off);
	cfg_text_add(doc, NULL, fixed);
	return &doc->cf;

fail:
	free(fx.off);
	free(text);
	free(fixed);
	cfg_free(&doc->cf);
	return NULL;
}

void
cfg_free(config_t *cf)
{
	struct cfg_doc	*doc = (struct cfg_doc *)cf;
	size_t		 i;

	if (cf == NULL)
		return;
	config_destroy(&doc->cf);
	for (i = 0; i < doc->nnames; i++)
		free(doc->names[i]);
	for (i = 0; i < doc->ntexts; i++) {
		free(doc->texts[i].name);
		free(doc->texts[i].text);
		free(doc->texts[i].lines);
	}
	free(doc->texts);
	free(doc->dir);
	free(doc->path);
	free(doc);
}

static struct cfg_text *
cfg_text_add(struct cfg_doc *doc, const char *name, char *text)
{
	struct cfg_text	*t;
	size_t		 i, n = 1;

	for (i = 0; text[i] != '\0'; i++)
		if (text[i] == '\n')
			n++;
	doc->texts = xreallocarray(doc->texts, doc->ntexts + 1,
	    sizeof(*doc->texts));
	t = &doc->texts[doc->ntexts++];
	t->name = name != NULL ? xstrdup(name) : NULL;
	t->text = text;
	t->lines = xcalloc(n, sizeof(*t->lines));
	t->nlines = 1;
	for (i = 0; text[i] != '\0'; i++)
		if (text[i] == '\n')
			t->lines[t->nlines++] = i + 1;
	return t;
}

/* the text of the main file (name NULL) or of an included file */
static struct cfg_text *
cfg_text_get(struct cfg_doc *doc, const char *name)
{
	FILE	*fp;
	char	*text;
	size_t	 i, len;

	for (i = 0; i < doc->ntexts; i++)
		if ((name == NULL && doc->texts[i].name == NULL) ||
		    (name != NULL && doc->texts[i].name != NULL &&
		    strcmp(name, doc->texts[i].name) == 0))
			return &doc->texts[i];
	if (name == NULL || doc->ntexts >= CFG_MAX_FILES ||
	    (fp = fopen(name, "r")) == NULL)
		return NULL;
	text = cfg_slurp(fp, &len);
	fclose(fp);
	if (text == NULL)
		return NULL;
	return cfg_text_add(doc, name, text);
}

/* does line l (1-based) of t contain needle? */
static int
cfg_text_line_has(const struct cfg_text *t, int l, const char *needle)
{
	const char	*start, *end;
	size_t		 nl = strlen(needle);

	if (l < 1 || (size_t)l > t->nlines)
		return 0;
	start = t->text + t->lines[l - 1];
	end = strchr(start, '\n');
	if (end == NULL)
		end = start + strlen(start);
	for (; start + nl <= end; start++)
		if (memcmp(start, needle, nl) == 0)
			return 1;
	return 0;
}

/*
 * libconfig 1.5 numbers a member of an array or list after reading the
 * token that follows it: in
 *	prefixes = (
 *		"192.0.2.300/32"
 *	);
 * the string is said to be on the line of ")". Messages must point at
 * the value itself, so look back (a few lines, never before the previous
 * member) for the line that holds it.
 */
int
cfg_line(const config_setting_t *s)
{
	struct cfg_doc		*doc;
	struct cfg_text		*t;
	const config_setting_t	*prev;
	const char		*v, *p;
	char			 needle[80];
	int			 line, lo, l, idx;

	if (s == NULL)
		return 0;
	line = (int)config_setting_source_line(s);
	if (config_setting_name(s) != NULL || s->parent == NULL ||
	    s->config == NULL || line <= 1)
		return line;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		v = config_setting_get_string(s);
		for (p = v; *p != '\0'; p++)
			if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
				return line;	/* escaped in the source */
		if (strlen(v) + 3 > sizeof(needle))
			return line;
		snprintf(needle, sizeof(needle), "\"%s\"", v);
		break;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(needle, sizeof(needle), "%lld",
		    config_setting_get_int64(s));
		break;
	default:
		return line;
	}
	doc = (struct cfg_doc *)s->config;
	if ((t = cfg_text_get(doc, config_setting_source_file(s) == NULL ?
	    NULL : cfg_doc_name(doc, config_setting_source_file(s)))) == NULL)
		return line;
	lo = line - 10;
	idx = config_setting_index(s);
	if (idx > 0 && (prev = config_setting_get_elem(s->parent,
	    (unsigned int)idx - 1)) != NULL &&
	    (int)config_setting_source_line(prev) > lo)
		lo = (int)config_setting_source_line(prev);
	for (l = line; l >= lo && l >= 1; l--)
		if (cfg_text_line_has(t, l, needle))
			return l;
	return line;
}

const char *
cfg_file(const config_setting_t *s)
{
	struct cfg_doc	*doc;

	if (s == NULL || s->config == NULL)
		return "";
	doc = (struct cfg_doc *)s->config;
	return cfg_doc_name(doc, config_setting_source_file(s));
}

int
cfg_error(struct cfg_err *err, const config_setting_t *s, const char *fmt,
    ...)
{
	char	 msg[400];
	va_list	 ap;

	if (err->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s == NULL)
		return cfg_errf(err, "%s", msg);
	if (cfg_line(s) > 0)
		return cfg_errf(err, "%s:%d: %s", cfg_file(s), cfg_line(s),
		    msg);
	return cfg_errf(err, "%s: %s", cfg_file(s), msg);
}

/* how a group is named in messages: "in 'announce'", "in a 'checks' entry" */
static void
cfg_where(const config_setting_t *group, char *buf, size_t len)
{
	const config_setting_t	*parent;

	buf[0] = '\0';
	if (group == NULL || config_setting_is_root(group))
		return;
	if (config_setting_name(group) != NULL) {
		snprintf(buf, len, " in '%s'", config_setting_name(group));
		return;
	}
	parent = config_setting_parent(group);
	if (parent != NULL && config_setting_name(parent) != NULL)
		snprintf(buf, len, " in a '%s' entry",
		    config_setting_name(parent));
}

int
cfg_check_keys(const config_setting_t *group, const char *const *allowed,
    struct cfg_err *err)
{
	const config_setting_t	*m;
	char			 where[80];
	int			 i, j, found;

	if (group == NULL)
		return 0;
	if (!config_setting_is_group(group))
		return cfg_error(err, group, "'%s' must be a group { ... }",
		    config_setting_name(group) ? config_setting_name(group) :
		    "entry");
	for (i = 0; i < config_setting_length(group); i++) {
		m = config_setting_get_elem(group, i);
		found = 0;
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(allowed[j], config_setting_name(m)) == 0)
				found = 1;
		if (!found) {
			cfg_where(group, where, sizeof(where));
			return cfg_error(err, m, "unknown key '%s'%s",
			    config_setting_name(m), where);
		}
	}
	return 0;
}

static const config_setting_t *
cfg_member(const config_setting_t *group, const char *name)
{
	if (group == NULL || !config_setting_is_group(group))
		return NULL;
	return config_setting_get_member(group, name);
}

int
cfg_get_int(const config_setting_t *group, const char *name, int64_t def,
    int64_t min, int64_t max, int64_t *out, struct cfg_err *err)
{
	const config_setting_t	*s;
	int64_t			 v;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		v = config_setting_get_int(s);
	else if (config_setting_type(s) == CONFIG_TYPE_INT64)
		v = config_setting_get_int64(s);
	else
		return cfg_error(err, s, "'%s' must be an integer", name);
	if (v < min || v > max)
		return cfg_error(err, s, "'%s' must be between %" PRId64
		    " and %" PRId64 ", not %" PRId64, name, min, max, v);
	*out = v;
	return 0;
}

int
cfg_get_bool(const config_setting_t *group, const char *name, int def,
    int *out, struct cfg_err *err)
{
	const config_setting_t	*s;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_error(err, s, "'%s' must be true or false", name);
	*out = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

int
cfg_get_duration(const config_setting_t *group, const char *name,
    double def, double min, double max, double *out, struct cfg_err *err)
{
	const config_setting_t	*s;
	double			 v;

	*out = def;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		return cfg_error(err, s, "'%s' must be a number of seconds",
		    name);
	}
	if (!(v >= min && v <= max))	/* also catches NaN */
		return cfg_error(err, s, "'%s' must be between %g and %g "
		    "seconds, not %g", name, min, max, v);
	*out = v;
	return 0;
}

int
cfg_get_string(const config_setting_t *group, const char *name,
    const char *def, char **out, struct cfg_err *err)
{
	const config_setting_t	*s;

	*out = NULL;
	if ((s = cfg_member(group, name)) == NULL) {
		if (def != NULL)
			*out = xstrdup(def);
		return 1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_error(err, s, "'%s' must be a string", name);
	*out = xstrdup(config_setting_get_string(s));
	return 0;
}

int
cfg_get_strings(const config_setting_t *group, const char *name,
    char ***out, size_t *n, struct cfg_err *err)
{
	const config_setting_t	*s, *e;
	char			**v;
	int			 i, len;

	*out = NULL;
	*n = 0;
	if ((s = cfg_member(group, name)) == NULL)
		return 1;
	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cfg_error(err, s, "'%s' must be an array of strings",
		    name);
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return cfg_error(err, e, "'%s' must be an array of "
			    "strings", name);
	}
	v = xcalloc((size_t)len + 1, sizeof(*v));
	for (i = 0; i < len; i++)
		v[i] = xstrdup(config_setting_get_string_elem(s, i));
	*out = v;
	*n = (size_t)len;
	return 0;
}

void
cfg_strings_free(char **v)
{
	size_t	 i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
