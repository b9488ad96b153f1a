import yauzl from 'yauzl';
import { mkdir, writeFile, chmod, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { lambdaInvalid } from './errors.js';

/** AWS's text for an upload that is not a zip (Lambda CreateFunction / UpdateFunctionCode). */
export const BAD_ZIP_MESSAGE = 'Could not unzip uploaded file. Please check your file, then try to upload again.';

const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024; // Lambda's unzipped deployment package limit

/**
 * Unpacks a deployment package into `target`, keeping the executable bits (custom runtimes need an executable
 * `bootstrap`). Extracts into a sibling temp directory and renames it into place, so a crash never leaves a
 * half-written code directory behind.
 */
export async function unzipTo(zip: Buffer, target: string): Promise<void> {
  const staging = `${target}.partial-${process.pid}-${Date.now()}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  try {
    await extract(zip, staging);
    await rm(target, { recursive: true, force: true });
    await rename(staging, target);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}

function extract(zip: Buffer, dir: string): Promise<void> {
  const root = resolve(dir);
  return new Promise((resolvePromise, reject) => {
    yauzl.fromBuffer(zip, { lazyEntries: true, strictFileNames: false }, (err, zipfile) => {
      if (err || !zipfile) return reject(lambdaInvalid(BAD_ZIP_MESSAGE));
      let total = 0;
      const fail = (e: unknown) => {
        zipfile.close();
        reject(e);
      };
      zipfile.on('error', () => fail(lambdaInvalid(BAD_ZIP_MESSAGE)));
      zipfile.on('end', () => resolvePromise());
      zipfile.on('entry', (entry: yauzl.Entry) => {
        const dest = resolve(root, entry.fileName);
        if (dest !== root && !dest.startsWith(root + sep)) {
          return fail(lambdaInvalid(`${BAD_ZIP_MESSAGE} (entry '${entry.fileName}' points outside the package)`));
        }
        if (entry.fileName.endsWith('/')) {
          mkdir(dest, { recursive: true }).then(() => zipfile.readEntry(), fail);
          return;
        }
        total += entry.uncompressedSize;
        if (total > MAX_UNZIPPED_BYTES) {
          return fail(lambdaInvalid('Unzipped size must be smaller than 262144000 bytes'));
        }
        zipfile.openReadStream(entry, (e, stream) => {
          if (e || !stream) return fail(lambdaInvalid(BAD_ZIP_MESSAGE));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', () => fail(lambdaInvalid(BAD_ZIP_MESSAGE)));
          stream.on('end', () => {
            // Unix permission bits live in the high 16 bits of the external attributes.
            const mode = (entry.externalFileAttributes >>> 16) & 0o777;
            mkdir(dirname(dest), { recursive: true })
              .then(() => writeFile(dest, Buffer.concat(chunks)))
              .then(() => (mode ? chmod(dest, mode | 0o400) : undefined))
              .then(() => zipfile.readEntry(), fail);
          });
        });
      });
      zipfile.readEntry();
    });
  });
}

export function codeDirectoryFor(root: string, functionName: string, sha256Hex: string): string {
  return join(root, functionName, sha256Hex.slice(0, 16));
}
