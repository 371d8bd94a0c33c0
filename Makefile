# bgpsd - service discovery over BGP communities
#
#   make            build bgpsd-announce and bgpsd-listen into $(BUILD)/
#   make check      make deps, build, run every test (SANITIZE=1: ASan+UBSan)
#   make demo       the two-host lab with real ExaBGP, about a minute
#   make bench      benchmarks (not part of check)
#   make bench-fleet the fleet benchmark: BIRD reflector, N hosts' routes,
#                   bgpsd-listen; FLEET_N="1000 10000 50000", ~30 min
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX		?= /usr/local
SBINDIR		?= $(PREFIX)/sbin
SYSCONFDIR	?= $(PREFIX)/etc
LIBEXECDIR	?= $(PREFIX)/libexec
MANDIR		?= $(PREFIX)/share/man
DESTDIR		?=

VERSION		:= 0.1.0
CC		?= cc
SANITIZE	?= 0
VALGRIND	?= 0
ifeq ($(SANITIZE),1)
BUILD		?= build-san
else
BUILD		?= build
endif

PKGS		:= libcurl libconfig jansson
PKG_CFLAGS	:= $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS	:= $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS	:= $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

WARN		:= -std=c11 -Wall -Wextra -Werror -Wformat=2 -Wshadow \
		   -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
		   -Wno-unused-parameter
DEFS		:= -D_GNU_SOURCE \
		   -DBGPSD_SYSCONFDIR='"$(SYSCONFDIR)"' \
		   -DBGPSD_CHECKSDIR='"$(LIBEXECDIR)/bgpsd/checks"' \
		   -DBGPSD_VERSION='"$(VERSION)"'

ifeq ($(SANITIZE),1)
OPT		:= -O1 -g -fno-omit-frame-pointer \
		   -fsanitize=address,undefined -fno-sanitize-recover=all
LDSAN		:= -fsanitize=address,undefined -fno-sanitize-recover=all
else
OPT		:= -O2 -g -D_FORTIFY_SOURCE=2
LDSAN		:=
endif
HARDEN		:= -fstack-protector-strong -fPIE -fstack-clash-protection
LDHARDEN	:= -pie -Wl,-z,relro -Wl,-z,now

ALL_CFLAGS	= $(WARN) $(OPT) $(HARDEN) $(DEFS) -Iinclude $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS	= $(LDHARDEN) $(LDSAN) $(LDFLAGS)

LIB_SRCS	:= $(wildcard src/lib/*.c)
ANN_SRCS	:= $(filter-out src/announce/main.c,$(wildcard src/announce/*.c))
LST_SRCS	:= $(filter-out src/listen/main.c,$(wildcard src/listen/*.c))
TEST_SRCS	:= $(wildcard tests/test_*.c)
BENCH_UTIL	:= tests/bench/bench_util.c
TOOL_SRCS	:= $(wildcard tests/tools/*.c) \
	    $(filter-out $(BENCH_UTIL),$(wildcard tests/bench/*.c))

LIB_OBJS	:= $(LIB_SRCS:%.c=$(BUILD)/%.o)
ANN_OBJS	:= $(ANN_SRCS:%.c=$(BUILD)/%.o)
LST_OBJS	:= $(LST_SRCS:%.c=$(BUILD)/%.o)
LIB_A		:= $(BUILD)/libbgpsd.a
ANN_A		:= $(BUILD)/libannounce.a
LST_A		:= $(BUILD)/liblisten.a
TESTS		:= $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)
TESTLIB_O	:= $(BUILD)/tests/testlib.o
TOOLS		:= $(TOOL_SRCS:%.c=$(BUILD)/%)
PROGS		:= $(BUILD)/bgpsd-announce $(BUILD)/bgpsd-listen

.PHONY: all tests deps check demo bench bench-fleet fuzz install uninstall \
	clean format lint
all: $(PROGS)

# each object depends on the headers it includes (-MMD -MP), not on all
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(LIB_A): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
$(ANN_A): $(ANN_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^
$(LST_A): $(LST_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bgpsd-announce: $(BUILD)/src/announce/main.o $(ANN_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
$(BUILD)/bgpsd-listen: $(BUILD)/src/listen/main.o $(LST_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# unit tests link the real modules and the shared test helpers (testlib);
# TEST_LDFLAGS_<name> adds e.g. --wrap
$(TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(TESTLIB_O) $(ANN_A) \
    $(LST_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) $(TEST_LDFLAGS_$*) -o $@ $< $(TESTLIB_O) \
	    $(ANN_A) $(LST_A) $(LIB_A) $(PKG_LIBS) $(CMOCKA_LIBS) -lm
$(BUILD)/tests/tools/%: $(BUILD)/tests/tools/%.o $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm
# each bench program links the shared clock, CPU time and option helpers
$(BUILD)/tests/bench/%: $(BUILD)/tests/bench/%.o \
    $(BUILD)/tests/bench/bench_util.o $(LST_A) $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

tests: $(PROGS) $(TESTS) $(TOOLS)

deps:
	@sh tests/deps.sh

check: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) VALGRIND=$(VALGRIND) \
	    sh tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) bash tests/integration/demo.sh

bench: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) bash tests/bench/run.sh

# network namespaces, root; results in $(BUILD)/bench-fleet/ (table.txt)
FLEET_N		?= 1000 10000 50000
bench-fleet: deps
	@$(MAKE) --no-print-directory tests
	@BUILD=$(BUILD) FLEET_N="$(FLEET_N)" bash tests/bench/fleet.sh

FUZZ_SECONDS	?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(LIBEXECDIR)/bgpsd/checks \
	    $(DESTDIR)$(SYSCONFDIR)/bgpsd/templates
	install -m 755 $(PROGS) $(DESTDIR)$(SBINDIR)/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	for f in checks/check_*; do \
	    install -m 755 $$f $(DESTDIR)$(LIBEXECDIR)/bgpsd/checks/; done
	install -m 644 etc/bgpsd.conf $(DESTDIR)$(SYSCONFDIR)/bgpsd/bgpsd.conf.example
	install -m 644 etc/templates/*.mustache \
	    $(DESTDIR)$(SYSCONFDIR)/bgpsd/templates/
	install -d $(DESTDIR)$(SYSCONFDIR)/bgpsd/examples
	for f in etc/exabgp-*.conf etc/bird-*.conf; do \
	    [ -f $$f ] && install -m 644 $$f \
	    $(DESTDIR)$(SYSCONFDIR)/bgpsd/examples/; done; true
	for f in etc/exabgp/*.conf; do \
	    [ -f $$f ] && install -m 644 $$f \
	    $(DESTDIR)$(SYSCONFDIR)/bgpsd/examples/exabgp-$${f##*/}; \
	    done; true

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/bgpsd-announce $(DESTDIR)$(SBINDIR)/bgpsd-listen
	rm -f $(DESTDIR)$(MANDIR)/man5/bgpsd.conf.5 \
	    $(DESTDIR)$(MANDIR)/man7/bgpsd.7 \
	    $(DESTDIR)$(MANDIR)/man8/bgpsd-announce.8 \
	    $(DESTDIR)$(MANDIR)/man8/bgpsd-listen.8
	rm -rf $(DESTDIR)$(LIBEXECDIR)/bgpsd $(DESTDIR)$(SYSCONFDIR)/bgpsd/examples
	rm -f $(DESTDIR)$(SYSCONFDIR)/bgpsd/bgpsd.conf.example
	rm -f $(DESTDIR)$(SYSCONFDIR)/bgpsd/templates/*.mustache

# every page of man/: bgpsd.conf.5, bgpsd.7, bgpsd-announce.8, bgpsd-listen.8
lint:
	mandoc -T lint -W warning man/*.[0-9]

format:
	clang-format -i src/*/*.c include/*.h tests/*.c

clean:
	rm -rf build build-san build-fuzz

.SECONDARY:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
