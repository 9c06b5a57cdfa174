// One benchmark phase in its own "app" process. argv[2] is the phase spec (JSON); the result goes
// back to the orchestrator over IPC. CPU figures are this process's process.cpuUsage() over the
// measured window; the receiver runs in another process and is reached only over HTTP.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { aiFilterPhase, processorCostPhase } from './processor.mjs';
import { HUGE_SHAPES } from './huge-spans.mjs';
import { endSpan, makeSpans, makeTracer } from './workload.mjs';

const spec = JSON.parse(process.argv[2]);

// ---- the receiver, through the orchestrator ----
let nextId = 1;
const pending = new Map();
process.on('message', (message) => {
  const waiter = pending.get(message?.id);
  if (waiter) {
    pending.delete(message.id);
    waiter(message);
  }
});
function receiver(cmd, fields = {}) {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    process.send({ type: 'receiver', id, cmd, fields });
  });
}

/** CPU time (ms) spent by the whole machine, every process, all cores; undefined off Linux. */
function machineBusyMs() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1, 9).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already in user): busy = all but idle and iowait.
    const busy = fields.reduce((sum, value) => sum + value, 0) - fields[3] - fields[4];
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

/**
 * Runs `work` as the measured window: wall time, this process's CPU, the receiver's CPU, and the
 * CPU every other process on the machine took meanwhile (`otherCpuMs`: on 2 cores, another job
 * running during the window distorts the figures; run.mjs repeats such rounds).
 */
/** CPU time (ms) of another process (the bridge), from /proc; undefined off Linux. */
function processCpuMs(pid) {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

async function measure(work) {
  const b0 = spec.bridgePid === undefined ? undefined : processCpuMs(spec.bridgePid);
  const r0 = await receiver('cpu');
  const m0 = machineBusyMs();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  // On the monotonic clock of --cpu-prof sample times (µs), so profile.mjs can cut the window out.
  const windowStartUs = Number(process.hrtime.bigint() / 1000n);
  const extra = await work();
  const windowEndUs = Number(process.hrtime.bigint() / 1000n);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const m1 = machineBusyMs();
  const r1 = await receiver('cpu');
  const receiverCpuMs = (r1.cpu.user - r0.cpu.user + r1.cpu.system - r0.cpu.system) / 1000;
  const appCpuMs = (cpu.user + cpu.system) / 1000;
  const b1 = b0 === undefined ? undefined : processCpuMs(spec.bridgePid);
  const bridgeCpuMs = b0 === undefined || b1 === undefined ? undefined : b1 - b0;
  const otherCpuMs = m0 === undefined ? undefined : Math.max(0, m1 - m0 - appCpuMs - receiverCpuMs - (bridgeCpuMs ?? 0));
  const requests = r1.requests - r0.requests;
  return { seconds, appCpuMs, receiverCpuMs, bridgeCpuMs, otherCpuMs, requests, windowUs: [windowStartUs, windowEndUs], ...extra };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

async function translateBodies(spans) {
  const { translateSpan } = await import('../../dist/translate/index.js');
  return spans.map((span) => {
    const { id, create, update } = translateSpan(span, { maxBodyBytes: 512 * 1024 });
    return { id, create, update };
  });
}

// ---- phases ----

/** µs per span of translateSpan (both bodies serialised), median of `rounds` rounds of `n` spans. */
async function translatePhase() {
  const { translateSpan } = await import('../../dist/translate/index.js');
  const result = {};
  for (const kind of ['http', 'llm']) {
    const spans = makeSpans(kind, spec.n);
    let sink = 0;
    const round = () => {
      const t0 = performance.now();
      for (const span of spans) sink += translateSpan(span, { maxBodyBytes: 512 * 1024 }).create.length;
      return ((performance.now() - t0) * 1000) / spans.length;
    };
    for (let i = 0; i < 3; i++) round(); // warm-up: let the JIT settle
    const perRound = [];
    for (let i = 0; i < spec.rounds; i++) perRound.push(round());
    const sample = translateSpan(spans[0], { maxBodyBytes: 512 * 1024 });
    result[kind] = {
      medianUs: median(perRound),
      minUs: Math.min(...perRound),
      maxUs: Math.max(...perRound),
      createBytes: Buffer.byteLength(sample.create),
      updateBytes: Buffer.byteLength(sample.update),
      sink,
    };
  }
  result.huge = hugeSpans(translateSpan);
  return result;
}

/** Event-loop ms (wall and CPU) of one translateSpan call per huge span shape (huge-spans.mjs), median of 5 spans. */
function hugeSpans(translateSpan) {
  const out = {};
  for (const [shape, make] of Object.entries(HUGE_SHAPES)) {
    const times = [];
    let createBytes = 0;
    for (let i = 0; i < 6; i++) {
      const span = make(i);
      globalThis.gc?.(); // the span's own garbage is not the translation's
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      createBytes = Buffer.byteLength(translateSpan(span, { maxBodyBytes: 512 * 1024 }).create);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(c0);
      // The first one warms up. CPU time too: on a busy machine the wall time includes waiting for a core.
      if (i > 0) times.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
    }
    const walls = times.map((t) => t.wall);
    out[shape] = { medianMs: median(walls), maxMs: Math.max(...walls), cpuMs: median(times.map((t) => t.cpu)), createBytes };
  }
  return out;
}

/** Wraps an exporter to count the spans whose export finished; `until(n)` resolves at n. */
function counting(inner) {
  let done = 0;
  let failed = 0;
  let waiter;
  return {
    export(spans, callback) {
      inner.export(spans, (result) => {
        done += spans.length;
        if (result.code !== ExportResultCode.SUCCESS) failed += spans.length;
        if (waiter && done >= waiter.n) waiter.resolve();
        callback(result);
      });
    },
    until(n) {
      return done >= n ? Promise.resolve() : new Promise((resolve) => (waiter = { n, resolve }));
    },
    get failed() {
      return failed;
    },
    forceFlush: () => inner.forceFlush?.(),
    shutdown: () => inner.shutdown(),
  };
}

/** Spans through a real BatchSpanProcessor (batch 512, queue big enough to drop nothing) into `exporter`. */
async function throughBsp(exporter) {
  const counted = counting(exporter);
  const bsp = new BatchSpanProcessor(counted, {
    maxExportBatchSize: 512,
    maxQueueSize: spec.n + spec.warmup + 1024,
    scheduledDelayMillis: 20,
    exportTimeoutMillis: 30_000,
  });
  const warm = makeSpans(spec.kind, spec.warmup, 0);
  const spans = makeSpans(spec.kind, spec.n, spec.warmup);
  for (const span of warm) bsp.onEnd(span);
  await counted.until(warm.length);
  const failedBefore = counted.failed;
  const window = await measure(async () => {
    for (const span of spans) bsp.onEnd(span);
    await counted.until(warm.length + spans.length);
    return {};
  });
  const failed = counted.failed - failedBefore;
  await bsp.shutdown();
  return { ...window, units: spans.length, failed };
}

async function exporterPhase() {
  const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
  const exporter = new OpperSpanExporter({ baseUrl: spec.url, apiKey: spec.apiKey, concurrency: spec.concurrency });
  const result = await throughBsp(exporter);
  return { ...result, stats: exporter.getStats() };
}

/** OpenTelemetry JS's OTLP/HTTP protobuf exporter, to the bridge (its own process) at `spec.bridgeUrl`. */
async function otlpPhase() {
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return throughBsp(new OTLPTraceExporter({ url: `${spec.bridgeUrl}/v1/traces` }));
}

/**
 * µs per span of reading an OTLP request into spans (decode, then the span shape the translation
 * reads), for requests of 512 spans as OpenTelemetry JS serialises them; translation not included.
 */
async function decodePhase() {
  const { JsonTraceSerializer, ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  const { loadCodec, decodeJsonRequest } = await import('../../dist/bridge/otlp-codec.js');
  const { readSpans } = await import('../../dist/bridge/otlp-spans.js');
  const codec = await loadCodec();
  const result = {};
  for (const kind of ['http', 'llm']) {
    const spans = makeSpans(kind, spec.n);
    const batches = [];
    for (let i = 0; i < spans.length; i += 512) batches.push(spans.slice(i, i + 512));
    const protobuf = batches.map((batch) => ProtobufTraceSerializer.serializeRequest(batch));
    const json = batches.map((batch) => Buffer.from(JsonTraceSerializer.serializeRequest(batch)).toString('utf8'));
    const decoders = {
      protobuf: () => protobuf.reduce((sum, bytes) => sum + readSpans(codec.decodeRequest(bytes)).spans.length, 0),
      json: () => json.reduce((sum, text) => sum + readSpans(decodeJsonRequest(text)).spans.length, 0),
    };
    result[kind] = {};
    for (const [encoding, decode] of Object.entries(decoders)) {
      const round = () => {
        const t0 = performance.now();
        const read = decode();
        if (read !== spans.length) throw new Error(`${encoding}: read ${read} of ${spans.length} spans`);
        return ((performance.now() - t0) * 1000) / spans.length;
      };
      for (let i = 0; i < 3; i++) round(); // warm-up
      const perRound = [];
      for (let i = 0; i < spec.rounds; i++) perRound.push(round());
      const bytes = (encoding === 'protobuf' ? protobuf : json).reduce(
        (sum, body) => sum + (typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength),
        0,
      );
      result[kind][encoding] = { medianUs: median(perRound), bytesPerSpan: bytes / spans.length };
    }
  }
  return result;
}

async function opperaiPhase() {
  const { OpperaiSdkExporter } = await import('./opperai-exporter.mjs');
  return throughBsp(new OpperaiSdkExporter({ apiKey: spec.apiKey, serverURL: spec.url }));
}

/** `concurrency` workers, each sending create then PATCH per span, over pre-serialised bodies. */
async function pairsPhase(sendPair) {
  const warm = await translateBodies(makeSpans(spec.kind, spec.warmup, 0));
  const pairs = await translateBodies(makeSpans(spec.kind, spec.n, spec.warmup));
  let failed = 0;
  const run = async (list) => {
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const pair = list[next++];
        if (!(await sendPair(pair))) failed++;
      }
    };
    await Promise.all(Array.from({ length: spec.concurrency }, worker));
  };
  await run(warm);
  failed = 0;
  const window = await measure(async () => {
    await run(pairs);
    return {};
  });
  return { ...window, units: pairs.length, failed };
}

async function gotPhase() {
  const { default: got } = await import('got');
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });
  // Variants (profile.mjs / got-variants.mjs), to price what got does per request:
  //   lean-request: got's `request` option with a function handing node:http only what it needs,
  //                 instead of got's ~40-key native options object (spread twice more inside node:http);
  //   no-timeout:   no `timeout` option (got then arms no timers of its own);
  //   no-decompress: `decompress: false` (no accept-encoding header, no decompression wrapper).
  const variant = spec.variant ?? 'default';
  const leanRequest = (url, options, callback) =>
    http.request(
      {
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: options.method,
        headers: options.headers,
        agent: options.agent,
      },
      callback,
    );
  const client = got.extend({
    prefixUrl: spec.url,
    headers: { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json', 'user-agent': 'bench-got' },
    agent: { http: agent },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
    ...(variant.includes('no-timeout') ? {} : { timeout: { request: 10_000 } }),
    ...(variant.includes('lean-request') ? { request: leanRequest } : {}),
    ...(variant.includes('no-decompress') ? { decompress: false } : {}),
  });
  const result = await pairsPhase(async (pair) => {
    const created = await client.post('spans', { body: pair.create });
    if (created.statusCode !== 200) return false;
    const updated = await client.patch(`spans/${pair.id}`, { body: pair.update });
    return updated.statusCode === 200;
  });
  agent.destroy();
  return result;
}

/** The exporter's own client, bare: undici's request() over a keep-alive Agent, same pairs. */
async function undiciPhase() {
  const { Agent } = await import('undici');
  const agent = new Agent({ connections: spec.concurrency });
  const base = new URL(spec.url);
  const headers = { authorization: `Bearer ${spec.apiKey}`, 'content-type': 'application/json', 'user-agent': 'bench-undici' };
  const send = async (method, path, body) => {
    const response = await agent.request({
      origin: base.origin,
      path: `${base.pathname}/${path}`,
      method,
      headers,
      body,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    await response.body.text();
    return response.statusCode;
  };
  const result = await pairsPhase(async (pair) => {
    if ((await send('POST', 'spans', pair.create)) !== 200) return false;
    return (await send('PATCH', `spans/${pair.id}`, pair.update)) === 200;
  });
  await agent.destroy();
  return result;
}

async function nodeHttpPhase() {
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency, maxFreeSockets: spec.concurrency });
  const base = new URL(spec.url);
  const authorization = `Bearer ${spec.apiKey}`;
  const send = (method, path, body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method,
          path: `${base.pathname}/${path}`,
          headers: {
            authorization,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': 'bench-node-http',
          },
          timeout: 10_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode, body: text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const result = await pairsPhase(async (pair) => {
    const created = await send('POST', 'spans', pair.create);
    if (created.status !== 200) return false;
    const updated = await send('PATCH', `spans/${pair.id}`, pair.update);
    return updated.status === 200;
  });
  agent.destroy();
  return result;
}

/**
 * Steady offered load of `rate` spans/s through a default-sized BatchSpanProcessor (queue 2048,
 * batch 512): healthy, then the receiver answers 503 to everything for `outageSeconds`, then
 * healthy again. RSS sampled every 250 ms; the live heap (after a forced full GC, when run with
 * --expose-gc) at a few checkpoints only, so that GC timing does not decide "flat or growing".
 */
async function outagePhase() {
  const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
  const exporter = new OpperSpanExporter({ baseUrl: spec.url, apiKey: spec.apiKey, concurrency: spec.concurrency });
  // Counts overlapping export() calls (the processor should make one at a time); changes nothing else.
  let exporting = 0;
  let maxExporting = 0;
  const watched = {
    export(spans, callback) {
      maxExporting = Math.max(maxExporting, ++exporting);
      exporter.export(spans, (result) => {
        exporting--;
        callback(result);
      });
    },
    forceFlush: () => exporter.forceFlush(),
    shutdown: () => exporter.shutdown(),
  };
  const bsp = new BatchSpanProcessor(watched, {
    maxExportBatchSize: 512,
    maxQueueSize: 2048,
    scheduledDelayMillis: 200,
    exportTimeoutMillis: 30_000,
  });
  const { tracer } = makeTracer([bsp]);
  const t0 = performance.now();
  const now = () => (performance.now() - t0) / 1000;
  let offered = 0;
  const load = setInterval(() => {
    const due = Math.floor(now() * spec.rate);
    for (; offered < due; offered++) endSpan(tracer, 'http', offered);
  }, 10);
  const samples = [];
  const sampler = setInterval(() => samples.push({ t: now(), rss: process.memoryUsage.rss() }), 250);
  const sleep = (s) => new Promise((resolve) => setTimeout(resolve, s * 1000));
  const liveHeap = () => {
    if (typeof globalThis.gc !== 'function') return undefined;
    globalThis.gc();
    return process.memoryUsage().heapUsed;
  };
  const mark = () => ({ t: now(), cpu: process.cpuUsage(), stats: exporter.getStats() });
  const start = mark();

  await sleep(spec.healthySeconds);
  const healthy = mark();
  const heapHealthy = liveHeap();
  await receiver('outage', { ms: spec.outageSeconds * 1000 });
  const outageStart = mark();
  // The first checkpoint once the processor's queue has filled up (2048 spans at `rate`) and the
  // first failing export is under way; from there on, nothing should grow.
  const early = Math.min(spec.outageSeconds / 2, Math.max(5, spec.outageSeconds / 6));
  await sleep(early);
  const heapOutageEarly = liveHeap();
  await sleep(spec.outageSeconds - (now() - outageStart.t));
  const outageEnd = mark();
  const heapOutageEnd = liveHeap();
  const maxExportsInOutage = maxExporting;
  await sleep(spec.recoverSeconds);
  const recovered = mark();
  clearInterval(load);
  clearInterval(sampler);
  const rssRecovered = process.memoryUsage.rss();
  const heapRecovered = liveHeap();
  await bsp.shutdown();
  const final = exporter.getStats();

  const rssIn = (from, to) => samples.filter((s) => s.t >= from && s.t <= to).map((s) => s.rss);
  const cpuPct = (a, b) => ((b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000 / ((b.t - a.t) * 1000)) * 100;
  const exportedIn = (a, b) => b.stats.spansExported - a.stats.spansExported;
  const healthyRss = rssIn(spec.healthySeconds / 2, healthy.t);
  const outageRss = rssIn(outageStart.t, outageEnd.t);
  return {
    rssHealthyMedian: median(healthyRss),
    rssHealthyPeak: Math.max(...healthyRss),
    rssOutagePeak: Math.max(...outageRss),
    rssOutageMedian: median(outageRss),
    rssRecovered,
    heapHealthy,
    heapOutageEarly,
    heapOutageEnd,
    heapRecovered,
    earlySeconds: early,
    maxExportsInOutage,
    cpuHealthyPct: cpuPct(start, healthy),
    cpuOutagePct: cpuPct(outageStart, outageEnd),
    offered,
    exportedHealthy: healthy.stats.spansExported,
    exportedDuringOutage: exportedIn(outageStart, outageEnd),
    exportedDuringRecovery: exportedIn(outageEnd, recovered),
    // After the final flush: what the exporter delivered, failed, and what the processor dropped.
    exported: final.spansExported,
    failed: final.spansFailed,
    droppedByProcessor: offered - final.spansExported - final.spansFailed - final.spansDropped,
    requests: final.requests,
    retried: final.requestsRetried,
    outageRequests: outageEnd.stats.requests - outageStart.stats.requests,
  };
}

/** CPU ms of this process's main thread (its thread id is the pid): ns from schedstat, else ticks. */
function mainThreadCpuMs() {
  const task = `/proc/self/task/${process.pid}`;
  try {
    return Number(readFileSync(`${task}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    const fields = readFileSync(`${task}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }
}

/** The clients of the main-thread rows: none (the app alone), OpperSpanExporter inline or in its
 * worker, and OpenTelemetry JS's OTLP/HTTP (JSON) exporter to a sink in the receiver's process. */
async function clientFor(name) {
  if (name === 'none')
    return { export: (_spans, callback) => callback({ code: ExportResultCode.SUCCESS }), shutdown: async () => undefined };
  if (name === 'otlp-http') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter({ url: `${spec.otlpUrl}/v1/traces` });
  }
  const { OpperSpanExporter } = await import('opentelemetry-exporter-opper');
  return new OpperSpanExporter({ baseUrl: spec.url, apiKey: spec.apiKey, concurrency: spec.concurrency, transport: name });
}

/** What the app's thread and the whole process spent between two snapshots. */
function snapshot() {
  return { t: performance.now(), cpu: process.cpuUsage(), main: mainThreadCpuMs(), elu: performance.eventLoopUtilization() };
}
function spent(a, b) {
  const elu = performance.eventLoopUtilization(b.elu, a.elu);
  return {
    seconds: (b.t - a.t) / 1000,
    processCpuMs: (b.cpu.user - a.cpu.user + b.cpu.system - a.cpu.system) / 1000,
    mainCpuMs: b.main - a.main,
    eluActiveMs: elu.active,
    elu: elu.utilization,
  };
}

/**
 * The app's thread, per exported span, for one client (spec.client):
 *  - throughput: spec.n spans through a BatchSpanProcessor (batch 512) at once, as in row 2;
 *  - load: an app serving spec.requestRate GET/s (from a client process) while it ends
 *    spec.rate spans/s through a default BatchSpanProcessor: event-loop delay (p99), request
 *    latency, CPU and RSS.
 */
async function mainThreadPhase() {
  const exporter = await clientFor(spec.client);
  const counted = counting(exporter);
  const bsp = new BatchSpanProcessor(counted, {
    maxExportBatchSize: 512,
    maxQueueSize: spec.n + spec.warmup + 1024,
    scheduledDelayMillis: 20,
    exportTimeoutMillis: 30_000,
  });
  const warm = makeSpans(spec.kind, spec.warmup, 0);
  const spans = makeSpans(spec.kind, spec.n, spec.warmup);
  for (const span of warm) bsp.onEnd(span);
  await counted.until(warm.length);
  let rssPeak = process.memoryUsage.rss();
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 100);
  const failedBefore = counted.failed;
  const t0 = snapshot();
  for (const span of spans) bsp.onEnd(span);
  await counted.until(warm.length + spans.length);
  const throughput = { ...spent(t0, snapshot()), units: spans.length, failed: counted.failed - failedBefore, rssPeak };
  clearInterval(sampler);
  await bsp.forceFlush();

  // The app under load: its own requests, and spans ended at spec.rate per second.
  const { fork } = await import('node:child_process');
  const server = http.createServer((_req, res) => res.end(JSON.stringify({ ok: true, at: Date.now() })));
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const live = new BatchSpanProcessor(counted, { maxExportBatchSize: 512, maxQueueSize: 2048 });
  const { tracer } = makeTracer([live]);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const url = `http://127.0.0.1:${server.address().port}/`;
  const client = fork(fileURLToPath(new URL('./load.mjs', import.meta.url)), [url, String(spec.requestRate), String(spec.loadSeconds)]);
  const requests = new Promise((resolve) => client.once('message', resolve));
  const l0 = snapshot();
  const offered0 = performance.now();
  let offered = 0;
  const load = setInterval(() => {
    const due = Math.floor(((performance.now() - offered0) / 1000) * spec.rate);
    for (; offered < due; offered++) endSpan(tracer, spec.kind, spec.n + spec.warmup + offered);
  }, 10);
  delay.enable();
  const served = await requests;
  delay.disable();
  clearInterval(load);
  const underLoad = {
    ...spent(l0, snapshot()),
    units: offered,
    rss: process.memoryUsage.rss(),
    delayP99Ms: delay.percentile(99) / 1e6,
    delayMaxMs: delay.max / 1e6,
    requests: served,
  };
  server.close();
  await live.shutdown();
  await bsp.shutdown();
  return { throughput, underLoad };
}

const PHASES = {
  mainthread: mainThreadPhase,
  translate: translatePhase,
  decode: decodePhase,
  exporter: exporterPhase,
  otlp: otlpPhase,
  opperai: opperaiPhase,
  got: gotPhase,
  undici: undiciPhase,
  http: nodeHttpPhase,
  outage: outagePhase,
  processor: () => processorCostPhase(spec, { measure, counting }),
  aiFilter: () => aiFilterPhase(spec, { measure }),
};

try {
  const result = await PHASES[spec.phase]();
  process.send({ type: 'result', result }, () => process.exit(0));
} catch (error) {
  console.error(`bench phase ${spec.phase}:`, error);
  process.exit(1);
}
