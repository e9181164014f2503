// What common jobs cost, computed by the same functions that price real jobs (no copied numbers).
import { priceEdit, priceGenerate, priceTrain } from '@/server/credits/pricing';
import { editInput, generateInput, trainInput, type GenerateInputRaw } from '@/server/jobs/schemas';

const ID = '00000000-0000-4000-8000-000000000000';

const image = (extra: Partial<GenerateInputRaw>) =>
  priceGenerate(generateInput.parse({ prompt: 'example', ...extra })).total;

const control = (adapter: 'controlnet' | 't2i_adapter') => ({
  controls: [{ imageId: ID, type: 'canny' as const, adapter }],
});

export interface PriceExample {
  what: string;
  detail: string;
  credits: number;
}

export function priceExamples(): { images: PriceExample[]; personal: PriceExample[] } {
  const train = { name: 'x', imageIds: [ID], instancePrompt: 'a photo of sks dog' };
  return {
    images: [
      { what: 'One image', detail: '512 × 512, 25 steps', credits: image({}) },
      {
        what: 'Four images',
        detail: '512 × 512, 25 steps',
        credits: image({ numImages: 4 }),
      },
      {
        what: 'A large image',
        detail: '768 × 768, 25 steps',
        credits: image({ width: 768, height: 768 }),
      },
      {
        what: 'With a reference picture',
        detail: 'IP-Adapter, one image',
        credits: image({ references: [{ referenceId: ID, weight: 0.8 }] }),
      },
      {
        what: 'Following a layout',
        detail: 'ControlNet, one image',
        credits: image(control('controlnet')),
      },
      {
        what: 'Following a sketch',
        detail: 'T2I-Adapter, one image',
        credits: image(control('t2i_adapter')),
      },
      {
        what: 'With your adapter',
        detail: 'LoRA or SVDiff, one image',
        credits: image({ loras: [{ adapterId: ID, weight: 0.8 }] }),
      },
    ],
    personal: [
      {
        what: 'Edit a photo with words',
        detail: 'CoSINE, 500 steps, one result',
        credits: priceEdit(
          editInput.parse({ imageId: ID, sourcePrompt: 'a cat', targetPrompt: 'a dog' }),
        ).total,
      },
      {
        what: 'Train a personal adapter',
        detail: 'SVDiff or LoRA, 500 steps',
        credits: priceTrain(trainInput.parse(train)).total,
      },
      {
        what: 'Train two subjects together',
        detail: 'Cut-Mix-Unmix, 500 steps',
        credits: priceTrain(
          trainInput.parse({
            ...train,
            token: 'sks dog',
            secondSubject: {
              imageIds: [ID],
              instancePrompt: 'a photo of zwx cat',
              token: 'zwx cat',
            },
          }),
        ).total,
      },
    ],
  };
}
