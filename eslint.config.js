// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Code bundled into the Lambdas imports zod as a namespace: esbuild then keeps only the parts used (~90 KB), while
 * `import { z } from 'zod'` pulls in all of zod with its 40-odd locales (~450 KB) and costs every cold start
 * (bench/cold-start.ts).
 */
const ZOD_NAMESPACE = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Use `import * as z from 'zod'`: the named `z` bundles every zod locale into each Lambda.",
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'cdk.out/**', '.kinship/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'Use the #shared/... (or #functions/, #local/) import aliases.' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['#functions/*', '#local/*', '../../*', 'aws-cdk-lib', 'aws-cdk-lib/*'],
              message: 'shared/ depends on nothing above it (infra → functions → shared).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['#local/*', '../../*', 'aws-cdk-lib', 'aws-cdk-lib/*'], message: 'functions/ import only #shared/... (infra → functions → shared).' },
          ],
        },
      ],
    },
  },
  {
    files: ['shared/**/*.ts', 'functions/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ZOD_NAMESPACE] },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='skip']", message: 'No skipped tests.' },
        { selector: "CallExpression[callee.property.name='only']", message: 'No focused tests.' },
      ],
    },
  },
);
