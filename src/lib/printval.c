/*
 * printval.c - the pieces of bgpsd.conf's canonical form: "key = value;"
 * at a depth of tabs, in one stable format. Used by printconf.c and by
 * the printer of each check type (checkconf.c); depends on neither.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "printval.h"

static const char TABS[] = "\t\t\t\t\t\t\t\t";

/*
 * durations: the shortest fixed-point text that reads back to the same
 * double ("30.0", "0.05"), so the output is stable and libconfig reads a
 * float, never an int
 */
void
printval_duration(FILE *fp, const char *key, double v, int depth)
{
	char	 buf[64];
	int	 prec;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*f", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	if (prec > 17)
		snprintf(buf, sizeof(buf), "%.17e", v);
	fprintf(fp, "%.*s%s = %s;\n", depth, TABS, key, buf);
}

/* libconfig string: escape what its scanner gives meaning to */
void
printval_qstr(FILE *fp, const char *s)
{
	const unsigned char	*p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		case '\f':
			fputs("\\f", fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
		}
	}
	fputc('"', fp);
}

void
printval_str(FILE *fp, const char *key, const char *v, int depth)
{
	fprintf(fp, "%.*s%s = ", depth, TABS, key);
	printval_qstr(fp, v);
	fputs(";\n", fp);
}

void
printval_opt_str(FILE *fp, const char *key, const char *v, int depth)
{
	if (v != NULL)
		printval_str(fp, key, v, depth);
}

void
printval_int(FILE *fp, const char *key, int64_t v, int depth)
{
	fprintf(fp, "%.*s%s = %" PRId64 ";\n", depth, TABS, key, v);
}

void
printval_bool(FILE *fp, const char *key, int v, int depth)
{
	fprintf(fp, "%.*s%s = %s;\n", depth, TABS, key, v ? "true" : "false");
}

void
printval_strs(FILE *fp, const char *key, char *const *v, size_t n, int depth)
{
	size_t	 i;

	fprintf(fp, "%.*s%s = [", depth, TABS, key);
	for (i = 0; i < n; i++) {
		fputs(i == 0 ? " " : ", ", fp);
		printval_qstr(fp, v[i]);
	}
	fputs(" ];\n", fp);
}

void
printval_indent(FILE *fp, int depth)
{
	fprintf(fp, "%.*s", depth, TABS);
}
