// @ts-check
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["build/**", "node_modules/**", "data/**", "tests/artifacts/**", "test-results/**", "playwright-report/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-empty-object-type": "off",
    },
  },
  {
    // Remix's classic compiler strips only app/**/*.server.ts(x) from the browser bundle:
    // everything else in app/ may reach server/ and db/ only for types.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/**/*.server.{ts,tsx}"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/server", "**/server/**", "**/db", "**/db/**"],
              message: "Import server code only from app/**/*.server.ts files (or as `import type`).",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
);
