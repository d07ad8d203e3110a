import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Tests run through esbuild, which emits no decorator metadata: every
// type-graphql decorator carries an explicit type function, and a missing one
// fails schema building here, in the test run, rather than in production.
export default defineConfig({
  resolve: {
    // One graphql module for everyone: vitest would load graphql's ESM build for
    // our files while Apollo and type-graphql require() the CJS one, and
    // graphql-js refuses schemas "from another module or realm".
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    // One Neo4j is shared by the whole run and several tests compare snapshots
    // of the whole graph, so files run one at a time (two cores go to Neo4j anyway).
    fileParallelism: false,
    pool: 'forks',
  },
});
