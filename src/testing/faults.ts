import { randomInt } from 'node:crypto';
import type { Fault, OutageOptions } from './types.js';

/** What to do with one request, with the label that goes into `RequestRecord.fault`. */
export type Action =
  | {
      readonly kind: 'status';
      readonly label: string;
      readonly status: number;
      readonly retryAfter?: string;
      readonly body?: unknown;
      readonly headers?: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'drop'; readonly label: string; readonly when: 'before' | 'after' }
  | { readonly kind: 'delay'; readonly label: string; readonly ms: number }
  | { readonly kind: 'hang'; readonly label: string };

interface Rule {
  readonly method?: string;
  readonly path?: RegExp;
  readonly probability: number;
  remaining: number;
  readonly action: Action;
}

/** The injected fault rules and outage window of one server. */
export class FaultTable {
  #rules: Rule[] = [];
  #outage: { readonly until: number; readonly action: Action } | undefined;
  #concurrency: { readonly max: number; readonly action: Action } | undefined;
  readonly #random: () => number;

  constructor(seed?: number) {
    this.#random = mulberry32(seed ?? randomInt(2 ** 32));
  }

  add(fault: Fault): void {
    const { match, times = Infinity, probability = 1 } = fault;
    if (times !== Infinity && !(Number.isInteger(times) && times >= 1))
      throw new RangeError(`fault.times must be a positive integer, got ${times}`);
    if (!(probability >= 0 && probability <= 1)) throw new RangeError(`fault.probability must be within 0..1, got ${probability}`);
    if (match?.path !== undefined && !(match.path instanceof RegExp)) throw new TypeError('fault.match.path must be a RegExp');
    if (match?.method !== undefined && typeof match.method !== 'string') throw new TypeError('fault.match.method must be a string');
    this.#rules.push({ method: match?.method?.toUpperCase(), path: match?.path, probability, remaining: times, action: toAction(fault) });
  }

  outage(ms: number, options: OutageOptions = {}): void {
    if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`outage duration must be a finite number of ms >= 0, got ${ms}`);
    const status = options.status ?? 503;
    checkStatus(status);
    this.#outage = { until: Date.now() + ms, action: statusAction(`outage:${status}`, status, options.retryAfter) };
  }

  /** Past `max` requests open at once, answer `status` (429) with Retry-After, as a rate-limiting edge does. */
  limitConcurrency(max: number, options: OutageOptions = {}): void {
    if (!(Number.isInteger(max) && max >= 1)) throw new RangeError(`the concurrency limit must be a positive integer, got ${max}`);
    const status = options.status ?? 429;
    checkStatus(status);
    this.#concurrency = { max, action: statusAction(`concurrency:${max}`, status, options.retryAfter ?? 1) };
  }

  clear(): void {
    this.#rules = [];
    this.#outage = undefined;
    this.#concurrency = undefined;
  }

  /** The action for a request: the outage if one is on, else the concurrency limit if `open`
   * requests (this one included) pass it, else the first rule that matches and wins its probability draw. */
  pick(method: string, path: string, now: number, open = 0): Action | undefined {
    if (this.#outage) {
      if (now < this.#outage.until) return this.#outage.action;
      this.#outage = undefined;
    }
    if (this.#concurrency !== undefined && open > this.#concurrency.max) return this.#concurrency.action;
    for (const rule of this.#rules) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.path === undefined ? !isUnderV2(path) : !testPath(rule.path, path)) continue;
      // p = 0 and p = 1 draw nothing, so deterministic rules never shift the seeded sequence.
      if (rule.probability < 1 && !(rule.probability > 0 && this.#random() < rule.probability)) continue;
      if (--rule.remaining <= 0) this.#rules.splice(this.#rules.indexOf(rule), 1);
      return rule.action;
    }
    return undefined;
  }
}

function isUnderV2(path: string): boolean {
  return path === '/v2' || path.startsWith('/v2/');
}

/** A `g` or `y` RegExp keeps state in lastIndex; reset it so every test starts at 0. */
function testPath(pattern: RegExp, path: string): boolean {
  pattern.lastIndex = 0;
  return pattern.test(path);
}

function toAction(fault: Fault): Action {
  const kinds = (['status', 'drop', 'delayMs', 'hang'] as const).filter((key) => fault[key] !== undefined);
  if (kinds.length !== 1)
    throw new TypeError(`a fault needs exactly one of status, drop, delayMs or hang; got ${kinds.join(', ') || 'none'}`);
  if (fault.status !== undefined) {
    checkStatus(fault.status);
    return statusAction(`status:${fault.status}`, fault.status, fault.retryAfter, fault.body, checkHeaders(fault.headers));
  }
  if (fault.drop !== undefined) {
    if (fault.drop !== 'before' && fault.drop !== 'after')
      throw new TypeError(`fault.drop must be 'before' or 'after', got ${String(fault.drop)}`);
    return { kind: 'drop', label: `drop:${fault.drop}`, when: fault.drop };
  }
  if (fault.delayMs !== undefined) {
    if (!(Number.isFinite(fault.delayMs) && fault.delayMs >= 0))
      throw new RangeError(`fault.delayMs must be a finite number >= 0, got ${fault.delayMs}`);
    return { kind: 'delay', label: `delay:${fault.delayMs}ms`, ms: fault.delayMs };
  }
  if (fault.hang !== true) throw new TypeError('fault.hang must be true');
  return { kind: 'hang', label: 'hang' };
}

function statusAction(
  label: string,
  status: number,
  retryAfter?: number | string,
  body?: unknown,
  headers?: Readonly<Record<string, string>>,
): Action {
  if (retryAfter !== undefined && typeof retryAfter !== 'string' && !(Number.isFinite(retryAfter) && retryAfter >= 0)) {
    throw new RangeError(`retryAfter must be a number of seconds >= 0 or an HTTP date string, got ${retryAfter}`);
  }
  return { kind: 'status', label, status, retryAfter: retryAfter === undefined ? undefined : String(retryAfter), body, headers };
}

function checkHeaders(headers: unknown): Readonly<Record<string, string>> | undefined {
  if (headers === undefined) return undefined;
  const valid = typeof headers === 'object' && headers !== null && Object.values(headers).every((value) => typeof value === 'string');
  if (!valid) throw new TypeError('fault.headers must be an object of string values');
  return headers as Readonly<Record<string, string>>;
}

function checkStatus(status: number): void {
  if (!(Number.isInteger(status) && status >= 200 && status <= 599))
    throw new RangeError(`fault status must be an integer within 200..599, got ${status}`);
}

/** A small, fast, seedable PRNG (mulberry32) giving floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
