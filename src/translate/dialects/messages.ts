/**
 * The one message shape every LLM dialect is rendered into: the OTel GenAI message
 * (`{role, parts: [{type: 'text', content}, {type: 'tool_call', id, name, arguments},
 * {type: 'tool_call_response', id, response}, ...], finish_reason?}`), so a prompt reads the same in
 * Opper whichever library traced it. Helpers here never throw.
 */
import type { Attributes } from '@opentelemetry/api';
import { describeData, describedMedia, isBinaryDescription } from '../media.js';
import { asText, cleanString } from '../values.js';

export interface Part {
  type: string;
  [key: string]: unknown;
}

export interface Message {
  role: string;
  parts: Part[];
  name?: string;
  finish_reason?: string;
}

/** Longer JSON texts are not parsed (kept as they are; the size caps cut them later). */
const MAX_PARSE_CHARS = 4 * 1024 * 1024;
/** Longer message lists are not converted (kept as they are). */
export const MAX_MESSAGES = 2000;
/** Indices above this in `prefix.N.field` keys are ignored (no sparse giant arrays). */
const MAX_INDEX = 100_000;

/** The parsed value when `text` is a JSON array or object (not too large); undefined otherwise. */
export function parseJson(text: unknown): unknown {
  if (typeof text !== 'string' || text.length > MAX_PARSE_CHARS) return undefined;
  const first = text.trimStart()[0];
  if (first !== '[' && first !== '{') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `value` when it is a JSON text of an array or object, parsed; the value itself otherwise. */
export function maybeParsed(value: unknown): unknown {
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

/** JSON text of a rendered value, or undefined when it cannot be encoded. Escapes keep it storable. */
export function render(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const textPart = (content: string): Part => ({ type: 'text', content });

/** A tool call part; JSON-text arguments are parsed so they read as an object. */
export function toolCallPart(id: unknown, name: unknown, args: unknown): Part {
  const part: Part = { type: 'tool_call' };
  if (id != null && id !== '') part.id = String(id);
  part.name = name == null ? '' : String(name);
  if (args !== undefined && args !== null) part.arguments = maybeParsed(args);
  return part;
}

/** A tool result part; JSON-text responses are parsed. */
export function toolResponsePart(id: unknown, response: unknown): Part {
  const part: Part = { type: 'tool_call_response' };
  if (id != null && id !== '') part.id = String(id);
  part.response = maybeParsed(response);
  return part;
}

/**
 * Content in the shapes providers use (a string, or a list of `{type: 'text', text}`-like parts)
 * as GenAI parts. Strings that are JSON lists of parts (as some instrumentations write them) are read too.
 */
export function contentParts(content: unknown): Part[] {
  if (content == null || content === '' || content === 'null') return [];
  if (typeof content === 'string') {
    const parsed = content.startsWith('[') ? parseJson(content) : undefined;
    if (Array.isArray(parsed) && parsed.every((item) => isRecord(item) && typeof item.type === 'string')) return contentParts(parsed);
    return [textPart(content)];
  }
  if (Array.isArray(content)) return content.flatMap(contentPart);
  return contentPart(content);
}

function contentPart(item: unknown): Part[] {
  if (typeof item === 'string') return [textPart(item)];
  if (!isRecord(item)) return item == null ? [] : [textPart(asText(item) ?? '')];
  const type = typeof item.type === 'string' ? item.type : 'text';
  if ((type === 'text' || type === 'input_text' || type === 'output_text') && typeof item.text === 'string') return [textPart(item.text)];
  if (type === 'text' && typeof item.content === 'string') return [textPart(item.content)];
  return [providerMediaPart(item, type) ?? { ...item, type }];
}

/**
 * A provider's image, audio or file block as a GenAI part (`blob` with the payload's description,
 * `uri`, `file`): OpenAI's `image_url` / `input_image` / `input_audio` / `file`, Anthropic's
 * `image` / `document` with a `source`. Undefined for anything else.
 */
function providerMediaPart(item: Record<string, unknown>, type: string): Part | undefined {
  switch (type) {
    case 'image_url':
    case 'input_image': {
      const url = isRecord(item.image_url) ? item.image_url.url : (item.image_url ?? item.file_id);
      if (typeof url !== 'string') return undefined;
      return item.file_id === url ? { type: 'file', modality: 'image', file_id: url } : mediaPart('image', undefined, url);
    }
    case 'input_audio': {
      const audio = isRecord(item.input_audio) ? item.input_audio : undefined;
      const format = typeof audio?.format === 'string' ? `audio/${audio.format}` : undefined;
      return audio === undefined ? undefined : mediaPart('audio', format, undefined, audio.data);
    }
    case 'image':
    case 'document': {
      const source = item.source;
      if (!isRecord(source)) return undefined;
      const modality = type === 'image' ? 'image' : 'document';
      if (typeof source.file_id === 'string') return { type: 'file', modality, file_id: source.file_id };
      return mediaPart(modality, source.media_type, typeof source.url === 'string' ? source.url : undefined, source.data);
    }
    case 'file': {
      const file = isRecord(item.file) ? item.file : undefined;
      if (file === undefined) return undefined;
      if (typeof file.file_id === 'string') return { type: 'file', modality: 'document', file_id: file.file_id };
      return mediaPart('document', undefined, undefined, file.file_data, file.filename);
    }
    default:
      return undefined;
  }
}

/**
 * A media part: a `uri` part for a link, else a `blob` part whose content is the payload's
 * description (binary.ts), never its bytes.
 */
export function mediaPart(modality: string, media: unknown, uri?: unknown, data?: unknown, filename?: unknown): Part {
  if (typeof uri === 'string' && !uri.startsWith('data:') && !isBinaryDescription(uri)) {
    return withMedia({ type: 'uri', modality, uri }, media);
  }
  const content = describeData(uri ?? data, media);
  const part = withMedia({ type: 'blob', modality }, media ?? describedMedia(content));
  if (typeof filename === 'string') part.filename = filename;
  if (content !== undefined) part.content = content;
  return part;
}

function withMedia(part: Part, media: unknown): Part {
  if (typeof media === 'string' && media !== '') part.mime_type = media;
  return part;
}

/** The message as `{role, parts}` with the optional fields set only when present. */
export function message(role: unknown, parts: Part[], extra?: { name?: unknown; finish_reason?: unknown }): Message {
  const out: Message = { role: typeof role === 'string' && role !== '' ? role : 'user', parts };
  if (typeof extra?.name === 'string' && extra.name !== '') out.name = extra.name;
  if (typeof extra?.finish_reason === 'string' && extra.finish_reason !== '') out.finish_reason = extra.finish_reason;
  return out;
}

/** One `prefix.N.rest` group: its index and its fields (`rest` -> value). */
export interface Indexed {
  readonly index: number;
  readonly fields: Map<string, unknown>;
}

/**
 * Groups flattened list attributes (`prefix.0.role`, `prefix.0.content`, `prefix.2.role`, ...) by
 * index, in index order; missing indices are skipped. Adds every key it read to `keys`.
 */
export function indexed(attributes: Attributes | ReadonlyMap<string, unknown>, prefix: string, keys?: string[]): Indexed[] {
  const groups = new Map<number, Map<string, unknown>>();
  const entries = attributes instanceof Map ? attributes.entries() : Object.entries(attributes as Attributes);
  for (const [key, value] of entries) {
    if (!key.startsWith(prefix)) continue;
    const dot = key.indexOf('.', prefix.length);
    const digits = dot === -1 ? key.slice(prefix.length) : key.slice(prefix.length, dot);
    if (!/^\d{1,6}$/.test(digits)) continue;
    const index = Number(digits);
    if (index > MAX_INDEX) continue;
    let fields = groups.get(index);
    if (fields === undefined) groups.set(index, (fields = new Map()));
    fields.set(dot === -1 ? '' : key.slice(dot + 1), value);
    keys?.push(key);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([index, fields]) => ({ index, fields }));
}

/** Whether any attribute key starts with `prefix` (stops at the first). */
export function hasPrefix(attributes: Attributes, prefix: string): boolean {
  for (const key in attributes) if (key.startsWith(prefix)) return true;
  return false;
}

/** Plain text of a JSON-text value that encodes a bare string (`"\"hi\""` -> `hi`); the text itself otherwise. Cleaned. */
export function unquote(text: string): string {
  if (text.length >= 2 && text[0] === '"') {
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'string') return cleanString(value);
    } catch {
      // not JSON: the text as it is
    }
  }
  return cleanString(text);
}
