import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './testing/run-cli.ts';

// One rule for every command (cli/README.md): a path on the command line that names nothing is
// bad usage, exit 2, said in one line with the path as typed. No server is needed to hear it.
describe('a path on the command line that does not exist', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'skyy-named-paths-'));
    writeFileSync(path.join(dir, 'net.yaml'), 'ips: []\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const missing = (label: string) => `skyy: ${label}: no such file or directory — check the path\n`;
  const cases: [string[], string][] = [
    [['validate', 'nowhere'], missing('nowhere')],
    [['hosts', 'import', '/missing'], missing('/missing')],
    [['hosts', 'import', 'hosts_local/'], missing('hosts_local/')],
    [['plan', 'nowhere', '--cluster', 'puma'], missing('nowhere')],
    [['apply', 'nowhere', '--cluster', 'puma', '--yes'], missing('nowhere')],
    [['firewall', 'validate', 'nowhere.yaml'], missing('nowhere.yaml')],
    [
      ['firewall', 'validate', 'net.yaml', '--site-settings', 'site.yaml'],
      missing('--site-settings site.yaml'),
    ],
    [['gpus', 'config', 'set', 'gpu_config.yaml'], missing('gpu_config.yaml')],
    [
      ['gpus', 'token', 'puma-1', '--out', 'tokens/agent.token'],
      'skyy: --out tokens/agent.token: the directory tokens does not exist — create it first\n',
    ],
    [
      ['backup', 'backups/skyy.db'],
      'skyy: backups/skyy.db: the directory backups does not exist — create it first\n',
    ],
  ];

  it.each(cases)('skyy %j: exit 2, one line naming it', async (argv, message) => {
    // backup first looks for the database it would copy; there is one, so the target is what fails.
    mkdirSync(path.join(dir, 'data'));
    writeFileSync(path.join(dir, 'data', 'skyy.db'), '');
    // A server that is never reached: the path is checked before anything is asked.
    const env = {
      SKYY_URL: 'http://127.0.0.1:9',
      SKYY_TOKEN: 'unused',
      SKYY_DATA_DIR: path.join(dir, 'data'),
    };
    const run = await runCli(argv, { cwd: dir, env });
    expect(run.stderr).toBe(message);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });

  it('gpus token --out refuses an existing file before the server issues the token (shown once)', async () => {
    writeFileSync(path.join(dir, 'agent.token'), 'old\n');
    const env = { SKYY_URL: 'http://127.0.0.1:9', SKYY_TOKEN: 'unused' };
    const run = await runCli(['gpus', 'token', 'puma-1', '--out', 'agent.token'], { cwd: dir, env });
    expect(run.stderr).toBe(
      'skyy: agent.token already exists — choose another file name, or remove it first\n',
    );
    expect(run.code).toBe(1);
  });

  it('a directory where a file is expected is bad usage too', async () => {
    mkdirSync(path.join(dir, 'conf'));
    const run = await runCli(['gpus', 'config', 'set', 'conf'], { cwd: dir, env: {} });
    expect(run.stderr).toBe('skyy: conf: is a directory, expected a file — check the path\n');
    expect(run.code).toBe(2);
  });
});
