import type React from "react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import GridLayout, { type Layout, useContainerWidth } from "react-grid-layout";
import type { TileLayout } from "../../../server/dashboard/model";

export const GRID_COLUMNS = 12;
export const ROW_HEIGHT = 64;
export const GRID_GAP = 16;

type PlacedTile = { id: string; layout: TileLayout };

/**
 * The 12-column grid of tiles. Viewing is a plain CSS grid (rendered on the server, no script
 * needed); the edit mode swaps in react-grid-layout for dragging (by the title bar) and
 * resizing, and reports the tiles that moved when a drag or resize ends.
 */
export function DashboardGrid({
  tiles,
  editing,
  onLayoutChange,
  renderTile,
}: {
  tiles: PlacedTile[];
  editing: boolean;
  onLayoutChange: (changes: PlacedTile[]) => void;
  renderTile: (id: string) => ReactNode;
}) {
  if (!editing) {
    const rows = tiles.reduce((max, t) => Math.max(max, t.layout.y + t.layout.h), 0);
    return (
      <div className="tile-grid" style={{ gridTemplateRows: `repeat(${rows}, ${ROW_HEIGHT}px)` }}>
        {tiles.map((t) => (
          <div
            key={t.id}
            className="tile-cell"
            style={{ gridColumn: `${t.layout.x + 1} / span ${t.layout.w}`, gridRow: `${t.layout.y + 1} / span ${t.layout.h}` }}
          >
            {renderTile(t.id)}
          </div>
        ))}
      </div>
    );
  }
  return <EditableGrid tiles={tiles} onLayoutChange={onLayoutChange} renderTile={renderTile} />;
}

function EditableGrid({ tiles, onLayoutChange, renderTile }: Omit<Parameters<typeof DashboardGrid>[0], "editing">) {
  const { width, containerRef, mounted } = useContainerWidth();
  const [layout, setLayout] = useState<Layout>(() => toLayout(tiles));
  const saved = useRef(new Map(tiles.map((t) => [t.id, t.layout])));
  const key = tiles.map((t) => `${t.id}:${t.layout.x},${t.layout.y},${t.layout.w},${t.layout.h}`).join("|");
  useEffect(() => {
    setLayout(toLayout(tiles));
    saved.current = new Map(tiles.map((t) => [t.id, t.layout]));
  }, [key]);

  const commit = (next: Layout) => {
    setLayout(next);
    const changes: PlacedTile[] = [];
    for (const item of next) {
      const before = saved.current.get(item.i);
      const after = { x: item.x, y: item.y, w: item.w, h: item.h };
      if (!before || before.x !== after.x || before.y !== after.y || before.w !== after.w || before.h !== after.h) {
        changes.push({ id: item.i, layout: after });
        saved.current.set(item.i, after);
      }
    }
    onLayoutChange(changes);
  };

  return (
    <div ref={containerRef as React.RefObject<HTMLDivElement>} className="tile-grid-editing">
      {mounted ? (
        <GridLayout
          width={width}
          layout={layout}
          gridConfig={{ cols: GRID_COLUMNS, rowHeight: ROW_HEIGHT, margin: [GRID_GAP, GRID_GAP], containerPadding: [0, 0] }}
          dragConfig={{ enabled: true, handle: ".tw-tile-head", cancel: "a,button,summary,select,input" }}
          resizeConfig={{ enabled: true }}
          onDragStop={(next) => commit(next)}
          onResizeStop={(next) => commit(next)}
        >
          {tiles.map((t) => (
            <div key={t.id} className="tile-cell editing">
              {renderTile(t.id)}
            </div>
          ))}
        </GridLayout>
      ) : null}
    </div>
  );
}

function toLayout(tiles: PlacedTile[]): Layout {
  return tiles.map((t) => ({ i: t.id, ...t.layout, minW: 2, minH: 2, maxH: 24 }));
}
