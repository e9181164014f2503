'use client';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { History, Loader2, RotateCcw, Sparkles } from 'lucide-react';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useForm, useWatch, type Resolver } from 'react-hook-form';
import { toast } from 'sonner';
import { useDebouncedValue } from '@/components/hooks/use-debounced-value';
import { VerifyEmailAlert } from '@/components/account/verify-email-alert';
import { Alert, AlertDescription, AlertTitle } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import {
  Form,
  FormControl,
  FormDescription,
  FormField,
  FormItem,
  FormLabel,
  FormMessage,
} from '@/components/ui/form';
import { Textarea } from '@/components/ui/textarea';
import { describeError, toastError } from '@/lib/error-messages';
import { useTRPC } from '@/lib/trpc';
import type { GenerateInput } from '@/server/jobs/schemas';
import { AdapterSection } from './adapter-section';
import { AdvancedSection } from './advanced-section';
import { ControlSection } from './control-section';
import { familyOf, routeFor, type ModelsInfo } from './families';
import { adapterFamily, chooseBaseModel, ModelSection } from './model-section';
import {
  DEFAULT_VALUES,
  DEFAULT_WEIGHT,
  EXAMPLE_PROMPTS,
  newControl,
  valuesFromJobRequest,
  type FormValues,
} from './presets';
import { ReferenceSection, type LibraryEntry } from './reference-section';
import { SizeSection } from './size-section';
import { createGenerationOnce } from './submit';

export interface GeneratePrefill {
  remix: string | null;
  reference: string | null;
  control: string | null;
  adapter: string | null;
  prompt: string | null;
}

/**
 * zodResolver(generateInput), the server's own schema, loaded on the first submit: zod is the
 * largest library on this page and nothing needs it before then (the price is checked by the
 * server's jobs.quote, which parses with the same schema).
 */
const generateResolver: Resolver<FormValues, unknown, GenerateInput> = async (
  values,
  ctx,
  opts,
) => {
  const [{ zodResolver }, { generateInput }] = await Promise.all([
    import('@hookform/resolvers/zod'),
    import('@/server/jobs/schemas'),
  ]);
  return zodResolver(generateInput)(values, ctx, opts);
};

function prefilledValues(p: GeneratePrefill): FormValues {
  return {
    ...DEFAULT_VALUES,
    prompt: p.prompt ?? '',
    references: p.reference ? [{ referenceId: p.reference, weight: DEFAULT_WEIGHT }] : [],
    // The built-in Canny map is always available on the web tier.
    controls: p.control ? [newControl(p.control, (k) => k === 'canny')] : [],
    loras: p.adapter ? [{ adapterId: p.adapter, weight: DEFAULT_WEIGHT }] : [],
  };
}

export function GenerateForm({ prefill }: { prefill: GeneratePrefill }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const form = useForm<FormValues, unknown, GenerateInput>({
    resolver: generateResolver,
    defaultValues: prefilledValues(prefill),
  });

  const library = useQuery(trpc.references.list.queryOptions());
  const maps = useQuery(trpc.references.controlMaps.queryOptions());
  const adapters = useQuery(trpc.adapters.list.queryOptions());
  const me = useQuery(trpc.account.me.queryOptions());
  const models = useQuery(trpc.models.list.queryOptions());
  const modelsInfo: ModelsInfo | undefined = models.data;
  const libraryById = useMemo(
    () => new Map<string, LibraryEntry>((library.data ?? []).map((i) => [i.id, i])),
    [library.data],
  );

  // ?remix=<jobId>: that job's exact parameters, seed included.
  const remix = useQuery({
    ...trpc.jobs.get.queryOptions({ id: prefill.remix ?? '' }),
    enabled: Boolean(prefill.remix),
    staleTime: Infinity,
  });
  const [remixedFrom, setRemixedFrom] = useState<Date | null>(null);
  const remixApplied = useRef(false);
  useEffect(() => {
    if (remixApplied.current) return;
    if (remix.error) {
      remixApplied.current = true;
      toastError(remix.error, { title: 'Could not load that generation' });
      return;
    }
    if (!remix.data) return;
    remixApplied.current = true;
    const values = remix.data.kind === 'GENERATE' ? valuesFromJobRequest(remix.data.request) : null;
    if (!values) {
      toast.error('Only generations can be remixed here', {
        description: 'Photo edits open on the Edit page.',
      });
      return;
    }
    form.reset(values);
    setRemixedFrom(remix.data.createdAt);
  }, [remix.data, remix.error, form]);

  // ?adapter=<id> of an adapter the default base model cannot run (an SDXL LoRA): start on the
  // first base model of its family instead, so "Use in Generate" works as it says.
  const adapterApplied = useRef(false);
  useEffect(() => {
    if (adapterApplied.current || !prefill.adapter || prefill.remix) return;
    if (!models.data || !adapters.data) return;
    adapterApplied.current = true;
    const a = adapters.data.find((x) => x.id === prefill.adapter);
    if (!a || form.getValues('baseModel')) return;
    const family = adapterFamily(a, models.data);
    if (family === familyOf(models.data, undefined)) return;
    const base = models.data.baseModels.find((m) => m.family === family);
    if (base) chooseBaseModel(form, models.data, base.name);
  }, [prefill.adapter, prefill.remix, models.data, adapters.data, form]);

  // The price, live: asked once the settings stop moving (sliders), the last one shown meanwhile.
  const values = useWatch({ control: form.control });
  const priced = useDebouncedValue(JSON.stringify(values), 250);
  const quoteInput = useMemo(
    // The prompt does not change the price; a placeholder keeps an empty one from failing.
    () => ({ ...(JSON.parse(priced) as FormValues), prompt: 'x' }),
    [priced],
  );
  const quote = useQuery({
    ...trpc.jobs.quote.queryOptions(quoteInput),
    placeholderData: keepPreviousData,
    retry: false,
  });

  const createOnce = useMemo(() => createGenerationOnce(), []);
  const inFlight = useRef(false);
  const create = useMutation({
    mutationFn: createOnce,
    onSuccess: async (job) => {
      await queryClient.invalidateQueries({ queryKey: trpc.account.me.queryKey() });
      router.push(`/jobs/${job.id}`);
    },
    onError: (e) => {
      inFlight.current = false;
      const described = toastError(e, { title: 'Could not start the generation' });
      // Field errors from the server land on the fields, like the form's own checks.
      for (const [field, msgs] of Object.entries(described.fieldErrors ?? {})) {
        if (field in DEFAULT_VALUES)
          form.setError(field as keyof FormValues, { message: msgs.join(', ') });
      }
    },
  });

  function onValid(input: GenerateInput) {
    // A second click before React re-renders must not start a second job.
    if (inFlight.current) return;
    inFlight.current = true;
    // X-Adapter's knobs belong to the job only when a plugin goes through it (base changed since).
    const { xAdapter, ...rest } = input;
    create.mutate(xAdapterInPlay && xAdapter ? { ...rest, xAdapter } : rest);
  }

  // The chosen base model's family, and whether any picked plugin goes through X-Adapter.
  const baseFamily = familyOf(modelsInfo, values.baseModel);
  const xAdapterOn = Boolean(modelsInfo?.xAdapter.available);
  const adapterById = new Map((adapters.data ?? []).map((a) => [a.id, a]));
  const xAdapterInPlay =
    baseFamily === 'sdxl' &&
    xAdapterOn &&
    [
      ...(values.controls ?? []).map((c) => c?.family ?? baseFamily),
      ...(values.loras ?? []).flatMap((l) => {
        const a = l?.adapterId ? adapterById.get(l.adapterId) : undefined;
        return a ? [adapterFamily(a, modelsInfo)] : [];
      }),
    ].some((f) => routeFor(f, baseFamily, xAdapterOn) === 'x_adapter');

  const busy = create.isPending || create.isSuccess;
  const available = me.data?.credits.available;
  const total = quote.data?.total;
  const short = total !== undefined && available !== undefined && total > available;
  const loadingRemix = Boolean(prefill.remix) && remix.isPending;

  return (
    <Form {...form}>
      <form
        noValidate
        onSubmit={(e) => void form.handleSubmit(onValid)(e)}
        className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem] lg:items-start"
        aria-busy={loadingRemix}
      >
        <div className="grid min-w-0 gap-6">
          <header className="grid gap-1">
            <h1 className="text-3xl font-bold tracking-tight">Generate</h1>
            <p className="text-muted-foreground">
              Describe it in words, then steer it with pictures, structure and your adapters.
            </p>
          </header>

          <VerifyEmailAlert email={me.data?.email} verified={me.data?.emailVerified} />

          {loadingRemix && (
            <Alert variant="info">
              <Loader2 className="animate-spin" aria-hidden="true" />
              <AlertTitle>Loading that generation’s settings…</AlertTitle>
            </Alert>
          )}
          {remixedFrom && (
            <Alert variant="info">
              <History aria-hidden="true" />
              <AlertTitle>Remixing a generation from {remixedFrom.toLocaleString()}</AlertTitle>
              <AlertDescription>
                Every setting and the seed are as they were. Change anything, then generate.
                <Button
                  type="button"
                  variant="outline"
                  size="sm"
                  className="mt-1"
                  onClick={() => {
                    form.reset(DEFAULT_VALUES);
                    setRemixedFrom(null);
                    router.replace('/generate');
                  }}
                >
                  <RotateCcw aria-hidden="true" />
                  Start from scratch
                </Button>
              </AlertDescription>
            </Alert>
          )}

          <ModelSection
            form={form}
            models={modelsInfo}
            failed={models.isError}
            adapters={adapters.data}
          />

          <section
            aria-label="Prompt and size"
            className="grid gap-5 rounded-xl border bg-card p-4 shadow-xs sm:p-6"
          >
            <FormField
              control={form.control}
              name="prompt"
              render={({ field }) => (
                <FormItem>
                  <FormLabel className="text-base">Prompt</FormLabel>
                  <FormControl>
                    <Textarea
                      {...field}
                      rows={4}
                      maxLength={2000}
                      placeholder="Describe the picture: subject, setting, style, light…"
                      className="min-h-28 text-base"
                    />
                  </FormControl>
                  <FormMessage />
                  {!field.value && (
                    <div className="flex flex-wrap items-center gap-2 text-sm">
                      <span className="text-muted-foreground">Try:</span>
                      {EXAMPLE_PROMPTS.map((p) => (
                        <button
                          key={p}
                          type="button"
                          data-slot="example-prompt"
                          onClick={() => form.setValue('prompt', p, { shouldDirty: true })}
                          className="cursor-pointer rounded-full border bg-background px-3 py-1 text-left text-xs hover:bg-accent hover:text-accent-foreground"
                        >
                          {p}
                        </button>
                      ))}
                    </div>
                  )}
                </FormItem>
              )}
            />
            <FormField
              control={form.control}
              name="negativePrompt"
              render={({ field }) => (
                <FormItem>
                  <FormLabel>Things to avoid</FormLabel>
                  <FormControl>
                    <Textarea
                      {...field}
                      rows={1}
                      maxLength={2000}
                      placeholder="blurry, extra fingers, text"
                    />
                  </FormControl>
                  <FormDescription>Also called a negative prompt. Optional.</FormDescription>
                  <FormMessage />
                </FormItem>
              )}
            />
            <SizeSection form={form} family={baseFamily} />
          </section>

          <ReferenceSection form={form} library={libraryById} />
          <ControlSection
            form={form}
            library={libraryById}
            maps={maps.data ?? []}
            baseFamily={baseFamily}
            xAdapterOn={xAdapterOn}
          />
          <AdapterSection
            form={form}
            adapters={adapters.data}
            failed={adapters.isError}
            retry={() => void adapters.refetch()}
            models={modelsInfo}
          />
          <AdvancedSection form={form} defaultOpen={false} xAdapterInPlay={xAdapterInPlay} />
        </div>

        <aside
          aria-label="Price and start"
          className="sticky bottom-0 z-30 -mx-4 border-t bg-background/95 px-4 py-3 backdrop-blur sm:-mx-6 sm:px-6 lg:top-20 lg:bottom-auto lg:mx-0 lg:grid lg:gap-4 lg:rounded-xl lg:border lg:bg-card lg:p-6 lg:shadow-xs"
        >
          <div className="flex items-center gap-3 lg:grid lg:gap-4">
            <div className="min-w-0 flex-1">
              <p className="text-sm lg:text-base" data-testid="price">
                {quote.data ? (
                  <>
                    Costs{' '}
                    <strong className="text-lg font-semibold tabular-nums lg:text-2xl">
                      {quote.data.total} credit{quote.data.total === 1 ? '' : 's'}
                    </strong>
                  </>
                ) : quote.isError ? (
                  'Check the settings'
                ) : (
                  'Pricing…'
                )}
              </p>
              {available !== undefined && (
                <p className="text-xs text-muted-foreground tabular-nums lg:text-sm">
                  You have {available.toLocaleString('en-US')}
                </p>
              )}
              {quote.data?.lines.some((l) => l.label === 'X-Adapter') && (
                <p className="text-xs text-muted-foreground lg:hidden">Includes X-Adapter</p>
              )}
            </div>
            {quote.data && quote.data.lines.length > 0 && (
              <ul
                className="hidden gap-1 border-t pt-3 text-sm lg:grid"
                aria-label="Price breakdown"
              >
                {quote.data.lines.map((l) => (
                  <li
                    key={l.label}
                    className="grid grid-cols-[minmax(0,1fr)_auto] gap-x-2 text-muted-foreground"
                  >
                    <span>{l.label}</span>
                    <span className="tabular-nums">{Number(l.credits.toFixed(2))}</span>
                    {l.detail && <span className="col-span-2 text-xs">{l.detail}</span>}
                  </li>
                ))}
              </ul>
            )}
            <Button
              type="submit"
              size="lg"
              className="shrink-0 lg:w-full"
              disabled={busy || short || loadingRemix}
            >
              {busy ? (
                <Loader2 className="animate-spin" aria-hidden="true" />
              ) : (
                <Sparkles aria-hidden="true" />
              )}
              {busy ? 'Starting…' : 'Generate'}
            </Button>
          </div>
          {quote.isError && !quote.isFetching && (
            // The server's own refusal (e.g. an SDXL LoRA on SD 1.5), before anything is paid.
            <p
              role="status"
              data-testid="quote-error"
              className="mt-2 text-sm text-destructive lg:mt-0"
            >
              {describeError(quote.error).message}
            </p>
          )}
          {short && (
            <p role="status" className="mt-2 text-sm text-destructive lg:mt-0">
              Not enough credits for this.{' '}
              <Link href="/billing" className="font-medium underline">
                Buy credits
              </Link>{' '}
              or lower the size, steps or number of images.
            </p>
          )}
          <p className="hidden text-xs text-muted-foreground lg:block">
            Credits are held while it runs and returned if it fails.
          </p>
        </aside>
      </form>
    </Form>
  );
}
