/** Whether Opper answers and takes the key, asked with a read that changes nothing (for /readyz). */

// A span id no client makes (a UUID of zeros): Opper answers 404 when it is up and the key is good.
const NO_SUCH_SPAN = '00000000-0000-4000-8000-000000000000';

/** Undefined when Opper is reachable with a key it accepts; else why not. Never rejects. */
export async function probeOpper(baseUrl: string, apiKey: string, headers: Readonly<Record<string, string>>, timeoutMs: number): Promise<string | undefined> {
  try {
    const response = await fetch(`${baseUrl}/spans/${NO_SUCH_SPAN}`, {
      headers: { ...headers, authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    await response.body?.cancel();
    if (response.status === 401 || response.status === 403) return `Opper rejected the API key (HTTP ${response.status})`;
    if (response.status >= 500 || response.status === 429) return `Opper answered HTTP ${response.status}`;
    return undefined;
  } catch (error) {
    return `Opper is unreachable at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
