// npm run conformance -- --cases 5000 --seed S: the deep differential run against Chromium.
import { describe, runConformance } from './harness.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i === -1) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 0) {
    console.error(`--${name} needs a non-negative integer`);
    process.exit(2);
  }
  return v;
}

const cases = arg('cases', 1000);
const seed = arg('seed', Date.now() % 1_000_000);
const report = await runConformance({
  cases,
  seed,
  onProgress: (done, total) => process.stderr.write(`\r${done}/${total} scenarios`),
});
process.stderr.write('\n');
for (const d of report.disagreements.slice(0, 20)) console.log(describe(d));
console.log(
  `conformance: ${report.ran} scenarios (${report.requests} requests, seed ${seed}) in ${(report.ms / 1000).toFixed(1)} s: ` +
    `${report.disagreements.length === 0 ? '100% agreement' : `${report.disagreements.length} disagreements`}`,
);
process.exit(report.disagreements.length === 0 ? 0 : 1);
