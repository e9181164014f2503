import { requireUser } from '@/lib/require-user';
import { GenerateForm } from './generate-form';

export const metadata = { title: 'Generate · Adapter Studio' };

export default async function GeneratePage() {
  await requireUser();
  return <GenerateForm />;
}
