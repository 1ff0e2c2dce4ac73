// SOL013 filter terms on attributes the store keeps in their own columns become
// SQL, so a filtered page of a large list is one indexed query instead of a scan
// of every row. Terms on other attributes are left to the in-memory filter.
import { type Expression, type ExpressionBuilder, sql, type SqlBool } from 'kysely';
import type { Term } from '../../api/sol013/filter.ts';

/** ETSI attribute path (`vnfProductName`) → column name. */
export type ColumnMap = Record<string, string>;

/** The column of a one-segment term, own entries only (a term on 'constructor' has none). */
function columnOf(t: Term, columns: ColumnMap): string | undefined {
  const [name] = t.path;
  return t.path.length === 1 && name !== undefined && Object.hasOwn(columns, name)
    ? columns[name]
    : undefined;
}

export function splitTerms(terms: Term[], columns: ColumnMap): { sqlTerms: Term[]; rest: Term[] } {
  const sqlTerms: Term[] = [];
  const rest: Term[] = [];
  for (const t of terms) (columnOf(t, columns) !== undefined ? sqlTerms : rest).push(t);
  return { sqlTerms, rest };
}

const likeEscape = (v: string) => `%${v.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export function whereTerms<DB, TB extends keyof DB>(
  eb: ExpressionBuilder<DB, TB>,
  terms: Term[],
  columns: ColumnMap,
): Expression<SqlBool> {
  const parts = terms.map((t): Expression<SqlBool> => {
    const column = columnOf(t, columns);
    if (column === undefined) throw new Error(`filter term on '${t.path.join('/')}' has no column`);
    const col = sql.ref(column);
    const [first] = t.values;
    switch (t.op) {
      case 'eq':
      case 'in':
        return sql<SqlBool>`${col} IN (${sql.join(t.values)})`;
      case 'neq':
      case 'nin':
        return sql<SqlBool>`(${col} IS NULL OR ${col} NOT IN (${sql.join(t.values)}))`;
      case 'cont':
        return sql<SqlBool>`(${sql.join(
          t.values.map((v) => sql`${col} LIKE ${likeEscape(v)} ESCAPE '\\'`),
          sql` OR `,
        )})`;
      case 'ncont':
        return sql<SqlBool>`(${col} IS NULL OR NOT (${sql.join(
          t.values.map((v) => sql`${col} LIKE ${likeEscape(v)} ESCAPE '\\'`),
          sql` OR `,
        )}))`;
      case 'gt':
        return sql<SqlBool>`${col} > ${first}`;
      case 'lt':
        return sql<SqlBool>`${col} < ${first}`;
      case 'gte':
        return sql<SqlBool>`${col} >= ${first}`;
      case 'lte':
        return sql<SqlBool>`${col} <= ${first}`;
    }
  });
  return eb.and(parts);
}
