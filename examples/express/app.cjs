// An Express 5 service (CommonJS): GET /hello asks a downstream service for a greeting and answers
// with it. It knows nothing about tracing: start it with the instrumentation preloaded,
//   node --require ./instrumentation.cjs app.cjs
const http = require('node:http');
const express = require('express');
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

const app = express();

app.get('/hello', async (_req, res) => {
  // A span of the app's own, between Express's spans and the outgoing call's client span.
  await tracer.startActiveSpan('fetch greeting', async (span) => {
    try {
      const greeting = await get(downstream);
      span.setAttribute('greeting.length', greeting.length);
      res.type('text/plain').send(`downstream said: ${greeting}`);
    } catch (error) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      res.sendStatus(502);
    } finally {
      span.end();
    }
  });
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
