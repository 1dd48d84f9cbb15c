/**
 * Imported first by benchmarks that run Corral in this process: Corral runs as `npm start` runs
 * it, with NODE_ENV=production (scripts/run-bundle.cjs). graphql-js reads NODE_ENV when it loads;
 * in development mode every type check of every field it executes does extra work.
 */
process.env.NODE_ENV ??= 'production';
