#!/usr/bin/env bash
# The whole test suite, as the README tells a newcomer to run it (`npm test`) and as CI runs it (.ci/run):
# type check and lint, unit tests, Chrome and Firefox store packages and their lint, then the end-to-end tests in real Chromium against
# the fake chatgpt.com. Prints plain summary lines ("unit: N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
status=0

echo "== type check and lint (npm run check)"
npm run -s check || status=1

echo "== unit tests"
rm -f .vitest-results.json
npx vitest run --reporter=default --reporter=json --outputFile.json=.vitest-results.json || status=1
node -e 'const r=require("./.vitest-results.json");console.log(`unit: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)' \
  || { echo "unit: 0 passed, 1 failed"; status=1; }

echo "== store packages (npm run zip, zip:firefox), linted offline by addons-linter (scripts/lint-packages.ts)"
npx wxt zip >/dev/null || { echo "chrome build failed"; status=1; }
npx wxt zip -b firefox >/dev/null || { echo "firefox build failed"; status=1; }
npx tsx scripts/lint-packages.ts || status=1

echo "== end-to-end (Chromium: ${CHROMIUM_PATH:-/usr/bin/chromium})"
npx wxt build >/dev/null || status=1
node --import tsx --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/summary-reporter.mjs --test-reporter-destination=stdout tests/e2e/*.test.ts || status=1

exit $status
