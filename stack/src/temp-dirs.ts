import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track } from './processes.js';

/**
 * A new directory under the system's temporary directory, removed by stopAll() once everything
 * started after it has stopped. KEEP_TEST_DIRS=1 keeps it (its logs and data) for a look after a run.
 */
export function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  track({
    name: `temporary directory ${dir}`,
    stop: async () => {
      if (process.env.KEEP_TEST_DIRS !== '1') rmSync(dir, { recursive: true, force: true });
    },
  });
  return dir;
}
