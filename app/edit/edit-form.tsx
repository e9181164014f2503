'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { LibraryThumbs } from '@/components/library-thumbs';
import { useTRPC } from '@/lib/trpc';

export function EditForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const library = useQuery(trpc.references.list.queryOptions());
  const [imageId, setImageId] = useState<string | null>(null);
  const [sourcePrompt, setSource] = useState('');
  const [targetPrompt, setTarget] = useState('');
  const [strength, setStrength] = useState(0.2);
  const [steps, setSteps] = useState(500);
  const request = {
    imageId: imageId ?? '00000000-0000-7000-8000-000000000000',
    sourcePrompt: sourcePrompt || 'x',
    targetPrompt: targetPrompt || 'x',
    strength,
    steps,
  };
  const quote = useQuery(trpc.jobs.quoteEdit.queryOptions(request));
  const edit = useMutation(
    trpc.jobs.edit.mutationOptions({ onSuccess: (job) => router.push(`/jobs/${job.id}`) }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!imageId || edit.isPending) return;
    edit.mutate({ imageId, sourcePrompt, targetPrompt, strength, steps });
  }

  return (
    <form className="generate" onSubmit={submit}>
      <h1>Edit a photo with words</h1>
      <p className="muted">
        CoSINE learns your photo, then redraws it from an edited sentence: “a dog sitting” → “a dog
        lying down”. The learned adapter is kept for you.
      </p>
      <fieldset>
        <legend>Photo</legend>
        {library.data?.length === 0 && (
          <p className="muted">
            Add the photo to your <Link href="/library">library</Link> first.
          </p>
        )}
        <LibraryThumbs
          items={library.data ?? []}
          selected={imageId ? [imageId] : []}
          label="Choose the photo to edit"
          onPick={(id) => setImageId(id)}
        />
      </fieldset>
      <label>
        What the photo shows
        <input
          value={sourcePrompt}
          onChange={(e) => setSource(e.target.value)}
          placeholder="a photo of a dog sitting on grass"
          required
          maxLength={1000}
        />
      </label>
      <label>
        What it should show
        <input
          value={targetPrompt}
          onChange={(e) => setTarget(e.target.value)}
          placeholder="a photo of a dog lying on grass"
          required
          maxLength={1000}
        />
      </label>
      <label>
        Strength {strength.toFixed(2)} (higher for bigger changes)
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={strength}
          onChange={(e) => setStrength(Number(e.target.value))}
        />
      </label>
      <details>
        <summary>Advanced settings</summary>
        <label>
          Tuning steps
          <input
            type="number"
            min={10}
            max={1000}
            value={steps}
            onChange={(e) => setSteps(Number(e.target.value))}
          />
        </label>
      </details>
      <p className="price">{quote.data ? `Costs ${quote.data.total} credits` : 'Pricing…'}</p>
      {edit.error && (
        <p role="alert" className="error">
          {edit.error.message}
        </p>
      )}
      <button
        type="submit"
        disabled={!imageId || !sourcePrompt.trim() || !targetPrompt.trim() || edit.isPending}
      >
        {edit.isPending ? 'Submitting…' : 'Edit photo'}
      </button>
    </form>
  );
}
