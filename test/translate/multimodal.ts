// The multimodal spans of issue 25, as instrumentations write them: a question with a 700 KB PNG,
// an image link and a 300 KB WAV inline. Shared by the translation tests and the doors' tests.
import type { Attributes } from '@opentelemetry/api';
import { IMAGE_URL, PNG_SIZE, QUESTION, WAV_SIZE, pngBytes, wavBytes } from '../llm/fixtures/media.mjs';

export { IMAGE_URL, QUESTION };
export const PNG_BASE64 = pngBytes(PNG_SIZE).toString('base64');
export const WAV_BASE64 = wavBytes(WAV_SIZE).toString('base64');
export const ANSWER = 'A harbour at dusk, and a voice counting to three.';
export const PNG_DESCRIPTION = '[image: image/png, 700 KB, base64 omitted]';
export const WAV_DESCRIPTION = '[audio: audio/wav, 300 KB, base64 omitted]';

/** Any base64-looking run longer than 1,000 characters. */
export const LONG_BASE64 = /[A-Za-z0-9+/_-]{1001,}/;

/** An OTel GenAI chat span: text, a PNG blob, an image uri and a WAV blob in; the answer out. */
export const GENAI_CHAT: Attributes = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.input.messages': JSON.stringify([
    {
      role: 'user',
      parts: [
        { type: 'text', content: QUESTION },
        { type: 'blob', modality: 'image', mime_type: 'image/png', content: PNG_BASE64 },
        { type: 'uri', modality: 'image', uri: IMAGE_URL },
        { type: 'blob', modality: 'audio', mime_type: 'audio/wav', content: WAV_BASE64 },
      ],
    },
  ]),
  'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: ANSWER }], finish_reason: 'stop' }]),
  'gen_ai.usage.input_tokens': 1200,
  'gen_ai.usage.output_tokens': 14,
};

/** An OpenInference LLM span whose image content is a data: URL (and the raw request in input.value). */
export const OPENINFERENCE_CHAT: Attributes = {
  'openinference.span.kind': 'LLM',
  'llm.model_name': 'gpt-4o',
  'input.value': JSON.stringify({
    model: 'gpt-4o',
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: QUESTION },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
        ],
      },
    ],
  }),
  'input.mime_type': 'application/json',
  'llm.input_messages.0.message.role': 'user',
  'llm.input_messages.0.message.contents.0.message_content.type': 'text',
  'llm.input_messages.0.message.contents.0.message_content.text': QUESTION,
  'llm.input_messages.0.message.contents.1.message_content.type': 'image',
  'llm.input_messages.0.message.contents.1.message_content.image.image.url': `data:image/png;base64,${PNG_BASE64}`,
  'llm.input_messages.0.message.contents.2.message_content.type': 'image',
  'llm.input_messages.0.message.contents.2.message_content.image.image.url': IMAGE_URL,
  'llm.output_messages.0.message.role': 'assistant',
  'llm.output_messages.0.message.content': ANSWER,
  'llm.token_count.prompt': 1200,
  'llm.token_count.completion': 14,
};

/** A Vercel AI SDK provider call whose prompt holds the PNG and the WAV as file parts. */
export const AI_SDK_CALL: Attributes = {
  'ai.operationId': 'ai.generateText.doGenerate',
  'ai.model.id': 'gpt-4o',
  'ai.model.provider': 'openai.chat',
  'ai.prompt.messages': JSON.stringify([
    {
      role: 'user',
      content: [
        { type: 'text', text: QUESTION },
        { type: 'file', mediaType: 'image/png', data: PNG_BASE64 },
        { type: 'file', mediaType: 'image/jpeg', data: IMAGE_URL },
        { type: 'file', mediaType: 'audio/wav', data: WAV_BASE64 },
      ],
    },
  ]),
  'ai.response.text': ANSWER,
  'ai.usage.inputTokens': 1200,
  'ai.usage.outputTokens': 14,
};

export const MULTIMODAL_SPANS: Readonly<Record<string, Attributes>> = {
  'GenAI chat': GENAI_CHAT,
  OpenInference: OPENINFERENCE_CHAT,
  'Vercel AI SDK': AI_SDK_CALL,
};

/** What each span's input must mention besides the question (the parts after the image included). */
export const MENTIONS: Readonly<Record<string, readonly string[]>> = {
  'GenAI chat': [PNG_DESCRIPTION, IMAGE_URL, WAV_DESCRIPTION],
  OpenInference: [PNG_DESCRIPTION, IMAGE_URL],
  'Vercel AI SDK': [PNG_DESCRIPTION, IMAGE_URL, WAV_DESCRIPTION],
};
