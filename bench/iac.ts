// npm run bench (after the load scenarios): a SAM template with 200 functions and 500 routes loaded and deployed
// into a fresh emulator; the time from saving a handler to the next invocation running it; and a template reload
// after one route changed. Uses the built package (dist/), as users run it (`npm run bench` builds first);
// BENCH_IAC_SOURCE=1 runs the TypeScript sources instead (through tsx: every new Lambda environment then compiles
// its bootstrap, so cold starts are several times longer than from the package).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

type ServerModule = typeof import('../src/server/server.js');
type LoggerModule = typeof import('../src/server/logger.js');
type LoadModule = typeof import('../src/iac/load.js');
type WatchModule = typeof import('../src/iac/watch.js');
const fromSource = process.env['BENCH_IAC_SOURCE'] === '1';
const mod = async <T>(path: string): Promise<T> =>
  (await import(new URL(fromSource ? `../src/${path}` : `../dist/${path}`, import.meta.url).href)) as T;
const { startServer } = await mod<ServerModule>('server/server.js');
const { memoryLogger } = await mod<LoggerModule>('server/logger.js');
const { loadFile } = await mod<LoadModule>('iac/load.js');
const { TemplateWatcher } = await mod<WatchModule>('iac/watch.js');

const FUNCTIONS = 200;
const ROUTES = 500;
const SAVES = 7;
const dir = mkdtempSync(join(tmpdir(), 'pf-bench-iac-'));
mkdirSync(join(dir, 'src'));
const source = (v: number) => `export const handler = async () => ({ statusCode: 200, body: "v${v}" });\n`;
writeFileSync(join(dir, 'src', 'index.mjs'), source(1));
const lines = ['Transform: AWS::Serverless-2016-10-31', 'Resources:', '  Api:', '    Type: AWS::Serverless::Api', '    Properties:', '      StageName: dev', "      Cors: \"'https://app.example.com'\""];
for (let f = 0; f < FUNCTIONS; f++) {
  lines.push(`  Fn${f}:`, '    Type: AWS::Serverless::Function', '    Properties:', '      Runtime: nodejs20.x', '      Handler: index.handler', '      CodeUri: src/', '      Events:');
  for (let r = f; r < ROUTES; r += FUNCTIONS) lines.push(`        E${r}: {Type: Api, Properties: {RestApiId: !Ref Api, Path: "/r${r}/{id}", Method: get}}`);
}
const templateFile = join(dir, 'template.yaml');
writeFileSync(templateFile, lines.join('\n'));
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const text = async (url: string) => (await fetch(url)).text();

const server = await startServer({ port: 0, ephemeral: true, logger: memoryLogger() });
try {
  const t0 = performance.now();
  const r = await loadFile(server.control, templateFile, { workDir: join(dir, 'work') });
  const loadMs = performance.now() - t0;
  const apiId = r.apis[0]!.apiId;
  const url = `${server.url}/restapis/${apiId}/dev/_user_request_/r7/x`;
  const first = await text(url);

  // --watch as `preflight start --watch` runs it: the template watcher, and the runtime's hot reload of the code.
  const watcher = new TemplateWatcher(server.control, { workDir: join(dir, 'work') }, { info: () => {}, error: (m) => console.error(m) });
  watcher.add(r);
  await sleep(200);
  const samples: number[] = [];
  for (let i = 2; i < 2 + SAVES; i++) {
    // Someone has been using the API: a warm environment runs the current version when the file is saved.
    for (let k = 0; k < 3; k++) await text(url);
    const saved = performance.now();
    writeFileSync(join(dir, 'src', 'index.mjs'), source(i));
    while ((await text(url)) !== `v${i}`) await sleep(5);
    samples.push(performance.now() - saved);
    await sleep(300);
  }

  // A template edit: one route moves; its API is re-imported into the same id and redeployed.
  const edited = performance.now();
  writeFileSync(templateFile, readFileSync(templateFile, 'utf8').replace('Path: "/r7/{id}"', 'Path: "/r7b/{id}"'));
  const movedUrl = url.replace('/r7/x', '/r7b/x');
  let served = false;
  while (!(served = (await fetch(movedUrl)).status === 200) && performance.now() - edited < 30_000) await sleep(5);
  const templateMs = performance.now() - edited;
  watcher.close();

  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)]!;
  console.log(`\nIaC${fromSource ? ' (from TypeScript sources)' : ''}: template with ${FUNCTIONS} functions and ${ROUTES} routes (+${ROUTES} CORS OPTIONS): loaded and deployed in ${loadMs.toFixed(0)} ms (goal < 2000 ms); first answer ${first}`);
  console.log(`IaC: handler saved -> next invocation runs it: median ${median.toFixed(0)} ms, min ${samples[0]!.toFixed(0)} ms, max ${samples[samples.length - 1]!.toFixed(0)} ms over ${SAVES} saves (goal < 300 ms)`);
  console.log(served ? `IaC: template saved (one route moved) -> served: ${templateMs.toFixed(0)} ms` : 'IaC: template saved (one route moved) -> not served after 30 s (the reload failed)');
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
