// Spans far larger than any body Opper takes (issue 10, item 11): what one of them costs the event
// loop in translateSpan. Plain ReadableSpan-shaped objects, so the figure is the translation alone.
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';

function span(index, fields) {
  const spanId = (0x1000 + index).toString(16).padStart(16, '0');
  return {
    name: 'huge',
    kind: 0,
    spanContext: () => ({ traceId: TRACE_ID, spanId, traceFlags: 1 }),
    startTime: [1710928800, 0],
    endTime: [1710928801, 0],
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    resource: { attributes: { 'service.name': 'bench' } },
    instrumentationScope: { name: 'bench' },
    ...fields,
  };
}

/** The three shapes: a 1,000,000-number array attribute, 10,000 events, 100 attributes of 100 KB. */
export const HUGE_SHAPES = {
  'array of 1,000,000 numbers': (i) =>
    span(i, { attributes: { 'embedding.vector': Array.from({ length: 1_000_000 }, (_, k) => ((k * 7919) % 1000) / 997) } }),
  '10,000 events': (i) =>
    span(i, {
      events: Array.from({ length: 10_000 }, (_, k) => ({
        name: `event ${k}`,
        time: [1710928800, k * 1000],
        attributes: { 'event.index': k, 'event.text': 'x'.repeat(40) },
      })),
    }),
  '100 attributes of 100 KB': (i) => {
    const attributes = {};
    for (let k = 0; k < 100; k++) attributes[`attribute.${k}`] = Buffer.alloc(100 * 1024, 97 + (k % 26)).toString('latin1');
    return span(i, { attributes });
  },
};
