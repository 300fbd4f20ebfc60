import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    // Real SQLite files and child processes: give slow CI machines room, never hide a hang.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks'
  }
})
