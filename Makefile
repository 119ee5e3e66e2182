# faqbot — the two commands of the README (`make run`, `make test`) plus `make build`,
# `make package` (the .deb) and the opt-in container tests `make package-test`, `make image-test`.
# Every target installs the Debian packages it needs first (apt-get; sudo when not root).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
# CTest slots: twice the cores. A test takes two slots (one core's worth), an end-to-end test
# that mostly waits on processes and timers one (WAITS in cmake/FaqbotTargets.cmake).
CTEST_JOBS ?= $(shell echo $$(( 2 * $(JOBS) )))
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

PKGS := build-essential cmake pkg-config git python3 \
        libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev \
        libstemmer-dev libutf8proc-dev wordnet-base libsqlite3-dev libpqxx-dev libpq-dev \
        libcurl4-openssl-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
        clang-14 libclang-rt-14-dev postgresql procps \
        chromium chromium-driver python3-selenium python3-yaml haproxy prometheus libsodium-dev \
        libsystemd-dev dpkg-dev file groff-base systemd

# Only the benchmarks need these (gnuplot: the learning-curve plot of docs/nlu.md; numpy:
# bench/bow_reference.py, the reference docs/nlu.md compares the classifier head with; time:
# the peak memory bench/yaml_memory.py reads).
BENCH_PKGS := gnuplot-nox python3-numpy time

# Only the container targets need these (podman on Debian's runc, a base image from mmdebstrap).
IMAGE_PKGS := podman mmdebstrap runc curl

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps bench-deps image-deps build test test-optimised test-asan test-fuzz run bench clean \
        format package package-test image-test

# Installs the Debian packages of $(1) that are missing.
define install_missing
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(PKGS))

bench-deps:
	$(call install_missing,$(BENCH_PKGS))

image-deps:
	$(call install_missing,$(IMAGE_PKGS))

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# Every test once, under ASan+UBSan (test-asan), then short libFuzzer runs. The optimised build
# compiles only the lexicon here (the sanitizer and fuzz builds copy it); `make build` and
# `make run` make its binary. `make test-optimised` runs every test on the optimised build too
# (not part of `make test`: it would compile everything twice).
test: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS) --target faqbot_lexicon
	$(MAKE) test-asan PREBUILT_LEXICON=$(abspath $(BUILD))/lexicon.fwn
	$(MAKE) test-fuzz

test-optimised: build
	cd $(BUILD) && ctest --output-on-failure -j $(CTEST_JOBS)

# PREBUILT_LEXICON: a lexicon.fwn compiled from these sources (make test passes its optimised
# build's), copied instead of compiling WordNet under the sanitizers (minutes); empty: compiled.
# clang++: under ASan+UBSan at -O0 it compiles this code 2.5 times as fast as g++ (an
# assistant source: 9 s against 22 s), which halves the longest step of `make test`.
test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=Debug \
	  -DFAQBOT_SANITIZE=ON -DFAQBOT_BENCH=OFF -DFAQBOT_PREBUILT_LEXICON=$(PREBUILT_LEXICON)
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(CTEST_JOBS)

# The fuzz targets use the lexicon the main build compiled; two run at a time (each is one
# process on one core).
test-fuzz: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS) --target faqbot_lexicon
	CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DFAQBOT_FUZZ=ON -DFAQBOT_FUZZ_ONLY=ON -DFAQBOT_PREBUILT_LEXICON=$(abspath $(BUILD))/lexicon.fwn
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && FAQBOT_LEXICON=$(abspath $(BUILD))/lexicon.fwn \
	  ctest --output-on-failure -j $(JOBS) -L fuzz

# The assistant itself. Its first lines tell how to connect Slack or use `faqbot shell`.
run: build
	./$(BUILD)/faqbot serve

# Every benchmark; the figures are written down in docs/.
bench: build bench-deps
	./bench/nlu_report.sh $(BUILD)
	./bench/learning_curve.sh $(BUILD)
	./bench/office_zh.sh $(BUILD)
	python3 bench/yaml_memory.py $(BUILD)
	./bench/store_report.sh $(BUILD)
	./$(BUILD)/bench/slack_inbound_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	./$(BUILD)/bench/socket_mode_bench --benchmark_min_time=2
	./$(BUILD)/bench/http_events_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

# build/faqbot_<version>_amd64.deb (docs/install.md).
package: build
	cd $(BUILD) && cpack -G DEB

# Not part of `make test` (they need podman and minutes): the .deb installed into a throwaway
# Debian 12 container, and the container image built and run against PostgreSQL and the Slack
# emulator.
package-test: package image-deps
	./tests/image/package_test.sh "$$(ls -t $(BUILD)/faqbot_*_amd64.deb | head -n 1)"

image-test: build image-deps
	./tests/image/image_test.sh $(BUILD)

format:
	find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
