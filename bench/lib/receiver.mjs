// The receiver, run in its own process (child_process.fork) so that the app process's CPU can be
// measured alone. argv[2]: 'local' (startLocalOpper, the strict Opper-compatible server, default)
// or 'lean' (a bare node:http server answering like Opper, without validation or storage).
// Commands arrive over IPC as {id, cmd, ...}; every one is answered with {id, ...}.
import { createServer } from 'node:http';
import { startLocalOpper } from 'opentelemetry-exporter-opper/testing';

const kind = process.argv[2] ?? 'local';
const server = kind === 'lean' ? await startLean() : await startLocal();
const sink = { latencyMs: 0, spans: 0 };
const otlpUrl = await startOtlpSink(sink);
process.send({ type: 'ready', kind, url: server.url, apiKey: server.apiKey, otlpUrl });
// Never outlive the orchestrator.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  const { id, cmd } = message;
  let reply;
  switch (cmd) {
    case 'reset':
      server.reset();
      sink.latencyMs = sink.spans = 0;
      reply = {};
      break;
    case 'latency':
      server.latency(message.ms);
      sink.latencyMs = message.ms;
      reply = {};
      break;
    case 'limit':
      server.limit(message.max);
      reply = {};
      break;
    case 'sink':
      reply = { spans: sink.spans };
      break;
    case 'outage':
      server.outage(message.ms);
      reply = {};
      break;
    case 'cpu':
      reply = { cpu: process.cpuUsage(), requests: server.requestCount() };
      break;
    case 'stats':
      reply = server.stats();
      break;
    case 'close':
      await server.close();
      process.send({ id });
      process.disconnect();
      return;
    default:
      reply = { error: `unknown command ${cmd}` };
  }
  process.send({ id, ...reply });
});

async function startLocal() {
  const opper = await startLocalOpper();
  return {
    url: opper.url,
    apiKey: opper.apiKey,
    reset: () => opper.reset(),
    outage: (ms) => opper.outage(ms),
    // Every request waits this long before it is processed (a far-away or busy Opper).
    latency: (ms) => ms > 0 && opper.inject({ delayMs: ms }),
    // Past `max` requests at once, 429 with Retry-After: 1 (an edge that limits concurrency).
    limit: (max) => opper.limitConcurrency(max),
    requestCount: () => opper.requests.length,
    stats() {
      let completed = 0;
      for (const span of opper.spans.values()) if (span.end_time !== null) completed++;
      const statuses = {};
      for (const request of opper.requests) statuses[request.status] = (statuses[request.status] ?? 0) + 1;
      const first = opper.violations[0];
      return {
        stored: opper.spans.size,
        completed,
        requests: opper.requests.length,
        statuses,
        violations: opper.violations.length,
        firstViolation: first && `${first.rule} on ${first.method} ${first.path}: ${first.message}`,
        duplicated: [...opper.spans.keys()].filter((id) => opper.creates(id) > 1).length,
        maxConcurrent: opper.maxConcurrentRequests,
      };
    },
    close: () => opper.close(),
  };
}

/** Reads each body, parses it and answers 200 with the span (as Opper does); 503 during an outage. */
async function startLean() {
  const apiKey = 'lean-receiver-key';
  const spans = new Map();
  let outageUntil = 0;
  let latencyMs = 0;
  let requests = 0;
  let creates = 0;
  let patches = 0;
  const statuses = {};
  const server = createServer((req, res) => {
    requests++;
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      let status = 200;
      let payload;
      if (Date.now() < outageUntil) {
        status = 503;
        payload = '{"type":"ServiceUnavailableError","message":"outage","detail":null}';
      } else if (req.headers.authorization !== `Bearer ${apiKey}`) {
        status = 401;
        payload = '{"type":"UnauthorizedError","message":"bad key","detail":null}';
      } else {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        let span;
        if (req.method === 'POST') {
          creates++;
          span = body;
        } else {
          patches++;
          const id = req.url.slice(req.url.lastIndexOf('/') + 1);
          span = { ...spans.get(id), ...body, id };
        }
        spans.set(span.id, span);
        payload = JSON.stringify(span);
      }
      statuses[status] = (statuses[status] ?? 0) + 1;
      const reply = () => {
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      };
      if (latencyMs > 0) setTimeout(reply, latencyMs);
      else reply();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    url: `http://127.0.0.1:${server.address().port}/v2`,
    apiKey,
    reset() {
      requests = creates = patches = 0;
      spans.clear();
      outageUntil = 0;
      latencyMs = 0;
      for (const key of Object.keys(statuses)) delete statuses[key];
    },
    outage: (ms) => {
      outageUntil = Date.now() + ms;
    },
    latency: (ms) => {
      latencyMs = ms;
    },
    requestCount: () => requests,
    stats: () => ({ stored: creates, completed: patches, requests, statuses: { ...statuses }, violations: 0 }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** An OTLP/HTTP endpoint that reads each request and answers 200 `{}`, after `state.latencyMs`
 * like the receiver: the OTLP exporter's receiver, where only the app's side is measured. Counts
 * the spans of JSON requests into `state.spans`. */
async function startOtlpSink(state) {
  const sink = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (/json/.test(req.headers['content-type'] ?? '')) {
        for (const resource of JSON.parse(Buffer.concat(chunks).toString('utf8')).resourceSpans ?? []) {
          for (const scope of resource.scopeSpans ?? []) state.spans += scope.spans?.length ?? 0;
        }
      }
      const reply = () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
        res.end('{}');
      };
      if (state.latencyMs > 0) setTimeout(reply, state.latencyMs);
      else reply();
    });
  });
  sink.keepAliveTimeout = 60_000;
  await new Promise((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sink.unref();
  return `http://127.0.0.1:${sink.address().port}`;
}
