/**
 * An OTLP request taken in parts: how many spans it holds, then its spans a few at a time, each
 * part shaped as a request of its own (`{resourceSpans: [...]}`, what `readSpans` reads). A large
 * request is then never decoded, read or translated all at once: memory stays bounded by the part
 * in hand, and the event loop is free between parts.
 *
 * Protobuf is indexed by walking its wire format (nothing decoded but each resource and scope);
 * each span is decoded only when its part is asked for. JSON arrives parsed: its parts are slices.
 */
import type protobuf from 'protobufjs';
import { countSpans, field, list } from './otlp-spans.js';

export interface RequestParts {
  /** Spans in the whole request. */
  readonly count: number;
  /** The spans, at most `size` to a part, in order. A span that does not decode is left out and counted in `undecodable`. */
  parts(size: number): Iterable<unknown>;
  /** Why spans were left out so far (one entry per span). */
  readonly undecodable: string[];
}

/** The types a protobuf request's parts are decoded with. */
export interface PartTypes {
  Resource: protobuf.Type;
  Scope: protobuf.Type;
  Span: protobuf.Type;
}

// `spans` holds each span's start and end offset, flat: [start0, end0, start1, end1, ...].
type Scope = { scope: unknown; spans: number[] };
type ResourceGroup = { resource: unknown; scopes: Scope[] };

// Field numbers of ExportTraceServiceRequest, ResourceSpans and ScopeSpans (trace.proto), all length-delimited.
const RESOURCE_SPANS = 1;
const RESOURCE = 1;
const SCOPE_SPANS = 2;
const SCOPE = 1;
const SPANS = 2;
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

/** Indexes protobuf `bytes` (throws when they are not an ExportTraceServiceRequest). */
export function protobufParts(bytes: Buffer, types: PartTypes): RequestParts {
  const groups: ResourceGroup[] = [];
  let count = 0;
  eachField(bytes, 0, bytes.length, (field, start, end) => {
    if (field !== RESOURCE_SPANS) return;
    const group: ResourceGroup = { resource: undefined, scopes: [] };
    eachField(bytes, start, end, (inner, from, to) => {
      if (inner === RESOURCE) group.resource = types.Resource.decode(bytes.subarray(from, to));
      else if (inner === SCOPE_SPANS) {
        const scope: Scope = { scope: undefined, spans: [] };
        eachField(bytes, from, to, (leaf, a, b) => {
          if (leaf === SCOPE) scope.scope = types.Scope.decode(bytes.subarray(a, b));
          else if (leaf === SPANS) scope.spans.push(a, b);
        });
        count += scope.spans.length / 2;
        group.scopes.push(scope);
      }
    });
    groups.push(group);
  });
  const undecodable: string[] = [];
  return {
    count,
    undecodable,
    *parts(size) {
      let part = newPart();
      let inPart = 0;
      for (const { resource, scopes } of groups) {
        for (const { scope, spans } of scopes) {
          let list: unknown[] | undefined;
          for (let i = 0; i < spans.length; i += 2) {
            if (list === undefined) {
              list = [];
              part.resourceSpans.push({ resource, scopeSpans: [{ scope, spans: list }] });
            }
            try {
              list.push(types.Span.decode(bytes.subarray(spans[i]!, spans[i + 1]!)));
            } catch (error) {
              undecodable.push(`the span does not decode: ${error instanceof Error ? error.message : String(error)}`);
            }
            if (++inPart === size) {
              yield part;
              part = newPart();
              inPart = 0;
              list = undefined;
            }
          }
        }
      }
      if (inPart > 0) yield part;
    },
  };
}

/** A request already decoded (the OTLP JSON mapping), sliced into parts. */
export function objectParts(request: unknown): RequestParts {
  const groups = list(field(request, 'resourceSpans')).map((resourceSpans) => ({
    resource: field(resourceSpans, 'resource'),
    scopes: list(field(resourceSpans, 'scopeSpans')).map((scopeSpans) => ({
      scope: field(scopeSpans, 'scope'),
      spans: list(field(scopeSpans, 'spans')),
    })),
  }));
  return {
    count: countSpans(request),
    undecodable: [],
    *parts(size) {
      let part = newPart();
      let inPart = 0;
      for (const { resource, scopes } of groups) {
        for (const { scope, spans } of scopes) {
          for (let from = 0; from < spans.length; ) {
            const take = Math.min(size - inPart, spans.length - from);
            part.resourceSpans.push({ resource, scopeSpans: [{ scope, spans: spans.slice(from, from + take) }] });
            from += take;
            inPart += take;
            if (inPart === size) {
              yield part;
              part = newPart();
              inPart = 0;
            }
          }
        }
      }
      if (inPart > 0) yield part;
    },
  };
}

function newPart(): { resourceSpans: unknown[] } {
  return { resourceSpans: [] };
}

/** Calls `visit` with each length-delimited field of the message in `bytes[start, end)`: its number
 * and where its value starts and ends. Other fields are skipped; bytes that break the wire format throw. */
function eachField(bytes: Buffer, start: number, end: number, visit: (field: number, from: number, to: number) => void): void {
  let pos = start;
  while (pos < end) {
    const tag = varint(bytes, pos, end);
    pos = cursor;
    const field = Math.floor(tag / 8);
    const wireType = tag % 8;
    if (field === 0) throw new Error(`invalid field 0 at offset ${pos}`);
    if (wireType === LENGTH_DELIMITED) {
      const length = varint(bytes, pos, end);
      pos = cursor + length;
      if (pos > end) throw new Error(`a field runs past its message at offset ${cursor}`);
      visit(field, cursor, pos);
    } else if (wireType === VARINT) {
      varint(bytes, pos, end);
      pos = cursor;
    } else if (wireType === FIXED64 || wireType === FIXED32) {
      pos += wireType === FIXED64 ? 8 : 4;
    } else {
      throw new Error(`unsupported wire type ${wireType} at offset ${pos}`);
    }
  }
  if (pos !== end) throw new Error('a field runs past its message');
}

// Where the last varint read ended (saves allocating a pair per read).
let cursor = 0;

function varint(bytes: Buffer, pos: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 64; shift += 7) {
    if (pos >= end) throw new Error('a varint runs past its message');
    const byte = bytes[pos++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) {
      cursor = pos;
      return value;
    }
  }
  throw new Error('a varint is longer than 10 bytes');
}
