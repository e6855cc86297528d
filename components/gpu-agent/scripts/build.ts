import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * The install artifact: one ESM file (dist/gpu-agent.mjs, all TypeScript and JS dependencies
 * bundled) plus koffi and its prebuilt native module for this platform (native code cannot be
 * bundled). scripts/install.sh copies dist/, local_config/ and package.json to the host.
 *
 *   node --import tsx components/gpu-agent/scripts/build.ts [outDir]
 */

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function buildBundle(outDir = join(packageDir, 'dist')): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'gpu-agent.mjs');
  await build({
    entryPoints: [join(packageDir, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['koffi'],
    // Bundled CommonJS dependencies (commander, prom-client) call require().
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // koffi resolves its platform package (@koromix/koffi-<os>-<arch>) at run time: ship both.
  const require = createRequire(join(packageDir, 'package.json'));
  // koffi's exports do not include package.json: its main file sits at the package root.
  const koffiDir = dirname(require.resolve('koffi'));
  cpSync(koffiDir, join(outDir, 'node_modules', 'koffi'), { recursive: true, dereference: true });
  const platformPackage = `@koromix/koffi-${process.platform}-${process.arch}`;
  const nativeDir = [
    join(koffiDir, 'node_modules', platformPackage),
    join(koffiDir, '..', platformPackage),
  ].find((dir) => existsSync(join(dir, 'package.json')));
  if (nativeDir) {
    cpSync(nativeDir, join(outDir, 'node_modules', ...platformPackage.split('/')), {
      recursive: true,
      dereference: true,
    });
  } else {
    process.stderr.write(
      `warning: ${platformPackage} not installed; NVML will be unavailable in this bundle\n`,
    );
  }
  return outfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outfile = await buildBundle(process.argv[2]);
  process.stdout.write(`${outfile}${existsSync(outfile) ? '' : ' (missing!)'}\n`);
}
