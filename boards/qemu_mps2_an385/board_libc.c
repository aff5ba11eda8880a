/*
 * board_libc.c - C99's %zu/%zd/%td for the board's printf family.
 *
 * Debian's newlib for arm-none-eabi is built without C99 I/O formats: its
 * printf prints "%zu" as "zu" (test code on the board uses it, e.g. for a
 * Content-Length). All of newlib's printf functions end in _vfprintf_r
 * (streams) or _svfprintf_r (strings); the link wraps both (-Wl,--wrap), and
 * the wrappers drop the z and t length modifiers, which on this ILP32 ABI
 * name the same sizes as no modifier at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

_Static_assert(sizeof(size_t) == sizeof(unsigned) && sizeof(ptrdiff_t) == sizeof(int),
               "z and t must name int-sized arguments");

struct _reent;
int __real__vfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap);
int __real__svfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap);
int __wrap__vfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap);
int __wrap__svfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap);

#define FORMAT_MAX 256 /* longer formats are passed on unchanged */

/* Copy a conversion's flags, width and precision; skip a z or t after them. */
static const char *conversion(const char *p, char *out, size_t *o, size_t cap)
{
    while (*p && strchr("-+ #0123456789.*$", *p) && *o + 1 < cap)
        out[(*o)++] = *p++;
    return (*p == 'z' || *p == 't') ? p + 1 : p;
}

/* fmt without z/t modifiers, in buf; fmt itself when it has none or is long. */
static const char *c99_format(const char *fmt, char *buf, size_t cap)
{
    if (!strpbrk(fmt, "zt")) return fmt;
    size_t o = 0;
    for (const char *p = fmt; *p;) {
        if (o + 2 >= cap) return fmt;
        char c = *p++;
        buf[o++] = c;
        if (c == '%' && *p == '%')
            buf[o++] = *p++;
        else if (c == '%')
            p = conversion(p, buf, &o, cap);
    }
    buf[o] = '\0';
    return buf;
}

int __wrap__vfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap)
{
    char buf[FORMAT_MAX];
    return __real__vfprintf_r(r, f, c99_format(fmt, buf, sizeof buf), ap);
}

int __wrap__svfprintf_r(struct _reent *r, FILE *f, const char *fmt, va_list ap)
{
    char buf[FORMAT_MAX];
    return __real__svfprintf_r(r, f, c99_format(fmt, buf, sizeof buf), ap);
}
