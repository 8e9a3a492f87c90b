#!/usr/bin/env bash
# `npm test`: every suite — unit, API (real server, SQLite and PostgreSQL), browser (Chromium).
# Ends with one line "N passed, N failed, N skipped" summing all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p test-results
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

# Browser tests use Debian's Chromium (never a downloaded browser); install it when missing.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium for the browser tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) || echo "Could not install Chromium."
fi

# The scale-out proof (tests/api/scale-out/load-balanced.test.ts) runs the app behind Debian's
# HAProxy; install it when missing. Without it that suite is skipped, except under CI=true where it
# fails. The suite starts its own HAProxy on a free port (Debian's default configuration, which a
# machine with an init system may start as a service, listens on nothing).
if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing HAProxy for the scale-out tests…"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null) || echo "Could not install HAProxy."
fi

# Langfuse's SDK, driven by tests/api/langfuse.test.ts, has a package of its own (its OpenTelemetry
# SDK cannot share ours); install it when missing. Without it that test is skipped, except under
# CI=true where it fails.
if [ ! -f tests/clients/langfuse/node_modules/.package-lock.json ]; then
  echo "Installing Langfuse's SDK for the API tests…"
  npm ci --prefix tests/clients/langfuse --no-audit --no-fund --loglevel=error >/dev/null || echo "Could not install tests/clients/langfuse."
fi

node scripts/ensure-build.mjs || { echo "0 passed, 1 failed"; exit 1; }

rm -f test-results/vitest.json test-results/playwright.json test-results/playwright-postgres.json test-results/static.json

# Static checks, each counted as one test: types, then React/Next conventions (the import layers
# are a unit test: tests/unit/layers.test.ts).
static_passed=0
static_failed=0
for check in "npx tsc --noEmit -p tsconfig.json" "npx eslint app components lib server.ts proxy.ts"; do
  echo "Static check: $check"
  if $check; then static_passed=$((static_passed + 1)); else static_failed=$((static_failed + 1)); echo "FAILED: $check"; fi
done
echo "{\"passed\": $static_passed, \"failed\": $static_failed}" > test-results/static.json
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
vitest_status=$?

playwright_status=0
if [ -f playwright.config.ts ]; then
  if [ -x /usr/bin/chromium ]; then
    PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json
    playwright_status=$?
    # The same browser suite on PostgreSQL (tests/e2e/global-setup.ts), required under CI=true.
    if pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
      echo "Browser tests on PostgreSQL:"
      E2E_DATABASE=postgres PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright-postgres.json npx playwright test --reporter=list,json
      [ $? -ne 0 ] && playwright_status=1
    elif [ "${CI:-}" = "true" ]; then
      echo "PostgreSQL is not reachable and CI=true: the browser tests on PostgreSQL cannot be skipped."
      playwright_status=1
    else
      echo "Skipping the browser tests on PostgreSQL: nothing answers on 127.0.0.1:5432."
    fi
  elif [ "${CI:-}" = "true" ]; then
    echo "Chromium is missing and CI=true: browser tests cannot be skipped."
    playwright_status=1
  else
    echo "Skipping browser tests: /usr/bin/chromium is missing (install it: apt-get install chromium)."
  fi
fi

node scripts/test-summary.mjs test-results/vitest.json test-results/playwright.json test-results/static.json test-results/playwright-postgres.json
summary_status=$?
if [ $vitest_status -ne 0 ] || [ $playwright_status -ne 0 ] || [ $summary_status -ne 0 ]; then exit 1; fi
