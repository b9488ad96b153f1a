// How a bench server tells the runner where it listens: one JSON line on the descriptor the runner names in
// BENCH_ANNOUNCE_FD (so stdout, the server's log, can go to /dev/null as a terminal's output would cost nothing
// here), else on stdout when run by hand.
import { writeSync } from 'node:fs';

export function announce(info: object): void {
  writeSync(Number(process.env['BENCH_ANNOUNCE_FD'] ?? 1), `${JSON.stringify(info)}\n`);
}
