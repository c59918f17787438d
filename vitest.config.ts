import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three tiers, each runnable alone (`npx vitest run --project unit`, `npm run test:unit` …);
 * `npx vitest run` runs all three.
 * - unit: pure functions, no database or server (a few seconds);
 * - integration: the app on SQLite (and PostgreSQL / S3 when FLOWREG_TEST_PG_URL /
 *   FLOWREG_TEST_S3_ENDPOINT are set), in process or as spawned servers;
 * - faults: real servers killed or cut off from their database or S3 mid-request, with fixed
 *   outage windows (slow by design: CI runs them, the inner loop need not).
 */
const FAULTS = 'test/integration/faults-*.test.ts';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], exclude: [...configDefaults.exclude, FAULTS] },
      },
      { extends: true, test: { name: 'faults', include: [FAULTS] } },
    ],
  },
});
