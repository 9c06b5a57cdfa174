// What must hold after an app has served GET /hello and shut down: every span its span processor
// handed to the exporter arrived at the local Opper exactly once and linked to its parent, the
// app's own HTTP spans are there, and nothing traced the exporter's own requests.

const SERVER = 1;
const CLIENT = 2;
const SUCCESS = 0;

/** True when any attribute of the span refers to `port` (a `*port` key, or a URL/host:port string). */
function mentionsPort(attributes, port) {
  for (const [key, value] of Object.entries(attributes ?? {})) {
    if (/port$/i.test(key) && Number(value) === port) return true;
    if (typeof value === 'string' && value.includes(`:${port}`)) return true;
  }
  return false;
}

const pathOf = (attributes) =>
  String(
    attributes['url.path'] ??
      attributes['http.target'] ??
      attributes['http.route'] ??
      attributes['url.full'] ??
      attributes['http.url'] ??
      '',
  );

/**
 * What holds for any app: every export succeeded, the exporter was shut down with clean stats,
 * each span handed over once arrived once (one create, one PATCH, its parent linked), nothing of
 * the exporter's own requests was traced, and the local Opper saw no contract violation.
 * `stored: false` skips the Opper side (an app that exported to a local Opper of its own).
 */
export function checkDelivery({ records, opper, ids, stored = true }) {
  const problems = [];
  const fail = (message) => problems.push(message);
  const byId = new Map();
  if (!records.some((r) => r.type === 'probe')) {
    fail('the probe did not load (no probe record): the app crashed early, or OpperSpanExporter was not reachable');
    return { problems, byId, exports: 0 };
  }
  const exportsMade = records.filter((r) => r.type === 'export');
  const resultsSeen = records.filter((r) => r.type === 'result');
  // An app traced through OpperSpanProcessor: the spans are those the SDK ended. The apps and the
  // README block that use it set spanFilter: 'all', so every one of them must be stored.
  const ended = records.filter((r) => r.type === 'end');
  const processor = ended.length > 0;
  const door = processor ? 'processor' : 'exporter';
  const shutdown = records.find((r) => r.type === 'shutdown' && (r.door ?? 'exporter') === door);
  const spans = processor ? ended.map((r) => r.span) : exportsMade.flatMap((r) => r.spans);

  // The door's side: each export reported success, and shutdown ran with clean stats.
  if (!processor && exportsMade.length === 0) fail('export() was never called, and no span reached an OpperSpanProcessor');
  const failedExports = resultsSeen.filter((r) => r.code !== SUCCESS);
  if (resultsSeen.length !== exportsMade.length) fail(`${exportsMade.length} export() calls but ${resultsSeen.length} results`);
  if (failedExports.length) fail(`export() failed: ${failedExports.map((r) => r.error).join('; ')}`);
  if (!shutdown) fail(`the ${door} was never shut down (did the app flush before it exited?)`);
  else {
    const { spansExported, spansFailed, spansDropped } = shutdown.stats;
    if (spansExported !== spans.length || spansFailed || spansDropped) {
      fail(`${door} stats ${JSON.stringify(shutdown.stats)} for ${spans.length} spans handed over`);
    }
  }

  // Each span handed over once.
  for (const span of spans) {
    if (byId.has(span.spanId)) fail(`span ${span.name} (${span.spanId}) was handed to the ${door} twice`);
    byId.set(span.spanId, span);
  }
  if (!stored) return { problems, byId, exports: exportsMade.length, door };

  // Nothing traced the exporter's own requests.
  const opperPort = Number(new URL(opper.url).port);
  const selfSpans = spans.filter((s) => mentionsPort(s.attributes, opperPort));
  if (selfSpans.length)
    fail(`spans of the exporter's own requests: ${selfSpans.map((s) => `${s.name} ${pathOf(s.attributes)}`).join(', ')}`);
  const propagated = opper.requests.filter((r) => r.headers.traceparent);
  if (propagated.length) fail(`${propagated.length} request(s) to Opper carried a traceparent header: the exporter's requests were traced`);

  // Opper's side: exactly the handed-over spans, each created once and patched once, linked.
  const kept = opper.spans;
  if (kept.size !== byId.size) fail(`Opper stored ${kept.size} spans; the app ended ${byId.size}`);
  for (const span of byId.values()) {
    const id = ids.toOpperSpanId(span.spanId, span.traceId);
    const got = kept.get(id);
    if (!got) {
      fail(`${span.name} (${span.spanId}) never arrived`);
      continue;
    }
    const parentId = span.parentSpanId ? ids.toOpperSpanId(span.parentSpanId, span.traceId) : null;
    if (got.name !== span.name) fail(`${span.spanId}: Opper has name "${got.name}", the app ended "${span.name}"`);
    if (got.trace_id !== ids.toOpperTraceId(span.traceId)) fail(`${span.name}: trace_id ${got.trace_id}`);
    if (got.parent_id !== parentId) fail(`${span.name}: parent_id ${got.parent_id}, expected ${parentId}`);
    if (parentId && !kept.has(parentId)) fail(`${span.name}: its parent is not stored`);
    if (opper.creates(id) !== 1 || opper.patches(id) !== 1)
      fail(`${span.name}: created ${opper.creates(id)}x, patched ${opper.patches(id)}x`);
  }
  for (const got of kept.values()) {
    if (mentionsPort(got.meta, opperPort) || JSON.stringify(got.meta ?? {}).includes('/v2/spans'))
      fail(`Opper stored a span of its own requests: ${got.name}`);
  }
  if (opper.violations.length)
    fail(`Opper contract violations: ${opper.violations.map((v) => `${v.rule} on ${v.method} ${v.path}: ${v.message}`).join('; ')}`);
  return { problems, byId, exports: exportsMade.length, door };
}

/**
 * @param records the probe's JSON lines (test/compat/probe/probe-core.cjs)
 * @param opper the LocalOpper the app exported to
 * @param downstream the downstream service the app called
 * @param ids this repo's toOpperSpanId / toOpperTraceId
 */
export function checkApp({ app, records, opper, downstream, ids }) {
  const delivery = checkDelivery({ records, opper, ids });
  const { problems, byId } = delivery;
  const fail = (message) => problems.push(message);
  if (!records.some((r) => r.type === 'probe')) return { problems, summary: '' };
  const spans = [...byId.values()];

  // The app's own spans: server span -> (framework spans) -> "fetch greeting" -> client span.
  const servers = spans.filter((s) => s.kind === SERVER && pathOf(s.attributes).includes('/hello'));
  const clients = spans.filter((s) => s.kind === CLIENT && mentionsPort(s.attributes, downstream.port));
  const manual = spans.filter((s) => s.name === 'fetch greeting');
  if (servers.length !== 1) fail(`${servers.length} HTTP server spans for GET /hello, expected 1`);
  if (clients.length !== 1) fail(`${clients.length} HTTP client spans to the downstream service, expected 1`);
  if (manual.length !== 1) fail(`${manual.length} "fetch greeting" spans, expected 1`);
  const ancestors = (span) => {
    const chain = [];
    for (let parent = byId.get(span.parentSpanId); parent && chain.length < 50; parent = byId.get(parent.parentSpanId)) chain.push(parent);
    return chain;
  };
  const [server] = servers;
  const [client] = clients;
  const [own] = manual;
  if (server?.parentSpanId) fail(`the server span has a parent (${server.parentSpanId}); the request carried no trace context`);
  if (server && own && !ancestors(own).includes(server)) fail('"fetch greeting" does not descend from the HTTP server span');
  if (own && client && client.parentSpanId !== own.spanId) fail('the HTTP client span is not a child of "fetch greeting"');
  if (app.express && server) {
    const expressSpans = spans.filter((s) => s.scope === '@opentelemetry/instrumentation-express');
    if (expressSpans.length === 0) fail('no Express spans (@opentelemetry/instrumentation-express)');
    else if (!expressSpans.every((s) => ancestors(s).includes(server))) fail('an Express span does not descend from the HTTP server span');
  }
  // Every parent link points at a span of the same trace that was exported too.
  for (const span of spans) {
    if (!span.parentSpanId) continue;
    const parent = byId.get(span.parentSpanId);
    if (!parent) fail(`${span.name}: its parent ${span.parentSpanId} was never exported`);
    else if (parent.traceId !== span.traceId) fail(`${span.name}: its parent is in another trace`);
  }
  // Context propagation: the downstream call carried the client span's context.
  if (downstream.requests.length !== 1) fail(`the downstream service got ${downstream.requests.length} requests, expected 1`);
  else if (client) {
    const traceparent = downstream.requests[0].headers.traceparent ?? '';
    if (traceparent !== `00-${client.traceId}-${client.spanId}-01`)
      fail(`the downstream call's traceparent is "${traceparent}", expected the client span's context`);
  }

  // "GET /hello > fetch greeting > GET": the chain from the server span down to the client span.
  const chain = client ? [client, ...ancestors(client)].reverse().map((s) => s.name) : [];
  const via = delivery.door === 'processor' ? 'through OpperSpanProcessor' : `in ${delivery.exports} export(s)`;
  const summary = `${byId.size} spans ${via}, each stored once, 0 violations; ${chain.join(' > ')}`;
  return { problems, summary };
}
