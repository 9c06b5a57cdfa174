/**
 * On Vercel, a function is frozen once its response is sent, and with it any timer of ours: the
 * spans of that request would wait until the next one, or be lost. Vercel's runtime publishes the
 * current request's context on a global symbol; its `waitUntil` keeps the function alive for a
 * promise. So each root span's request gets a task: wait for that span to end, then flush.
 */

const REQUEST_CONTEXT = Symbol.for('@vercel/request-context');
// After the response, the root span is usually ended already; a streamed one may end just after.
const ROOT_END_WAIT_MS = 100;

interface RequestContextReader {
  get(): { waitUntil?: unknown } | undefined;
}

type WaitUntil = (task: () => Promise<unknown>) => void;

/** The current request's `waitUntil`, when running inside a Vercel function's request. */
function requestWaitUntil(): WaitUntil | undefined {
  const reader = (globalThis as Record<symbol, RequestContextReader | undefined>)[REQUEST_CONTEXT];
  if (typeof reader?.get !== 'function') return undefined;
  const waitUntil = reader.get()?.waitUntil;
  return typeof waitUntil === 'function' ? (waitUntil as WaitUntil) : undefined;
}

/** Hands the flush of each request's spans to that request's `waitUntil`. */
export class RequestFlush {
  /** Root spans (by hex id) whose request waits for their end. */
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly flush: () => Promise<void>) {}

  /** A span started; only a local root span, inside a request, costs more than a lookup. */
  started(spanHex: string, isRoot: boolean): void {
    if (!isRoot) return;
    const waitUntil = requestWaitUntil();
    if (waitUntil === undefined) return;
    const ended = new Promise<void>((resolve) => this.waiting.set(spanHex, resolve));
    waitUntil(async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, ROOT_END_WAIT_MS)))]);
      clearTimeout(timer);
      this.waiting.delete(spanHex);
      await this.flush();
    });
  }

  /** A span ended: if a request waits for it, its flush may start. */
  ended(spanHex: string): void {
    if (this.waiting.size === 0) return;
    this.waiting.get(spanHex)?.();
    this.waiting.delete(spanHex);
  }
}
