// The baseline: a span exporter as a user would write it over the official `opperai` SDK (3.4.x,
// API v2: POST /spans, PATCH /spans/{id}), one span after another, create then update.
import { ExportResultCode, hrTimeToMilliseconds } from '@opentelemetry/core';
import { Opper } from 'opperai';

const uuid = (hex) => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
const KINDS = ['internal', 'server', 'client', 'producer', 'consumer'];

export class OpperaiSdkExporter {
  constructor({ apiKey, serverURL }) {
    this.opper = new Opper({ httpBearer: apiKey, serverURL });
  }

  export(spans, resultCallback) {
    this.send(spans).then(
      () => resultCallback({ code: ExportResultCode.SUCCESS }),
      (error) => resultCallback({ code: ExportResultCode.FAILED, error }),
    );
  }

  async send(spans) {
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      const id = uuid(spanId + traceId.slice(16));
      const parent = span.parentSpanContext?.spanId;
      const { 'gen_ai.input.messages': input, 'gen_ai.output.messages': output, ...attributes } = span.attributes;
      await this.opper.spans.create({
        id,
        traceId: uuid(traceId),
        parentId: parent ? uuid(parent + traceId.slice(16)) : undefined,
        name: span.name,
        type: attributes['gen_ai.operation.name'] ? 'llm' : KINDS[span.kind],
        startTime: new Date(hrTimeToMilliseconds(span.startTime)),
        input,
        meta: {
          ...attributes,
          'otel.kind': KINDS[span.kind],
          'otel.scope.name': span.instrumentationScope.name,
          resource: span.resource.attributes,
        },
      });
      await this.opper.spans.update(id, {
        endTime: new Date(hrTimeToMilliseconds(span.endTime)),
        output,
        error: span.status.code === 2 ? span.status.message || 'Error' : undefined,
      });
    }
  }

  forceFlush() {
    return Promise.resolve();
  }

  shutdown() {
    return Promise.resolve();
  }
}
