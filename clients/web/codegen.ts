// graphql-codegen: typed documents for the operations in src/ from the
// published schema (the repository's schema.graphql, or GIGSTA_SCHEMA).
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: process.env.GIGSTA_SCHEMA ?? "../../schema.graphql",
  documents: ["src/**/*.ts", "!src/gql/**"],
  // An operation that no longer fits the schema fails the run.
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        // Plain string unions, so the generated code is types only.
        enumsAsTypes: true,
        // ISO 8601 with a UTC offset, as the schema documents.
        scalars: { DateTime: "string" },
        useTypeImports: true,
        // ESM under Node: relative imports need their extension.
        emitLegacyCommonJSImports: false,
      },
    },
  },
};

export default config;
