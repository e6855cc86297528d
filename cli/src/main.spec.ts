import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { runCli } from './testing/run-cli.ts';

const cliRoot = path.resolve(import.meta.dirname, '..');
const version = (JSON.parse(readFileSync(path.join(cliRoot, 'package.json'), 'utf8')) as { version: string })
  .version;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('skyy command line', () => {
  it('prints its version', async () => {
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('shows help with examples for every command', async () => {
    const top = await runCli(['--help']);
    expect(top.code).toBe(0);
    for (const command of ['admin', 'login', 'logout', 'hosts', 'validate', 'backup']) {
      expect(top.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    for (const argv of [
      ['admin', 'create'],
      ['login'],
      ['logout'],
      ['hosts', 'import'],
      ['hosts', 'list'],
      ['validate'],
      ['backup'],
    ]) {
      const run = await runCli([...argv, '--help']);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Examples:\n  $ skyy ${argv.join(' ')}`);
    }
  });

  it.each([
    [['hosts', 'list', '--bogus'], "skyy: unknown option '--bogus' — add --help for usage\n"],
    [['login'], "skyy: missing required argument 'url' — add --help for usage\n"],
    [
      ['hosts', 'list', '--limit', '0'],
      "skyy: option '--limit <n>' argument '0' is invalid. expected a whole number of at least 1 — add --help for usage\n",
    ],
    [
      ['validate', '.', '--output', 'yaml'],
      "skyy: option '-o, --output <format>' argument 'yaml' is invalid. Allowed choices are text, json. — add --help for usage\n",
    ],
    [['frobnicate'], "skyy: unknown command 'frobnicate' — add --help for usage\n"],
    [['backup'], "skyy: missing required argument 'file' — add --help for usage\n"],
    [
      ['logout', 'now'],
      "skyy: too many arguments for 'logout'. Expected 0 arguments but got 1. — add --help for usage\n",
    ],
    [
      ['login', 'ftp://example.com'],
      'skyy: "ftp://example.com" is not an http(s) URL — give the server address, e.g. https://skyy.example.com\n',
    ],
  ])('exits 2 on bad usage: %j', async (argv, stderr) => {
    const run = await runCli(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(stderr);
    expect(run.stdout).toBe('');
  });

  it('exits 2 when a password is needed but there is no terminal and no --password-stdin', async () => {
    const run = await runCli(['login', 'http://127.0.0.1:9', '--username', 'alice']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'skyy: no terminal to ask for the password on — pipe it in with --password-stdin\n',
    );
  });

  it('says how to log in when no credentials are stored', async () => {
    const run = await runCli(['hosts', 'list'], { env: { XDG_CONFIG_HOME: '/nonexistent/skyy-test' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('skyy: not logged in — run `skyy login <url>`, or set SKYY_URL and SKYY_TOKEN\n');
  });

  it('says the server is unreachable instead of printing a stack trace', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(['hosts', 'list'], { env: { SKYY_URL: url, SKYY_TOKEN: 'skyy_test' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`skyy: cannot reach ${url}: connection refused — is the server running?\n`);
  });

  it('runs as `node cli/bin/skyy.js` with real exit codes', async () => {
    const bin = path.join(cliRoot, 'bin', 'skyy.js');
    const ok = await promisify(execFile)(process.execPath, [bin, '--version']);
    expect(ok.stdout).toBe(`${version}\n`);
    const bad = await promisify(execFile)(process.execPath, [bin, 'hosts', 'list', '--bogus']).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad).toMatchObject({ code: 2, stderr: "skyy: unknown option '--bogus' — add --help for usage\n" });
  });

  it('works from any directory, outside the repository too (the backend code it loads needs its tsconfig)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'skyy-anywhere-'));
    try {
      const child = execFile(
        process.execPath,
        [
          path.join(cliRoot, 'bin', 'skyy.js'),
          'admin',
          'create',
          '--username',
          'root-admin',
          '--password-stdin',
        ],
        { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, SKYY_DATA_DIR: path.join(dir, 'data') } },
      );
      child.stdin?.end('a long enough password');
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise((resolve) => child.on('close', resolve));
      expect({ code, stdout }).toEqual({
        code: 0,
        stdout: `created admin "root-admin" in SQLite ${path.join(dir, 'data', 'skyy.db')}\nsign in on the web console, or run \`skyy login <url>\`\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
