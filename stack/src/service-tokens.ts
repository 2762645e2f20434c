import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { devToken } from './tokens.js';

/** Which services call another with a token of their own (sub = the calling service). */
const callers = ['order'] as const;
export type CallingService = (typeof callers)[number];

export interface ServiceTokens {
  /** The file each calling service reads its current token from. */
  files: Record<CallingService, string>;
  stop(): void;
}

/**
 * Short-lived development tokens for services that call others, written to files the services
 * re-read, and replaced well before they expire. Production mints them with its own issuer.
 */
export async function startServiceTokens(dir: string, lifetimeMinutes = 60): Promise<ServiceTokens> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = Object.fromEntries(callers.map((service) => [service, join(dir, `${service}.jwt`)])) as Record<CallingService, string>;
  const mint = async () => {
    for (const service of callers) {
      const token = await devToken('service', service, { expiresIn: `${lifetimeMinutes}m` });
      const next = `${files[service]}.next`;
      writeFileSync(next, token, { mode: 0o600 });
      renameSync(next, files[service]);
    }
  };
  await mint();
  const timer = setInterval(() => void mint().catch(() => undefined), (lifetimeMinutes / 3) * 60_000);
  timer.unref();
  return { files, stop: () => clearInterval(timer) };
}
