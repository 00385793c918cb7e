import type { ReactNode } from "react";

/** One cell of a stored table: strings as is, numbers right-aligned, booleans coloured, null as ∅, objects as JSON. */
export function Cell({ value }: { value: unknown }): ReactNode {
  if (value === null) {
    return (
      <span className="cell-null" title="null">
        ∅
      </span>
    );
  }
  if (value === undefined || value === "") return null;
  if (typeof value === "boolean") return <span className={value ? "cell-true" : "cell-false"}>{String(value)}</span>;
  if (typeof value === "number" || typeof value === "string") return String(value);
  return <code className="cell-json">{JSON.stringify(value)}</code>;
}

function cellClass(value: unknown): string | undefined {
  if (typeof value === "number") return "num";
  // Long text wraps; everything else stays on one line (the table scrolls sideways).
  if ((typeof value === "string" && value.length > 48) || (typeof value === "object" && value !== null)) return "wrap";
  return undefined;
}

/**
 * A stored table (rows of JSON values). Rows whose index is in `header` are header rows (<th>);
 * leading header rows form the <thead>. Columns whose values are all numbers are right-aligned,
 * their headings too.
 */
export function DataTable({
  rows,
  header,
  caption,
  numericColumns,
}: {
  rows: unknown[][];
  header: number[];
  caption?: string;
  /** Columns to right-align, when the server read text cells as numbers (e.g. "64%"). */
  numericColumns?: boolean[];
}) {
  const headerRows = new Set(header);
  const width = rows.reduce((max, row) => Math.max(max, row.length), 0);
  let lead = 0;
  while (lead < rows.length && headerRows.has(lead)) lead++;
  const indexed = rows.map((row, index) => ({ row, index }));
  const head = indexed.slice(0, lead);
  const body = indexed.slice(lead);
  const numeric = numericColumns ?? Array.from({ length: width }, (_, column) => {
    let seen = false;
    for (const { row, index } of body) {
      if (headerRows.has(index)) continue;
      const value = row[column];
      if (value === null || value === undefined || value === "") continue;
      if (typeof value !== "number") return false;
      seen = true;
    }
    return seen;
  });
  const columns = Array.from({ length: width }, (_, column) => column);

  if (rows.length === 0) return <p className="muted">This instance has no rows.</p>;
  return (
    <div className="data-table-wrap">
      <table className="data-table">
        {caption ? <caption className="visually-hidden">{caption}</caption> : null}
        {head.length ? (
          <thead>
            {head.map(({ row, index }) => (
              <tr key={index}>
                {columns.map((column) => (
                  <th key={column} scope="col" className={numeric[column] ? "num" : undefined}>
                    <Cell value={row[column]} />
                  </th>
                ))}
              </tr>
            ))}
          </thead>
        ) : null}
        <tbody>
          {body.map(({ row, index }) =>
            headerRows.has(index) ? (
              <tr key={index} className="header-row">
                {columns.map((column) => (
                  <th key={column} scope="col" className={numeric[column] ? "num" : undefined}>
                    <Cell value={row[column]} />
                  </th>
                ))}
              </tr>
            ) : (
              <tr key={index}>
                {columns.map((column) => (
                  <td key={column} className={numeric[column] ? "num" : cellClass(row[column])}>
                    <Cell value={row[column]} />
                  </td>
                ))}
              </tr>
            ),
          )}
        </tbody>
      </table>
    </div>
  );
}
