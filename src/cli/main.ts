#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { startServer } from '../server/server.js';
import { StateError, Store } from '../store/db.js';
import { ControlPlane, defaultCodeRoot } from '../control/index.js';
import { isAwsError } from '../control/errors.js';
import { runDemo } from '../demo/demo.js';
import { registerDoctor } from './doctor-command.js';
import { registerIac, startTemplates } from './iac-commands.js';
import { registerLint } from './lint-command.js';
import { LOCAL_ISSUER, mintToken } from '../auth/local-issuer.js';
import { isLoopbackBindAddress, parseOrigin, RemoteBindError } from '../server/local-only.js';
import { tokenProblem } from '../server/access-token.js';

/** Exit codes of the design doc: 0 fine, 1 failure (or a fatal configuration error), 2 usage error. */
class UsageError extends Error {}

function openControl(dataDir: string): ControlPlane {
  const dir = resolve(dataDir);
  return new ControlPlane(new Store({ file: join(dir, 'state.db') }), { codeRoot: defaultCodeRoot(dir) });
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got '${v}'`);
  return n;
}

/** --control-plane-origin values, each a named origin (scheme://host[:port]). */
function parseOrigins(values: string[] | undefined): string[] {
  return (values ?? []).map((v) => {
    const parsed = parseOrigin(v);
    if ('problem' in parsed) throw new UsageError(`--control-plane-origin: ${parsed.problem}`);
    return parsed.origin;
  });
}

/** Lambda runs functions in UTC; worker-thread environments share this process's time zone. */
function useLambdaTimeZone(): void {
  process.env['TZ'] = 'UTC';
}

function waitForSignal(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.error(`\n${signal}: shutting down`);
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

export function buildCli(): Command {
  const program = new Command();
  program
    .name('preflight')
    .description('A faithful local API Gateway + Lambda, and the tools to fix CORS before you deploy.')
    .showHelpAfterError()
    .exitOverride();

  const dataOption = () => new Option('--data <dir>', 'state directory').default('.preflight');

  program
    .command('start')
    .description('run the emulator (AWS wire API, data plane and console on one port)')
    .argument('[templates...]', 'SAM, CloudFormation or OpenAPI files to import and deploy at start')
    .addOption(new Option('--port <port>', 'port to listen on').default('4010'))
    .addOption(new Option('--host <host>', 'address to bind').default('127.0.0.1'))
    .addOption(dataOption())
    .option('--ephemeral', 'keep all state in memory')
    .option('--watch', 'reload templates and handlers when they change')
    .option('--jwks <issuer=location...>', "JWKS file or URL for a JWT issuer that cannot be discovered from here, e.g. --jwks https://my-issuer=./jwks.json")
    .option('--parameter-overrides <Name=Value...>', 'template parameter values')
    .option('--control-plane-origin <origin...>', 'a browser front end (e.g. http://localhost:3000) allowed to call the AWS wire API, with CORS')
    .option('--allow-remote', 'accept connections from other machines (needed to bind a non-loopback --host); they must send the access token')
    .option('--token <token>', 'the access token remote callers must send (default: generated and printed); needs --allow-remote')
    .action(async (templates: string[], opts: { port: string; host: string; data: string; ephemeral?: boolean; watch?: boolean; parameterOverrides?: string[]; jwks?: string[]; controlPlaneOrigin?: string[]; allowRemote?: boolean; token?: string }) => {
      if (opts.token !== undefined && !opts.allowRemote) throw new UsageError('--token is what remote callers send; it needs --allow-remote');
      if (opts.token !== undefined) {
        const problem = tokenProblem(opts.token);
        if (problem) throw new UsageError(`--token: ${problem}`);
      }
      // A fatal configuration error (exit 1), before anything starts: other machines would reach the control plane.
      if (!opts.allowRemote && !isLoopbackBindAddress(opts.host)) throw new RemoteBindError(opts.host);
      const controlPlaneOrigins = parseOrigins(opts.controlPlaneOrigin);
      const jwks: Record<string, string> = {};
      for (const entry of opts.jwks ?? []) {
        const eq = entry.indexOf('=');
        if (eq <= 0) throw new UsageError(`--jwks takes ISSUER=FILE_OR_URL, got '${entry}'`);
        jwks[entry.slice(0, eq)] = entry.slice(eq + 1);
      }
      useLambdaTimeZone();
      const server = await startServer({
        port: parsePort(opts.port),
        host: opts.host,
        dataDir: opts.data,
        ephemeral: !!opts.ephemeral,
        jwks,
        controlPlaneOrigins,
        ...(opts.allowRemote ? { allowRemote: true } : {}),
        ...(opts.token !== undefined ? { token: opts.token } : {}),
      });
      console.log(`preflight listening on ${server.url}`);
      if (server.token !== undefined) {
        console.error('WARNING: other machines can reach this server. Its control plane creates and runs code (Lambda functions);');
        console.error('         only callers with the access token may use it. Keep the token secret; prefer 127.0.0.1 when you can.');
        console.log(`  access token: ${server.token}  (send X-Preflight-Token, or use it as AWS_ACCESS_KEY_ID)`);
      }
      if (controlPlaneOrigins.length > 0) console.log(`  control plane allows the browser origins: ${controlPlaneOrigins.join(', ')}`);
      console.log(`  AWS endpoint: ${server.url}  (aws --endpoint-url ${server.url} apigateway get-rest-apis)`);
      console.log(`  REST APIs:    http://{apiId}.execute-api.localhost:${server.port}/{stage}/...`);
      console.log(`  state:        ${opts.ephemeral ? 'in memory' : resolve(opts.data)}`);
      const loaded = templates.length > 0 ? await startTemplates(server, templates, { watch: !!opts.watch, ...(opts.parameterOverrides ? { parameterOverrides: opts.parameterOverrides } : {}), ...(opts.ephemeral ? {} : { dataDir: opts.data }) }) : undefined;
      if (templates.length > 0 && !loaded) {
        // A template error is a fatal configuration error (design doc §2: exit 1); it has been printed.
        await server.close();
        process.exitCode = 1;
        return;
      }
      waitForSignal(async () => {
        loaded?.close();
        await server.close();
      });
    });

  program
    .command('demo')
    .description('what `npm start` runs: the emulator with a demo API, and a front end on http://localhost:3000')
    .addOption(new Option('--port <port>', 'emulator port').default('4010'))
    .addOption(new Option('--web-port <port>', 'front-end port').default('3000'))
    .option('--control-plane-origin <origin...>', 'a browser front end allowed to call the AWS wire API, with CORS')
    .action(async (opts: { port: string; webPort: string; controlPlaneOrigin?: string[] }) => {
      useLambdaTimeZone();
      const controlPlaneOrigins = parseOrigins(opts.controlPlaneOrigin);
      const demo = await runDemo({ port: parsePort(opts.port), webPort: parsePort(opts.webPort), ...(controlPlaneOrigins.length > 0 ? { controlPlaneOrigins } : {}) });
      waitForSignal(() => demo.close());
    });

  program
    .command('apis')
    .description('list REST APIs and the state of their stages')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action((opts: { data: string; json?: boolean }) => {
      const control = openControl(opts.data);
      const apis = control.apis.getRestApis({ limit: 500 }).items.map((a) => ({
        id: a.id,
        name: a.name,
        stages: control.deployments.stageStatuses(a.id),
      }));
      if (opts.json) console.log(JSON.stringify(apis, null, 2));
      else if (apis.length === 0) console.log('No REST APIs yet.');
      else {
        for (const a of apis) {
          console.log(`${a.id}  ${a.name}`);
          for (const s of a.stages) {
            console.log(`    stage ${s.stageName}: deployment ${s.deploymentId}${s.undeployedChanges ? '  (changes not deployed)' : ''}`);
          }
        }
      }
      control.store.close();
    });

  program
    .command('functions')
    .description('list Lambda functions')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action((opts: { data: string; json?: boolean }) => {
      const control = openControl(opts.data);
      const fns = control.functions.listFunctions({ MaxItems: 10000 }).Functions;
      if (opts.json) console.log(JSON.stringify(fns, null, 2));
      else if (fns.length === 0) console.log('No functions yet.');
      else for (const f of fns) console.log(`${f.FunctionName}  ${f.Runtime}  ${f.Handler}  timeout ${f.Timeout}s  ${f.MemorySize} MB`);
      control.store.close();
    });

  const cors = program.command('cors').description('CORS configuration of REST APIs');
  cors
    .command('enable')
    .description("the console's Enable CORS on one resource: OPTIONS with a MOCK integration, and Access-Control-Allow-Origin on the methods' 200 responses")
    .requiredOption('--api <id>', 'REST API id')
    .requiredOption('--resource <path-or-id>', "resource path (e.g. /users) or id")
    .option('--methods <list>', 'methods to enable CORS for (default: all of the resource)')
    .option('--allow-headers <value>', 'Access-Control-Allow-Headers')
    .option('--allow-origin <value>', "Access-Control-Allow-Origin (default '*')")
    .option('--gateway-responses <list>', 'also add the headers to gateway responses: DEFAULT_4XX,DEFAULT_5XX')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(
      (opts: { api: string; resource: string; methods?: string; allowHeaders?: string; allowOrigin?: string; gatewayResponses?: string; dryRun?: boolean; json?: boolean; data: string }) => {
        const control = openControl(opts.data);
        try {
          const resource = resolveResource(control, opts.api, opts.resource);
          const input: Record<string, unknown> = {};
          if (opts.methods) input['methods'] = splitList(opts.methods);
          if (opts.allowHeaders !== undefined) input['allowHeaders'] = opts.allowHeaders;
          if (opts.allowOrigin !== undefined) input['allowOrigin'] = opts.allowOrigin;
          if (opts.gatewayResponses) input['gatewayResponses'] = splitList(opts.gatewayResponses).map((s) => s.toUpperCase());
          const result = control.enableCors(opts.api, resource, input, { dryRun: !!opts.dryRun });
          if (opts.json) console.log(JSON.stringify(result, null, 2));
          else {
            console.log(`${opts.dryRun ? 'Would enable' : 'Enabled'} CORS on ${result.resourcePath}:`);
            for (const c of result.changes) console.log(`  ${c.action.padEnd(7)} ${c.target}: ${c.detail}`);
            if (result.proxyMethods.length) {
              console.log(`  note: ${result.proxyMethods.join(', ')} use proxy integrations; their backend must return Access-Control-Allow-Origin itself (e.g. wrap the handler with withCors).`);
            }
            if (!opts.dryRun) console.log(`Deploy to make it live: preflight deploy --api ${opts.api} --stage <stage>`);
          }
        } finally {
          control.store.close();
        }
      },
    );

  program
    .command('deploy')
    .description('create a deployment of a REST API and point a stage at it (Deploy API)')
    .requiredOption('--api <id>', 'REST API id')
    .requiredOption('--stage <name>', 'stage to deploy to (created if missing)')
    .option('--description <text>', 'deployment description')
    .addOption(dataOption())
    .action((opts: { api: string; stage: string; description?: string; data: string }) => {
      const control = openControl(opts.data);
      try {
        const d = control.deployments.createDeployment(opts.api, {
          stageName: opts.stage,
          ...(opts.description ? { description: opts.description } : {}),
        });
        console.log(`Deployed ${opts.api} to stage ${opts.stage} (deployment ${d.id}).`);
      } finally {
        control.store.close();
      }
    });

  program
    .command('token')
    .description('mint a JWT from the built-in issuer, for JWT authorizers configured with its issuer')
    .requiredOption('--sub <subject>', 'the sub claim (who the token is for)')
    .option('--aud <audience...>', 'aud claim(s): the authorizer checks one of them')
    .option('--scope <scopes>', "space-separated OAuth scopes, e.g. 'items:read items:write'")
    .option('--client-id <id>', 'client_id claim (checked when there is no aud)')
    .option('--ttl <seconds>', 'lifetime in seconds', '3600')
    .option('--claim <key=value...>', 'extra claims')
    .option('--issuer <url>', 'issuer name to put in the token (default: the built-in issuer)')
    .option('--json', 'print {token, issuer} as JSON')
    .addOption(dataOption())
    .action(async (opts: { sub: string; aud?: string[]; scope?: string; clientId?: string; ttl: string; claim?: string[]; issuer?: string; json?: boolean; data: string }) => {
      const ttl = Number(opts.ttl);
      if (!Number.isInteger(ttl) || ttl <= 0) throw new UsageError(`--ttl must be a positive number of seconds, got '${opts.ttl}'`);
      const claims: Record<string, unknown> = {};
      for (const c of opts.claim ?? []) {
        const eq = c.indexOf('=');
        if (eq <= 0) throw new UsageError(`--claim takes key=value, got '${c}'`);
        claims[c.slice(0, eq)] = c.slice(eq + 1);
      }
      const control = openControl(opts.data);
      try {
        const token = await mintToken(control.store, {
          sub: opts.sub,
          ...(opts.aud ? { audience: opts.aud.length === 1 ? opts.aud[0]! : opts.aud } : {}),
          ...(opts.scope ? { scope: opts.scope } : {}),
          ...(opts.clientId ? { clientId: opts.clientId } : {}),
          ...(opts.issuer ? { issuer: opts.issuer } : {}),
          expiresInSeconds: ttl,
          claims,
        });
        if (opts.json) console.log(JSON.stringify({ token, issuer: opts.issuer ?? LOCAL_ISSUER }));
        else console.log(token);
      } finally {
        control.store.close();
      }
    });

  registerDoctor(program);
  registerIac(program);
  registerLint(program);
  return program;
}

function resolveResource(control: ControlPlane, apiId: string, ref: string): string {
  if (!ref.startsWith('/')) return ref;
  const all = control.apis.getResources(apiId, { limit: 500 }).items;
  const found = all.find((r) => r.path === ref);
  if (!found) {
    throw new UsageError(`No resource ${ref} in API ${apiId}. Its resources: ${all.map((r) => r.path).join(', ')}`);
  }
  return found.id;
}

function splitList(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildCli();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      console.error(`preflight: ${e.message}`);
      return 2;
    }
    if (e instanceof StateError || e instanceof RemoteBindError) {
      console.error(`preflight: ${e.message}`);
      return 1;
    }
    if (isAwsError(e)) {
      console.error(`preflight: ${e.type}: ${e.message}`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(`preflight: ${(e as Error).message}: another program uses that port; pick another with --port`);
      return 1;
    }
    console.error(`preflight: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}
