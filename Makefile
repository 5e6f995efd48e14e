# Entry points for people and CI. Each target installs what is missing, configures once, and
# rebuilds incrementally, so running it again with nothing changed is quick.
#
#   make run     install deps, build, open the GUI (or, with no display, run the quickstart headless)
#   make test    install deps, build, run the whole test suite
#   make bench   build and run the benchmark programs
#   make asan    build and test with AddressSanitizer + UBSan in build-asan/
#   make fuzz    build the libFuzzer harnesses (clang) in build-fuzz/ and run each for FUZZ_SECONDS (60)
#   make package build the Debian packages (distopt-workbench, distopt-worker) in build/

BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# CI turns warnings into errors; people get warnings only.
WERROR ?= $(if $(CI),ON,OFF)
CMAKE_FLAGS ?=

.PHONY: all deps configure build run test bench asan fuzz package clean

all: build

deps:
	@bash packaging/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DDISTOPT_WERROR=$(WERROR) $(CMAKE_FLAGS)

configure: deps $(BUILD_DIR)/build.ninja

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@bash packaging/run-main.sh $(BUILD_DIR)

test: build
	cd $(BUILD_DIR) && QT_QPA_PLATFORM=offscreen ctest --output-on-failure --no-tests=error -j $(JOBS)

bench: build
	@bash packaging/run-benchmarks.sh $(BUILD_DIR)

# The Debian packages distopt-workbench_*.deb and distopt-worker_*.deb, in $(BUILD_DIR).
package: build
	cd $(BUILD_DIR) && cpack -G DEB

asan:
	$(MAKE) test BUILD_DIR=build-asan BUILD_TYPE=Debug CMAKE_FLAGS="-DDISTOPT_SANITIZE=ON"

# Warnings of clang (the fuzz build's compiler) are shown but do not fail it; gcc's do, in `make test`.
fuzz: deps
	@bash tests/fuzz/run.sh

clean:
	rm -rf $(BUILD_DIR) build-asan build-fuzz
