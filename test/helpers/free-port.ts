// A loopback port nothing listens on right now, for a child process that must be told its port
// (slapd, a vctp serve under benchmark). Another process could take it before the child does; on a
// test machine that race is rare enough, and the child then fails loudly at its bind.
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
