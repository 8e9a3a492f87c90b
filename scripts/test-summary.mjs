// Adds up the JSON reports of every test runner into the one closing line CI reads:
// "N passed, N failed, N skipped". Exits 1 when anything failed or a report is missing.
import { existsSync, readFileSync } from "node:fs";

// Then any further Playwright reports (the browser suite on PostgreSQL).
const [vitestReport, playwrightReport, staticReport, ...morePlaywrightReports] = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;

if (vitestReport && existsSync(vitestReport)) {
  const report = JSON.parse(readFileSync(vitestReport, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails to load has no tests to count: count it as a failure.
  failed += report.testResults.filter((file) => file.status === "failed" && file.assertionResults.length === 0).length;
} else {
  console.error(`missing vitest report ${vitestReport}`);
  failed++;
}

for (const report of [playwrightReport, ...morePlaywrightReports]) {
  if (!report || !existsSync(report)) continue;
  const { stats } = JSON.parse(readFileSync(report, "utf8"));
  passed += stats.expected;
  failed += stats.unexpected + stats.flaky;
  skipped += stats.skipped;
}

// Type check and lint, one test each (scripts/test.sh).
if (staticReport && existsSync(staticReport)) {
  const checks = JSON.parse(readFileSync(staticReport, "utf8"));
  passed += checks.passed;
  failed += checks.failed;
} else {
  console.error(`missing static check report ${staticReport}`);
  failed++;
}

console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
