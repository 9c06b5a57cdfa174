import type { OpperExporterOptions } from './config.js';
import { startEngine } from './engine.js';
import { SpanExporterDoor } from './exporter.js';

/** OpenTelemetry `SpanExporter` that sends each ended span to Opper as a create and a PATCH. */
export class OpperSpanExporter extends SpanExporterDoor {
  constructor(options: OpperExporterOptions = {}) {
    super({ startEngine, background: true }, options);
  }
}
