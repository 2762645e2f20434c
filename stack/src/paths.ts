import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in stack/src). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Where scripts/setup.sh builds the pinned Go tools (nats-server, ferretdb, grpcurl). */
export const toolsBin = join(repoRoot, '.tools', 'bin');

/** Absolute path of a tool in .tools/bin; throws with the fix when it has not been built. */
export function toolPath(name: string): string {
  const path = join(toolsBin, name);
  if (!existsSync(path)) throw new Error(`${displayPath(path)} is missing: run \`bash scripts/setup.sh\` to build it`);
  return path;
}

/** A path as it reads best in messages: relative when inside the repository. */
export function displayPath(path: string): string {
  const fromRoot = relative(repoRoot, path);
  return fromRoot.startsWith('..') || fromRoot === '' ? path : fromRoot;
}

/** Where `npm start` keeps its data and logs: DATA_DIR, or .data/ in the repository. */
export const localDataDir = process.env.DATA_DIR ? resolve(process.env.DATA_DIR) : join(repoRoot, '.data');
