# Entry points for people: `make serve` (the web app and the API on 127.0.0.1:8080), `make test`
# and `make demo`. Each installs what is missing (scripts/setup.sh), configures and builds, then
# runs.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PORT ?= 8080
CMAKE_FLAGS ?=

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all setup configure build serve demo test asan tsan fuzz clean format

all: build

setup:
	@scripts/setup.sh

# Configured again when web/node_modules appeared after the first configure (it decides whether
# the web app is built into the binary).
configure: setup
	@if [ ! -f $(BUILD)/build.ninja ] || [ web/node_modules -nt $(BUILD)/build.ninja ]; then \
	  cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null; fi

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

# The web app and the JSON API, bundled data, loopback only.
serve: build
	@echo "ceiling: open http://127.0.0.1:$(PORT)/ in a browser (Ctrl-C stops the server)"
	@$(BUILD)/ceiling serve --host 127.0.0.1 --port $(PORT)

demo: build
	@scripts/demo.sh $(BUILD)/ceiling

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# One sanitizer build, build-asan/, for the tests and the libFuzzer targets: clang 14 with
# AddressSanitizer + UndefinedBehaviorSanitizer and the fuzzers' coverage instrumentation, -O1
# (clang's AddressSanitizer page: "To get a reasonable performance add -O1 or higher") and line
# tables only (-g1: a report's stack still names file:line; full debug information only slows the
# build). Sharing it compiles the libraries once for both (CI runs make asan, then make fuzz).
# A build-asan/ configured by an older checkout with g++ is started afresh (CMake cannot switch
# the compiler of an existing build).
SAN_CONFIGURE = if [ -f build-asan/CMakeCache.txt ] && \
  ! grep -q '^CMAKE_CXX_COMPILER:.*clang' build-asan/CMakeCache.txt; then rm -rf build-asan; fi; \
  cmake -S . -B build-asan -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCEILING_SANITIZE=ON -DCEILING_FUZZ=ON -DCEILING_BUILD_BENCH=OFF -DCEILING_BROWSER_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g1 -O1" >/dev/null

asan:
	@scripts/setup.sh fuzz
	@$(SAN_CONFIGURE)
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# The libFuzzer targets (fuzz/), in the same build-asan/, each run for FUZZ_SECONDS (all of them,
# or FUZZ_TARGETS="chip rule"); summary in build-asan/fuzz/summary.md.
fuzz:
	@scripts/setup.sh fuzz
	@$(SAN_CONFIGURE)
	@cmake --build build-asan -j $(JOBS) --target fuzz_all
	@fuzz/run.sh build-asan $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# ThreadSanitizer: the API in process (16 threads, one knowledge base) and the HTTP server with
# 16 concurrent clients; -O1 with line tables, as the ASan build.
tsan: setup
	@cmake -S . -B build-tsan -G Ninja -DCEILING_TSAN=ON -DCEILING_BUILD_BENCH=OFF -DCEILING_BROWSER_TESTS=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-g1 -O1 -DNDEBUG" >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target ceiling api_test http_test
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j 1 -R 'Executor|Concurrency|Deadlines|http_api'

format:
	@find include src apps tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD) build-asan build-tsan build-fuzz
