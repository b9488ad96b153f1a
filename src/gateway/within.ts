/**
 * A promise's outcome; or `timedOut()`'s once `ms` have passed, whichever comes first; or, when the promise rejects,
 * `failed(error)`'s (a throw from it rejects). The timer is cleared either way. One promise and one timer per call,
 * with the caller's handling of both inside it: a Promise.race against a timer promise, and an async wrapper to
 * catch, had cost several promises and microtask turns per request on the Lambda path.
 */
export function within<T, U>(work: Promise<T>, ms: number, timedOut: () => U, failed: (error: unknown) => U): Promise<T | U> {
  return new Promise<T | U>((resolve, reject) => {
    const timer = setTimeout(() => resolve(timedOut()), ms);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        try {
          resolve(failed(error));
        } catch (e) {
          reject(e as Error);
        }
      },
    );
  });
}
