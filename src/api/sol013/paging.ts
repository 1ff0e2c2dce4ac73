// SOL013 §5.4 paging: a page of at most `pageSize` items; the opaque marker of the
// next page is the offset after this one, signed to the filter it was made for
// so it cannot be replayed against a different query.
import { createHash } from 'node:crypto';
import { badRequest } from '../../errors.ts';

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

const tag = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 8);

/** The offset a marker stands for (0 without one); 400 for a forged or foreign marker. */
export function markerOffset(marker: string | undefined, queryKey: string): number {
  if (marker === undefined) return 0;
  // Markers this VNFM makes are short base64url; the offset a plain decimal a SQL OFFSET takes.
  const [off, t] = /^[\w-]{1,64}$/.test(marker)
    ? Buffer.from(marker, 'base64url').toString('utf8').split(':')
    : [];
  if (off === undefined || !/^\d{1,9}$/.test(off) || t !== tag(queryKey)) {
    throw badRequest('nextpage_opaque_marker is invalid or belongs to another query');
  }
  return Number(off);
}

export function markerFor(offset: number, queryKey: string): string {
  return Buffer.from(`${offset}:${tag(queryKey)}`).toString('base64url');
}

export function paginate<T>(
  all: T[],
  marker: string | undefined,
  pageSize: number,
  queryKey: string,
): Page<T> {
  const offset = markerOffset(marker, queryKey);
  const items = all.slice(offset, offset + pageSize);
  const next = offset + pageSize < all.length ? offset + pageSize : undefined;
  return { items, nextMarker: next === undefined ? undefined : markerFor(next, queryKey) };
}

/** The `Link` header value for the next page, keeping the request's other parameters. */
export function nextLink(requestUrl: string, marker: string): string {
  const url = new URL(requestUrl, 'http://placeholder');
  url.searchParams.set('nextpage_opaque_marker', marker);
  return `<${url.pathname}${url.search}>; rel="next"`;
}
