'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { LibraryThumbs } from '@/components/library-thumbs';
import { useTRPC } from '@/lib/trpc';
import { uploadLibraryImage } from '@/lib/upload';
import type { MAP_KINDS } from '@/server/inference/map-kinds';
import { CONTROL_TYPES, SCHEDULERS, type GenerateInputRaw } from '@/server/jobs/schemas';

type MapChoice = 'none' | (typeof MAP_KINDS)[number];

type ImageSlot = { id: string; name: string } | null;

function ImagePicker({
  label,
  value,
  onChange,
  library,
}: {
  label: string;
  value: ImageSlot;
  onChange: (v: ImageSlot) => void;
  library: { id: string; thumbnailUrl: string }[];
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function pick(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setError(null);
    try {
      const img = await uploadLibraryImage(file);
      onChange({ id: img.id, name: file.name });
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="picker">
      <label>
        {label}
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp"
          disabled={busy}
          onChange={(e) => void pick(e.target.files?.[0])}
        />
      </label>
      {library.length > 0 && (
        <LibraryThumbs
          items={library.slice(0, 12)}
          selected={value ? [value.id] : []}
          label={`${label}: choose from your library`}
          onPick={(id, i) => onChange({ id, name: `library image ${i + 1}` })}
        />
      )}
      {busy && <span className="muted">Uploading…</span>}
      {value && (
        <span className="muted">
          {value.name} ✓{' '}
          <button type="button" className="link" onClick={() => onChange(null)}>
            remove
          </button>
        </span>
      )}
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}

export function GenerateForm({
  initialReference,
  initialControl,
  initialAdapter,
}: {
  initialReference: string | null;
  initialControl: string | null;
  initialAdapter: string | null;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const library = useQuery(trpc.references.list.queryOptions());
  const maps = useQuery(trpc.references.controlMaps.queryOptions());
  const libraryItems = library.data ?? [];
  const myAdapters = useQuery(trpc.adapters.list.queryOptions());
  const [loras, setLoras] = useState<{ adapterId: string; weight: number }[]>(
    initialAdapter ? [{ adapterId: initialAdapter, weight: 0.8 }] : [],
  );
  const [prompt, setPrompt] = useState('');
  const [negativePrompt, setNegativePrompt] = useState('');
  const [size, setSize] = useState('512x512');
  const [steps, setSteps] = useState(25);
  const [guidanceScale, setGuidance] = useState(7.5);
  const [scheduler, setScheduler] = useState<(typeof SCHEDULERS)[number]>('euler_a');
  const [seed, setSeed] = useState('');
  const [reference, setReference] = useState<ImageSlot>(
    initialReference ? { id: initialReference, name: 'from your library' } : null,
  );
  const [referenceWeight, setReferenceWeight] = useState(0.8);
  const [control, setControl] = useState<ImageSlot>(
    initialControl ? { id: initialControl, name: 'from your library' } : null,
  );
  const [controlType, setControlType] = useState<(typeof CONTROL_TYPES)[number]>('canny');
  const [controlScale, setControlScale] = useState(1);
  const [preprocess, setPreprocess] = useState<MapChoice>('canny');
  const [cannyLow, setCannyLow] = useState(100);
  const [cannyHigh, setCannyHigh] = useState(200);

  const [width, height] = size.split('x').map(Number) as [number, number];
  const request: GenerateInputRaw = {
    prompt: prompt.trim() || ' ',
    negativePrompt,
    width,
    height,
    steps,
    guidanceScale,
    scheduler,
    ...(seed.trim() ? { seed: Number(seed) } : {}),
    references: reference ? [{ referenceId: reference.id, weight: referenceWeight }] : [],
    loras,
    controls: control
      ? [
          {
            imageId: control.id,
            type: controlType,
            scale: controlScale,
            preprocess,
            cannyLow,
            cannyHigh,
          },
        ]
      : [],
  };
  const quote = useQuery(trpc.jobs.quote.queryOptions({ ...request, prompt: 'x' }));
  const balance = useQuery(trpc.account.me.queryOptions());
  const create = useMutation(
    trpc.jobs.create.mutationOptions({
      onSuccess: (job) => router.push(`/jobs/${job.id}`),
    }),
  );

  function submit(e: FormEvent) {
    e.preventDefault();
    if (create.isPending || !prompt.trim()) return;
    create.mutate({ ...request, prompt });
  }

  return (
    <form className="generate" onSubmit={submit}>
      <h1>Generate</h1>
      <label>
        Prompt
        <textarea
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          rows={3}
          required
          maxLength={2000}
        />
      </label>
      <label>
        Negative prompt
        <input
          value={negativePrompt}
          onChange={(e) => setNegativePrompt(e.target.value)}
          maxLength={2000}
        />
      </label>
      <fieldset>
        <legend>Picture prompt (IP-Adapter)</legend>
        <ImagePicker
          label="Reference image"
          value={reference}
          onChange={setReference}
          library={libraryItems}
        />
        {reference && (
          <label>
            Reference weight {referenceWeight.toFixed(2)}
            <input
              type="range"
              min={0}
              max={1.5}
              step={0.05}
              value={referenceWeight}
              onChange={(e) => setReferenceWeight(Number(e.target.value))}
            />
          </label>
        )}
      </fieldset>
      <fieldset>
        <legend>Structure (ControlNet)</legend>
        <ImagePicker
          label="Control image"
          value={control}
          onChange={setControl}
          library={libraryItems}
        />
        {control && (
          <>
            <label>
              Control type
              <select
                value={controlType}
                onChange={(e) => setControlType(e.target.value as (typeof CONTROL_TYPES)[number])}
              >
                {CONTROL_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            </label>
            <label>
              Make a map from the photo
              <select
                value={preprocess}
                onChange={(e) => setPreprocess(e.target.value as MapChoice)}
              >
                <option value="none">No: the image already is the map</option>
                {(maps.data ?? []).map((m) => (
                  <option key={m.kind} value={m.kind} disabled={!m.available}>
                    {m.kind}
                    {m.available ? '' : ' (not available here)'}
                  </option>
                ))}
              </select>
            </label>
            {preprocess === 'canny' && (
              <div className="control-row">
                <label>
                  Low threshold {cannyLow}
                  <input
                    type="range"
                    min={0}
                    max={500}
                    step={10}
                    value={cannyLow}
                    onChange={(e) => setCannyLow(Number(e.target.value))}
                  />
                </label>
                <label>
                  High threshold {cannyHigh}
                  <input
                    type="range"
                    min={0}
                    max={500}
                    step={10}
                    value={cannyHigh}
                    onChange={(e) => setCannyHigh(Number(e.target.value))}
                  />
                </label>
              </div>
            )}
            {preprocess !== 'none' && (
              <figure className="control-row">
                <img
                  src={`/api/references/${control.id}/control-map?kind=${preprocess}&low=${cannyLow}&high=${cannyHigh}`}
                  alt={`The ${preprocess} map the job will use`}
                  // Known dimensions: no layout shift while the map loads.
                  width={libraryItems.find((i) => i.id === control.id)?.width ?? 512}
                  height={libraryItems.find((i) => i.id === control.id)?.height ?? 512}
                  data-testid="control-map"
                />
                <figcaption className="muted">
                  This {preprocess} map steers the layout. Nothing is charged until you generate.
                </figcaption>
              </figure>
            )}
            <label>
              Control strength {controlScale.toFixed(2)}
              <input
                type="range"
                min={0}
                max={2}
                step={0.05}
                value={controlScale}
                onChange={(e) => setControlScale(Number(e.target.value))}
              />
            </label>
          </>
        )}
      </fieldset>
      <fieldset>
        <legend>Your adapters (LoRA)</legend>
        {(myAdapters.data ?? []).length === 0 && (
          <p className="muted small">No adapters yet: add one on the Adapters page.</p>
        )}
        {(myAdapters.data ?? []).map((a) => {
          const picked = loras.find((l) => l.adapterId === a.id);
          return (
            <div key={a.id} className="control-row">
              <label className="inline">
                <input
                  type="checkbox"
                  checked={Boolean(picked)}
                  onChange={(e) =>
                    setLoras((ls) =>
                      e.target.checked
                        ? [...ls, { adapterId: a.id, weight: 0.8 }]
                        : ls.filter((l) => l.adapterId !== a.id),
                    )
                  }
                />{' '}
                {a.name}
              </label>
              {picked && (
                <label>
                  Weight {picked.weight.toFixed(2)}
                  <input
                    type="range"
                    min={-1}
                    max={1.5}
                    step={0.05}
                    value={picked.weight}
                    onChange={(e) =>
                      setLoras((ls) =>
                        ls.map((l) =>
                          l.adapterId === a.id ? { ...l, weight: Number(e.target.value) } : l,
                        ),
                      )
                    }
                  />
                </label>
              )}
            </div>
          );
        })}
      </fieldset>
      <details>
        <summary>Advanced settings</summary>
        <label>
          Size
          <select value={size} onChange={(e) => setSize(e.target.value)}>
            <option value="512x512">Square 512×512</option>
            <option value="512x768">Portrait 512×768</option>
            <option value="768x512">Landscape 768×512</option>
            <option value="768x768">Large 768×768</option>
          </select>
        </label>
        <label>
          Steps
          <input
            type="number"
            min={1}
            max={100}
            value={steps}
            onChange={(e) => setSteps(Number(e.target.value))}
          />
        </label>
        <label>
          Guidance
          <input
            type="number"
            min={0}
            max={20}
            step={0.5}
            value={guidanceScale}
            onChange={(e) => setGuidance(Number(e.target.value))}
          />
        </label>
        <label>
          Scheduler
          <select
            value={scheduler}
            onChange={(e) => setScheduler(e.target.value as (typeof SCHEDULERS)[number])}
          >
            {SCHEDULERS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Seed (empty for random)
          <input
            inputMode="numeric"
            value={seed}
            onChange={(e) => setSeed(e.target.value.replace(/\D/g, ''))}
          />
        </label>
      </details>
      <p className="price" data-testid="price">
        {quote.data
          ? `Costs ${quote.data.total} credit${quote.data.total === 1 ? '' : 's'}`
          : quote.isError
            ? 'Check the settings'
            : 'Pricing…'}
        {balance.data && (
          <span className="muted"> · you have {balance.data.credits.available}</span>
        )}
      </p>
      {create.error && (
        <p role="alert" className="error">
          {create.error.message}
        </p>
      )}
      <button type="submit" disabled={create.isPending || !prompt.trim()}>
        {create.isPending ? 'Submitting…' : 'Generate'}
      </button>
    </form>
  );
}
