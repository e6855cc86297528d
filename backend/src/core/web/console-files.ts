import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `ng build` writes the console (frontend/angular.json outputPath + `/browser`). */
export const defaultConsoleDir = fileURLToPath(
  new URL('../../../../frontend/dist/console/browser', import.meta.url),
);

/** `SKYY_CONSOLE_DIR` points the server at a console build elsewhere (a package, a test fixture). */
export function consoleDir(env: Record<string, string | undefined> = process.env): string {
  return path.resolve(env.SKYY_CONSOLE_DIR ?? defaultConsoleDir);
}

/** Paths the console never answers: the API's and the metrics' own 404s stay problem+json. */
export function isServerPath(urlPath: string): boolean {
  return /^\/(api|metrics)(\/|$)/.test(urlPath);
}

/** `main-AB12CD34.js`, `styles-…css`, `chunk-….js` and `media/…` carry a content hash: cache them for good. */
export function isHashedAsset(relativePath: string): boolean {
  return /(^|\/)[\w.-]+-[A-Z0-9]{8}\.(js|css|mjs)$/.test(relativePath) || relativePath.startsWith('media/');
}

/** A file below `root` for a URL path, or null when there is none (or the path tries to climb out). */
export function resolveConsoleFile(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const relative = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (relative === '' || relative.startsWith('..')) return null;
  const absolute = path.resolve(root, relative);
  if (!absolute.startsWith(root + path.sep)) return null;
  try {
    return statSync(absolute).isFile() ? relative : null;
  } catch {
    return null;
  }
}

/** Deep links (`/hosts/…`) get index.html; a missing `something.js` is a plain 404. */
export function looksLikeFile(urlPath: string): boolean {
  const last = urlPath.split('/').pop() ?? '';
  return /\.[A-Za-z0-9]{1,8}$/.test(last);
}

export function hasConsoleBuild(root: string): boolean {
  return existsSync(path.join(root, 'index.html'));
}

/** What `/` answers on a checkout where the console has not been built yet. */
export const missingBuildPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Skyy Command</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#8882;padding:.1em .3em;border-radius:4px}</style>
</head>
<body>
<h1>Skyy Command is running</h1>
<p>The API answers at <a href="/api/docs">/api/docs</a>, but the web console has not been built yet.</p>
<p>Build it once with <code>npm run build -w @skyy/frontend</code> (or restart with <code>npm start</code>, which builds it when it is missing), then reload this page.</p>
</body>
</html>
`;
