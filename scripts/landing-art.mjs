// Draws the landing page's illustrations: hand-made SVG scenes, composed into WebP with sharp.
// They are illustrations of what each method does (the page says so), not model outputs: no
// weights exist on a fresh machine. Run `node scripts/landing-art.mjs` after changing a scene;
// the WebP files in public/landing/ are committed so builds need nothing extra.
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'landing');

// ---------- scenes: each draws a 100×100 picture ----------

const swirl = (cx, cy, r, color, w = 1.6, turns = 2.2) => {
  let d = `M${cx} ${cy}`;
  for (let t = 0; t <= turns * Math.PI * 2; t += 0.25) {
    const rr = (r * t) / (turns * Math.PI * 2);
    d += ` L${(cx + rr * Math.cos(t)).toFixed(2)} ${(cy + rr * Math.sin(t)).toFixed(2)}`;
  }
  return `<path d="${d}" fill="none" stroke="${color}" stroke-width="${w}" stroke-linecap="round"/>`;
};

const strokes = (y0, y1, colors, seed = 1) => {
  // Short curved brush strokes filling a band: the "painted" texture of the style reference.
  let s = '';
  let k = seed;
  const rnd = () => (k = (k * 9301 + 49297) % 233280) / 233280;
  for (let y = y0; y < y1; y += 4) {
    for (let x = -4; x < 104; x += 7) {
      const dx = x + rnd() * 4;
      const dy = y + rnd() * 3;
      const c = colors[Math.floor(rnd() * colors.length)];
      s += `<path d="M${dx.toFixed(1)} ${dy.toFixed(1)} q3 -2 6 0" stroke="${c}" stroke-width="1.6" fill="none" stroke-linecap="round"/>`;
    }
  }
  return s;
};

const STARRY = ['#2b4aa8', '#3d6bd1', '#1d3680', '#6f93e6', '#f2d15c'];

const scenes = {
  /** The style reference: a swirling night painting. */
  starryNight: () => `
    <rect width="100" height="100" fill="#1a2f78"/>
    ${strokes(0, 70, STARRY, 3)}
    ${swirl(38, 30, 14, '#f6e07a', 1.8)} ${swirl(62, 22, 9, '#bcd2ff', 1.4)}
    <circle cx="84" cy="14" r="7" fill="#f8df6b"/><circle cx="87" cy="12" r="6" fill="#1a2f78"/>
    ${[12, 24, 70, 90, 50].map((x, i) => `<circle cx="${x}" cy="${8 + (i % 3) * 9}" r="2.2" fill="#f8e58c"/>`).join('')}
    <path d="M0 72 Q25 62 50 70 T100 66 V100 H0z" fill="#213a6e"/>
    ${[20, 34, 48, 60, 74].map((x, i) => `<rect x="${x}" y="${74 + (i % 2) * 3}" width="9" height="8" fill="#2c3f5c"/><rect x="${x + 3}" y="${77 + (i % 2) * 3}" width="3" height="3" fill="#f5d46a"/>`).join('')}
    <path d="M10 100 C6 80 12 60 14 40 C17 60 22 80 20 100z" fill="#142018"/>
    <path d="M12 96 C10 80 13 66 14 52" stroke="#2c4a2e" stroke-width="1.5" fill="none"/>`,

  /** A lighthouse painted in the reference's style (IP-Adapter result). */
  lighthouseSwirl: () => `
    <rect width="100" height="100" fill="#1a2f78"/>
    ${strokes(0, 62, STARRY, 11)}
    ${swirl(24, 24, 12, '#f6e07a', 1.8)} ${swirl(78, 30, 10, '#bcd2ff', 1.4)}
    <circle cx="84" cy="12" r="6" fill="#f8df6b"/>
    <path d="M0 64 H100 V100 H0z" fill="#1f3a8a"/>
    ${strokes(66, 100, ['#2b4aa8', '#4d78d8', '#9bb8f2', '#1d3680'], 7)}
    <path d="M56 40 L64 40 L67 78 L53 78z" fill="#e9e4d2"/>
    <path d="M55 52 L65 52 L65.8 60 L54.2 60z" fill="#c8503c"/><path d="M54 68 L66 68 L66.6 74 L53.4 74z" fill="#c8503c"/>
    <rect x="54" y="34" width="12" height="6" fill="#2c3f5c"/><rect x="56.5" y="35" width="7" height="4" fill="#ffe27a"/>
    <path d="M53 34 L60 28 L67 34z" fill="#c8503c"/>
    <path d="M64 37 L100 28 L100 44z" fill="#f8e58c" opacity="0.35"/>
    <path d="M40 80 Q60 74 80 80 L80 84 L40 84z" fill="#2c3f5c"/>`,

  /** A plain daylight photo of a house (control input). */
  housePhoto: () => `
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#7cc0f2"/><stop offset="1" stop-color="#cfe9fb"/></linearGradient></defs>
    <rect width="100" height="100" fill="url(#sky)"/>
    <circle cx="82" cy="16" r="7" fill="#fff3b0"/>
    <ellipse cx="24" cy="18" rx="12" ry="4" fill="#fff" opacity="0.9"/>
    <rect y="70" width="100" height="30" fill="#7dbb5a"/>
    <rect x="28" y="44" width="44" height="30" fill="#efe2c6"/>
    <path d="M22 46 L50 24 L78 46z" fill="#c0523f"/>
    <rect x="45" y="56" width="10" height="18" fill="#7a4b2e"/>
    <rect x="32" y="50" width="9" height="9" fill="#9fd3f5" stroke="#fff" stroke-width="1"/>
    <rect x="59" y="50" width="9" height="9" fill="#9fd3f5" stroke="#fff" stroke-width="1"/>
    <rect x="62" y="28" width="6" height="10" fill="#8a5a44"/>
    <circle cx="12" cy="56" r="9" fill="#4e9a3f"/><rect x="11" y="62" width="2.5" height="10" fill="#6b4a2b"/>`,

  /** The edge map drawn from the photo (what ControlNet follows). */
  houseEdges: () => `
    <rect width="100" height="100" fill="#0c0f14"/>
    <g fill="none" stroke="#f5f7fa" stroke-width="0.9">
      <path d="M0 70 H100"/><rect x="28" y="44" width="44" height="30"/>
      <path d="M22 46 L50 24 L78 46z"/><rect x="45" y="56" width="10" height="18"/>
      <rect x="32" y="50" width="9" height="9"/><rect x="59" y="50" width="9" height="9"/>
      <rect x="62" y="28" width="6" height="10"/><circle cx="12" cy="56" r="9"/>
      <path d="M11 65 V72 M13.5 65 V72"/><circle cx="82" cy="16" r="7"/>
      <ellipse cx="24" cy="18" rx="12" ry="4"/>
    </g>`,

  /** A snowy night version that keeps every edge (ControlNet result). */
  houseWinter: () => `
    <defs><linearGradient id="night" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#0f1a3d"/><stop offset="1" stop-color="#3a4f8a"/></linearGradient></defs>
    <rect width="100" height="100" fill="url(#night)"/>
    <circle cx="82" cy="16" r="7" fill="#f1f4ff"/>
    <ellipse cx="24" cy="18" rx="12" ry="4" fill="#55669c" opacity="0.9"/>
    ${[8, 40, 56, 70, 92, 30, 64].map((x, i) => `<circle cx="${x}" cy="${10 + ((i * 13) % 40)}" r="0.9" fill="#fff"/>`).join('')}
    <rect y="70" width="100" height="30" fill="#e8eef8"/>
    <rect x="28" y="44" width="44" height="30" fill="#6b4a3a"/>
    <path d="M22 46 L50 24 L78 46z" fill="#f4f7fc"/><path d="M22 46 L78 46 L76 49 L24 49z" fill="#cfd8ea"/>
    <rect x="45" y="56" width="10" height="18" fill="#3a2418"/>
    <rect x="32" y="50" width="9" height="9" fill="#ffcf6b"/><rect x="59" y="50" width="9" height="9" fill="#ffcf6b"/>
    <rect x="62" y="28" width="6" height="10" fill="#5a3a2e"/><path d="M62 28 h6 v2 h-6z" fill="#fff"/>
    <circle cx="12" cy="56" r="9" fill="#1f4a3a"/><path d="M4 54 a9 6 0 0 1 16 0z" fill="#f4f7fc"/>
    <rect x="11" y="62" width="2.5" height="10" fill="#3a2418"/>`,

  /** A rough pencil sketch (T2I-Adapter input). */
  sketch: () => `
    <rect width="100" height="100" fill="#fbfaf6"/>
    <g fill="none" stroke="#2a2a2a" stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round">
      <path d="M0 66 L22 38 L34 52 L52 24 L72 56 L82 44 L100 66"/>
      <path d="M46 33 L52 24 L58 33" />
      <circle cx="80" cy="20" r="8"/>
      <path d="M0 76 Q50 70 100 76"/>
      <path d="M14 88 q8 -4 16 0 M60 90 q10 -4 20 0"/>
    </g>`,

  /** A coloured sunset landscape following the sketch (T2I-Adapter result). */
  sunsetLandscape: () => `
    <defs><linearGradient id="dusk" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#3b2a78"/><stop offset="0.55" stop-color="#e0708a"/><stop offset="1" stop-color="#ffc27a"/></linearGradient>
    <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#f3a37d"/><stop offset="1" stop-color="#5b4a9a"/></linearGradient></defs>
    <rect width="100" height="100" fill="url(#dusk)"/>
    <circle cx="80" cy="20" r="8" fill="#ffe29a"/>
    <path d="M0 66 L22 38 L34 52 L52 24 L72 56 L82 44 L100 66 V78 H0z" fill="#4a3a7a"/>
    <path d="M46 33 L52 24 L58 33 L55 31 L52 34 L49 31z" fill="#fff4f0"/>
    <path d="M0 66 L22 38 L28 46 L14 66z" fill="#5e4a90"/>
    <path d="M0 76 Q50 70 100 76 V100 H0z" fill="url(#lake)"/>
    <path d="M14 88 q8 -4 16 0 M60 90 q10 -4 20 0" stroke="#ffd7b0" stroke-width="1.2" fill="none"/>`,

  /** A corgi, the subject of the personal-adapter examples. */
  corgi: (bg = '#e9f1ff', pose = 0) => `
    <rect width="100" height="100" fill="${bg}"/>
    <ellipse cx="50" cy="90" rx="34" ry="5" fill="#000" opacity="0.08"/>
    <g transform="translate(${pose === 1 ? -6 : pose === 2 ? 6 : 0} 0)">
      <ellipse cx="54" cy="68" rx="26" ry="15" fill="#e08a3c"/>
      <ellipse cx="54" cy="74" rx="18" ry="8" fill="#fff3e6"/>
      <rect x="36" y="76" width="6" height="12" rx="3" fill="#e08a3c"/><rect x="64" y="76" width="6" height="12" rx="3" fill="#e08a3c"/>
      <circle cx="32" cy="52" r="15" fill="#e08a3c"/>
      <path d="M20 44 L22 26 L31 40z" fill="#e08a3c"/><path d="M35 39 L44 26 L44 44z" fill="#e08a3c"/>
      <path d="M23 42 L24 31 L29 40z" fill="#f6b7a0"/><path d="M37 40 L42 31 L42 43z" fill="#f6b7a0"/>
      <ellipse cx="30" cy="58" rx="9" ry="7" fill="#fff3e6"/>
      <circle cx="27" cy="50" r="1.8" fill="#1b1b1b"/><circle cx="37" cy="50" r="1.8" fill="#1b1b1b"/>
      <ellipse cx="31" cy="56" rx="2.6" ry="1.8" fill="#1b1b1b"/>
      <path d="M80 62 q8 -6 6 -12" stroke="#e08a3c" stroke-width="5" fill="none" stroke-linecap="round"/>
    </g>`,

  /** The corgi as an astronaut on the moon (LoRA result: the same dog, a new scene). */
  corgiMoon: () => `
    <rect width="100" height="100" fill="#0b1026"/>
    ${[6, 18, 30, 44, 58, 72, 88, 94, 12, 66].map((x, i) => `<circle cx="${x}" cy="${6 + ((i * 17) % 40)}" r="${i % 3 ? 0.7 : 1.1}" fill="#fff"/>`).join('')}
    <circle cx="80" cy="22" r="10" fill="#3d7be0"/><path d="M73 18 q5 -4 10 0 q-2 6 -8 5z" fill="#5fbf6a"/>
    <path d="M0 78 Q30 70 60 76 T100 74 V100 H0z" fill="#9a9aa8"/>
    <ellipse cx="22" cy="86" rx="7" ry="2.5" fill="#7d7d8c"/><ellipse cx="74" cy="90" rx="9" ry="3" fill="#7d7d8c"/>
    <g transform="translate(4 -6) scale(0.9)">
      <ellipse cx="54" cy="68" rx="26" ry="15" fill="#f2f4f8"/>
      <rect x="36" y="76" width="6" height="12" rx="3" fill="#e6e9f0"/><rect x="64" y="76" width="6" height="12" rx="3" fill="#e6e9f0"/>
      <rect x="60" y="60" width="10" height="8" rx="2" fill="#d94f3d"/>
      <circle cx="32" cy="50" r="19" fill="#cfe4ff" opacity="0.45" stroke="#f2f4f8" stroke-width="2.5"/>
      <circle cx="32" cy="52" r="13" fill="#e08a3c"/>
      <path d="M22 45 L24 32 L30 42z" fill="#e08a3c"/><path d="M35 41 L42 32 L42 46z" fill="#e08a3c"/>
      <ellipse cx="30" cy="57" rx="8" ry="6" fill="#fff3e6"/>
      <circle cx="27" cy="50" r="1.7" fill="#1b1b1b"/><circle cx="36" cy="50" r="1.7" fill="#1b1b1b"/>
      <ellipse cx="31" cy="55" rx="2.4" ry="1.6" fill="#1b1b1b"/>
    </g>
    <path d="M82 56 V76" stroke="#ddd" stroke-width="1"/><path d="M82 56 h10 v6 h-10z" fill="#d94f3d"/>`,

  /** A teapot, the object of the SVDiff example. */
  teapot: (bg = '#f5efe6', tilt = 0) => `
    <rect width="100" height="100" fill="${bg}"/>
    <ellipse cx="50" cy="84" rx="30" ry="4" fill="#000" opacity="0.1"/>
    <g transform="rotate(${tilt} 50 60)">
      <path d="M70 66 Q80 62 86 46 L90 44 Q86 66 72 74z" fill="#2f8f83"/>
      <path d="M30 52 C14 50 14 74 30 72" stroke="#2f8f83" stroke-width="5" fill="none" stroke-linecap="round"/>
      <ellipse cx="50" cy="62" rx="24" ry="20" fill="#35a596"/>
      <path d="M30 62 q20 8 40 0" stroke="#f3d36b" stroke-width="2.5" fill="none"/>
      <ellipse cx="50" cy="43" rx="12" ry="4" fill="#2f8f83"/><circle cx="50" cy="37" r="3.5" fill="#f3d36b"/>
      <ellipse cx="42" cy="56" rx="5" ry="8" fill="#fff" opacity="0.25"/>
    </g>`,

  /** The same teapot at a snowy picnic (SVDiff result). */
  teapotPicnic: () => `
    <defs><linearGradient id="forest" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#bfe3f2"/><stop offset="1" stop-color="#eaf6fb"/></linearGradient></defs>
    <rect width="100" height="100" fill="url(#forest)"/>
    ${[8, 26, 78, 94].map((x) => `<path d="M${x} 62 l-8 0 l8 -26 l8 26z" fill="#2f6b4f"/><path d="M${x - 5} 46 l5 -10 l5 10z" fill="#f7fbff"/>`).join('')}
    <rect y="66" width="100" height="34" fill="#f7fbff"/>
    <path d="M16 76 H84 L92 96 H8z" fill="#d9534f"/>
    <path d="M16 76 H84 L86 81 H14z M12 86 H88 L90 91 H10z" fill="#fff" opacity="0.6"/>
    <g transform="translate(18 16) scale(0.64)">
      <path d="M70 66 Q80 62 86 46 L90 44 Q86 66 72 74z" fill="#2f8f83"/>
      <path d="M30 52 C14 50 14 74 30 72" stroke="#2f8f83" stroke-width="5" fill="none" stroke-linecap="round"/>
      <ellipse cx="50" cy="62" rx="24" ry="20" fill="#35a596"/>
      <path d="M30 62 q20 8 40 0" stroke="#f3d36b" stroke-width="2.5" fill="none"/>
      <ellipse cx="50" cy="43" rx="12" ry="4" fill="#2f8f83"/><circle cx="50" cy="37" r="3.5" fill="#f3d36b"/>
    </g>
    <path d="M56 50 q2 -6 0 -10 M60 50 q2 -6 0 -10" stroke="#fff" stroke-width="1.2" fill="none" opacity="0.9"/>
    <rect x="66" y="70" width="9" height="9" rx="1.5" fill="#fff"/><rect x="74" y="72" width="3" height="5" rx="1.5" fill="none" stroke="#fff" stroke-width="1"/>`,

  /** A grey tabby cat, the second subject and the CoSINE photo's subject. */
  cat: (bg = '#f1ecf8') => `
    <rect width="100" height="100" fill="${bg}"/>
    <ellipse cx="50" cy="90" rx="28" ry="4" fill="#000" opacity="0.08"/>
    <path d="M70 80 q22 -2 16 -26" stroke="#8a8f99" stroke-width="5" fill="none" stroke-linecap="round"/>
    <ellipse cx="52" cy="70" rx="20" ry="18" fill="#8a8f99"/>
    <path d="M40 62 q12 -4 24 0 M38 70 q14 -4 28 0" stroke="#6d727c" stroke-width="2" fill="none"/>
    <circle cx="50" cy="44" r="15" fill="#8a8f99"/>
    <path d="M37 38 L38 24 L47 33z M63 38 L62 24 L53 33z" fill="#8a8f99"/>
    <path d="M40 35 L40.5 28 L45 33z M60 35 L59.5 28 L55 33z" fill="#f3b6c2"/>
    <ellipse cx="44" cy="44" rx="2.3" ry="3" fill="#c7e36b"/><ellipse cx="56" cy="44" rx="2.3" ry="3" fill="#c7e36b"/>
    <ellipse cx="44" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/><ellipse cx="56" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/>
    <path d="M48.5 50 h3 l-1.5 1.8z" fill="#e58fa0"/>
    <path d="M36 50 h-10 M36 52 l-9 3 M64 50 h10 M64 52 l9 3" stroke="#4b4f57" stroke-width="0.6"/>`,

  /** A sofa scene with a cat (CoSINE input) or a dog in exactly the same place (result). */
  sofa: (who) => `
    <rect width="100" height="100" fill="#f3ead9"/>
    <rect x="64" y="14" width="20" height="24" fill="#cfe3ea" stroke="#fff" stroke-width="2"/>
    <path d="M76 14 v24 M64 26 h20" stroke="#fff" stroke-width="1"/>
    <rect x="6" y="8" width="16" height="20" fill="#e7b75f"/><rect x="8" y="10" width="12" height="16" fill="#8fb8a8"/>
    <rect y="86" width="100" height="14" fill="#b98d60"/>
    <rect x="8" y="48" width="84" height="26" rx="6" fill="#5b7fbf"/>
    <rect x="4" y="56" width="12" height="28" rx="4" fill="#4c6ea9"/><rect x="84" y="56" width="12" height="28" rx="4" fill="#4c6ea9"/>
    <rect x="14" y="66" width="72" height="16" rx="4" fill="#6a8fcf"/>
    <rect x="12" y="82" width="4" height="6" fill="#3a2a1c"/><rect x="84" y="82" width="4" height="6" fill="#3a2a1c"/>
    <rect x="64" y="56" width="16" height="12" rx="3" fill="#f2c14e" transform="rotate(-8 72 62)"/>
    ${
      who === 'cat'
        ? `<g transform="translate(14 20) scale(0.62)">
            <path d="M70 80 q22 -2 16 -26" stroke="#8a8f99" stroke-width="5" fill="none" stroke-linecap="round"/>
            <ellipse cx="52" cy="70" rx="20" ry="18" fill="#8a8f99"/>
            <circle cx="50" cy="44" r="15" fill="#8a8f99"/>
            <path d="M37 38 L38 24 L47 33z M63 38 L62 24 L53 33z" fill="#8a8f99"/>
            <ellipse cx="44" cy="44" rx="2.3" ry="3" fill="#c7e36b"/><ellipse cx="56" cy="44" rx="2.3" ry="3" fill="#c7e36b"/>
            <ellipse cx="44" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/><ellipse cx="56" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/>
            <path d="M48.5 50 h3 l-1.5 1.8z" fill="#e58fa0"/></g>`
        : `<g transform="translate(10 20) scale(0.62)">
            <ellipse cx="58" cy="70" rx="24" ry="14" fill="#e08a3c"/>
            <ellipse cx="58" cy="76" rx="16" ry="7" fill="#fff3e6"/>
            <path d="M82 66 q8 -6 6 -12" stroke="#e08a3c" stroke-width="5" fill="none" stroke-linecap="round"/>
            <circle cx="42" cy="48" r="15" fill="#e08a3c"/>
            <path d="M30 40 L32 22 L41 36z" fill="#e08a3c"/><path d="M45 35 L54 22 L54 40z" fill="#e08a3c"/>
            <ellipse cx="40" cy="54" rx="9" ry="7" fill="#fff3e6"/>
            <circle cx="37" cy="46" r="1.8" fill="#1b1b1b"/><circle cx="47" cy="46" r="1.8" fill="#1b1b1b"/>
            <ellipse cx="41" cy="52" rx="2.6" ry="1.8" fill="#1b1b1b"/></g>`
    }`,

  /** Corgi and cat together in one picture, each keeping its own look (Cut-Mix-Unmix result). */
  duoPark: () => `
    <defs><linearGradient id="park" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#9fd6f7"/><stop offset="1" stop-color="#e5f5ff"/></linearGradient></defs>
    <rect width="100" height="100" fill="url(#park)"/>
    <circle cx="16" cy="16" r="7" fill="#fff1a8"/>
    <path d="M0 62 Q30 54 60 60 T100 56 V100 H0z" fill="#8cc66a"/>
    <path d="M0 74 Q40 68 100 74 V100 H0z" fill="#74b356"/>
    <circle cx="88" cy="44" r="12" fill="#4f9a44"/><rect x="86.5" y="52" width="3" height="12" fill="#6b4a2b"/>
    <g transform="translate(-6 22) scale(0.62)">
      <ellipse cx="54" cy="68" rx="26" ry="15" fill="#e08a3c"/>
      <ellipse cx="54" cy="74" rx="18" ry="8" fill="#fff3e6"/>
      <rect x="36" y="76" width="6" height="12" rx="3" fill="#e08a3c"/><rect x="64" y="76" width="6" height="12" rx="3" fill="#e08a3c"/>
      <circle cx="32" cy="52" r="15" fill="#e08a3c"/>
      <path d="M20 44 L22 26 L31 40z" fill="#e08a3c"/><path d="M35 39 L44 26 L44 44z" fill="#e08a3c"/>
      <ellipse cx="30" cy="58" rx="9" ry="7" fill="#fff3e6"/>
      <circle cx="27" cy="50" r="1.8" fill="#1b1b1b"/><circle cx="37" cy="50" r="1.8" fill="#1b1b1b"/>
      <ellipse cx="31" cy="56" rx="2.6" ry="1.8" fill="#1b1b1b"/>
    </g>
    <g transform="translate(44 26) scale(0.56)">
      <path d="M70 80 q22 -2 16 -26" stroke="#8a8f99" stroke-width="5" fill="none" stroke-linecap="round"/>
      <ellipse cx="52" cy="70" rx="20" ry="18" fill="#8a8f99"/>
      <circle cx="50" cy="44" r="15" fill="#8a8f99"/>
      <path d="M37 38 L38 24 L47 33z M63 38 L62 24 L53 33z" fill="#8a8f99"/>
      <ellipse cx="44" cy="44" rx="2.3" ry="3" fill="#c7e36b"/><ellipse cx="56" cy="44" rx="2.3" ry="3" fill="#c7e36b"/>
      <ellipse cx="44" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/><ellipse cx="56" cy="44" rx="0.9" ry="2.4" fill="#1b1b1b"/>
      <path d="M48.5 50 h3 l-1.5 1.8z" fill="#e58fa0"/>
    </g>`,
};

// ---------- composition ----------

let clipId = 0;
/** A scene placed as a rounded "photo" tile at (x, y), size w×h. */
function tile(x, y, w, h, scene, { shadow = true, rotate = 0 } = {}) {
  const id = `c${clipId++}`;
  return `<g transform="rotate(${rotate} ${x + w / 2} ${y + h / 2})">
    ${shadow ? `<rect x="${x}" y="${y + 6}" width="${w}" height="${h}" rx="18" fill="#1b1f3a" opacity="0.12"/>` : ''}
    <clipPath id="${id}"><rect x="${x}" y="${y}" width="${w}" height="${h}" rx="16"/></clipPath>
    <g clip-path="url(#${id})"><svg x="${x}" y="${y}" width="${w}" height="${h}" viewBox="0 0 100 100" preserveAspectRatio="xMidYMid slice">${scene}</svg></g>
    <rect x="${x + 1}" y="${y + 1}" width="${w - 2}" height="${h - 2}" rx="15" fill="none" stroke="#fff" stroke-width="2" opacity="0.7"/>
  </g>`;
}

function arrow(x, y, len = 56) {
  return `<g transform="translate(${x} ${y})">
    <circle cx="${len / 2}" cy="0" r="26" fill="#fff" stroke="#d9dcef" stroke-width="2"/>
    <path d="M${len / 2 - 11} 0 H${len / 2 + 9} M${len / 2 + 2} -8 L${len / 2 + 11} 0 L${len / 2 + 2} 8" stroke="#4d4bd1" stroke-width="4" fill="none" stroke-linecap="round" stroke-linejoin="round"/>
  </g>`;
}

function plus(x, y) {
  return `<g transform="translate(${x} ${y})"><circle r="20" fill="#fff" stroke="#d9dcef" stroke-width="2"/>
    <path d="M-8 0 H8 M0 -8 V8" stroke="#4d4bd1" stroke-width="4" stroke-linecap="round"/></g>`;
}

/** The adapter file: a small cartridge, the "your adapter" step of training. */
function adapterChip(cx, cy, color = '#4d4bd1') {
  return `<g transform="translate(${cx - 60} ${cy - 70})">
    <rect x="0" y="10" width="120" height="120" rx="24" fill="#1b1f3a" opacity="0.12"/>
    <rect x="0" y="0" width="120" height="120" rx="24" fill="${color}"/>
    ${[24, 48, 72, 96].map((x) => `<rect x="${x - 5}" y="-12" width="10" height="16" rx="3" fill="${color}"/><rect x="${x - 5}" y="116" width="10" height="16" rx="3" fill="${color}"/>`).join('')}
    <rect x="28" y="28" width="64" height="64" rx="12" fill="none" stroke="#fff" stroke-width="5"/>
    <path d="M60 40 l5 13 13 5 -13 5 -5 13 -5 -13 -13 -5 13 -5z" fill="#ffd66b"/>
  </g>`;
}

function panel(w, h, body, bg = '#eef0fb') {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
    <rect width="${w}" height="${h}" fill="${bg}"/>${body}</svg>`;
}

// Method panels are 960×540; tiles sit on a soft tinted ground with arrows between them.
const W = 960;
const H = 540;
const S = scenes;

/** input → output, two large tiles. */
const twoUp = (a, b, bg) =>
  panel(W, H, `${tile(60, 90, 360, 360, a)}${arrow(452, 270)}${tile(540, 90, 360, 360, b)}`, bg);

/** a → b → c, three tiles. */
const threeUp = (a, b, c, bg) =>
  panel(
    W,
    H,
    `${tile(36, 150, 250, 250, a)}${arrow(292, 275)}${tile(355, 150, 250, 250, b)}${arrow(611, 275)}${tile(674, 150, 250, 250, c)}`,
    bg,
  );

/** Five small photos → an adapter → a new picture of the same subject. */
const trainPanel = (photos, result, chipColor, bg) => {
  const small = 112;
  const pos = [
    [40, 118],
    [162, 118],
    [40, 240],
    [162, 240],
    [101, 362],
  ];
  return panel(
    W,
    H,
    `${pos.map(([x, y], i) => tile(x, y - 30, small, small, photos[i], { rotate: [-3, 2, 2, -2, 1][i] })).join('')}
     ${arrow(292, 270)}${adapterChip(420, 270, chipColor)}${arrow(494, 270)}
     ${tile(580, 110, 330, 330, result)}`,
    bg,
  );
};

const ART = {
  'ip-adapter': twoUp(S.starryNight(), S.lighthouseSwirl(), '#eef0fb'),
  controlnet: threeUp(S.housePhoto(), S.houseEdges(), S.houseWinter(), '#eaf3fb'),
  't2i-adapter': twoUp(S.sketch(), S.sunsetLandscape(), '#fbf1ee'),
  lora: trainPanel(
    [
      S.corgi('#e9f1ff', 0),
      S.corgi('#fdf0e2', 1),
      S.corgi('#e8f6ec', 2),
      S.corgi('#f6e9f4', 1),
      S.corgi('#fff8d9', 0),
    ],
    S.corgiMoon(),
    '#4d4bd1',
    '#eef0fb',
  ),
  svdiff: trainPanel(
    [
      S.teapot('#f5efe6', 0),
      S.teapot('#e9f1ff', -8),
      S.teapot('#e8f6ec', 6),
      S.teapot('#f6e9f4', -3),
      S.teapot('#fff8d9', 4),
    ],
    S.teapotPicnic(),
    '#2f8f83',
    '#ecf6f4',
  ),
  'cut-mix-unmix': panel(
    W,
    H,
    `${tile(40, 70, 180, 180, S.corgi('#e9f1ff', 0))}${tile(40, 290, 180, 180, S.corgi('#fdf0e2', 2))}
     ${plus(270, 270)}
     ${tile(320, 70, 180, 180, S.cat('#f1ecf8'))}${tile(320, 290, 180, 180, S.cat('#e8f6ec'))}
     ${arrow(512, 270)}${tile(600, 110, 330, 330, S.duoPark())}`,
    '#f3eefb',
  ),
  cosine: twoUp(S.sofa('cat'), S.sofa('dog'), '#fbf4ea'),
};

// The hero: four results fanned out like prints on a table.
const HERO = panel(
  1080,
  810,
  `<circle cx="900" cy="140" r="220" fill="#dcdcff" opacity="0.6"/><circle cx="160" cy="700" r="240" fill="#ffe7c7" opacity="0.55"/>
   ${tile(90, 90, 430, 430, S.lighthouseSwirl(), { rotate: -4 })}
   ${tile(560, 70, 400, 400, S.houseWinter(), { rotate: 3 })}
   ${tile(140, 430, 330, 330, S.corgiMoon(), { rotate: 3 })}
   ${tile(520, 400, 380, 380, S.sunsetLandscape(), { rotate: -3 })}`,
  '#f4f3ff',
);

await mkdir(OUT, { recursive: true });
const jobs = [...Object.entries(ART), ['hero', HERO]].map(async ([name, svg]) => {
  const file = join(OUT, `${name}.webp`);
  const info = await sharp(Buffer.from(svg)).webp({ quality: 82, effort: 6 }).toFile(file);
  console.log(`${name}.webp ${info.width}×${info.height} ${(info.size / 1024).toFixed(1)} kB`);
});
await Promise.all(jobs);
