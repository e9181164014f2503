// The gallery's filters live in the address (shareable, kept by Back):
// ?kind=&from=&to=&adapter=&model= (model: a base model's name).
// Dates are the person's own calendar days; the server gets [start of `from`, start of the day
// after `to`).

export type KindFilter = 'GENERATE' | 'EDIT';

export interface GalleryFilters {
  kind?: KindFilter;
  /** YYYY-MM-DD */
  from?: string;
  /** YYYY-MM-DD, inclusive */
  to?: string;
  adapter?: string;
  /** A base model's name (the server answers nothing for one it does not offer). */
  model?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MODEL = /^[\w.-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function localDay(day: string, plusDays = 0): Date | undefined {
  if (!DAY.test(day)) return undefined;
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(y, m - 1, d + plusDays);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function readFilters(params: URLSearchParams): GalleryFilters {
  const kind = params.get('kind');
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const adapter = params.get('adapter') ?? '';
  const model = params.get('model') ?? '';
  return {
    kind: kind === 'GENERATE' || kind === 'EDIT' ? kind : undefined,
    from: localDay(from) ? from : undefined,
    to: localDay(to) ? to : undefined,
    adapter: UUID.test(adapter) ? adapter : undefined,
    model: MODEL.test(model) ? model : undefined,
  };
}

export function writeFilters(f: GalleryFilters): string {
  const params = new URLSearchParams();
  if (f.kind) params.set('kind', f.kind);
  if (f.from) params.set('from', f.from);
  if (f.to) params.set('to', f.to);
  if (f.adapter) params.set('adapter', f.adapter);
  if (f.model) params.set('model', f.model);
  const qs = params.toString();
  return qs ? `?${qs}` : '';
}

export const hasFilters = (f: GalleryFilters) =>
  Boolean(f.kind || f.from || f.to || f.adapter || f.model);

/** Null when the range runs backwards (the form says so instead of asking the server). */
export function toQueryInput(f: GalleryFilters) {
  const createdFrom = f.from ? localDay(f.from) : undefined;
  const createdBefore = f.to ? localDay(f.to, 1) : undefined;
  if (createdFrom && createdBefore && createdFrom >= createdBefore) return null;
  return {
    limit: 24,
    ...(f.kind ? { kind: f.kind } : {}),
    ...(createdFrom ? { createdFrom } : {}),
    ...(createdBefore ? { createdBefore } : {}),
    ...(f.adapter ? { adapterId: f.adapter } : {}),
    ...(f.model ? { baseModel: f.model } : {}),
  };
}
