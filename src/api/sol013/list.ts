// One SOL013 list answer: filter, then page, then attribute selectors.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ColumnMap } from '../../db/queries/filter-sql.ts';
import { splitTerms } from '../../db/queries/filter-sql.ts';
import { compileFilter, matcher, parseFilter, type Term } from './filter.ts';
import { markerFor, markerOffset, nextLink, paginate } from './paging.ts';
import { compileSelectors, type SelectorQuery } from './selectors.ts';

export type ListQuery = SelectorQuery & { filter?: string; nextpage_opaque_marker?: string };

export function listAnswer(
  req: FastifyRequest<{ Querystring: ListQuery }>,
  reply: FastifyReply,
  items: Record<string, unknown>[],
  defaultExcluded: string[],
  pageSize: number,
): Record<string, unknown>[] {
  const { filter, nextpage_opaque_marker: marker, ...selectors } = req.query;
  const match = compileFilter(filter);
  const project = compileSelectors(selectors, defaultExcluded);
  const page = paginate(items.filter(match), marker, pageSize, JSON.stringify({ filter, ...selectors }));
  if (page.nextMarker) reply.header('link', nextLink(req.url, page.nextMarker));
  return page.items.map(project);
}

/** Reads rows matching SQL-able terms, in list order; a page when `page` is given. */
export type ListSource = (
  terms: Term[],
  page?: { offset: number; limit: number },
) => Promise<Record<string, unknown>[]>;

/**
 * The same answer for a list the store can filter and page itself: when every
 * filter term names a column, only the page is read; otherwise the column terms
 * narrow the read and the rest are applied in memory.
 */
export async function storeListAnswer(
  req: FastifyRequest<{ Querystring: ListQuery }>,
  reply: FastifyReply,
  source: ListSource,
  columns: ColumnMap,
  defaultExcluded: string[],
  pageSize: number,
): Promise<Record<string, unknown>[]> {
  const { filter, nextpage_opaque_marker: marker, ...selectors } = req.query;
  const project = compileSelectors(selectors, defaultExcluded);
  const key = JSON.stringify({ filter, ...selectors });
  const { sqlTerms, rest } = splitTerms(filter ? parseFilter(filter) : [], columns);
  if (rest.length === 0) {
    const offset = markerOffset(marker, key);
    const rows = await source(sqlTerms, { offset, limit: pageSize + 1 });
    if (rows.length > pageSize) reply.header('link', nextLink(req.url, markerFor(offset + pageSize, key)));
    return rows.slice(0, pageSize).map(project);
  }
  const page = paginate((await source(sqlTerms)).filter(matcher(rest)), marker, pageSize, key);
  if (page.nextMarker) reply.header('link', nextLink(req.url, page.nextMarker));
  return page.items.map(project);
}
