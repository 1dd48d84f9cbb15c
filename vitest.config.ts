import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node (and so every dependency) loads graphql's CJS entry; source files must get the same
    // instance, or graphql's instanceof checks fail across "realms".
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real peers (sshd, slurm, boinc, ipmi_sim) are heavy on 2 cores: keep files in parallel modest.
    maxWorkers: 2,
    fileParallelism: true,
    pool: 'forks',
  },
});
