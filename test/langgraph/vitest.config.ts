// The LangGraph validation suite is written for Vitest with globals (describe, it, expect.soft unimported).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globals: true,
    include: ['test/langgraph/*.vitest.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
