// Test instrumentation for the compatibility suite, never part of an example: wraps
// OpperSpanExporter's export() and shutdown() so the suite knows which spans the app's span
// processor handed to the exporter, what each export reported, and the exporter's final stats;
// and OpperSpanProcessor's onEnd() and shutdown(): which spans the SDK ended, and its final stats.
// Records are JSON lines appended to $COMPAT_PROBE_FILE (synchronously, so a crash loses nothing).
const { appendFileSync } = require('node:fs');

const file = process.env.COMPAT_PROBE_FILE;
const write = (record) => appendFileSync(file, `${JSON.stringify(record)}\n`);

function describe(span) {
  const context = span.spanContext();
  const parent = span.parentSpanContext ?? (span.parentSpanId ? { spanId: span.parentSpanId } : undefined);
  const scope = span.instrumentationScope ?? span.instrumentationLibrary ?? {};
  return {
    name: span.name,
    kind: span.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: parent?.spanId,
    scope: scope.name,
    attributes: span.attributes,
  };
}

exports.install = function install(OpperSpanExporter, via, OpperSpanProcessor) {
  if (!file) throw new Error('compat probe: COMPAT_PROBE_FILE is not set');
  const proto = OpperSpanExporter.prototype;
  if (proto.__compatProbe) return;
  if (OpperSpanProcessor) installProcessor(OpperSpanProcessor.prototype);
  proto.__compatProbe = true;
  const { export: originalExport, shutdown: originalShutdown } = proto;
  let batch = 0;
  proto.export = function (spans, resultCallback) {
    const id = ++batch;
    write({ type: 'export', batch: id, spans: spans.map(describe) });
    return originalExport.call(this, spans, (result) => {
      write({
        type: 'result',
        batch: id,
        code: result.code,
        error: result.error ? String(result.error.message ?? result.error) : undefined,
      });
      resultCallback(result);
    });
  };
  proto.shutdown = async function () {
    await originalShutdown.call(this);
    write({ type: 'shutdown', stats: this.getStats() });
  };
  write({ type: 'probe', via, node: process.version });
};

/** Records every span the SDK ends through an OpperSpanProcessor, and its stats after shutdown. */
function installProcessor(proto) {
  const { onEnd: originalOnEnd, shutdown: originalShutdown } = proto;
  proto.onEnd = function (span) {
    write({ type: 'end', span: describe(span) });
    return originalOnEnd.call(this, span);
  };
  proto.shutdown = async function () {
    await originalShutdown.call(this);
    write({ type: 'shutdown', door: 'processor', stats: this.getStats() });
  };
}
