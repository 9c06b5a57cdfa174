// Loaded with `--import ./compat-probe.mjs` after an ES-module app's own `--import`.
import { OpperSpanExporter, OpperSpanProcessor } from 'opentelemetry-exporter-opper';
import probe from './compat-probe-core.cjs';

probe.install(OpperSpanExporter, 'import', OpperSpanProcessor);
