// Loaded with `--require ./compat-probe.cjs` after a CommonJS app's own `--require`.
require('./compat-probe-core.cjs').install(require('opentelemetry-exporter-opper').OpperSpanExporter, 'require');
