# SPDX-License-Identifier: MIT
# Front door: every target drives CMake; see README.md.
#   make / make all   configure + build into build/ (the CLI is build/ptkit)
#   make run          build, then ./build/ptkit demo
#   make test         install missing Debian packages, build build-test/ with ASan+UBSan,
#                     run every test through CTest
#   make bench        scripts/bench.sh (issue 7)
#   make format       clang-format every C file in place
#   make clean        remove build/ and build-test/

BUILD      ?= build
BUILD_TEST ?= build-test
CMAKE      ?= cmake
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FORMAT_DIRS = src include tools tests examples bench

.PHONY: all run test bench verify format clean

all:
	$(CMAKE) -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	$(CMAKE) --build $(BUILD) -j $(JOBS)

run: all
	./$(BUILD)/ptkit demo

test:
	scripts/install-deps.sh
	$(CMAKE) -S . -B $(BUILD_TEST) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPTKIT_SANITIZE=ON
	$(CMAKE) --build $(BUILD_TEST) -j $(JOBS)
	cd $(BUILD_TEST) && ctest --output-on-failure -j2

bench:
	@if [ -f scripts/bench.sh ]; then scripts/bench.sh; \
	else echo "bench: not yet implemented (issue 7)"; exit 1; fi

# Every format against QEMU's MMUs, VERIFY_COUNT VAs each (docs/VERIFICATION.md).
verify: all
	scripts/install-deps.sh
	scripts/verify.sh all $(or $(VERIFY_COUNT),1000)

format:
	@files=$$(find $(FORMAT_DIRS) -name '*.[ch]' 2>/dev/null); \
	if [ -n "$$files" ]; then clang-format -i $$files; fi

clean:
	rm -rf $(BUILD) $(BUILD_TEST)
