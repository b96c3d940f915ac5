import tseslint from 'typescript-eslint';

const providerRoots = ['@cdktf/provider-azurerm', '@cdktf/provider-azuread'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'cdktf.out/**', 'coverage/**', '.gen/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // The package roots load every resource module (~1,500) and make synth and tests 5-10x slower.
      'no-restricted-imports': [
        'error',
        {
          paths: providerRoots.map((name) => ({
            name,
            message: `Import the resource from its own module: '${name}/lib/<resource>'.`,
          })),
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['lib/policy/**/*.ts'],
    rules: {
      // lib/policy is a plain library for APIM policy documents: no cdktf in it.
      'no-restricted-imports': [
        'error',
        {
          paths: providerRoots.map((name) => ({ name, message: 'lib/policy must not depend on cdktf.' })),
          patterns: [{ group: ['cdktf', 'cdktf/*', 'constructs', '@cdktf/*'], message: 'lib/policy must not depend on cdktf.' }],
        },
      ],
    },
  },
);
