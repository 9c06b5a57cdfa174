// What the compatibility suite tests: two OpenTelemetry JS lines, each with exact versions, and
// the apps run on each. README.md's Compatibility section names the same versions; change both together.

/** The README's framework parts (## Frameworks and hosts), the same on both lines. */
const FRAMEWORKS = {
  '@anthropic-ai/sdk': '0.80.0',
  '@arizeai/openinference-instrumentation-anthropic': '0.2.8',
  '@arizeai/openinference-instrumentation-langchain': '4.1.1',
  '@langchain/core': '1.4.0',
  '@langchain/openai': '1.5.8',
  '@sentry/node': '11.12.0',
  // The README's OpenAI Agents app: the SDK (with its own openai 7) and its OpenTelemetry bridge.
  '@openai/agents': '0.20.0',
  '@arizeai/openinference-instrumentation-openai-agents': '0.2.15',
};

/** One install per line; every app of the line runs against it. */
export const LINES = [
  {
    id: 'otel2',
    title: 'OpenTelemetry JS 2.x on Node 20',
    // The machine's own node (the runner's process.execPath); must be Node 20.
    node: { major: 20 },
    coreMajor: 2,
    dependencies: {
      // 1.9.1, not 1.9.0: @sentry/node 11 asks for ^1.9.1, and npm would install it a copy of its own.
      '@opentelemetry/api': '1.9.1',
      '@opentelemetry/core': '2.12.0',
      '@opentelemetry/resources': '2.12.0',
      '@opentelemetry/sdk-trace-base': '2.12.0',
      '@opentelemetry/sdk-trace-node': '2.12.0',
      '@opentelemetry/sdk-node': '0.223.0',
      // The newest release built on the 0.223 experimental packages (sdk-node ^0.223.0).
      '@opentelemetry/auto-instrumentations-node': '0.81.2',
      '@opentelemetry/instrumentation': '0.223.0',
      '@opentelemetry/instrumentation-http': '0.223.0',
      '@opentelemetry/instrumentation-express': '0.71.1',
      express: '4.22.3',
      // The README's LLM app: the Vercel AI SDK (its own telemetry, no instrumentation package).
      ai: '6.0.326',
      '@ai-sdk/openai': '3.0.141',
      zod: '4.6.7',
      ...FRAMEWORKS,
      // The README's self-metrics block (the meterProvider option).
      '@opentelemetry/sdk-metrics': '2.12.0',
      // Next.js's instrumentation.ts; @vercel/otel 2.x peers on OTel JS 2.x, so this line only.
      '@vercel/otel': '2.1.3',
      '@types/node': '20.19.9',
    },
    // A user who pins nothing but the API: which @opentelemetry/core does our range pick?
    minimal: { '@opentelemetry/api': '1.9.0' },
    variant: 'otel2',
    tsconfig: 'tsconfig.otel2.json',
  },
  {
    id: 'otel3',
    title: 'OpenTelemetry JS 3.x on Node 24',
    // Installed from the npm registry (the package `node`), then used for npm install and the apps.
    node: { major: 24, package: '24.21.0' },
    coreMajor: 3,
    dependencies: {
      '@opentelemetry/api': '1.10.0',
      '@opentelemetry/core': '3.1.1',
      '@opentelemetry/resources': '3.1.1',
      '@opentelemetry/sdk-trace': '3.1.1',
      '@opentelemetry/context-async-hooks': '3.1.1',
      // auto-instrumentations-node 0.82.0 (the newest) requires sdk-node and instrumentation
      // ^0.300.0, so the NodeSDK apps run sdk-node 0.300.0 with its own sdk-trace 3.0.0.
      '@opentelemetry/sdk-node': '0.300.0',
      '@opentelemetry/auto-instrumentations-node': '0.82.0',
      '@opentelemetry/instrumentation': '0.300.0',
      '@opentelemetry/instrumentation-http': '0.300.0',
      '@opentelemetry/instrumentation-express': '0.72.0',
      express: '5.3.0',
      // The README's LLM apps and test/compat/ai-sdk-7.mjs: AI SDK 7 (Node >= 22) traces through @ai-sdk/otel.
      ai: '7.0.173',
      '@ai-sdk/otel': '1.0.173',
      '@ai-sdk/openai': '4.0.118',
      zod: '4.6.7',
      ...FRAMEWORKS,
      '@opentelemetry/sdk-metrics': '3.1.1',
      '@types/node': '24.19.2',
    },
    // Packages npm nests an older @opentelemetry/api (1.9.1) under, and why; any other copy fails the
    // install. Each copy uses the 1.10.0 global (same major, older minor): spans join the app's provider.
    nestedApis: {
      '@ai-sdk/otel': 'depends on @opentelemetry/api 1.9.1 exactly',
      '@arizeai/openinference-core': 'its @opentelemetry/core 2.x peers on @opentelemetry/api <1.10.0',
      '@arizeai/openinference-instrumentation-anthropic': 'the same',
      '@arizeai/openinference-instrumentation-langchain': 'the same',
      '@arizeai/openinference-instrumentation-openai-agents': 'the same',
    },
    minimal: { '@opentelemetry/api': '1.10.0' },
    variant: 'otel3',
    tsconfig: 'tsconfig.otel3.json',
  },
];

/**
 * The apps: files of examples/ (paths relative to it) copied side by side into the line's install. Each is an HTTP service:
 * GET /hello makes a span of its own and an outgoing HTTP call to a downstream service.
 * The probe (test/compat/probe/) is preloaded after the app's own instrumentation.
 */
export const APPS = [
  {
    id: 'nodesdk-auto',
    module: 'ESM',
    setup: () => 'NodeSDK + getNodeAutoInstrumentations()',
    preload: () => '--import ./instrumentation.mjs',
    server: 'node:http',
    files: () => ['http-service/app.mjs', 'nodesdk-auto/instrumentation.mjs'],
    args: () => ['--import', './instrumentation.mjs', '--import', './compat-probe.mjs', 'app.mjs'],
  },
  {
    id: 'express',
    module: 'CommonJS',
    setup: () => 'NodeSDK + getNodeAutoInstrumentations()',
    preload: () => '--require ./instrumentation.cjs',
    server: 'Express',
    express: true,
    files: () => ['express/app.cjs', 'express/instrumentation.cjs'],
    args: () => ['--require', './instrumentation.cjs', '--require', './compat-probe.cjs', 'app.cjs'],
  },
  {
    id: 'provider-esm',
    module: 'ESM',
    setup: (line) => (line.variant === 'otel2' ? 'NodeTracerProvider + BatchSpanProcessor' : 'TracerProvider + BatchSpanProcessor'),
    preload: (line) => `--import ./instrumentation.${line.variant}.mjs`,
    server: 'node:http',
    files: (line) => ['http-service/app.mjs', `provider-esm/instrumentation.${line.variant}.mjs`],
    args: (line) => ['--import', `./instrumentation.${line.variant}.mjs`, '--import', './compat-probe.mjs', 'app.mjs'],
  },
  {
    id: 'commonjs',
    module: 'CommonJS',
    setup: (line) => (line.variant === 'otel2' ? 'NodeTracerProvider + BatchSpanProcessor' : 'TracerProvider + BatchSpanProcessor'),
    preload: (line) => `--require ./instrumentation.${line.variant}.cjs`,
    server: 'node:http',
    files: (line) => ['http-service/app.cjs', `commonjs/instrumentation.${line.variant}.cjs`],
    args: (line) => ['--require', `./instrumentation.${line.variant}.cjs`, '--require', './compat-probe.cjs', 'app.cjs'],
  },
  {
    id: 'processor-nodesdk',
    module: 'ESM',
    setup: () => 'NodeSDK + OpperSpanProcessor',
    preload: () => '--import ./instrumentation.mjs',
    server: 'node:http',
    files: () => ['http-service/app.mjs', 'processor/instrumentation.mjs'],
    args: () => ['--import', './instrumentation.mjs', '--import', './compat-probe.mjs', 'app.mjs'],
  },
  {
    id: 'processor-cjs',
    module: 'CommonJS',
    setup: (line) => (line.variant === 'otel2' ? 'NodeTracerProvider + OpperSpanProcessor' : 'TracerProvider + OpperSpanProcessor'),
    preload: (line) => `--require ./instrumentation.${line.variant}.cjs`,
    server: 'node:http',
    files: (line) => ['http-service/app.cjs', `processor/instrumentation.${line.variant}.cjs`],
    args: (line) => ['--require', `./instrumentation.${line.variant}.cjs`, '--require', './compat-probe.cjs', 'app.cjs'],
  },
];

/** What cannot be tested on a line, and why; the suite prints these as skips. */
export const SKIPS = [
  {
    line: 'otel3',
    name: 'NodeTracerProvider',
    reason:
      '@opentelemetry/sdk-trace-node (NodeTracerProvider, provider.register()) was removed in SDK 3.0; ' +
      'its replacement, TracerProvider from @opentelemetry/sdk-trace with a context manager and propagator set by hand, is tested instead',
  },
];

/**
 * Mastra (test/compat/mastra.mjs), on the otel3 line's Node 24 (Mastra needs Node >= 22.13) but in
 * an install of its own: @mastra/otel-exporter 1.4.0 runs OpenTelemetry JS 2.x packages, whose
 * peer range excludes @opentelemetry/api 1.10.0, so next to the otel3 line npm warns ERESOLVE.
 * Its traces go as OTLP/HTTP protobuf to the bridge, so the exporter peer is the proto one.
 */
export const MASTRA = {
  line: 'otel3',
  dependencies: {
    '@mastra/core': '1.71.0',
    '@mastra/observability': '1.17.9',
    '@mastra/otel-exporter': '1.4.0',
    // its optional peer range is ^0.218.0: only 0.218.x
    '@opentelemetry/exporter-trace-otlp-proto': '0.218.0',
    '@ai-sdk/openai': '3.0.141',
    zod: '4.6.7',
  },
};

const otel2 = LINES.find((line) => line.id === 'otel2').dependencies;

/**
 * Next.js (test/compat/nextjs.mjs): `next build` and `next start` of an app whose instrumentation.ts
 * is the README's, on the otel2 line's Node 20 (Next 16 needs Node >= 20.9) but in an install of
 * its own, so that Next, React and their types stay out of the line's install. @vercel/otel 2
 * peers on OpenTelemetry JS 2.x: its peers are pinned at the otel2 line's versions.
 */
export const NEXTJS = {
  line: 'otel2',
  dependencies: {
    next: '16.4.6',
    react: '19.3.1',
    'react-dom': '19.3.1',
    '@vercel/otel': otel2['@vercel/otel'],
    '@opentelemetry/api': otel2['@opentelemetry/api'],
    '@opentelemetry/resources': otel2['@opentelemetry/resources'],
    '@opentelemetry/sdk-trace-base': otel2['@opentelemetry/sdk-trace-base'],
    '@opentelemetry/sdk-metrics': otel2['@opentelemetry/sdk-metrics'],
    '@opentelemetry/instrumentation': otel2['@opentelemetry/instrumentation'],
    // Peers of @vercel/otel that the line does not install, from the same 0.223 release.
    '@opentelemetry/api-logs': '0.223.0',
    '@opentelemetry/sdk-logs': '0.223.0',
    // A TypeScript app (instrumentation.ts) needs these; without them `next build` installs them itself.
    typescript: '5.9.3',
    '@types/react': '19.3.3',
    '@types/node': otel2['@types/node'],
  },
};
