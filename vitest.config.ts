import { defineConfig } from 'vitest/config';

// One runner for every workspace. Tests live beside code as *.spec.ts.
// Repository tests run once per dialect: SQLite always, PostgreSQL when DATABASE_URL is set (CI sets it).
export default defineConfig({
  test: {
    include: ['{contracts,backend,cli,components,simulators,scripts}/**/*.spec.ts', 'e2e/**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // CI keeps a machine-readable result for its pass/fail summary (.ci/run).
    reporters: process.env.CI
      ? ['default', ['json', { outputFile: 'test-results/vitest.json' }]]
      : ['default'],
  },
});
