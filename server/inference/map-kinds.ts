// Kept apart from control-maps.ts so client components can import the list without Node code.
export const MAP_KINDS = [
  'canny',
  'depth',
  'lineart',
  'pose',
  'softedge',
  'seg',
  'normal',
  'mlsd',
  'scribble',
] as const;
export type MapKind = (typeof MAP_KINDS)[number];
