# Two entry points for people: `make demo` and `make test`. Both install what is missing
# (scripts/setup.sh), configure and build, then run.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all setup configure build demo test asan tsan clean format

all: build

setup:
	@scripts/setup.sh

$(BUILD)/build.ninja:
	@cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS) >/dev/null

configure: setup $(BUILD)/build.ninja

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)/ceiling

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The sanitizer build CI runs once: AddressSanitizer + UndefinedBehaviorSanitizer.
asan: setup
	@cmake -S . -B build-asan -G Ninja -DCEILING_SANITIZE=ON -DCEILING_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

# ThreadSanitizer: the API in process (16 threads, one knowledge base) and the HTTP server with
# 16 concurrent clients.
tsan: setup
	@cmake -S . -B build-tsan -G Ninja -DCEILING_TSAN=ON -DCEILING_BUILD_BENCH=OFF \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target ceiling api_test http_test
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	  ctest --output-on-failure -j 1 -R 'Executor|Concurrency|Deadlines|http_api'

format:
	@find include src apps tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD) build-asan build-tsan
