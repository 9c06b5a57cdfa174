/** Span attributes a user sets to steer the mapping (docs/mapping.md, "Attributes the user sets"). */

/** The span's Opper `type`, overriding every other rule. */
export const ATTR_OPPER_TYPE = 'opper.type';
/** The span's Opper `input` (a string is kept as is, anything else is JSON-encoded). */
export const ATTR_OPPER_INPUT = 'opper.input';
/** The span's Opper `output` (a string is kept as is, anything else is JSON-encoded). */
export const ATTR_OPPER_OUTPUT = 'opper.output';
/** The span's Opper `score`, when it is a finite number (rounded to an integer). */
export const ATTR_OPPER_SCORE = 'opper.score';

/** Meta key set to `true` on the create body when anything in the span was cut to fit the size limit. */
export const META_OPPER_TRUNCATED = 'opper.truncated';
/** Meta key on a span sent before it ended: `running` while it runs, `shutdown` when the process shut down first. */
export const META_OPPER_UNFINISHED = 'opper.unfinished';
/**
 * Meta key set when a time was not sent as it is: `{start_time?, end_time?}`, each the original time
 * as text (a time outside years 0001-9999 is sent as the nearest bound, an end before the start as
 * the start).
 */
export const META_OPPER_CLAMPED_TIME = 'opper.clamped_time';
