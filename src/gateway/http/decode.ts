/**
 * A request path percent-decoded segment by segment, as HTTP APIs match and report it; an encoded slash stays
 * encoded so it cannot create a segment, and a malformed escape is left as it was sent.
 */
export function decodePath(path: string): string {
  if (!path.includes('%')) return path;
  return path
    .split('/')
    .map((seg) => {
      try {
        return decodeURIComponent(seg.replace(/%2f/gi, '%252F'));
      } catch {
        return seg;
      }
    })
    .join('/');
}
