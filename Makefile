# Two entry points for people: `make demo` and `make test`. Both install what is missing
# (scripts/setup.sh), configure and build, then run.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: all setup configure build demo test asan fuzz clean format

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

# libFuzzer targets (fuzz/), built with clang 14 + ASan + UBSan in build-fuzz, each run for
# FUZZ_SECONDS (all of them, or FUZZ_TARGETS="chip rule"); summary in build-fuzz/fuzz/summary.md.
fuzz:
	@scripts/setup.sh fuzz
	@cmake -S . -B build-fuzz -G Ninja -DCEILING_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++-14 \
	  -DBUILD_TESTING=OFF -DCEILING_BUILD_BENCH=OFF >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_all
	@fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

format:
	@find include src apps tests bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	@rm -rf $(BUILD) build-asan build-fuzz
