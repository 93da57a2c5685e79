/** Scene colours per theme; UI colours live in CSS, these are the WebGL side. */

export interface ScenePalette {
  background: number;
  ground: number;
  grid: number;
  wall: number;
  wallOpacity: number;
  edge: number;
  edgeOpacity: number;
  floorNeutral: number;
  markerNeutral: number;
  stem: number;
  selection: number;
  outline: number;
  artefact: number;
}

export const DARK: ScenePalette = {
  background: 0x0d1218,
  ground: 0x121a23,
  grid: 0x1d2935,
  wall: 0x9fb4ca,
  wallOpacity: 0.16,
  edge: 0xa9bdd2,
  edgeOpacity: 0.55,
  floorNeutral: 0x2b3644,
  markerNeutral: 0x6b7787,
  stem: 0x8797aa,
  selection: 0xffffff,
  outline: 0xf2f5f8,
  artefact: 0xe8d9b0,
};

export const LIGHT: ScenePalette = {
  background: 0xe9edf2,
  ground: 0xdde3ea,
  grid: 0xcad2dc,
  wall: 0x8d9caf,
  wallOpacity: 0.2,
  edge: 0x4d5d70,
  edgeOpacity: 0.55,
  floorNeutral: 0xc9d1db,
  markerNeutral: 0x8a95a3,
  stem: 0x5d6b7c,
  selection: 0x111827,
  outline: 0x1b2430,
  artefact: 0x8a6d2b,
};

export const STATUS_COLORS: Record<string, number> = {
  warn: 0xf5a524,
  alarm: 0xe5484d,
  stale: 0x8b95a5,
  offline: 0x5b6472,
  unknown: 0x8b95a5,
};
