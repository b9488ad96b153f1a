/**
 * A promise's outcome, or 'timeout' once `ms` have passed, whichever comes first; the timer is cleared either way.
 * One promise and one timer per call: Promise.race against a timer promise cost two more promises per request on
 * the Lambda path.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise<T | 'timeout'>((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
