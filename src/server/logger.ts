/** Where the server's output goes: its own messages, API Gateway execution logs, and Lambda logs. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** An API Gateway execution log line for one request. */
  execution(requestId: string, message: string): void;
  /** A line of a function's log (START/END/REPORT and the handler's own output). */
  lambda(functionName: string, line: string): void;
}

const COLORS = [36, 35, 33, 32, 34, 96, 95, 93];

/**
 * Lines for one output stream, written together once per turn of the event loop. Under load every Lambda invocation
 * logs three platform lines (START, END, REPORT); a write(2) per line (what console.log does) was the data plane's
 * largest single cost after the socket writes themselves. Order within the stream is kept; `flushBefore` keeps the
 * other stream's lines ahead of ours, so a terminal showing both still shows them in the order they were logged.
 */
class LineBuffer {
  private lines: string[] = [];
  private scheduled = false;
  flushBefore: LineBuffer | undefined;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  push(line: string): void {
    this.flushBefore?.flush();
    this.lines.push(line);
    // A bounded batch: a flood of lines within one turn still goes out in pieces of reasonable size.
    if (this.lines.length >= 512) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flush);
    }
  }

  readonly flush = (): void => {
    this.scheduled = false;
    if (this.lines.length === 0) return;
    const text = `${this.lines.join('\n')}\n`;
    this.lines = [];
    this.stream.write(text);
  };
}

let streams: { out: LineBuffer; err: LineBuffer } | undefined;

/** One buffer per process stream, shared by every console logger (they all write to the same two streams). */
function processStreams(): { out: LineBuffer; err: LineBuffer } {
  if (!streams) {
    const out = new LineBuffer(process.stdout);
    const err = new LineBuffer(process.stderr);
    out.flushBefore = err;
    err.flushBefore = out;
    // Nothing logged is lost when the process ends: writes to files, pipes and terminals are synchronous at exit.
    process.once('exit', () => {
      out.flush();
      err.flush();
    });
    streams = { out, err };
  }
  return streams;
}

/** Logs to the terminal; colours only on a TTY and only without NO_COLOR. */
export function consoleLogger(options: { quiet?: boolean } = {}): Logger {
  const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  // Each function's painted "[name] " prefix, made once: every invocation logs at least three lines.
  const prefixes = new Map<string, string>();
  const prefixFor = (fn: string) => {
    let p = prefixes.get(fn);
    if (p === undefined) {
      p = `${paint(COLORS[prefixes.size % COLORS.length]!, `[${fn}]`)} `;
      prefixes.set(fn, p);
    }
    return p;
  };
  const { out, err } = processStreams();
  return {
    info: (m) => {
      if (!options.quiet) out.push(m);
    },
    warn: (m) => err.push(paint(33, `warning: ${m}`)),
    error: (m) => err.push(paint(31, `error: ${m}`)),
    execution: (id, m) => err.push(`${paint(90, `[apigw ${id}]`)} ${m}`),
    lambda: (fn, line) => {
      if (!options.quiet) out.push(prefixFor(fn) + line);
    },
  };
}

/** Keeps everything in memory; tests read what the server logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    execution: (id, m) => lines.push(`execution ${id} ${m}`),
    lambda: (fn, line) => lines.push(`lambda ${fn} ${line}`),
  };
}
