// The differential test: fast-check scenarios run in Debian's Chromium 156 and in src/cors; every outcome, console
// line, readable header and request on the wire must agree. A disagreement is a model bug: fix the model.
// Deep runs: npm run conformance -- --cases 5000 --seed S.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describe as describeDisagreement, runConformance } from './harness.js';

const CASES = Number(process.env['CONFORMANCE_CASES'] ?? 1000);
const SEED = Number(process.env['CONFORMANCE_SEED'] ?? 20261125);

test(`the CORS model agrees with Chromium on ${CASES} generated scenarios (seed ${SEED})`, async (t) => {
  const report = await runConformance({ cases: CASES, seed: SEED });
  const line = `conformance: ${report.ran} scenarios, ${report.requests} requests, ${(report.ms / 1000).toFixed(1)} s, ${report.disagreements.length} disagreements`;
  t.diagnostic(line);
  console.log(line);
  assert.ok(report.ran >= 300);
  assert.equal(report.disagreements.length, 0, report.disagreements.slice(0, 5).map(describeDisagreement).join('\n\n'));
});
