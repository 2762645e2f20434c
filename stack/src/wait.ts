import { setTimeout as sleep } from 'node:timers/promises';
import { displayPath } from './paths.js';
import { tailLog, type ManagedProcess } from './processes.js';

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Give up at once, with the end of its log, if this process exits while we wait. */
  process?: ManagedProcess;
}

/** Polls `check` until it returns true; the error says what was awaited and where to look. */
export async function waitUntil(what: string, check: () => Promise<boolean>, options: WaitOptions): Promise<void> {
  const { timeoutMs, intervalMs = 100, process } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process?.exitCode !== undefined) {
      const code = process.exitCode === null ? 'a signal' : `code ${process.exitCode}`;
      throw new Error(`${what}: ${process.name} exited with ${code} before it was ready${logHint(process)}`);
    }
    if (await check()) return;
    if (Date.now() >= deadline) {
      throw new Error(`${what}: not ready after ${Math.round(timeoutMs / 1000)} s${process ? logHint(process) : ''}`);
    }
    await sleep(intervalMs);
  }
}

function logHint(process: ManagedProcess): string {
  const tail = tailLog(process.logFile, 15);
  return `; see ${displayPath(process.logFile)}${tail ? `, which ends with:\n${tail}` : ''}`;
}
