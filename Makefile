# faqbot — the two commands of the README (`make run`, `make test`) plus `make build`.
# Every target installs the Debian packages it needs first (apt-get; sudo when not root).

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc)
CMAKE_GEN  := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

PKGS := build-essential cmake pkg-config git python3 \
        libboost1.81-dev nlohmann-json3-dev libyaml-cpp-dev libcli11-dev libspdlog-dev \
        libstemmer-dev libutf8proc-dev wordnet-base libsqlite3-dev libpqxx-dev libpq-dev \
        libcurl4-openssl-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
        clang-14 libclang-rt-14-dev postgresql procps \
        chromium chromium-driver python3-selenium python3-yaml libsodium-dev

# Only `make bench` needs these (the learning-curve plot of docs/nlu.md).
BENCH_PKGS := gnuplot-nox

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: deps bench-deps build test test-asan test-fuzz run bench clean format

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

build: deps
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(BUILD) -j $(JOBS)

# Unit and integration tests on the optimised build, then the same tests under ASan+UBSan,
# then short libFuzzer runs.
test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) test-asan test-fuzz

test-asan: deps
	cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DFAQBOT_SANITIZE=ON -DFAQBOT_BENCH=OFF
	cmake --build $(ASAN_BUILD) -j $(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(abspath tests/lsan.supp) \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS) -LE no-asan

# The fuzz targets use the lexicon the main build compiled.
test-fuzz: build
	CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DFAQBOT_FUZZ=ON -DFAQBOT_FUZZ_ONLY=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	cd $(FUZZ_BUILD) && FAQBOT_LEXICON=$(abspath $(BUILD))/lexicon.fwn \
	  ctest --output-on-failure -L fuzz

# The assistant itself. Its first lines tell how to connect Slack or use `faqbot shell`.
run: build
	./$(BUILD)/faqbot serve

# Every benchmark; the figures are written down in docs/.
bench: build bench-deps
	./bench/nlu_report.sh $(BUILD)
	./bench/learning_curve.sh $(BUILD)
	./bench/store_report.sh $(BUILD)
	./$(BUILD)/bench/slack_inbound_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
	./$(BUILD)/bench/socket_mode_bench --benchmark_min_time=2
	./$(BUILD)/bench/http_events_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

format:
	find src tests bench fuzz -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
