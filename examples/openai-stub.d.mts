/** Types of openai-stub.mjs, for the TypeScript tests that import it. */
export declare const STUB_CHAT_USAGE: Readonly<{ input: number; output: number; cached: number; reasoning: number }>;
export declare const STUB_EMBEDDING_TOKENS: number;
export declare const STUB_EMBEDDING_DIMENSIONS: number;
export declare const WEATHER_TOOL: Readonly<{ type: 'function'; function: { name: string; description: string; parameters: object } }>;

export interface StubRequest {
  readonly method: string | undefined;
  readonly path: string;
  readonly body: unknown;
}

export interface OpenAIStub {
  /** e.g. `http://127.0.0.1:40123/v1` */
  readonly baseURL: string;
  readonly requests: readonly StubRequest[];
  close(): Promise<void>;
}

export declare function stubReply(
  messages: readonly unknown[],
  tools?: readonly unknown[],
): { text?: string; toolCall?: { id: string; name: string; arguments: string } };

export declare function startOpenAIStub(options?: { model?: string }): Promise<OpenAIStub>;

export declare function stubResponsesReply(
  input: unknown,
  tools?: readonly unknown[],
): { text?: string; toolCall?: { name: string; arguments: string } };
