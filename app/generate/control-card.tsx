'use client';
// One control image's settings and its live map preview: loaded once a control is added, so its
// sliders, radios and the preview stay out of Generate's first load.
import { X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useDebouncedValue } from '@/components/hooks/use-debounced-value';
import { Button } from '@/components/ui/button';
import { Label } from '@/components/ui/label';
import { NativeSelect } from '@/components/ui/native-select';
import { RadioGroup, RadioGroupItem } from '@/components/ui/radio-group';
import { Skeleton } from '@/components/ui/skeleton';
import { Slider } from '@/components/ui/slider';
import { FAMILY_NAMES, routeFor, X_ADAPTER_EXPLANATION, type Family } from './families';
import { CONTROL_TYPES, CONTROL_TYPE_NAMES, type ControlType, type ControlValue } from './presets';
import { RouteBadge } from './route-badge';
import { SliderField } from './slider-field';
import { Thumb, type LibraryEntry } from './thumb';

export interface MapKind {
  kind: string;
  available: boolean;
}

/** The map the job will use, fetched as the settings change (debounced), at its real aspect. */
function MapPreview({
  control,
  entry,
}: {
  control: ControlValue;
  entry: LibraryEntry | undefined;
}) {
  const params = useDebouncedValue(
    `kind=${control.preprocess}&low=${control.cannyLow ?? 100}&high=${control.cannyHigh ?? 200}`,
    300,
  );
  const src =
    control.preprocess === 'none'
      ? (entry?.thumbnailUrl ?? null)
      : `/api/references/${control.imageId}/control-map?${params}`;
  const [state, setState] = useState<{ src: string | null; status: 'loaded' | 'failed' }>({
    src: null,
    status: 'loaded',
  });
  // An image that finished loading before hydration never fires onLoad: check on mount too.
  const imgRef = useRef<HTMLImageElement>(null);
  useEffect(() => {
    const img = imgRef.current;
    if (img?.complete && src) setState({ src, status: img.naturalWidth ? 'loaded' : 'failed' });
  }, [src]);
  const loading = src !== null && state.src !== src;
  const failed = !loading && state.status === 'failed';
  const width = entry?.width ?? 512;
  const height = entry?.height ?? 512;
  return (
    <figure className="grid content-start gap-2">
      <div
        className="relative w-full overflow-hidden rounded-lg border bg-muted"
        style={{ aspectRatio: `${width} / ${height}` }}
      >
        {src && (
          <img
            key={src}
            ref={imgRef}
            src={src}
            alt={
              control.preprocess === 'none'
                ? 'The control image, used as the map as it is'
                : `The ${control.preprocess} map the job will use`
            }
            width={width}
            height={height}
            data-testid="control-map"
            className="absolute inset-0 size-full object-contain"
            onLoad={() => setState({ src, status: 'loaded' })}
            onError={() => setState({ src, status: 'failed' })}
          />
        )}
        {loading && <Skeleton className="absolute inset-0 rounded-none" />}
        {failed && (
          <p
            role="alert"
            className="absolute inset-0 flex items-center justify-center bg-muted p-4 text-center text-sm text-destructive"
          >
            Could not make this map. Choose another kind of map, or use the image as it is.
          </p>
        )}
      </div>
      <figcaption className="text-xs text-muted-foreground">
        {control.preprocess === 'none'
          ? 'Used as the map as it is.'
          : 'This map steers the layout. Nothing is charged until you generate.'}
      </figcaption>
    </figure>
  );
}

export function ControlCard({
  index,
  control,
  entry,
  maps,
  onChange,
  onRemove,
  baseFamily,
  xAdapterOn,
}: {
  index: number;
  control: ControlValue;
  entry: LibraryEntry | undefined;
  maps: MapKind[];
  onChange: (c: ControlValue) => void;
  onRemove: () => void;
  baseFamily: Family;
  xAdapterOn: boolean;
}) {
  const n = index + 1;
  const patch = (p: Partial<ControlValue>) => onChange({ ...control, ...p });
  const available = (kind: string) => maps.some((m) => m.kind === kind && m.available);
  const ids = {
    type: `control-${n}-type`,
    map: `control-${n}-map`,
    model: `control-${n}-model`,
    family: `control-${n}-family`,
  };
  const family: Family = control.family ?? baseFamily;
  const route = routeFor(family, baseFamily, xAdapterOn);
  const start = control.start ?? 0;
  const end = control.end ?? 1;
  return (
    <li className="grid gap-4 rounded-lg border p-3 sm:p-4">
      <div className="flex items-center gap-3">
        <Thumb entry={entry} size={40} />
        <h3 className="flex-1 text-sm font-semibold">
          Control {n}
          {!entry && (
            <span className="font-normal text-destructive"> (image not in your library)</span>
          )}
        </h3>
        <Button type="button" variant="ghost" size="icon-sm" onClick={onRemove}>
          <X aria-hidden="true" />
          <span className="sr-only">Remove control {n}</span>
        </Button>
      </div>
      <div className="grid gap-4 sm:grid-cols-2">
        <MapPreview control={control} entry={entry} />
        <div className="grid content-start gap-4">
          <div className="grid gap-2">
            <Label htmlFor={ids.type}>
              What to follow<span className="sr-only"> in control {n}</span>
            </Label>
            <NativeSelect
              id={ids.type}
              value={control.type}
              onChange={(e) => {
                const type = e.target.value as ControlType;
                // Suggest the matching map; keep the user's choice when there is none.
                patch(available(type) ? { type, preprocess: type } : { type });
              }}
            >
              {CONTROL_TYPES.map((t) => (
                <option key={t} value={t}>
                  {CONTROL_TYPE_NAMES[t]}
                </option>
              ))}
            </NativeSelect>
          </div>
          <div className="grid gap-2">
            <Label htmlFor={ids.map}>
              Map<span className="sr-only"> for control {n}</span>
            </Label>
            <NativeSelect
              id={ids.map}
              value={control.preprocess ?? 'none'}
              onChange={(e) => patch({ preprocess: e.target.value as ControlValue['preprocess'] })}
            >
              <option value="none">The image already is a map</option>
              {maps.map((m) => (
                <option key={m.kind} value={m.kind} disabled={!m.available}>
                  Make a {m.kind} map from the photo{m.available ? '' : ' (not available here)'}
                </option>
              ))}
            </NativeSelect>
          </div>
          {control.preprocess === 'canny' && (
            <div className="grid grid-cols-2 gap-3">
              <SliderField
                label="Low threshold"
                value={control.cannyLow ?? 100}
                min={0}
                max={500}
                step={10}
                format={(v) => String(v)}
                onChange={(v) => patch({ cannyLow: v })}
              />
              <SliderField
                label="High threshold"
                value={control.cannyHigh ?? 200}
                min={0}
                max={500}
                step={10}
                format={(v) => String(v)}
                onChange={(v) => patch({ cannyHigh: v })}
              />
            </div>
          )}
          <div className="grid gap-2">
            <Label id={ids.model} className="font-normal">
              Model
            </Label>
            <RadioGroup
              aria-labelledby={ids.model}
              value={control.adapter ?? 'controlnet'}
              onValueChange={(v) => patch({ adapter: v as 'controlnet' | 't2i_adapter' })}
              className="grid gap-2"
            >
              <Label className="font-normal">
                <RadioGroupItem value="controlnet" /> ControlNet: follows closely
              </Label>
              <Label className="font-normal">
                <RadioGroupItem value="t2i_adapter" /> T2I-Adapter: lighter, cheaper
              </Label>
            </RadioGroup>
          </div>
          {baseFamily === 'sdxl' && (
            <div className="grid gap-2">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <Label htmlFor={ids.family}>
                  Model made for<span className="sr-only"> control {n}</span>
                </Label>
                <RouteBadge route={route} />
              </div>
              <NativeSelect
                id={ids.family}
                value={family}
                aria-describedby={`${ids.family}-why`}
                onChange={(e) => patch({ family: e.target.value as Family })}
              >
                <option value="sdxl">{FAMILY_NAMES.sdxl}: runs directly</option>
                <option value="sd15" disabled={!xAdapterOn && family !== 'sd15'}>
                  {FAMILY_NAMES.sd15}: through X-Adapter
                  {xAdapterOn ? '' : ' (not available here)'}
                </option>
              </NativeSelect>
              <p id={`${ids.family}-why`} className="text-xs text-muted-foreground">
                {route === 'x_adapter'
                  ? X_ADAPTER_EXPLANATION
                  : route === 'refused'
                    ? 'X-Adapter is not available here: choose the SDXL model.'
                    : 'The SDXL model of this kind steers SDXL itself.'}
              </p>
            </div>
          )}
          <SliderField
            label={`Strength of control ${n}`}
            value={control.scale ?? 1}
            min={0}
            max={2}
            step={0.05}
            onChange={(v) => patch({ scale: v })}
          />
          <div className="grid gap-2">
            <div className="flex items-center justify-between gap-2">
              <span className="text-sm">Applies during</span>
              <span className="text-sm font-medium tabular-nums" aria-hidden="true">
                {Math.round(start * 100)}–{Math.round(end * 100)}%
              </span>
            </div>
            <Slider
              value={[start, end]}
              min={0}
              max={1}
              step={0.05}
              minStepsBetweenThumbs={1}
              thumbLabels={[`Control ${n} starts at`, `Control ${n} ends at`]}
              aria-valuetext={`${Math.round(start * 100)} to ${Math.round(end * 100)} percent of the steps`}
              onValueChange={([s, e]) =>
                s !== undefined && e !== undefined && patch({ start: s, end: e })
              }
            />
            <p className="text-xs text-muted-foreground">
              Ending early keeps the layout but frees the details.
            </p>
          </div>
        </div>
      </div>
    </li>
  );
}
