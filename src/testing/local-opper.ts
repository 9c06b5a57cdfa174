import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { FaultTable, type Action } from './faults.js';
import { errorBody, errorType, pathOf, receiveBody, send } from './http.js';
import { SpanStore } from './store.js';
import type {
  Fault,
  LocalOpper,
  LocalOpperOptions,
  OutageOptions,
  RequestRecord,
  StoredSpan,
  TraceView,
  Violation,
  ViolationRule,
} from './types.js';
import { checkCreate, checkUpdate, findBadString, isFatal, isJsonContentType, isUuid, parseJsonObject, type Issue } from './validate.js';

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_WAIT_MS = 10_000;

/** Starts a strict Opper-compatible server (API v2) and resolves once it listens. */
export async function startLocalOpper(options: LocalOpperOptions = {}): Promise<LocalOpper> {
  const {
    port = 0,
    host = '127.0.0.1',
    apiKey = `local-opper-${randomBytes(16).toString('hex')}`,
    maxBodyBytes = DEFAULT_MAX_BODY_BYTES,
    seed,
    onSpan,
  } = options;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError(`port must be an integer within 0..65535, got ${port}`);
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0))
    throw new RangeError(`maxBodyBytes must be a positive integer, got ${maxBodyBytes}`);
  if (typeof apiKey !== 'string' || apiKey === '') throw new TypeError('apiKey must be a non-empty string');
  if (seed !== undefined && !Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (onSpan !== undefined && typeof onSpan !== 'function') throw new TypeError('onSpan must be a function');
  const server = new LocalOpperServer(apiKey, maxBodyBytes, new FaultTable(seed), onSpan);
  await server.listen(port, host);
  return server;
}

type Route = { readonly kind: 'create' } | { readonly kind: 'update' | 'get-span' | 'get-trace'; readonly id: string };

/** What processing a request produced: the reply and the contract problems it found. */
interface Outcome {
  readonly status: number;
  readonly payload: unknown;
  readonly headers?: OutgoingHttpHeaders;
  readonly issues: readonly Issue[];
}

type MutableRecord = { -readonly [K in keyof RequestRecord]: RequestRecord[K] };

interface Waiter {
  check(): void;
  fail(error: Error): void;
}

class LocalOpperServer implements LocalOpper {
  readonly apiKey: string;
  readonly #maxBodyBytes: number;
  readonly #faults: FaultTable;
  readonly #store = new SpanStore();
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #waiters = new Set<Waiter>();
  #requests: MutableRecord[] = [];
  #violations: Violation[] = [];
  #inFlight = 0;
  #maxInFlight = 0;
  #url = '';
  #checkScheduled = false;
  #closing: Promise<void> | undefined;

  readonly #onSpan: ((span: StoredSpan) => void) | undefined;

  constructor(apiKey: string, maxBodyBytes: number, faults: FaultTable, onSpan?: (span: StoredSpan) => void) {
    this.apiKey = apiKey;
    this.#onSpan = onSpan;
    this.#maxBodyBytes = maxBodyBytes;
    this.#faults = faults;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        send(
          res,
          500,
          errorBody('InternalServerError', `local Opper server error: ${error instanceof Error ? error.message : String(error)}`),
        );
      });
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        const address = this.#server.address();
        const actualPort = typeof address === 'object' && address !== null ? address.port : port;
        this.#url = `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/v2`;
        resolve();
      });
    });
  }

  get url(): string {
    return this.#url;
  }

  get spans(): ReadonlyMap<string, StoredSpan> {
    return this.#store.spans;
  }

  get requests(): readonly RequestRecord[] {
    return this.#requests;
  }

  get violations(): readonly Violation[] {
    return this.#violations;
  }

  get maxConcurrentRequests(): number {
    return this.#maxInFlight;
  }

  trace(traceId: string): TraceView | undefined {
    return this.#store.trace(traceId);
  }

  traceIds(): string[] {
    return this.#store.traceIds();
  }

  creates(id: string): number {
    return this.#store.creates(id);
  }

  patches(id: string): number {
    return this.#store.patches(id);
  }

  inject(fault: Fault): void {
    this.#faults.add(fault);
  }

  outage(ms: number, options?: OutageOptions): void {
    this.#faults.outage(ms, options);
  }

  limitConcurrency(max: number, options?: OutageOptions): void {
    this.#faults.limitConcurrency(max, options);
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  reset(): void {
    this.#store.clear();
    this.#requests = [];
    this.#violations = [];
    this.#maxInFlight = this.#inFlight;
    this.#faults.clear();
    this.#changed();
  }

  waitForSpans(predicate: (spans: ReadonlyMap<string, StoredSpan>) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return new Promise((resolve, reject) => {
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = {
        check: () => {
          try {
            if (predicate(this.#store.spans)) finish();
          } catch (error) {
            finish(error instanceof Error ? error : new Error(String(error)));
          }
        },
        fail: finish,
      };
      const timer = setTimeout(
        () => finish(new Error(`waitForSpans: predicate still false after ${timeoutMs} ms; ${this.#summary()}`)),
        timeoutMs,
      );
      if (this.#closing) return finish(new Error('waitForSpans: the local Opper server is closed'));
      this.#waiters.add(waiter);
      waiter.check();
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      this.#server.close(() => resolve());
      for (const socket of this.#sockets) socket.destroy();
      for (const timer of this.#timers) clearTimeout(timer);
      this.#timers.clear();
      for (const waiter of [...this.#waiters])
        waiter.fail(new Error(`waitForSpans: the local Opper server closed first; ${this.#summary()}`));
    });
    return this.#closing;
  }

  #summary(): string {
    const last = this.#violations.at(-1);
    const tail = last ? `; last violation: ${last.rule} on ${last.method} ${last.path}: ${last.message}` : '';
    return `${this.#store.spans.size} span(s) stored, ${this.#requests.length} request(s) seen, ${this.#violations.length} violation(s)${tail}`;
  }

  /** Re-checks waiters at most once per event-loop turn, however many writes landed. */
  #changed(): void {
    if (this.#waiters.size === 0 || this.#checkScheduled) return;
    this.#checkScheduled = true;
    setImmediate(() => {
      this.#checkScheduled = false;
      for (const waiter of [...this.#waiters]) waiter.check();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const path = pathOf(req.url);
    const record: MutableRecord = { method, path, status: 0, bodyBytes: 0, headers: req.headers, at: Date.now() };
    this.#requests.push(record);
    this.#maxInFlight = Math.max(this.#maxInFlight, ++this.#inFlight);
    res.once('close', () => this.#inFlight--);
    // Picked on arrival, so `times` and the seeded draws follow arrival order.
    const fault = this.#faults.pick(method, path, record.at, this.#inFlight);
    if (fault) record.fault = fault.label;

    const received = await receiveBody(req, this.#maxBodyBytes);
    if (!received) return;
    record.bodyBytes = received.bytes;

    if (fault && !(await this.#applyFault(fault, req, res, record))) return;
    if (this.#closing) return;

    const outcome = this.#process(method, path, req, received.body, record);
    for (const issue of outcome.issues) {
      this.#violations.push({ method, path, status: outcome.status, rule: issue.rule, message: issue.message });
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (send(res, outcome.status, outcome.payload, outcome.headers)) record.status = outcome.status;
  }

  /** Carries out a fault; true when the request should then be processed. */
  async #applyFault(fault: Action, req: IncomingMessage, res: ServerResponse, record: MutableRecord): Promise<boolean> {
    switch (fault.kind) {
      case 'status': {
        const payload = fault.body === undefined ? errorBody(errorType(fault.status), `injected fault: ${fault.label}`) : fault.body;
        const headers = { ...(fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter }), ...fault.headers };
        if (send(res, fault.status, payload, headers)) record.status = fault.status;
        return false;
      }
      case 'drop':
        if (fault.when === 'after') return true;
        req.socket.destroy();
        return false;
      case 'delay':
        await this.#sleep(fault.ms);
        return true;
      case 'hang':
        return false;
    }
  }

  /** A timer that close() cancels (the request is then never processed). */
  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  /** Answers a fully received request, applying the contract in the order a real deployment would. */
  #process(method: string, path: string, req: IncomingMessage, body: Buffer | undefined, record: MutableRecord): Outcome {
    if (body === undefined) {
      const message = `request body is larger than ${this.#maxBodyBytes} bytes`;
      return { ...fail(413, 'body-too-large', message), headers: { connection: 'close' } };
    }
    const route = routeOf(method, path);
    if (!route) return fail(404, 'unknown-route', `no route for ${method} ${path}`);
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return {
        status: 401,
        payload: errorBody('UnauthorizedError', 'missing or invalid API key (expected Authorization: Bearer <key>)'),
        issues: [],
      };
    }
    if (route.kind !== 'create' && !isUuid(route.id)) {
      return fail(422, 'uuid', `path parameter ${JSON.stringify(route.id)} is not a UUID (8-4-4-4-12 hex)`);
    }
    switch (route.kind) {
      case 'get-span': {
        const span = this.#store.get(route.id);
        return span ? ok({ ...span, feedback: null }) : notFound(`span ${route.id} not found`);
      }
      case 'get-trace': {
        const trace = this.#store.trace(route.id);
        return trace ? ok(trace) : notFound(`trace ${route.id} not found`);
      }
      case 'create':
      case 'update':
        return this.#write(route, req, body, record);
    }
  }

  #write(route: Route, req: IncomingMessage, bytes: Buffer, record: MutableRecord): Outcome {
    if (route.kind === 'update') record.spanId = route.id.toLowerCase();
    if (!isJsonContentType(req.headers['content-type'])) {
      return fail(422, 'content-type', `Content-Type must be application/json, got ${JSON.stringify(req.headers['content-type'] ?? '')}`);
    }
    const parsed = parseJsonObject(bytes);
    if ('issue' in parsed) return invalid([parsed.issue]);
    if (route.kind === 'create' && typeof parsed.body.id === 'string') record.spanId = parsed.body.id.toLowerCase();
    const badString = findBadString(parsed.body);
    if (badString) return invalid([badString]);
    const issues = route.kind === 'create' ? checkCreate(parsed.body) : checkUpdate(parsed.body);
    if (issues.some(isFatal)) return invalid(issues);
    if (route.kind === 'create') {
      const span = this.#store.create(parsed.body);
      if (!span) return { status: 409, payload: errorBody('ConflictError', 'span already exists', { id: parsed.body.id }), issues };
      this.#changed();
      this.#onSpan?.(span);
      return { ...ok(span), issues };
    }
    const span = this.#store.update(route.id, parsed.body);
    if (!span) {
      const missing = fail(404, 'patch-unknown-span', `span ${route.id} not found: PATCH before its POST`);
      return { ...missing, issues: [...issues, ...missing.issues] };
    }
    this.#changed();
    this.#onSpan?.(span);
    return { ...ok(span), issues };
  }
}

function routeOf(method: string, path: string): Route | undefined {
  if (path === '/v2/spans') return method === 'POST' ? { kind: 'create' } : undefined;
  const match = /^\/v2\/(spans|traces)\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  const id = decodeSegment(match[2]!);
  if (match[1] === 'traces') return method === 'GET' ? { kind: 'get-trace', id } : undefined;
  if (method === 'GET') return { kind: 'get-span', id };
  if (method === 'PATCH') return { kind: 'update', id };
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function ok(payload: unknown): Outcome {
  return { status: 200, payload, issues: [] };
}

/** A read of an id that is not there: Opper answers 404 too, and asking breaks no rule (the
 * bridge's /readyz probe asks for a span that never exists). */
function notFound(message: string): Outcome {
  return { status: 404, payload: errorBody(errorType(404), message), issues: [] };
}

function fail(status: number, rule: ViolationRule, message: string): Outcome {
  return { status, payload: errorBody(errorType(status), message), issues: [{ rule, field: 'request', message }] };
}

/** A 422 listing every fatal issue; unknown fields found alongside are still recorded as violations. */
function invalid(issues: readonly Issue[]): Outcome {
  const fatal = issues.filter(isFatal);
  const detail = fatal.map(({ rule, field, message }) => ({ rule, field, message }));
  return { status: 422, payload: errorBody('RequestValidationError', fatal.map((issue) => issue.message).join('; '), detail), issues };
}
