// A free port picked ahead of time, for stand-ins that must know their own URL before they start.
import { createServer } from 'node:net';

/** Asks the OS for a free loopback port (for stand-ins whose URLs embed the port they were given). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
