// One SOL013 list answer: filter, then page, then attribute selectors.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { compileFilter } from './filter.ts';
import { nextLink, paginate } from './paging.ts';
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
