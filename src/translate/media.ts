/**
 * What a binary payload is and how it reads in its place: its media type from its first bytes,
 * its kind (the GenAI modality) and the description that replaces it, e.g.
 * `[image: image/png, 700 KB, base64 omitted]` (no quote or backslash: JSON around it stays valid).
 */

/** A list of bytes has at least this many numbers; its first CHECKED_FIRST and CHECKED_SPREAD evenly spaced ones are checked. */
export const MIN_BYTES = 256;
const CHECKED_FIRST = 64;
const CHECKED_SPREAD = 128;

const DESCRIPTION = /^\[(?:image|audio|video|document|binary): [^\]]*omitted\]$/;

/** Whether `text` is one of the descriptions written here (a payload that was left out). */
export function isBinaryDescription(text: unknown): boolean {
  return typeof text === 'string' && text.length < 120 && DESCRIPTION.test(text);
}

/** The media type a description names, if any. */
export function describedMedia(text: unknown): string | undefined {
  return isBinaryDescription(text) ? /^\[\w+: ([\w.+-]+\/[\w.+-]+),/.exec(text as string)?.[1] : undefined;
}

/**
 * A field that holds a file's bytes (base64 text, a byte list, a JSON-written Uint8Array or Buffer), as
 * its description whatever its length; a description already made is kept.
 */
export function describeData(data: unknown, media?: unknown): string | undefined {
  const declared = typeof media === 'string' && media.includes('/') ? media : undefined;
  if (typeof data === 'string') {
    if (isBinaryDescription(data)) return data;
    const encoded = data.startsWith('data:') ? data.slice(data.indexOf(',') + 1) : data;
    const type = data.startsWith('data:') ? data.slice(5, data.search(/[;,]/)) || declared : declared;
    const bytes = Math.floor((encoded.length * 3) / 4) - (encoded.endsWith('==') ? 2 : encoded.endsWith('=') ? 1 : 0);
    return describe(sniff(Buffer.from(encoded.slice(0, 24), 'base64')) ?? type, formatSize(bytes), 'base64');
  }
  if (isRecord(data) && data.type === 'Buffer') return describeData(data.data, media); // a Buffer as JSON writes it
  const list = Array.isArray(data) ? data : isRecord(data) && typeof data['0'] === 'number' ? Object.values(data) : undefined;
  if (list === undefined) return undefined;
  const head = Uint8Array.from(list.slice(0, 16).map(Number));
  return describe(sniff(head) ?? declared, formatSize(list.length), 'byte array');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list of numbers that are all bytes (checked on its first items and on samples), described. */
export function describeByteArray(list: readonly unknown[]): string | undefined {
  if (list.length < MIN_BYTES) return undefined;
  const step = list.length / CHECKED_SPREAD;
  for (let k = 0; k < CHECKED_SPREAD + CHECKED_FIRST; k++) {
    const value = list[k < CHECKED_FIRST ? k : Math.floor((k - CHECKED_FIRST) * step)];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 255) return undefined;
  }
  return describe(sniff(Uint8Array.from(list.slice(0, 16) as number[])), formatSize(list.length), 'byte array');
}

/** `[image: image/png, 700 KB, base64 omitted]`. */
export function describe(media: string | undefined, size: string, what: string): string {
  return media === undefined ? `[binary: ${size}, ${what} omitted]` : `[${kindOf(media)}: ${media}, ${size}, ${what} omitted]`;
}

/** The GenAI modality of a media type: image, audio, video, document, or binary. */
export function kindOf(media: string): string {
  const top = media.slice(0, media.indexOf('/'));
  if (top === 'image' || top === 'audio' || top === 'video') return top;
  if (top === 'text' || media === 'application/pdf' || media.includes('document') || media.includes('msword')) return 'document';
  return 'binary';
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const [value, unit] = bytes < 1024 * 1024 ? [bytes / 1024, 'KB'] : [bytes / (1024 * 1024), 'MB'];
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

const ascii = (bytes: Uint8Array, at: number, text: string): boolean => {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false;
  return true;
};

/** The media type that the first bytes of a file say, for the common image, audio, video and document formats. */
export function sniff(bytes: Uint8Array): string | undefined {
  if (bytes.length < 4) return undefined;
  if (bytes[0] === 0x89 && ascii(bytes, 1, 'PNG')) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 'GIF8')) return 'image/gif';
  if (ascii(bytes, 0, 'RIFF')) {
    if (ascii(bytes, 8, 'WEBP')) return 'image/webp';
    if (ascii(bytes, 8, 'WAVE')) return 'audio/wav';
    if (ascii(bytes, 8, 'AVI ')) return 'video/x-msvideo';
  }
  if (ascii(bytes, 0, '%PDF')) return 'application/pdf';
  if (ascii(bytes, 0, 'ID3') || (bytes[0] === 0xff && (bytes[1]! & 0xe6) === 0xe2)) return 'audio/mpeg';
  if (ascii(bytes, 0, 'OggS')) return 'audio/ogg';
  if (ascii(bytes, 0, 'fLaC')) return 'audio/flac';
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) return 'video/webm';
  if (ascii(bytes, 4, 'ftyp')) {
    if (ascii(bytes, 8, 'heic') || ascii(bytes, 8, 'heix') || ascii(bytes, 8, 'mif1')) return 'image/heic';
    if (ascii(bytes, 8, 'M4A')) return 'audio/mp4';
    return 'video/mp4';
  }
  return undefined;
}
