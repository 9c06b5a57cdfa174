// Loaded with `--require ./compat-probe.cjs` after a CommonJS app's own `--require`.
const { OpperSpanExporter, OpperSpanProcessor } = require('opentelemetry-exporter-opper');
require('./compat-probe-core.cjs').install(OpperSpanExporter, 'require', OpperSpanProcessor);
