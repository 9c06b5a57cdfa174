// A small CommonJS HTTP service: GET /hello asks a downstream service for a greeting and answers
// with it. It knows nothing about tracing: the CommonJS setup (commonjs/) starts it with its
// instrumentation preloaded,
//   node --require ./instrumentation.otel2.cjs app.cjs   (or instrumentation.otel3.cjs)
const http = require('node:http');
const { SpanStatusCode, trace } = require('@opentelemetry/api');

const tracer = trace.getTracer('example-app');
const downstream = process.env.DOWNSTREAM_URL ?? 'http://example.com/';

/** GET `url` with node:http; resolves with the response body. */
function get(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

const server = http.createServer((req, res) => {
  if (req.url !== '/hello') return res.writeHead(404).end();
  // A span of the app's own, between the HTTP server span and the outgoing call's client span.
  tracer.startActiveSpan('fetch greeting', async (span) => {
    try {
      const greeting = await get(downstream);
      span.setAttribute('greeting.length', greeting.length);
      res.writeHead(200, { 'content-type': 'text/plain' }).end(`downstream said: ${greeting}`);
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      res.writeHead(502).end();
    } finally {
      span.end();
    }
  });
});

server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
