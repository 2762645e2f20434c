import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port that is free now and that the kernel will not hand out by itself: picked at random
 * below the ephemeral range (where port-0 binds and outgoing connections take theirs), so a port
 * chosen for a server cannot be taken by some other socket before the server binds it. Ports
 * already handed out by this process are not handed out again.
 */
export async function freePort(): Promise<number> {
  const [low] = ephemeralRange();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (low - 10_000));
    if (handedOut.has(port)) continue;
    if (await canBind(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port found below the ephemeral range');
}

const handedOut = new Set<number>();

function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low && high && low > 11_000) return [low, high];
  } catch {
    // not Linux: fall through
  }
  return [32_768, 60_999];
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
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
