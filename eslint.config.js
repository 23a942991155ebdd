// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'fixtures/**/dist/', 'node_modules/', '.demo/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // With noUncheckedIndexedAccess, `match[1]!` after a successful regex test is the honest spelling.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', performance: 'readonly', setInterval: 'readonly', clearInterval: 'readonly' },
    },
  },
  {
    files: ['fixtures/*/src/**'],
    languageOptions: { globals: { document: 'readonly', window: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'fixtures/**'],
    rules: { 'no-console': 'off' },
  },
)
