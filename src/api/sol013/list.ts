// One SOL013 list answer: filter, then page, then attribute selectors. The query
// is checked whole before anything is read: only SOL013's parameters, each once,
// naming only attributes the resource has.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ColumnMap } from '../../db/queries/filter-sql.ts';
import { splitTerms } from '../../db/queries/filter-sql.ts';
import { badRequest } from '../../errors.ts';
import { brief } from '../brief.ts';
import type { AttributeTree } from './attributes.ts';
import { matcher, parseFilter, type Term } from './filter.ts';
import { markerFor, markerOffset, nextLink, paginate } from './paging.ts';
import { compileSelectors, type SelectorQuery } from './selectors.ts';

export type ListQuery = SelectorQuery & { filter?: string; nextpage_opaque_marker?: string };

/** A listed resource type: the attributes of its representation and those left out by default. */
export interface ListResource {
  attributes: AttributeTree;
  defaultExcluded: string[];
}

const PARAMETERS = [
  'filter',
  'all_fields',
  'fields',
  'exclude_fields',
  'exclude_default',
  'nextpage_opaque_marker',
] as const;

/** The SOL013 parameters of a list request; 400 for any other, or one given twice. */
export function readListQuery(query: unknown): ListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const out: ListQuery = {};
  for (const key of Object.keys(q)) {
    const known = PARAMETERS.find((p) => p === key);
    if (!known) {
      throw badRequest(`unknown query parameter '${brief(key)}' (a list takes ${PARAMETERS.join(', ')})`);
    }
    const value = q[key];
    if (typeof value !== 'string') throw badRequest(`query parameter '${known}' is given more than once`);
    out[known] = value;
  }
  return out;
}

interface Prepared {
  terms: Term[];
  marker?: string;
  key: string;
  project: ReturnType<typeof compileSelectors>;
}

function prepare(req: FastifyRequest, resource: ListResource): Prepared {
  const { filter, nextpage_opaque_marker: marker, ...selectors } = readListQuery(req.query);
  const project = compileSelectors(selectors, resource.defaultExcluded, resource.attributes);
  const terms = filter ? parseFilter(filter, resource.attributes) : [];
  return { terms, marker, key: JSON.stringify({ filter, ...selectors }), project };
}

export function listAnswer(
  req: FastifyRequest,
  reply: FastifyReply,
  items: Record<string, unknown>[],
  resource: ListResource,
  pageSize: number,
): Record<string, unknown>[] {
  const { terms, marker, key, project } = prepare(req, resource);
  const page = paginate(items.filter(matcher(terms)), marker, pageSize, key);
  if (page.nextMarker) reply.header('link', nextLink(req.url, page.nextMarker));
  return page.items.map(project);
}

/**
 * Reads rows matching SQL-able terms, in list order; a page when `page` is given.
 * `omit`: top-level attributes the answer leaves out, which the source may leave unread.
 */
export type ListSource = (
  terms: Term[],
  page?: { offset: number; limit: number },
  omit?: readonly string[],
) => Promise<Record<string, unknown>[]>;

/**
 * The same answer for a list the store can filter and page itself: when every
 * filter term names a column, only the page is read; otherwise the column terms
 * narrow the read and the rest are applied in memory.
 */
export async function storeListAnswer(
  req: FastifyRequest,
  reply: FastifyReply,
  source: ListSource,
  columns: ColumnMap,
  resource: ListResource,
  pageSize: number,
): Promise<Record<string, unknown>[]> {
  const { terms, marker, key, project } = prepare(req, resource);
  const { sqlTerms, rest } = splitTerms(terms, columns);
  if (rest.length === 0) {
    const offset = markerOffset(marker, key);
    const rows = await source(sqlTerms, { offset, limit: pageSize + 1 }, project.omitted);
    if (rows.length > pageSize) reply.header('link', nextLink(req.url, markerFor(offset + pageSize, key)));
    return rows.slice(0, pageSize).map(project);
  }
  const page = paginate((await source(sqlTerms)).filter(matcher(rest)), marker, pageSize, key);
  if (page.nextMarker) reply.header('link', nextLink(req.url, page.nextMarker));
  return page.items.map(project);
}
