// React and Next.js conventions (hooks rules, Next's core web vitals); the import layers are
// dependency-cruiser's job (.dependency-cruiser.cjs).
import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  { ignores: [".next/**", "node_modules/**", "lib/storage/generated/**", "lib/ingest/otlp/generated/**", "test-results/**", "bench-results/**"] },
];

export default config;
