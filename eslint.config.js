// ESLint with typescript-eslint's type-checked rules: `npm run lint:eslint` (in `npm run lint` and
// `npm test`), failing on any warning. Formatting is Prettier's; unused names are also tsc's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['gen/', '**/node_modules/', '.data/', '.tools/', 'web/dist/', 'services/marketing/'] },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // The Node code, then the browser app (DOM types, JSX).
        project: ['./tsconfig.json', './web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading _ marks a deliberately unused name.
      // Async methods without an await are how in-memory twins and simple adapters implement Promise-returning ports.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  // Plain JavaScript: not part of a TypeScript project, so no type-checked rules; each names the globals of where it runs.
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  { files: ['eslint.config.js'], languageOptions: { globals: { import: 'readonly' } } },
  { files: ['.dependency-cruiser.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } } },
  // mongosh, in the mongo image's init scripts.
  { files: ['k8s/mongodb/*.js'], languageOptions: { sourceType: 'script', globals: { db: 'readonly', process: 'readonly' } } },
  {
    files: ['web/public/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { window: 'readonly', SwaggerUIBundle: 'readonly' } },
  },
);
