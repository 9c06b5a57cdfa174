/** The work's result, or undefined once `time` (ms since the epoch) has passed; the timer is cleared either way. */
export async function beforeTime<T>(work: Promise<T>, time: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, time - Date.now()));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
