import { createServer } from 'node:net';

/** A TCP port that was free a moment ago: bind 127.0.0.1:0, read the port, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port of a test socket'));
      });
    });
  });
}

/**
 * Whether nothing listens on `port`. Binds the wildcard address, which on Linux fails when any
 * local address already has the port (127.0.0.1, 0.0.0.0 or ::).
 */
export function isPortFree(port: number, host = '0.0.0.0'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortClaim {
  port: number;
  /** What would listen there, e.g. "order gRPC". */
  what: string;
  /** The variable that picks another port, if any. */
  variable?: string;
}

/** The claims whose port is already taken. */
export async function busyPorts(claims: PortClaim[]): Promise<PortClaim[]> {
  const free = await Promise.all(claims.map((claim) => isPortFree(claim.port)));
  return claims.filter((_, index) => !free[index]);
}
