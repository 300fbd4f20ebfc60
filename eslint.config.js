// ESLint flat config: JS + TypeScript + Svelte 5, plus the process boundaries as import rules.
import { builtinModules } from 'node:module'
import js from '@eslint/js'
import svelte from 'eslint-plugin-svelte'
import globals from 'globals'
import ts from 'typescript-eslint'
import svelteConfig from './svelte.config.js'

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'))

const noElectron = {
  name: 'electron',
  message: 'Only src/main/index.ts, src/main/ipc and src/preload may use Electron: this code must run in plain Node (tests, the web desk).'
}
const noNode = {
  paths: nodeBuiltins.map((name) => ({ name, message: 'The renderer runs in a sandboxed page: no Node built-ins. Ask main through window.rollcall.' })),
  patterns: [{ group: ['node:*'], message: 'The renderer runs in a sandboxed page: no Node built-ins. Ask main through window.rollcall.' }]
}

export default ts.config(
  {
    ignores: ['out/', 'dist/', 'node_modules/', 'test-results/', 'playwright-report/', '.rollcall-data/', 'drizzle/']
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }]
    }
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts', '**/*.svelte.js'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig }
    }
  },
  {
    // The renderer: a browser page, sandboxed; it reaches main only through the preload bridge.
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron, ...noNode.paths], patterns: noNode.patterns }] }
  },
  {
    // Shared code is loaded by the renderer as well: neither Electron nor Node built-ins.
    files: ['src/shared/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron, ...noNode.paths], patterns: noNode.patterns }] }
  },
  {
    // The desk's logic and the web transport run without Electron.
    files: ['src/main/{db,core,providers,export,web,sync,settings,lan}/**', 'src/main/ipc/dispatcher.ts', 'src/main/log.ts', 'src/main/native.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noElectron] }] }
  }
)
