// The delivery and reliability suites once more, with the inline transport. The default, the
// worker transport, runs them in their own files; every case must pass under both.
process.env.OPPER_EXPORTER_TRANSPORT = 'inline';
await import('./reliability.test.js');
await import('./delivery.test.js');
