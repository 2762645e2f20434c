import { spawnProcess, track } from '@fooddelivery/stack/processes';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Starts bench/echo-server.ts (stopped by stopAll) and answers its address. */
export async function startEchoServer(): Promise<string> {
  const log = join(temporaryDirectory('fooddelivery-echo-'), 'echo.log');
  const server = await spawnProcess({
    name: 'echo',
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./echo-server.ts', import.meta.url).pathname],
    logFile: log,
  });
  track(server);
  for (let i = 0; i < 200; i++) {
    const port = readFileSync(log, 'utf8').trim();
    if (/^\d+$/.test(port)) return `127.0.0.1:${port}`;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the bare grpc-js server did not print its port (see ${log})`);
}
