import { requireUser } from '@/lib/require-user';
import { GenerateForm } from './generate-form';

export const metadata = { title: 'Generate · Adapter Studio' };

export default async function GeneratePage({
  searchParams,
}: {
  searchParams: Promise<{ reference?: string; control?: string; adapter?: string }>;
}) {
  await requireUser();
  const { reference, control, adapter } = await searchParams;
  return (
    <GenerateForm
      initialReference={reference ?? null}
      initialControl={control ?? null}
      initialAdapter={adapter ?? null}
    />
  );
}
