/**
 * The doors' own metrics in OpenTelemetry's terms: the semantic conventions' SDK self-observability
 * metrics (otel.sdk.exporter.*, otel.sdk.processor.*), on the user's `meterProvider`. Only the
 * types of @opentelemetry/api are used; the instruments come from whatever SDK made the provider.
 */
import type { Attributes, Counter, Meter, MeterProvider } from '@opentelemetry/api';
import { OUTCOMES, type LossReason, type Reason } from './outcomes.js';
import { VERSION } from './version.js';

const SCOPE = 'opentelemetry-exporter-opper';
// `<otel.component.type>/<instance counter>`, as the conventions suggest: low cardinality, stable across restarts.
const instances = new Map<string, number>();

/** Attributes every instrument of one door carries: its type and name, and Opper's address. */
function componentAttributes(type: string, baseUrl: string): Attributes {
  const instance = instances.get(type) ?? 0;
  instances.set(type, instance + 1);
  const url = new URL(baseUrl);
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { 'otel.component.type': type, 'otel.component.name': `${type}/${instance}`, 'server.address': url.hostname, 'server.port': port };
}

function withError(attributes: Attributes, errorType: string | undefined): Attributes {
  return errorType === undefined ? attributes : { ...attributes, 'error.type': errorType };
}

/** otel.sdk.exporter.span.exported: both doors export. */
function exportedCounter(meter: Meter): Counter {
  return meter.createCounter('otel.sdk.exporter.span.exported', {
    unit: '{span}',
    description: 'The number of spans for which the export has finished, either successful or failed.',
  });
}

/** One export operation: what it delivered, what failed and why; `end()` records it. */
export interface ExportObservation {
  delivered(count: number): void;
  failed(reason: Reason, count: number): void;
  end(): void;
}

/** otel.sdk.exporter.span.exported, .span.inflight and .operation.duration for OpperSpanExporter. */
export class ExporterMetrics {
  private readonly attributes: Attributes;
  private readonly exported;
  private readonly inflight;
  private readonly duration;

  constructor(meterProvider: MeterProvider, baseUrl: string) {
    const meter = meterProvider.getMeter(SCOPE, VERSION);
    this.attributes = componentAttributes('OpperSpanExporter', baseUrl);
    this.exported = exportedCounter(meter);
    this.inflight = meter.createUpDownCounter('otel.sdk.exporter.span.inflight', {
      unit: '{span}',
      description:
        'The number of spans which were passed to the exporter, but that have not been exported yet (neither successful, nor failed).',
    });
    this.duration = meter.createHistogram('otel.sdk.exporter.operation.duration', {
      unit: 's',
      description: 'The duration of exporting a batch of telemetry records.',
      // The conventions ask for a single bucket with no boundaries.
      advice: { explicitBucketBoundaries: [] },
    });
  }

  /** Starts observing an export of `count` spans; retries stay inside it. */
  started(count: number): ExportObservation {
    const start = performance.now();
    this.inflight.add(count, this.attributes);
    let pending = count;
    let firstError: string | undefined;
    const settle = (errorType: string | undefined, n: number) => {
      if (n <= 0) return;
      pending -= n;
      firstError ??= errorType;
      this.exported.add(n, withError(this.attributes, errorType));
    };
    return {
      delivered: (n) => settle(undefined, n),
      failed: (reason, n) => settle(OUTCOMES[reason].errorType, n),
      end: () => {
        // Whatever was not accounted for failed in a way nothing named (a throw).
        if (pending > 0) settle(OUTCOMES.threw.errorType, pending);
        this.inflight.add(-count, this.attributes);
        this.duration.record((performance.now() - start) / 1000, withError(this.attributes, firstError));
      },
    };
  }
}

/**
 * otel.sdk.processor.span.processed, .span.queue.size and .span.queue.capacity for
 * OpperSpanProcessor, and otel.sdk.exporter.span.exported for the delivery it owns.
 */
export class ProcessorMetrics {
  private readonly attributes: Attributes;
  /** Without server.*: the conventions give processors' metrics only the component's type and name. */
  private readonly processorAttributes: Attributes;
  private readonly processed;
  private readonly exported;

  constructor(meterProvider: MeterProvider, baseUrl: string, capacity: number, queuedSpans: () => number) {
    const meter = meterProvider.getMeter(SCOPE, VERSION);
    this.attributes = componentAttributes('OpperSpanProcessor', baseUrl);
    this.processed = meter.createCounter('otel.sdk.processor.span.processed', {
      unit: '{span}',
      description: 'The number of spans for which the processing has finished, either successful or failed.',
    });
    this.exported = exportedCounter(meter);
    const { 'server.address': _address, 'server.port': _port, ...processor } = this.attributes;
    this.processorAttributes = processor;
    // Observed at collection time: nothing on the span path.
    meter
      .createObservableUpDownCounter('otel.sdk.processor.span.queue.size', {
        unit: '{span}',
        description: 'The number of spans in the queue of a given instance of an SDK span processor.',
      })
      .addCallback((result) => result.observe(queuedSpans(), processor));
    meter
      .createObservableUpDownCounter('otel.sdk.processor.span.queue.capacity', {
        unit: '{span}',
        description: 'The maximum number of spans the queue of a given instance of an SDK span processor can hold.',
      })
      .addCallback((result) => result.observe(capacity, processor));
  }

  /** Spans whose last body Opper accepted. */
  delivered(count: number): void {
    this.processed.add(count, this.processorAttributes);
    this.exported.add(count, this.attributes);
  }

  /** Spans given up: dropped by the processor (queue full, shut down), or failed at export (outcomes.ts). */
  lost(reason: LossReason, count: number): void {
    const { errorType, processor } = OUTCOMES[reason];
    if (processor.counts === 'dropped') {
      this.processed.add(count, withError(this.processorAttributes, errorType));
    } else {
      // Handed to delivery, so processed; the export outcome is the exporter metric's to tell.
      this.processed.add(count, this.processorAttributes);
      this.exported.add(count, withError(this.attributes, errorType));
    }
  }
}
