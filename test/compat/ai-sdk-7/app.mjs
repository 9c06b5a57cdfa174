// The AI SDK 7 fixture app of the compat suite (test/compat/ai-sdk-7.mjs runs it on Node 24 in
// the otel3 line's install): `ai` 7 with `@ai-sdk/otel`'s OpenTelemetry integration, the OpenAI
// provider against the loopback stub at OPENAI_BASE_URL, exported by OpperSpanExporter through
// OpenTelemetry JS 3.x to the Opper at OPPER_BASE_URL. With `--dump` it exports nothing and prints
// the raw spans instead (how the unit tests' attributes were captured).
// Prints one JSON line: {"scenarios": {name: otelTraceId}, "stats": ..., "spans"?: [...]}.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAI } from '@ai-sdk/openai';
import { embed, generateText, registerTelemetry, stepCountIs, streamText, tool } from 'ai';
import { OpperSpanExporter } from 'opentelemetry-exporter-opper';
import { z } from 'zod';

const dump = process.argv.includes('--dump');
const recorded = new InMemorySpanExporter();
const exporter = dump ? undefined : new OpperSpanExporter();
const processor = dump ? new SimpleSpanProcessor({ exporter: recorded }) : new BatchSpanProcessor({ exporter, scheduledDelayMillis: 50 });
const provider = new TracerProvider({ spanProcessors: [processor] });
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
trace.setGlobalTracerProvider(provider);
// AI SDK 7 traces only through a registered integration; `telemetry` options alone emit nothing.
// `embedding` adds embed inputs and vectors, `usage` the token details (reasoning) the GenAI keys lack.
registerTelemetry(new OpenTelemetry({ embedding: true, usage: true }));

const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: 'sk-stub' });
const tracer = trace.getTracer('ai-sdk-7-app');
const scenarios = {};

/** Runs `fn` under a root span of its own, so each scenario is one trace. */
const scenario = (name, fn) =>
  tracer.startActiveSpan(`scenario ${name}`, async (span) => {
    scenarios[name] = span.spanContext().traceId;
    try {
      await fn();
    } finally {
      span.end();
    }
  });

await scenario('tools', () =>
  generateText({
    model: openai.chat('gpt-4o-mini'),
    instructions: 'You are a terse weather assistant.',
    prompt: 'What is the weather in Stockholm?',
    stopWhen: stepCountIs(3),
    tools: {
      get_weather: tool({
        description: 'Current weather in a city',
        inputSchema: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, weather: 'sunny, 21 C' }),
      }),
    },
    telemetry: { functionId: 'weather-agent' },
  }),
);
await scenario('stream', async () => {
  const result = streamText({ model: openai.chat('gpt-4o-mini'), prompt: 'Name three Swedish islands.' });
  for await (const part of result.textStream) void part;
});
await scenario('embed', () => embed({ model: openai.embedding('text-embedding-3-small'), value: 'Stockholm archipelago' }));
// The AI SDK 6 span format (`ai.*`, scope `ai`) through AI SDK 7's LegacyOpenTelemetry, for this call only.
await scenario('legacy', () =>
  generateText({
    model: openai.chat('gpt-4o-mini'),
    prompt: 'What is the capital of Sweden?',
    telemetry: { integrations: [new LegacyOpenTelemetry()] },
  }),
);

await provider.forceFlush();
const spans = dump
  ? recorded.getFinishedSpans().map((span) => ({
      name: span.name,
      kind: span.kind,
      scope: span.instrumentationScope,
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      parentSpanId: span.parentSpanContext?.spanId,
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
    }))
  : undefined;
await provider.shutdown();
process.stdout.write(`${JSON.stringify({ scenarios, stats: exporter?.getStats(), spans })}\n`);
