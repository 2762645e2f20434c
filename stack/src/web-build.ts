import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export const webDist = join(repoRoot, 'web', 'dist');

/** Newest modification time under `path` (a file or a folder), skipping `skip`. */
function newest(path: string, skip: string): number {
  if (path === skip || !existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((latest, name) => Math.max(latest, newest(join(path, name), skip)), stat.mtimeMs);
}

/** Whether web/dist is missing or older than the app's sources, the API document or the packages. */
export function webBuildIsStale(): boolean {
  const built = join(webDist, 'index.html');
  if (!existsSync(built)) return true;
  const sources = Math.max(
    newest(join(repoRoot, 'web'), webDist),
    newest(join(repoRoot, 'gen', 'openapi'), ''),
    newest(join(repoRoot, 'package-lock.json'), ''),
  );
  return sources > statSync(built).mtimeMs;
}

/** Builds the web app into web/dist (Vite) when it is stale; throws with Vite's output when the build fails. */
export function buildWebIfStale(): boolean {
  if (!webBuildIsStale()) return false;
  const vite = join(repoRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the web app did not build (npm run web:build):\n${result.stdout}${result.stderr}`);
  return true;
}
