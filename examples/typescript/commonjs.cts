// TypeScript compiled to CommonJS: the ES-module package is require()d (Node >= 20.19), and its
// types resolve under "module": "nodenext".
import { ATTR_OPPER_TYPE, OpperSpanExporter, toOpperTraceId } from 'opentelemetry-exporter-opper';

export const exporter = new OpperSpanExporter({ apiKey: process.env.OPPER_API_KEY });
export const attribute: string = ATTR_OPPER_TYPE;
export const traceId: string = toOpperTraceId('0af7651916cd43dd8448eb211c80319c');
