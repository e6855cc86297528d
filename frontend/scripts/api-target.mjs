// Where the API started by `npm run dev` listens, as the URL the console's dev proxy forwards to.
// It is read with the backend's own loader, so PORT, HOST, SKYY_CONFIG and config.yaml count
// exactly as they do for the API; hard-coding :8080 broke the proxy whenever PORT was set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

export const repo = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Addresses that mean "every interface": the proxy reaches those through loopback. */
const ANY = new Set(['', '0.0.0.0', '::', '[::]']);

/** `http://host:port` for a listen address; IPv6 literals get their brackets. */
export function targetFor({ host, port }) {
  const reachable = ANY.has(host) ? '127.0.0.1' : host;
  const bracketed = reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable;
  return `http://${bracketed}:${port}`;
}

/** The API's address as the backend will resolve it; throws the backend's ConfigError when invalid. */
export async function devApiTarget(env = process.env, cwd = repo) {
  const { loadConfig } = await tsImport('../../backend/src/core/config/load-config.ts', import.meta.url);
  return targetFor(loadConfig(env, cwd).config.server);
}
