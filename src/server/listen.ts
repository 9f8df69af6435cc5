// Puts the app on bind_ip:bind_port, over TLS unless bind_disable_tls, and takes it off again
// gracefully. Every way the socket can fail to open is a configuration error naming the setting.
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import { getRequestListener } from '@hono/node-server';
import { VctpError } from '../core/errors.js';
import type { Settings } from '../app/runtime.js';

export type ListenSettings = Pick<Settings, 'bind_ip' | 'bind_port' | 'bind_disable_tls' | 'tls_cert_filename' | 'tls_key_filename'>;

export interface RunningServer {
  /** e.g. https://0.0.0.0:9443 (the port the system chose when bind_port is 0). */
  url: string;
  port: number;
  /**
   * Stops accepting, closes idle keep-alive connections and waits for the requests in flight,
   * at most `graceMs`; then closes what is left. Resolves with the connections cut short.
   */
  close(graceMs: number): Promise<{ drained: boolean }>;
}

export async function listen(fetch: (request: Request, env: unknown) => Response | Promise<Response>, settings: ListenSettings): Promise<RunningServer> {
  const listener = getRequestListener(fetch);
  const server: Server = settings.bind_disable_tls ? createHttpServer(listener) : createHttpsServer(await tlsOptions(settings), listener);
  // A slow client may not hold a socket forever (slowloris): bounded header and request times.
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => reject(listenError(error, settings));
    server.once('error', onError);
    server.listen(settings.bind_port, settings.bind_ip, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = settings.bind_ip.includes(':') ? `[${settings.bind_ip}]` : settings.bind_ip;
  return {
    url: `${settings.bind_disable_tls ? 'http' : 'https'}://${host}:${port}`,
    port,
    close: (graceMs) => closeGracefully(server, graceMs),
  };
}

async function tlsOptions(settings: ListenSettings): Promise<{ cert: Buffer; key: Buffer }> {
  const cert = await readTlsFile('tls_cert_filename', settings.tls_cert_filename);
  const key = await readTlsFile('tls_key_filename', settings.tls_key_filename);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new VctpError(
      'config',
      `settings.tls_cert_filename, settings.tls_key_filename: ${settings.tls_cert_filename} and ${settings.tls_key_filename} are not a PEM certificate and its private key (${(error as Error).message})`,
      { cause: error },
    );
  }
  return { cert, key };
}

async function readTlsFile(key: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read by this user' : `cannot be read (${code ?? String(error)})`;
    throw new VctpError('config', `settings.${key}: ${path} ${why} (or set settings.bind_disable_tls: true to serve plain HTTP)`, { cause: error });
  }
}

function listenError(error: NodeJS.ErrnoException, settings: ListenSettings): VctpError {
  const where = `${settings.bind_ip}:${settings.bind_port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new VctpError('config', `settings.bind_port: ${where} is already in use by another process`, { cause: error });
    case 'EACCES':
      return new VctpError(
        'config',
        `settings.bind_port: binding ${where} needs privileges this process lacks (ports below 1024 need CAP_NET_BIND_SERVICE, as the packaged unit grants; or use a port >= 1024)`,
        { cause: error },
      );
    case 'EADDRNOTAVAIL':
      return new VctpError('config', `settings.bind_ip: ${settings.bind_ip} is not an address of this host`, { cause: error });
    default:
      return new VctpError('config', `settings.bind_ip, settings.bind_port: cannot listen on ${where} (${error.code ?? error.message})`, { cause: error });
  }
}

function closeGracefully(server: Server, graceMs: number): Promise<{ drained: boolean }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections();
      resolve({ drained: false });
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve({ drained: true });
    });
    server.closeIdleConnections();
  });
}
