import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { diagnoseHar } from '../doctor/har.js';
import { parseInput } from '../doctor/input.js';
import { isSameOriginProbe, runDoctor } from '../doctor/live.js';
import { closeConnections } from '../doctor/network.js';
import { ansiStyle, renderText } from '../doctor/render.js';
import { DoctorError } from '../doctor/types.js';

interface DoctorOptions {
  origin?: string;
  method?: string;
  header: string[];
  credentials?: boolean;
  data?: string;
  json?: boolean;
  har?: string;
  timeout: string;
}

function color(): boolean {
  return !!process.stdout.isTTY && !process.env['NO_COLOR'];
}

/** `preflight doctor`: exit 0 allowed, 1 blocked, 2 usage or network error (design doc §2). */
async function doctor(url: string | undefined, opts: DoctorOptions): Promise<number> {
  const style = color() ? ansiStyle() : undefined;
  if (opts.har) {
    if (url) throw new DoctorError('give either a URL or --har FILE, not both', 'usage');
    let text: string;
    try {
      text = readFileSync(opts.har, 'utf8');
    } catch (e) {
      throw new DoctorError(`cannot read ${opts.har}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'usage');
    }
    const results = diagnoseHar(text, opts.har);
    const blocked = results.some((r) => r.report.verdict === 'blocked');
    if (opts.json) {
      console.log(JSON.stringify({ file: opts.har, requests: results.map((r) => ({ entry: r.entry, assumptions: r.assumptions, ...r.report })) }, null, 2));
    } else if (results.length === 0) {
      console.log(`${opts.har}: no cross-origin requests (none carries an Origin header different from its URL's origin).`);
    } else {
      for (const r of results) {
        process.stdout.write(`#${r.entry} ${renderText(r.report, style)}`);
        for (const a of r.assumptions) console.log(`  (assumed: ${a})`);
        console.log('');
      }
      console.log(`${results.length} cross-origin request${results.length === 1 ? '' : 's'}, ${results.filter((r) => r.report.verdict === 'blocked').length} blocked.`);
    }
    return blocked ? 1 : 0;
  }
  if (!url) throw new DoctorError('give the URL to probe (preflight doctor URL --origin ORIGIN), or --har FILE', 'usage');
  const { input, notes } = parseInput(url, { origin: opts.origin, method: opts.method, header: opts.header, credentials: opts.credentials, data: opts.data });
  for (const n of notes) console.error(`preflight doctor: ${n}`);
  if (isSameOriginProbe(input)) {
    const msg = `${input.url} is on the page's own origin ${input.origin}: a same-origin request involves no CORS at all.`;
    if (opts.json) console.log(JSON.stringify({ request: { url: input.url, origin: input.origin, method: input.method }, exchanges: [], verdict: 'allowed', chromiumMessage: null, cause: null, explanation: msg, fixes: [], warnings: [] }, null, 2));
    else console.log(msg);
    return 0;
  }
  const timeout = Number(opts.timeout);
  const report = await runDoctor(input, { timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : 10_000 });
  if (opts.json) console.log(JSON.stringify(report, null, 2));
  else process.stdout.write(renderText(report, style));
  return report.verdict === 'allowed' ? 0 : 1;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('probe a URL as Chromium would from a page on --origin: trace, verdict, the exact console message, the cause and the fix')
    .argument('[url]', 'the URL the page requests')
    .option('--origin <origin>', "the page's origin, e.g. http://localhost:3000")
    .option('--method <method>', 'request method (default GET, or POST with --data)')
    .option('--header <header>', "a request header the page sets, 'Name: value' (repeatable)", (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--credentials', "send with credentials (fetch credentials: 'include' / XHR withCredentials)")
    .option('--data <body>', 'request body')
    .option('--json', 'print one JSON document')
    .option('--har <file>', 'diagnose every cross-origin request in a HAR exported from Chrome DevTools, offline')
    .addOption(new Option('--timeout <ms>', 'network timeout per request').default('10000').hideHelp())
    .action(async (url: string | undefined, opts: DoctorOptions) => {
      try {
        process.exitCode = await doctor(url, opts);
      } catch (e) {
        if (!(e instanceof DoctorError)) throw e;
        if (opts.json) console.log(JSON.stringify({ verdict: null, chromiumMessage: null, cause: e.kind === 'network' ? 'network-error' : 'usage-error', error: { kind: e.kind, code: e.code ?? null, message: e.message } }, null, 2));
        console.error(`preflight doctor: ${e.message}`);
        process.exitCode = 2;
      } finally {
        closeConnections();
      }
    });
}
