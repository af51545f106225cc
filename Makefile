# SPDX-License-Identifier: MIT
# Front door: every target drives CMake; see README.md.
#   make / make all   configure + build into build/ (the CLI is build/ptkit)
#   make run          install the demo's one package (liburcu-dev) if missing, configure
#                     build/, build only the CLI (and the libraries it links), run its demo
#   make install      build the library and the CLI, install them (PREFIX, default /usr/local;
#                     DESTDIR honoured): bin/ptkit, include/ptkit, libptkit.so.0 and the
#                     archives, lib/pkgconfig/ptkit.pc, lib/cmake/ptkit (README.md)
#   make deb          the Debian packages libptkit0 (libptkit.so.0), ptkit (CLI, man page,
#                     completion), libptkit-dev (headers, archives, ptkit.pc, CMake package)
#                     and python3-ptkit (Python package, gdb command) in build-deb/deb/
#                     (docs/PACKAGING.md)
#   make test         install missing Debian packages, build build-test/ with ASan+UBSan,
#                     run every test through CTest; then the TSan mm tests in build-tsan/
#                     (test-tsan) and the fuzz targets for a bounded time in build-fuzz/
#                     (test-fuzz, clang; skipped without it)
#   make fuzz         the long fuzz campaign: every target in parallel for FUZZ_TIME seconds
#                     (default 3600), corpus kept in FUZZ_CORPUS (docs/FUZZING.md)
#   make docs         the API reference from include/ptkit/*.h (Doxygen, installed if
#                     missing) into build/docs/html
#   make abi-baseline rewrite abi/libptkit.so.N.abi, the ABI make test checks (docs/ABI.md)
#   make bench        scripts/bench.sh (issue 7)
#   make realguest    boot Debian's kernels under QEMU, compare ptkit with QEMU's MMU
#   make format       clang-format every C file in place
#   make clean        remove build/, build-test/, build-tsan/, build-fuzz/, build-fuzz-long/,
#                     build-deb/

BUILD      ?= build
PREFIX     ?= /usr/local
BUILD_DEB  ?= build-deb
DEB_BUILD_TYPE ?= RelWithDebInfo
# Debian's build flags (dpkg-buildflags with hardening=+all: fortify, stack protector, relro,
# bind-now), which debhelper would give a package's build; empty without dpkg-dev.
DEB_BUILDFLAGS = DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get
DEB_CFLAGS ?= $(shell $(DEB_BUILDFLAGS) CPPFLAGS 2>/dev/null) $(shell $(DEB_BUILDFLAGS) CFLAGS 2>/dev/null)
DEB_LDFLAGS ?= $(shell $(DEB_BUILDFLAGS) LDFLAGS 2>/dev/null)
# What the packages' files are built from (cmake/package.cmake): cpack builds nothing itself.
DEB_TARGETS ?= ptkit ptkit_shared ptkit_static
CPACK      ?= cpack
BUILD_TEST ?= build-test
BUILD_TSAN ?= build-tsan
BUILD_FUZZ ?= build-fuzz
BUILD_FUZZ_LONG ?= build-fuzz-long
FUZZ_CC    ?= clang
FUZZ_TIME  ?= 3600
FUZZ_TIMEOUT ?= 120
FUZZ_CORPUS ?= fuzz-corpus
FUZZ_TARGETS = walk_image ops_sequence dump_file
# The TSan variants of tests/test_mm_*.c (CMakeLists.txt, PTKIT_MM_VARIANTS).
TSAN_TESTS = $(patsubst tests/%.c,%_tsan,$(wildcard tests/test_mm_*.c))
CMAKE      ?= cmake
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FORMAT_DIRS = src include tools tests examples bench

.PHONY: all run install deb test test-tsan test-fuzz fuzz bench verify realguest format clean \
	docs abi-baseline

all:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD) -j $(JOBS)

# Only the CLI: the tests, their sanitizer copies and the bench are built by all / test.
# Without liburcu (no root, no network) the demo still runs, minus its mm part.
run:
	scripts/install-deps.sh --run || \
		echo "make run: liburcu-dev could not be installed: the demo skips get_user_pages"
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD) -j $(JOBS) --target ptkit
	./$(BUILD)/ptkit demo

# The library and the CLI only; cmake --install reads DESTDIR from the environment.
install:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD) -j $(JOBS) --target ptkit ptkit_shared ptkit_static
	DESTDIR=$(DESTDIR) $(CMAKE) --install $(BUILD) --prefix $(PREFIX)

# A build of its own for /usr (the Debian libdir, lib/<multiarch>), without tests; cpack
# packs the install components runtime and dev without building `all` first.
deb:
	$(CMAKE) -S . -B $(BUILD_DEB) -DCMAKE_BUILD_TYPE=$(DEB_BUILD_TYPE) -DCMAKE_INSTALL_PREFIX=/usr \
		-DPTKIT_DEB=ON -DBUILD_TESTING=OFF -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON \
		"-DCMAKE_C_FLAGS=$(DEB_CFLAGS)" "-DCMAKE_EXE_LINKER_FLAGS=$(DEB_LDFLAGS)" \
		"-DCMAKE_SHARED_LINKER_FLAGS=$(DEB_LDFLAGS)"
	$(CMAKE) --build $(BUILD_DEB) -j $(JOBS) --target $(DEB_TARGETS)
	rm -f $(BUILD_DEB)/deb/*.deb
	cd $(BUILD_DEB) && $(CPACK) -G DEB
	@ls $(BUILD_DEB)/deb/*.deb

test:
	scripts/install-deps.sh
	$(CMAKE) -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTKIT_SANITIZE=ON
	$(CMAKE) --build $(BUILD_TEST) -j $(JOBS)
	cd $(BUILD_TEST) && ctest --output-on-failure -j2
	$(MAKE) test-tsan test-fuzz

# The mm tests under ThreadSanitizer (label tsan): a build of their own (TSan and ASan do
# not mix), of nothing but the TSan library and those tests.
test-tsan:
	$(CMAKE) -S . -B $(BUILD_TSAN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTKIT_EXAMPLES=OFF
	$(CMAKE) --build $(BUILD_TSAN) -j $(JOBS) --target $(TSAN_TESTS)
	cd $(BUILD_TSAN) && ctest --output-on-failure -j2 -L tsan

# The fuzz targets (label fuzz): clang's libFuzzer build of the core and fuzz/ only. make
# test's is built at -O0 (fast to compile); make fuzz's at -O1 (fast to run).
FUZZ_CONFIGURE = \
	if ! command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		echo "fuzz: $(FUZZ_CC) not found: fuzz targets skipped (docs/FUZZING.md)"; \
	else \
		$(CMAKE) -S . -B $(1) -DCMAKE_C_COMPILER=$(FUZZ_CC) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
			-DPTKIT_FUZZ=ON "-DPTKIT_FUZZ_OPT=$(2)" && \
		$(CMAKE) --build $(1) -j $(JOBS) --target fuzz_targets; \
	fi

test-fuzz:
	@$(call FUZZ_CONFIGURE,$(BUILD_FUZZ),-O0 -gline-tables-only)
	@if [ -f $(BUILD_FUZZ)/CTestTestfile.cmake ]; then \
		cd $(BUILD_FUZZ) && ctest --output-on-failure -j2 -L fuzz; \
	fi

# The long campaign: every target at once for FUZZ_TIME seconds (one core each), from the
# seeds and what earlier campaigns found (FUZZ_CORPUS/<target>); crashes in
# $(BUILD_FUZZ_LONG)/crash-*. FUZZ_TIMEOUT is libFuzzer's per-input limit (wall clock).
fuzz:
	@$(call FUZZ_CONFIGURE,$(BUILD_FUZZ_LONG),-O1 -g)
	@test -x $(BUILD_FUZZ_LONG)/fuzz/fuzz_make_seeds || { echo "fuzz: no fuzz build"; exit 1; }
	$(BUILD_FUZZ_LONG)/fuzz/fuzz_make_seeds $(BUILD_FUZZ_LONG)/fuzz/seeds
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_CORPUS)/$$t && \
		echo "fuzz: $$t for $(FUZZ_TIME) s (log: $(BUILD_FUZZ_LONG)/fuzz-$$t.log)" && \
		{ nice -n 10 $(BUILD_FUZZ_LONG)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			-timeout=$(FUZZ_TIMEOUT) -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix=$(BUILD_FUZZ_LONG)/crash-$$t- $(FUZZ_CORPUS)/$$t \
			$(BUILD_FUZZ_LONG)/fuzz/seeds/$$t > $(BUILD_FUZZ_LONG)/fuzz-$$t.log 2>&1; \
		  echo $$? > $(BUILD_FUZZ_LONG)/fuzz-$$t.status; } & \
	done; wait; fail=0; \
	for t in $(FUZZ_TARGETS); do \
		echo "== $$t: exit $$(cat $(BUILD_FUZZ_LONG)/fuzz-$$t.status)"; \
		tail -n 8 $(BUILD_FUZZ_LONG)/fuzz-$$t.log; \
		[ "$$(cat $(BUILD_FUZZ_LONG)/fuzz-$$t.status)" = 0 ] || fail=1; \
	done; exit $$fail

# Doxygen only if it is missing (PTKIT_DEPS: scripts/install-deps.sh's list, overridden).
docs:
	@command -v doxygen >/dev/null 2>&1 || PTKIT_DEPS=doxygen PTKIT_OPTIONAL_DEPS= \
		scripts/install-deps.sh || true
	@command -v doxygen >/dev/null 2>&1 || { echo "make docs: doxygen is missing and could" \
		"not be installed: install the Debian package doxygen"; exit 1; }
	python3 scripts/docs.py . $(BUILD)/docs

# The library once more at -O0 -g (target ptkit_abi: abidw needs its DWARF types), then
# abidw into abi/. With the mm layer (liburcu-dev): the baseline is of the whole library.
abi-baseline:
	PTKIT_DEPS="abigail-tools liburcu-dev" PTKIT_OPTIONAL_DEPS= scripts/install-deps.sh
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD) -j $(JOBS) --target abi-baseline

bench:
	@if [ -f scripts/bench.sh ]; then scripts/bench.sh; \
	else echo "bench: not yet implemented (issue 7)"; exit 1; fi

# Debian's kernels booted under QEMU, dumped, ptkit against QEMU's MMU (docs/DUMPS.md).
realguest: all
	scripts/install-deps.sh
	scripts/realguest.sh

# Every format against QEMU's MMUs, VERIFY_COUNT VAs each (docs/VERIFICATION.md).
verify: all
	scripts/install-deps.sh
	scripts/verify.sh all $(or $(VERIFY_COUNT),1000)

format:
	@files=$$(find $(FORMAT_DIRS) -name '*.[ch]' 2>/dev/null); \
	if [ -n "$$files" ]; then clang-format -i $$files; fi

clean:
	rm -rf $(BUILD) $(BUILD_TEST) $(BUILD_TSAN) $(BUILD_FUZZ) $(BUILD_FUZZ_LONG) $(BUILD_DEB)
