/**
 * Reading ChatGPT's JSON, whose every field may be missing or of another type: these give the value when it
 * has the expected shape and null otherwise, so the readers of conversations, listings, canvases and research
 * reports never throw on a shape they do not know.
 */
export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function obj(v: unknown): Obj | null {
  return isObj(v) ? v : null;
}

/** A non-empty string. */
export function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** A finite number. */
export function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
