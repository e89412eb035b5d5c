/**
 * Demo pictures for the fake file service: a small landscape drawn in code (sky gradient, sun, hills, a
 * boat or a tree, a caption in a 5x7 pixel font), so a first look at the gallery shows what the product is
 * for. Colours and layout depend on a seed, so every file id still has its own bytes. Pixels only: the
 * caller encodes them as PNG.
 */
import { createHash } from 'node:crypto';

// 5x7 glyphs, one row per number (bit 4 = leftmost column).
const FONT: Record<string, number[]> = {
  A: [14, 17, 17, 31, 17, 17, 17], B: [30, 17, 17, 30, 17, 17, 30], C: [14, 17, 16, 16, 16, 17, 14], D: [30, 17, 17, 17, 17, 17, 30],
  E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16], G: [14, 17, 16, 23, 17, 17, 15], H: [17, 17, 17, 31, 17, 17, 17],
  I: [14, 4, 4, 4, 4, 4, 14], J: [7, 2, 2, 2, 2, 18, 12], K: [17, 18, 20, 24, 20, 18, 17], L: [16, 16, 16, 16, 16, 16, 31],
  M: [17, 27, 21, 21, 17, 17, 17], N: [17, 17, 25, 21, 19, 17, 17], O: [14, 17, 17, 17, 17, 17, 14], P: [30, 17, 17, 30, 16, 16, 16],
  Q: [14, 17, 17, 17, 21, 18, 13], R: [30, 17, 17, 30, 20, 18, 17], S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4],
  U: [17, 17, 17, 17, 17, 17, 14], V: [17, 17, 17, 17, 17, 10, 4], W: [17, 17, 17, 21, 21, 21, 10], X: [17, 17, 10, 4, 10, 17, 17],
  Y: [17, 17, 10, 4, 4, 4, 4], Z: [31, 1, 2, 4, 8, 16, 31], '0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14],
  '2': [14, 17, 1, 2, 4, 8, 31], '3': [30, 1, 1, 14, 1, 1, 30], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
  '6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14], '9': [14, 17, 17, 15, 1, 2, 12],
  '-': [0, 0, 0, 31, 0, 0, 0], '.': [0, 0, 0, 0, 0, 12, 12], ' ': [0, 0, 0, 0, 0, 0, 0],
};

const SCENES = [
  { name: 'LIGHTHOUSE AT DUSK', sky: [[40, 30, 90], [250, 150, 90]], sun: [255, 210, 120], land: [40, 60, 70] },
  { name: 'FOX IN SNOW', sky: [[150, 190, 230], [235, 240, 250]], sun: [255, 250, 220], land: [235, 240, 245] },
  { name: 'PAPER BOAT', sky: [[110, 180, 220], [200, 230, 240]], sun: [255, 235, 140], land: [60, 120, 160] },
  { name: 'CITY AT NIGHT', sky: [[10, 15, 40], [50, 40, 90]], sun: [240, 240, 255], land: [25, 25, 35] },
  { name: 'LEMON GROVE', sky: [[120, 200, 240], [250, 240, 200]], sun: [255, 220, 60], land: [70, 140, 60] },
  { name: 'BALLOON OVER HILLS', sky: [[90, 160, 230], [250, 200, 170]], sun: [255, 120, 80], land: [90, 150, 80] },
] as const;

type Rgb = readonly [number, number, number] | readonly number[];

/** RGB pixels (row-major, 3 bytes each) of a picture for `seed`. */
export function drawPicture(seed: string, width: number, height: number): Uint8Array {
  const h = createHash('sha256').update(seed).digest();
  const scene = SCENES[h[0]! % SCENES.length]!;
  const px = new Uint8Array(width * height * 3);
  const set = (x: number, y: number, c: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 3;
    px[i] = c[0]!;
    px[i + 1] = c[1]!;
    px[i + 2] = c[2]!;
  };
  const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((k) => Math.round(a[k]! + (b[k]! - a[k]!) * t));
  // Sky: a vertical gradient.
  for (let y = 0; y < height; y++) {
    const c = mix(scene.sky[0], scene.sky[1], y / height);
    for (let x = 0; x < width; x++) set(x, y, c);
  }
  // Sun (or moon) with a soft rim.
  const sx = Math.round(width * (0.2 + (h[1]! / 255) * 0.6));
  const sy = Math.round(height * 0.3);
  const r = Math.max(6, Math.round(height * 0.12));
  for (let y = sy - r - 3; y <= sy + r + 3; y++) {
    for (let x = sx - r - 3; x <= sx + r + 3; x++) {
      const d = Math.hypot(x - sx, y - sy);
      if (d <= r) set(x, y, scene.sun);
      else if (d <= r + 3) set(x, y, mix(scene.sun, mix(scene.sky[0], scene.sky[1], y / height), (d - r) / 3));
    }
  }
  // Two layers of hills (sine waves), the far one lighter.
  const far = mix(scene.land, scene.sky[1], 0.45);
  const phase = h[2]! / 40;
  for (let x = 0; x < width; x++) {
    const farTop = Math.round(height * 0.62 + Math.sin(x / 23 + phase) * height * 0.06);
    const nearTop = Math.round(height * 0.74 + Math.sin(x / 37 + phase * 2) * height * 0.05);
    for (let y = farTop; y < height; y++) set(x, y, y >= nearTop ? mix(scene.land, [0, 0, 0], (y - nearTop) / height) : far);
  }
  // A tree: a trunk and a round crown.
  const tx = Math.round(width * (0.1 + (h[3]! / 255) * 0.8));
  const ty = Math.round(height * 0.74);
  for (let y = ty - 18; y < ty + 2; y++) for (let x = tx - 1; x <= tx + 1; x++) set(x, y, [80, 55, 35]);
  for (let y = ty - 32; y <= ty - 12; y++) for (let x = tx - 10; x <= tx + 10; x++) if (Math.hypot(x - tx, y - (ty - 22)) <= 10) set(x, y, [40, 110, 50]);
  // Caption band with the scene's name.
  const band = 13;
  for (let y = height - band; y < height; y++) for (let x = 0; x < width; x++) set(x, y, mix([0, 0, 0], scene.land, 0.3));
  let cx = 4;
  for (const ch of scene.name) {
    const glyph = FONT[ch] ?? FONT[' ']!;
    glyph.forEach((row, gy) => {
      for (let gx = 0; gx < 5; gx++) if (row & (16 >> gx)) set(cx + gx, height - band + 3 + gy, [250, 250, 245]);
    });
    cx += 6;
  }
  return px;
}
