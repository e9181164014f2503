import type { StaticImageData } from 'next/image';
import controlnet from '@/public/landing/controlnet.webp';
import cosine from '@/public/landing/cosine.webp';
import cutMixUnmix from '@/public/landing/cut-mix-unmix.webp';
import ipAdapter from '@/public/landing/ip-adapter.webp';
import lora from '@/public/landing/lora.webp';
import svdiff from '@/public/landing/svdiff.webp';
import t2iAdapter from '@/public/landing/t2i-adapter.webp';
import { PRICES, priceEdit, priceTrain } from '@/server/credits/pricing';
import type { EditInput, TrainInput } from '@/server/jobs/schemas';

export interface Method {
  id: string;
  name: string;
  kind: string;
  headline: string;
  body: string;
  /** What goes in and what comes out, in the order the picture shows them. */
  flow: string[];
  /** What the picture shows, for people who cannot see it. */
  alt: string;
  cost: string;
  href: string;
  image: StaticImageData;
}

/** Prices at the forms' defaults (512 px, 500 training steps), from the one price list. */
const TRAIN = { steps: 500, resolution: 512, method: 'svdiff', priorPreservation: false };
const trainCredits = priceTrain(TRAIN as TrainInput).total;
const duoCredits = priceTrain({
  ...TRAIN,
  secondSubject: { imageIds: [], instancePrompt: '', token: '' },
} as unknown as TrainInput).total;
const editCredits = priceEdit({ steps: 500, resolution: 512, numImages: 1 } as EditInput).total;
const perImage = (credits: number) => `+${credits} credit${credits === 1 ? '' : 's'} per image`;

// One card per method.
export const METHODS: Method[] = [
  {
    id: 'ip-adapter',
    name: 'IP-Adapter',
    kind: 'Picture prompt',
    headline: 'Make it look like this.',
    body: 'Add one or more reference pictures, each with a weight. The result borrows their style and look; your prompt says what to draw.',
    flow: ['Reference painting', '“a lighthouse at night”', 'A lighthouse in that style'],
    alt: 'A swirling blue and yellow night painting, an arrow, then a lighthouse painted with the same swirls and colours.',
    cost: perImage(PRICES.ipAdapterPerImage),
    href: '/generate',
    image: ipAdapter,
  },
  {
    id: 'controlnet',
    name: 'ControlNet',
    kind: 'Structure',
    headline: 'Keep this layout.',
    body: 'A map made from your photo (edges, depth, pose and more) fixes where things go. You see the map before you spend a credit.',
    flow: ['Your photo', 'Edge map', '“a snowy winter night”'],
    alt: 'A daytime photo of a house, its white-on-black edge map, then the same house on a snowy night with every line in place.',
    cost: perImage(PRICES.controlNetPerImage),
    href: '/generate',
    image: controlnet,
  },
  {
    id: 't2i-adapter',
    name: 'T2I-Adapter',
    kind: 'Structure, lighter',
    headline: 'A sketch is enough.',
    body: 'A small adapter reads your drawing once per image instead of at every step: a looser hold than ControlNet, at a quarter of the cost.',
    flow: ['Pencil sketch', '“mountain lake at sunset”'],
    alt: 'A pencil sketch of mountains, a sun and a lake, an arrow, then a sunset landscape whose mountains follow the sketch.',
    cost: perImage(PRICES.t2iAdapterPerImage),
    href: '/generate',
    image: t2iAdapter,
  },
  {
    id: 'lora',
    name: 'LoRA',
    kind: 'Personal adapter',
    headline: 'Your dog, in any picture.',
    body: 'Train a small adapter on a few photos of your subject or style, or bring a LoRA file you already have. Mix it into any generation by weight.',
    flow: ['5 photos of your dog', 'Your adapter', '“…as an astronaut on the moon”'],
    alt: 'Five small photos of the same corgi, an arrow to an adapter chip, then the same corgi as an astronaut on the moon.',
    cost: `Training from ${trainCredits} credits`,
    href: '/adapters',
    image: lora,
  },
  {
    id: 'svdiff',
    name: 'SVDiff',
    kind: 'Personal adapter, tiny',
    headline: 'The same idea in about 1.7 MB.',
    body: 'Spectral shifts tune only the singular values of the model’s weights: a very small file that over-fits less and keeps your prompts obeyed.',
    flow: ['5 photos of your teapot', 'A 1.7 MB adapter', '“…at a snowy picnic”'],
    alt: 'Five photos of a green teapot, an arrow to an adapter chip, then the same teapot on a picnic blanket in a snowy forest.',
    cost: `Training from ${trainCredits} credits`,
    href: '/adapters',
    image: svdiff,
  },
  {
    id: 'cut-mix-unmix',
    name: 'Cut-Mix-Unmix',
    kind: 'Two subjects',
    headline: 'Both of them, neither blurred into the other.',
    body: 'Train two subjects together. Training on cut-and-mixed images keeps each one’s look its own when they share a picture.',
    flow: ['Your dog', 'Your cat', 'Together in the park'],
    alt: 'Two photos of a corgi plus two photos of a grey cat, an arrow, then the corgi and the cat side by side in a park, each unchanged.',
    cost: `Training from ${duoCredits} credits`,
    href: '/adapters',
    image: cutMixUnmix,
  },
  {
    id: 'cosine',
    name: 'CoSINE',
    kind: 'Edit with words',
    headline: 'This photo, but a dog.',
    body: 'Describe your photo, then change the sentence. A short tune on that one image keeps the room, the light and the pose; only what you changed changes.',
    flow: ['“a cat on a blue sofa”', '“a dog on a blue sofa”'],
    alt: 'A grey cat on a blue sofa in a living room, an arrow, then the same room and sofa with a corgi in the cat’s place.',
    cost: `From ${editCredits} credits`,
    href: '/edit',
    image: cosine,
  },
];
