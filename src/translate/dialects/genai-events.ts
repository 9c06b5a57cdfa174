/**
 * The current OTel GenAI event `gen_ai.client.inference.operation.details` as a span event: its
 * `gen_ai.input.messages` (with `gen_ai.system_instructions` in front) and `gen_ai.output.messages`
 * become the input and output. Several such events (inputs and outputs emitted apart) are read
 * together; the first one carrying each side wins.
 */
import { consumeEvent, type Dialect, type DialectContext } from '../dialect.js';
import { joinSystemInstructions } from '../genai.js';
import { asText } from '../values.js';

export const INFERENCE_DETAILS_EVENT = 'gen_ai.client.inference.operation.details';

export const genAiDetailsEvent: Dialect = {
  name: 'gen_ai.client.inference.operation.details',
  input: (ctx) => fromEvents(ctx, 'input'),
  output: (ctx) => fromEvents(ctx, 'output'),
};

function fromEvents(ctx: DialectContext, side: 'input' | 'output'): string | undefined {
  const events = ctx.span.events;
  if (!Array.isArray(events) || events.length === 0) return undefined;
  for (const event of events) {
    if (event?.name !== INFERENCE_DETAILS_EVENT) continue;
    const attributes = event.attributes ?? {};
    const text =
      side === 'input'
        ? joinSystemInstructions(attributes['gen_ai.system_instructions'], asText(attributes['gen_ai.input.messages']))
        : asText(attributes['gen_ai.output.messages']);
    if (text === undefined) continue;
    if (side === 'input') consumeEvent(ctx, event, ['gen_ai.input.messages', 'gen_ai.system_instructions']);
    else consumeEvent(ctx, event, ['gen_ai.output.messages']);
    return text;
  }
  return undefined;
}
