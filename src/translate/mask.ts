/**
 * The user's mask, applied to every content-bearing string of a translated span: input, output,
 * error and every string inside meta (attributes of every dialect, events with their exception
 * messages, resource). Runs before the size cap, so a secret is never cut in half and left half
 * visible. A mask that throws costs only that string: it becomes MASK_FAILED_MARKER.
 */
import type { OpperCreateBody, OpperUpdateBody } from './types.js';
import { asText, cleanValue, setKey } from './values.js';

/** Which field of the Opper span a masked string belongs to. */
export type MaskField = 'input' | 'output' | 'error' | 'meta';

/** What `mask` is told about the string it is given. */
export interface MaskInfo {
  readonly field: MaskField;
  /** For `meta`: the top-level meta key the string sits under (e.g. `gen_ai.input.messages`, `otel.events`). */
  readonly key?: string | undefined;
  readonly spanName: string;
  /** OTel ids, hex. */
  readonly traceId: string;
  readonly spanId: string;
}

/** Returns what to send instead of `value`: a string, or undefined/null to leave it out. */
export type MaskFunction = (value: string, info: MaskInfo) => unknown;

/** What replaces a string whose mask threw: nothing is ever sent unmasked. */
export const MASK_FAILED_MARKER = '[redacted: mask threw]';

export interface MaskRun {
  readonly mask: MaskFunction;
  readonly onError?: ((error: unknown) => void) | undefined;
  readonly span: Omit<MaskInfo, 'field' | 'key'>;
}

/** Masks the bodies in place. */
export function maskBodies(run: MaskRun, create: OpperCreateBody, update: OpperUpdateBody): void {
  if (create.input !== undefined) create.input = maskText(run, create.input, { ...run.span, field: 'input' });
  if (update.output !== undefined) update.output = maskText(run, update.output, { ...run.span, field: 'output' });
  if (update.error !== undefined) update.error = maskText(run, update.error, { ...run.span, field: 'error' });
  const meta = create.meta;
  if (meta === undefined) return;
  const masked: Record<string, unknown> = {};
  for (const key of Object.keys(meta)) {
    const value = maskTree(run, meta[key], { ...run.span, field: 'meta', key }, 0);
    if (value !== undefined) setKey(masked, key, value);
  }
  create.meta = masked;
}

function maskText(run: MaskRun, value: string, info: MaskInfo): string | undefined {
  return asText(apply(run, value, info));
}

function apply(run: MaskRun, value: string, info: MaskInfo): unknown {
  try {
    return run.mask(value, info) ?? undefined;
  } catch (error) {
    run.onError?.(error);
    return MASK_FAILED_MARKER;
  }
}

// Meta values are already clean JSON (cleanValue caps their depth), so this recursion is bounded.
function maskTree(run: MaskRun, value: unknown, info: MaskInfo, depth: number): unknown {
  if (typeof value === 'string') return cleanValue(apply(run, value, info));
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => maskTree(run, item, info, depth + 1) ?? null);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const masked = maskTree(run, (value as Record<string, unknown>)[key], info, depth + 1);
    if (masked !== undefined) setKey(out, key, masked);
  }
  return out;
}
