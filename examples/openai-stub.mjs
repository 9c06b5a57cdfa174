// A tiny OpenAI-compatible server on loopback, for the LLM example and the LLM end-to-end tests.
// It answers deterministically (no model, no network): chat completions (plain, streamed, with
// tool calls) and embeddings, with usage that includes cached and reasoning tokens.
import { createServer } from 'node:http';

/** Token counts every chat completion reports, so tests can assert exact numbers. */
export const STUB_CHAT_USAGE = Object.freeze({ input: 21, output: 9, cached: 4, reasoning: 3 });
/** Token count every embeddings call reports. */
export const STUB_EMBEDDING_TOKENS = 5;
/** Dimensions of the stub's embedding vectors. */
export const STUB_EMBEDDING_DIMENSIONS = 4;
/** The one tool the example agent offers the model (OpenAI chat `tools` format). */
export const WEATHER_TOOL = Object.freeze({
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
});

/**
 * The stub's answer to a chat: a tool call when tools are offered and no tool result has come
 * back yet; otherwise a sentence quoting the last user message (or the last tool result).
 */
export function stubReply(messages, tools) {
  const last = messages.at(-1);
  if (Array.isArray(tools) && tools.length > 0 && last?.role !== 'tool') {
    const name = tools[0]?.function?.name ?? 'tool';
    return { toolCall: { id: 'call_stub_1', name, arguments: JSON.stringify({ city: 'Stockholm' }) } };
  }
  if (last?.role === 'tool') return { text: `The tool said: ${textOf(last.content)}` };
  const user = [...messages].reverse().find((message) => message.role === 'user');
  return { text: `Stub answer to: ${textOf(user?.content)}` };
}

/** Starts the stub on 127.0.0.1 (ephemeral port). `baseURL` ends in `/v1`, as the openai SDK wants. */
export async function startOpenAIStub({ model = 'gpt-4o-mini-2024-07-18' } = {}) {
  const requests = [];
  let counter = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      let json;
      try {
        json = body ? JSON.parse(body) : {};
      } catch {
        return send(res, 400, { error: { message: 'invalid JSON', type: 'invalid_request_error' } });
      }
      const path = (req.url ?? '').split('?')[0];
      requests.push({ method: req.method, path, body: json });
      const id = ++counter;
      if (req.method === 'POST' && path === '/v1/chat/completions') return chat(res, json, id, model);
      if (req.method === 'POST' && path === '/v1/embeddings') return embeddings(res, json);
      send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function chat(res, request, id, model) {
  const reply = stubReply(Array.isArray(request.messages) ? request.messages : [], request.tools);
  const created = 1_750_000_000;
  const completionId = `chatcmpl-stub-${id}`;
  const usage = {
    prompt_tokens: STUB_CHAT_USAGE.input,
    completion_tokens: STUB_CHAT_USAGE.output,
    total_tokens: STUB_CHAT_USAGE.input + STUB_CHAT_USAGE.output,
    prompt_tokens_details: { cached_tokens: STUB_CHAT_USAGE.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: STUB_CHAT_USAGE.reasoning, audio_tokens: 0 },
  };
  const finishReason = reply.toolCall ? 'tool_calls' : 'stop';
  const toolCalls = reply.toolCall
    ? [{ id: reply.toolCall.id, type: 'function', function: { name: reply.toolCall.name, arguments: reply.toolCall.arguments } }]
    : undefined;
  if (!request.stream) {
    return send(res, 200, {
      id: completionId,
      object: 'chat.completion',
      created,
      model,
      system_fingerprint: 'fp_stub',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: reply.text ?? null, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
          logprobs: null,
          finish_reason: finishReason,
        },
      ],
      usage,
    });
  }
  // Server-sent events, in the chunk shapes OpenAI sends.
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const chunk = (choices, extra = {}) =>
    `data: ${JSON.stringify({ id: completionId, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_stub', choices, ...extra })}\n\n`;
  let out = chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]);
  if (toolCalls) {
    const [call] = toolCalls;
    out += chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] }, finish_reason: null }]);
    out += chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, finish_reason: null }]);
  } else {
    // Two pieces, split on a word boundary, so streaming has something to assemble.
    const text = reply.text;
    const cut = Math.max(1, text.indexOf(' ', Math.floor(text.length / 2)));
    out += chunk([{ index: 0, delta: { content: text.slice(0, cut) }, logprobs: null, finish_reason: null }]);
    out += chunk([{ index: 0, delta: { content: text.slice(cut) }, logprobs: null, finish_reason: null }]);
  }
  out += chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
  if (request.stream_options?.include_usage) out += chunk([], { usage });
  out += 'data: [DONE]\n\n';
  res.end(out);
}

function embeddings(res, request) {
  const inputs = Array.isArray(request.input) ? request.input : [request.input];
  send(res, 200, {
    object: 'list',
    data: inputs.map((input, index) => {
      // Deterministic, small vectors derived from the text.
      const vector = Array.from({ length: STUB_EMBEDDING_DIMENSIONS }, (_, i) => ((String(input).length * (i + 1)) % 97) / 97);
      // The openai SDK asks for base64 (little-endian float32) unless told otherwise.
      const embedding = request.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    }),
    model: request.model,
    usage: { prompt_tokens: STUB_EMBEDDING_TOKENS, total_tokens: STUB_EMBEDDING_TOKENS },
  });
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function textOf(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('');
  return '';
}
