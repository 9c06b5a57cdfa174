// A tiny OpenAI-compatible server on loopback, for the LLM example and the LLM end-to-end tests.
// It answers deterministically (no model, no network): chat completions and Responses API calls
// (plain, streamed, with tool calls) and embeddings, with usage that includes cached and
// reasoning tokens.
import { createServer } from 'node:http';

/** Token counts every chat completion and every Responses API call report, so tests can assert exact numbers. */
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
      if (req.method === 'POST' && path === '/v1/responses') return respond(res, json, id, model);
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
    out += chunk([
      {
        index: 0,
        delta: { tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] },
        finish_reason: null,
      },
    ]);
    out += chunk([
      { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: call.function.arguments } }] }, finish_reason: null },
    ]);
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

/**
 * The stub's answer to a Responses API call (`input` a string or a list of items): a call of the
 * first function tool when tools are offered and the last input item is not a tool result;
 * otherwise a sentence quoting the last tool result (or the last user message). The call's
 * arguments name a city when the tool takes one, else none (a handoff tool takes none).
 */
export function stubResponsesReply(input, tools) {
  const items = typeof input === 'string' ? [{ role: 'user', content: input }] : Array.isArray(input) ? input : [];
  const last = items.at(-1);
  const tool = Array.isArray(tools) ? tools.find((t) => t?.type === 'function') : undefined;
  if (tool !== undefined && last?.type !== 'function_call_output') {
    const args = tool.parameters?.properties?.city !== undefined ? { city: 'Stockholm' } : {};
    return { toolCall: { name: tool.name, arguments: JSON.stringify(args) } };
  }
  if (last?.type === 'function_call_output') return { text: `The tool said: ${textOf(last.output)}` };
  const user = [...items].reverse().find((item) => item.role === 'user');
  return { text: `Stub answer to: ${textOf(user?.content)}` };
}

// The Responses API (POST /v1/responses), in the object and event shapes of openai@7's types.
function respond(res, request, id, model) {
  const reply = stubResponsesReply(request.input, request.tools);
  const item = reply.toolCall
    ? { id: `fc_stub_${id}`, type: 'function_call', status: 'completed', call_id: `call_stub_${id}`, ...reply.toolCall }
    : {
        id: `msg_stub_${id}`,
        type: 'message',
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
      };
  const response = (status, output, usage) => ({
    id: `resp_stub_${id}`,
    object: 'response',
    created_at: 1_750_000_000,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: {},
    model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: Array.isArray(request.tools) ? request.tools : [],
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage,
    user: null,
  });
  const usage = {
    input_tokens: STUB_CHAT_USAGE.input,
    input_tokens_details: { cached_tokens: STUB_CHAT_USAGE.cached, cache_write_tokens: 0 },
    output_tokens: STUB_CHAT_USAGE.output,
    output_tokens_details: { reasoning_tokens: STUB_CHAT_USAGE.reasoning },
    total_tokens: STUB_CHAT_USAGE.input + STUB_CHAT_USAGE.output,
  };
  if (!request.stream) return send(res, 200, response('completed', [item], usage));
  // Server-sent events as the API sends them: an `event:` line naming each `data:` line's type.
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  let sequence = 0;
  let out = '';
  const event = (type, fields) => (out += `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`);
  event('response.created', { response: response('in_progress', [], null) });
  event('response.in_progress', { response: response('in_progress', [], null) });
  const at = { item_id: item.id, output_index: 0 };
  if (reply.toolCall) {
    event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', arguments: '' } });
    event('response.function_call_arguments.delta', { ...at, delta: item.arguments });
    event('response.function_call_arguments.done', { ...at, arguments: item.arguments });
  } else {
    const text = reply.text;
    const part = item.content[0];
    event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    event('response.content_part.added', { ...at, content_index: 0, part: { ...part, text: '' } });
    // Two pieces, split on a word boundary, so streaming has something to assemble.
    const cut = Math.max(1, text.indexOf(' ', Math.floor(text.length / 2)));
    for (const delta of [text.slice(0, cut), text.slice(cut)])
      event('response.output_text.delta', { ...at, content_index: 0, delta, logprobs: [] });
    event('response.output_text.done', { ...at, content_index: 0, text, logprobs: [] });
    event('response.content_part.done', { ...at, content_index: 0, part });
  }
  event('response.output_item.done', { output_index: 0, item });
  event('response.completed', { response: response('completed', [item], usage) });
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
