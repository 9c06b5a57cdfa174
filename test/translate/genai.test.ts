import { describe, expect, it } from '@jest/globals';
import { translateSpan } from '../../src/translate/index.js';
import { joinSystemInstructions } from '../../src/translate/genai.js';
import { makeSpan, parse, type SpanFields } from './helpers.js';

const inputOf = (attributes: SpanFields['attributes']) => {
  const { create } = parse(translateSpan(makeSpan({ attributes }), { maxBodyBytes: 512 * 1024 }));
  return { input: create.input as string | undefined, meta: create.meta };
};

const USER = [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }];
const SYSTEM_PARTS = [{ type: 'text', content: 'Be brief.' }];

describe('GenAI system instructions joined to the input', () => {
  it('puts a leading system message before a JSON message list, and consumes both attributes', () => {
    const { input, meta } = inputOf({
      'gen_ai.input.messages': JSON.stringify(USER),
      'gen_ai.system_instructions': JSON.stringify(SYSTEM_PARTS),
    });
    expect(JSON.parse(input!)).toEqual([{ role: 'system', parts: SYSTEM_PARTS }, ...USER]);
    expect(meta).not.toHaveProperty('gen_ai.system_instructions');
    expect(meta).not.toHaveProperty('gen_ai.input.messages');
  });

  it('wraps plain-text instructions in one text part', () => {
    const { input } = inputOf({ 'gen_ai.input.messages': JSON.stringify(USER), 'gen_ai.system_instructions': 'You are a pirate.' });
    expect(JSON.parse(input!)).toEqual([{ role: 'system', parts: [{ type: 'text', content: 'You are a pirate.' }] }, ...USER]);
  });

  it('accepts instructions as a string array attribute or a single JSON part', () => {
    const fromArray = inputOf({ 'gen_ai.input.messages': '[]', 'gen_ai.system_instructions': ['One.', 'Two.'] }).input;
    expect(JSON.parse(fromArray!)).toEqual([
      {
        role: 'system',
        parts: [
          { type: 'text', content: 'One.' },
          { type: 'text', content: 'Two.' },
        ],
      },
    ]);
    const fromObject = inputOf({ 'gen_ai.input.messages': '[]', 'gen_ai.system_instructions': '{"type":"text","content":"Solo."}' }).input;
    expect(JSON.parse(fromObject!)).toEqual([{ role: 'system', parts: [{ type: 'text', content: 'Solo.' }] }]);
  });

  it('gives the system message alone when there are no input messages', () => {
    const { input } = inputOf({ 'gen_ai.system_instructions': JSON.stringify(SYSTEM_PARTS), 'gen_ai.tool.call.arguments': '{}' });
    expect(JSON.parse(input!)).toEqual([{ role: 'system', parts: SYSTEM_PARTS }]);
  });

  it('joins as text, losing nothing, when the messages are not a JSON array', () => {
    const broken = '[{"role":"user","parts":[{"type":"text","content":"Hi"';
    expect(inputOf({ 'gen_ai.input.messages': broken, 'gen_ai.system_instructions': 'Be brief.' }).input).toBe(
      `system: Be brief.\n\n${broken}`,
    );
    expect(inputOf({ 'gen_ai.input.messages': 'just text', 'gen_ai.system_instructions': '[broken' }).input).toBe(
      'system: [broken\n\njust text',
    );
    expect(inputOf({ 'gen_ai.input.messages': '{"role":"user"}', 'gen_ai.system_instructions': 'S' }).input).toBe(
      'system: S\n\n{"role":"user"}',
    );
  });

  it('keeps the messages untouched when there are no instructions', () => {
    const messages = ' [ {"role": "user"} ] ';
    expect(inputOf({ 'gen_ai.input.messages': messages }).input).toBe(messages);
  });

  it('keeps escapes of unstorable characters as escapes (the text stays storable)', () => {
    const joined = joinSystemInstructions('S', '[{"content":"a\\u0000b\\ud800"}]')!;
    expect(joined).not.toMatch(/[\u0000\ud800]/);
    expect(JSON.parse(joined)[1].content).toBe('a\u0000b\ud800');
  });

  it('never throws on odd instruction values', () => {
    for (const system of [42, true, ['a', null], '', '[]', '{}', '[1,"x",{"type":"text"}]']) {
      expect(() => joinSystemInstructions(system, '[{"role":"user"}]')).not.toThrow();
    }
    expect(joinSystemInstructions(undefined, 'm')).toBe('m');
    expect(JSON.parse(joinSystemInstructions(42, '[]')!)).toEqual([{ role: 'system', parts: [{ type: 'text', content: '42' }] }]);
  });
});
