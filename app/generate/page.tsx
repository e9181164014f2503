import { requireUser } from '@/lib/require-user';
import { GenerateForm } from './generate-form';

export const metadata = { title: 'Generate · Adapter Studio' };

type Params = Record<'remix' | 'reference' | 'control' | 'adapter' | 'prompt', string | string[]>;

/** One value of a search param, bounded; anything else is ignored rather than an error. */
function one(v: string | string[] | undefined, max: number): string | null {
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.length <= max ? s : null;
}

export default async function GeneratePage({
  searchParams,
}: {
  searchParams: Promise<Partial<Params>>;
}) {
  await requireUser();
  const p = await searchParams;
  return (
    <GenerateForm
      prefill={{
        remix: one(p.remix, 64),
        reference: one(p.reference, 64),
        control: one(p.control, 64),
        adapter: one(p.adapter, 64),
        prompt: one(p.prompt, 2000),
      }}
    />
  );
}
