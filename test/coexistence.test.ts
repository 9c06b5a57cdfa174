// The recording check's timer, in-process with fake timers: in Jest no tracer provider is
// registered globally, so a door that sees no span warns once after RECORDING_CHECK_MILLIS.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { RECORDING_CHECK_MILLIS } from '../src/coexistence.js';
import { OpperSpanExporter, OpperSpanProcessor } from '../src/index.js';

let codes: string[] = [];
beforeEach(() => {
  codes = [];
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
  jest.spyOn(process, 'emitWarning').mockImplementation(((_message: string, options?: { code?: string }) => {
    codes.push(options?.code ?? '');
  }) as typeof process.emitWarning);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const options = { apiKey: 'k', baseUrl: 'http://127.0.0.1:9/v2' };

describe.each([
  ['exporter', () => new OpperSpanExporter(options)],
  ['processor', () => new OpperSpanProcessor(options)],
])('the %s that sees no span', (_door, build) => {
  it('warns once, after the check delay, that no tracer provider is registered', async () => {
    const door = build();
    jest.advanceTimersByTime(RECORDING_CHECK_MILLIS - 1);
    expect(codes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(codes).toEqual(['OPPER_EXPORTER_NO_TRACER_PROVIDER']);
    await door.shutdown(); // checked already: not again
    expect(codes).toEqual(['OPPER_EXPORTER_NO_TRACER_PROVIDER']);
  });
});
