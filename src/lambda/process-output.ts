/**
 * Turns a runtime process's output into log events: stdout/stderr line by line (as Lambda's platform does), and
 * the framed telemetry pipe (_LAMBDA_TELEMETRY_LOG_FD) record by record, so a multi-line record (a traceback) stays
 * one event. A process flooding its output is slowed down (its writes block) instead of flooding the server.
 */
import type { Readable } from 'node:stream';

/**
 * Longest event kept whole; longer lines are cut into pieces of this size. CloudWatch Logs' event limit is 256 KB
 * (UNCERTAIN how Lambda itself cuts longer lines; it keeps memory bounded here either way).
 */
export const MAX_EVENT_CHARS = 256 * 1024;

/**
 * Output budget per environment: beyond this rate the pipes are paused briefly, so the process blocks on its writes
 * while the server stays responsive. Far above what a handler logs on purpose.
 */
const BYTES_PER_SECOND = 16 * 1024 * 1024;
const EVENTS_PER_SECOND = 50_000;
const PAUSE_MS = 50;

export class OutputBudget {
  private bytes = BYTES_PER_SECOND;
  private events = EVENTS_PER_SECOND;
  private refilledAt = Date.now();

  /** Spends from the budget; false when the stream should pause. */
  spend(bytes: number, events: number): boolean {
    const now = Date.now();
    const elapsed = now - this.refilledAt;
    if (elapsed > 0) {
      this.bytes = Math.min(BYTES_PER_SECOND, this.bytes + (elapsed * BYTES_PER_SECOND) / 1000);
      this.events = Math.min(EVENTS_PER_SECOND, this.events + (elapsed * EVENTS_PER_SECOND) / 1000);
      this.refilledAt = now;
    }
    this.bytes -= bytes;
    this.events -= events;
    return this.bytes > 0 && this.events > 0;
  }
}

function throttle(stream: Readable, budget: OutputBudget, bytes: number, events: number): void {
  if (budget.spend(bytes, events)) return;
  stream.pause();
  setTimeout(() => stream.resume(), PAUSE_MS).unref();
}

/** Reads a text stream as lines; a trailing partial line is emitted when the stream ends. */
export function readLines(stream: Readable, budget: OutputBudget, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    while (partial.length > MAX_EVENT_CHARS) {
      lines.push(partial.slice(0, MAX_EVENT_CHARS));
      partial = partial.slice(MAX_EVENT_CHARS);
    }
    for (const line of lines) emitCut(line, onLine);
    throttle(stream, budget, chunk.length, lines.length);
  });
  stream.on('end', () => {
    if (partial !== '') onLine(partial);
    partial = '';
  });
}

function emitCut(line: string, onLine: (line: string) => void): void {
  if (line.length <= MAX_EVENT_CHARS) {
    onLine(line);
    return;
  }
  for (let i = 0; i < line.length; i += MAX_EVENT_CHARS) onLine(line.slice(i, i + MAX_EVENT_CHARS));
}

/**
 * The telemetry log frame of the Lambda runtimes (aws-lambda-python-runtime-interface-client bootstrap.py
 * FramedTelemetryLogSink): 4 bytes frame type (0xa55a00XX), 4 bytes length, 8 bytes timestamp in microseconds,
 * then the UTF-8 message; big-endian.
 */
const FRAME_HEADER = 16;
const FRAME_MAGIC = 0xa55a0000;
/** A frame longer than this means the stream is not framed after all: the rest is read as plain lines. */
const MAX_FRAME = 16 * 1024 * 1024;

export function readFrames(stream: Readable, budget: OutputBudget, onEvent: (message: string) => void): void {
  let buffered: Buffer = Buffer.alloc(0);
  let raw = false;
  let rawPartial = '';
  const rawLines = (text: string): void => {
    const lines = (rawPartial + text).split('\n');
    rawPartial = lines.pop() ?? '';
    for (const line of lines) emitCut(line, onEvent);
  };
  stream.on('data', (chunk: Buffer) => {
    if (raw) {
      rawLines(chunk.toString('utf8'));
      throttle(stream, budget, chunk.length, 1);
      return;
    }
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    let events = 0;
    while (buffered.length >= FRAME_HEADER) {
      const type = buffered.readUInt32BE(0);
      const length = buffered.readUInt32BE(4);
      if ((type & 0xffff0000) >>> 0 !== FRAME_MAGIC || length > MAX_FRAME) {
        raw = true;
        rawLines(buffered.toString('utf8'));
        buffered = Buffer.alloc(0);
        break;
      }
      if (buffered.length < FRAME_HEADER + length) break;
      let message = buffered.toString('utf8', FRAME_HEADER, FRAME_HEADER + length);
      // Formatted records end in a newline that separates them in a plain stream; an event does not keep it.
      if (message.endsWith('\n')) message = message.slice(0, -1);
      emitCut(message, onEvent);
      events++;
      buffered = buffered.subarray(FRAME_HEADER + length);
    }
    throttle(stream, budget, chunk.length, events);
  });
  stream.on('end', () => {
    if (raw && rawPartial !== '') onEvent(rawPartial);
  });
}
