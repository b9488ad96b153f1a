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

/** Logs to the terminal; colours only on a TTY and only without NO_COLOR. */
export function consoleLogger(options: { quiet?: boolean } = {}): Logger {
  const color = process.stdout.isTTY === true && !process.env['NO_COLOR'];
  const paint = (code: number, s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const fnColors = new Map<string, number>();
  const colorFor = (fn: string) => {
    let c = fnColors.get(fn);
    if (c === undefined) {
      c = COLORS[fnColors.size % COLORS.length]!;
      fnColors.set(fn, c);
    }
    return c;
  };
  return {
    info: (m) => {
      if (!options.quiet) console.log(m);
    },
    warn: (m) => console.error(paint(33, `warning: ${m}`)),
    error: (m) => console.error(paint(31, `error: ${m}`)),
    execution: (id, m) => console.error(`${paint(90, `[apigw ${id}]`)} ${m}`),
    lambda: (fn, line) => {
      if (!options.quiet) console.log(`${paint(colorFor(fn), `[${fn}]`)} ${line}`);
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
