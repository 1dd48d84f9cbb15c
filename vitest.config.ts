import { defineConfig } from 'vitest/config';

export default defineConfig({
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
