// Lint for the whole repository (npm run lint, part of npm test): typescript-
// eslint's recommended rules everywhere, and the type-aware rules that catch
// what tests rarely do — promises nobody awaits, `any` flowing into typed code
// — where the code runs in production (src/, the TypeScript client).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'web/dist/**',
      'clients/typescript/dist/**',
      'test/**/.venv/**',
      'test/mlflow-ui/.wheel/**',
      'bench/.venv/**',
      'bench/results/**',
      'test-output/**',
      '.pedigree/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name`: a parameter a signature needs (type-graphql args kept for the schema) or a property dropped by
      // destructuring.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Validators refuse control characters on purpose (names, sources, facets): matching them is the point.
      'no-control-regex': 'off',
      // Prettier wraps code at 120 characters; comments are wrapped to fit too. String and
      // template literals stay whole, so searching for a message finds it.
      'max-len': [
        'error',
        {
          code: 120,
          ignoreStrings: true,
          ignoreTemplateLiterals: true,
          ignoreRegExpLiterals: true,
          ignoreUrls: true,
          ignorePattern: '// eslint-disable',
        },
      ],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // Tests read GraphQL and REST answers as loosely typed JSON.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/**/*.ts', 'clients/typescript/src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
    },
  },
);
