import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';

/**
 * The stand-in libnvidia-ml (fake-libnvidia-ml.c) compiled for a test (needs `cc`), with its hang
 * switch: `hang('*@0')` makes every later call on GPU 0 sleep until `release()`. The file it reads
 * is named by FAKE_NVML_HANG_FILE, which this sets for the whole test process.
 */
export interface FakeNvml {
  /** Path of the compiled libnvidia-ml.so.1. */
  library: string;
  /** Words of the hang file: `*`, a function name, either with `@N` for GPU N only. */
  hang(...words: string[]): void;
  release(): void;
  /** Calls asleep in the library right now. */
  hungCalls(): number;
  remove(): void;
}

export function buildFakeNvml(): FakeNvml {
  const dir = mkdtempSync(join(tmpdir(), 'fake-nvml-'));
  const source = join(dirname(fileURLToPath(import.meta.url)), 'fake-libnvidia-ml.c');
  const library = join(dir, 'libnvidia-ml.so.1');
  execFileSync('cc', ['-shared', '-fPIC', '-O1', '-o', library, source]);
  const hangFile = join(dir, 'hang');
  process.env['FAKE_NVML_HANG_FILE'] = hangFile;
  const hungCalls = koffi.load(library).func('int fakeNvmlHungCalls()');
  return {
    library,
    hang: (...words) => writeFileSync(hangFile, `${words.join(' ')}\n`),
    release: () => rmSync(hangFile, { force: true }),
    hungCalls: () => Number(hungCalls()),
    remove: () => {
      rmSync(hangFile, { force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
