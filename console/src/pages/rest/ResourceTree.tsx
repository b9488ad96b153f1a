import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Resource } from '../../lib/api.js';

const ROW_HEIGHT = 30;
const OVERSCAN = 8;
/** Big APIs open with only the first level expanded, so a thousand resources start as a short list. */
const EXPAND_ALL_BELOW = 200;

interface Row {
  resource: Resource;
  depth: number;
  hasChildren: boolean;
  expanded: boolean;
}

/**
 * The resource tree, as a WAI-ARIA tree. Only the rows in view are rendered (fixed row height), so an API with
 * thousands of resources scrolls and moves as fast as a small one. Keyboard: arrows move and expand/collapse,
 * Home/End jump, Enter selects; one roving tab stop.
 */
export function ResourceTree({ resources, selectedId, onSelect }: { resources: Resource[]; selectedId: string | undefined; onSelect: (id: string) => void }) {
  const children = useMemo(() => {
    const m = new Map<string | undefined, Resource[]>();
    for (const r of resources) {
      const key = r.parentId;
      const list = m.get(key) ?? [];
      list.push(r);
      m.set(key, list);
    }
    for (const list of m.values()) list.sort((a, b) => (a.pathPart ?? '').localeCompare(b.pathPart ?? ''));
    return m;
  }, [resources]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => new Set());
  const initialised = useRef(false);
  useEffect(() => {
    if (initialised.current || resources.length === 0) return;
    initialised.current = true;
    if (resources.length >= EXPAND_ALL_BELOW) {
      setCollapsed(new Set(resources.filter((r) => r.parentId && children.has(r.id)).map((r) => r.id)));
    }
  }, [resources, children]);

  // The selected resource is always visible: its ancestors are expanded.
  useEffect(() => {
    if (!selectedId) return;
    const byId = new Map(resources.map((r) => [r.id, r]));
    let p = byId.get(selectedId)?.parentId;
    const open: string[] = [];
    while (p) {
      if (collapsed.has(p)) open.push(p);
      p = byId.get(p)?.parentId;
    }
    if (open.length) setCollapsed((c) => new Set([...c].filter((id) => !open.includes(id))));
  }, [selectedId, resources, collapsed]);

  const rows = useMemo(() => {
    const out: Row[] = [];
    const walk = (r: Resource, depth: number) => {
      const kids = children.get(r.id) ?? [];
      const expanded = !collapsed.has(r.id);
      out.push({ resource: r, depth, hasChildren: kids.length > 0, expanded });
      if (expanded) for (const k of kids) walk(k, depth + 1);
    };
    for (const r of children.get(undefined) ?? []) walk(r, 1);
    return out;
  }, [children, collapsed]);

  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(480);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 480));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const activeIndex = Math.max(0, rows.findIndex((r) => r.resource.id === selectedId));
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const focusWanted = useRef(false);

  // Keyboard moves may land outside the rendered window: scroll there (and render that window now, without waiting
  // for the scroll event), then focus the row once it exists.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const top = activeIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
    setScrollTop(el.scrollTop);
  }, [activeIndex, rows.length]);
  useEffect(() => {
    if (!focusWanted.current) return;
    const row = scroller.current?.querySelector<HTMLElement>(`[data-row="${activeIndex}"]`);
    if (row) {
      focusWanted.current = false;
      row.focus();
    }
  });

  const toggle = (id: string, open?: boolean) =>
    setCollapsed((c) => {
      const next = new Set(c);
      const isOpen = !c.has(id);
      if (open ?? !isOpen) next.delete(id);
      else next.add(id);
      return next;
    });

  const move = (index: number) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, index))];
    if (!row) return;
    focusWanted.current = true;
    onSelect(row.resource.id);
  };

  const onKey = (e: KeyboardEvent, i: number) => {
    const row = rows[i]!;
    switch (e.key) {
      case 'ArrowDown':
        move(i + 1);
        break;
      case 'ArrowUp':
        move(i - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.hasChildren && !row.expanded) toggle(row.resource.id, true);
        else if (row.hasChildren) move(i + 1);
        break;
      case 'ArrowLeft':
        if (row.hasChildren && row.expanded) toggle(row.resource.id, false);
        else if (row.resource.parentId) move(rows.findIndex((r) => r.resource.id === row.resource.parentId));
        break;
      case 'Enter':
      case ' ':
        onSelect(row.resource.id);
        break;
      default:
        return;
    }
    e.preventDefault();
  };

  return (
    <div className="tree" ref={scroller} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div role="tree" aria-label="Resources" style={{ height: rows.length * ROW_HEIGHT, position: 'relative' }}>
        {rows.slice(first, last).map((row, k) => {
          const i = first + k;
          const r = row.resource;
          const selected = r.id === selectedId;
          const methods = Object.keys(r.resourceMethods ?? {}).sort();
          return (
            <div
              key={r.id}
              data-row={i}
              role="treeitem"
              aria-level={row.depth}
              aria-setsize={rows.length}
              aria-posinset={i + 1}
              aria-selected={selected}
              aria-expanded={row.hasChildren ? row.expanded : undefined}
              aria-label={`${r.path}${methods.length ? `, methods ${methods.join(' ')}` : ''}`}
              tabIndex={i === activeIndex ? 0 : -1}
              className={`tree-row${selected ? ' selected' : ''}`}
              style={{ position: 'absolute', top: i * ROW_HEIGHT, height: ROW_HEIGHT, left: 0, right: 0, paddingLeft: (row.depth - 1) * 16 + 4 }}
              onClick={() => onSelect(r.id)}
              onKeyDown={(e) => onKey(e, i)}
            >
              <span
                className="twisty"
                aria-hidden="true"
                onClick={(e) => {
                  e.stopPropagation();
                  if (row.hasChildren) toggle(r.id);
                }}
              >
                {row.hasChildren ? (row.expanded ? '▾' : '▸') : ''}
              </span>
              <span className="path-part">{r.path === '/' ? '/' : `/${r.pathPart}`}</span>
              {methods.map((m) => (
                <span key={m} className={`mini m-${m.toLowerCase()}`} aria-hidden="true">
                  {m}
                </span>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
