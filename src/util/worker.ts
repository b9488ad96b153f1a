import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker from one of our own modules, given as the URL of its compiled `.js` sibling.
 * From the built package the file is plain JavaScript. When we run from TypeScript sources (tests run through tsx)
 * the worker must register tsx itself: workers do not inherit `--import` loader hooks for their entry module.
 */
export function startModuleWorker(moduleUrl: URL, options: WorkerOptions = {}): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(moduleUrl, options);
  const tsUrl = moduleUrl.href.replace(/\.js$/, '.ts');
  // Resolved here, not in the worker: eval'd code resolves bare specifiers against the current directory.
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(tsUrl)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}
