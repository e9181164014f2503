import { requireUser } from '@/lib/require-user';
import { GenerateForm } from './generate-form';

export const metadata = { title: 'Generate · Adapter Studio' };

export default async function GeneratePage({
  searchParams,
}: {
  searchParams: Promise<{ reference?: string; control?: string }>;
}) {
  await requireUser();
  const { reference, control } = await searchParams;
  return <GenerateForm initialReference={reference ?? null} initialControl={control ?? null} />;
}
