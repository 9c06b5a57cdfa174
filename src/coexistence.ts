/**
 * Whether spans can reach a door at all: a door that has seen no span by its check asks
 * `@opentelemetry/api`'s global registration why, and warns once. Nothing here runs per span
 * but `seen()`, one assignment.
 */
import { trace } from '@opentelemetry/api';
import { WarningCode, type Warnings } from './diagnostics.js';

// Where every copy of @opentelemetry/api 1.x keeps its registered providers: { version, trace, ... }.
const GLOBAL_API_KEY = Symbol.for('opentelemetry.js.api.1');
// Long enough for an app to register its provider and start a first span after building the door.
export const RECORDING_CHECK_MILLIS = 10_000;

interface GlobalApi {
  readonly version?: unknown;
  readonly trace?: unknown;
}

/** Why spans cannot reach this door, or undefined when the global registration looks right. */
export function recordingProblem(door: string): { code: string; message: string } | undefined {
  const registered = (globalThis as Record<symbol, GlobalApi | undefined>)[GLOBAL_API_KEY];
  const globalVersion = typeof registered?.version === 'string' ? registered.version : undefined;
  if (registered?.trace === undefined) {
    const holder = globalVersion === undefined ? '' : ` (the global registration belongs to @opentelemetry/api ${globalVersion})`;
    return {
      code: WarningCode.NoTracerProvider,
      message:
        `${door}: no span has reached it and no tracer provider is registered with @opentelemetry/api${holder}, ` +
        'so instrumentations record nothing. Register the provider (provider.register(), ' +
        'trace.setGlobalTracerProvider(provider) or NodeSDK.start()); if you do, an earlier registration of ' +
        'another @opentelemetry/api version may have refused it.',
    };
  }
  // A copy of the api that cannot use the registered version answers with its own no-op proxy.
  // (Its own version is not asked for: resolving it would trip bundlers, and `npm ls` tells.)
  if (trace.getTracerProvider() !== registered.trace) {
    return {
      code: WarningCode.ApiCopies,
      message:
        `${door}: no span has reached it, and two copies of @opentelemetry/api are loaded: the tracer provider ` +
        `was registered through version ${globalVersion ?? 'unknown'}, which the newer copy this package loaded ` +
        'cannot use, so instrumentations on that copy record nothing. Install a single version ' +
        '(npm ls @opentelemetry/api shows which packages bring which).',
    };
  }
  // Sentry.init({ enableOpenTelemetrySetup: true }) (the default of @sentry/nextjs) registers a
  // provider that takes no span processors; the app's own provider.register() after it is refused.
  if (registeredProviderName() === 'SentryTracerProvider') {
    return {
      code: WarningCode.SentryTracerProvider,
      message:
        `${door}: no span has reached it, and the registered tracer provider is Sentry's SentryTracerProvider ` +
        '(Sentry.init with enableOpenTelemetrySetup: true), so instrumentations send spans to Sentry only. ' +
        'Register the tracer provider that has Opper before Sentry.init, or set enableOpenTelemetrySetup: false.',
    };
  }
  return undefined;
}

/** The class name of the provider registered behind the API's proxy, if any. */
function registeredProviderName(): string | undefined {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const delegate = typeof proxy.getDelegate === 'function' ? proxy.getDelegate() : undefined;
  const name: unknown = (delegate as { constructor?: { name?: unknown } } | undefined)?.constructor?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Warns once if no span has reached the door `RECORDING_CHECK_MILLIS` after it was built, or by
 * its shutdown, and the global registration explains why.
 */
export class RecordingCheck {
  private seenSpan = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly warnings: Warnings,
    private readonly door: string,
  ) {
    this.timer = setTimeout(() => this.check(), RECORDING_CHECK_MILLIS).unref();
  }

  /** A span reached the door: nothing to check any more. */
  seen(): void {
    this.seenSpan = true;
  }

  /** Runs the check now (at the timer, or at shutdown), once. */
  check(): void {
    clearTimeout(this.timer);
    if (this.seenSpan) return;
    this.seenSpan = true; // once
    const problem = recordingProblem(this.door);
    if (problem !== undefined) this.warnings.once(problem.code, problem.message);
  }
}
