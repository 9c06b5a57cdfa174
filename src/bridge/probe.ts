/** Whether Opper answers and takes the key, asked with a read that changes nothing (for /readyz). */
import type { HttpClient } from '../transport/http-client.js';

// A span id no client makes (a UUID of zeros): Opper answers 404 when it is up and the key is good.
const NO_SUCH_SPAN = '00000000-0000-4000-8000-000000000000';

/** Undefined when Opper is reachable with a key it accepts; else why not. Never rejects. Asks
 * through the bridge's own client, so through its proxy too. */
export async function probeOpper(client: HttpClient, baseUrl: string, timeoutMs: number): Promise<string | undefined> {
  try {
    const { status } = await client.request('GET', `spans/${NO_SUCH_SPAN}`, undefined, timeoutMs);
    if (status === 401 || status === 403) return `Opper rejected the API key (HTTP ${status})`;
    if (status >= 500 || status === 429) return `Opper answered HTTP ${status}`;
    return undefined;
  } catch (error) {
    return `Opper is unreachable at ${baseUrl}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
