// The base models this deployment offers (BASE_MODELS, each with its family) and the X-Adapter
// it routes SD 1.5 plugins on SDXL through (X_ADAPTER, X_ADAPTER_SD15_BASE).
import { env } from '../env';
import { AppError } from '../errors';
import type { Family } from './families';

export interface BaseModel {
  name: string;
  family: Family;
}

/** BASE_MODELS in order; the first is the default. */
export function baseModels(): BaseModel[] {
  return env().BASE_MODELS;
}

export function baseModelNames(): string[] {
  return baseModels().map((m) => m.name);
}

/** The family of an offered base model; VALIDATION_FAILED naming the offered ones otherwise. */
export function familyOf(baseModel: string): Family {
  const found = baseModels().find((m) => m.name === baseModel);
  if (!found) {
    throw new AppError(
      'VALIDATION_FAILED',
      `baseModel: unknown model "${baseModel}"; available: ${baseModelNames().join(', ')}`,
    );
  }
  return found.family;
}

/** The asked base model (checked), or the default: the first of BASE_MODELS. */
export function baseModelOrDefault(asked: string | undefined): string {
  const name = asked ?? baseModels()[0]!.name;
  familyOf(name);
  return name;
}

/** The first offered base model of a family, if any (an import's default for its file). */
export function defaultBaseModelOf(family: Family): string | undefined {
  return baseModels().find((m) => m.family === family)?.name;
}

export interface XAdapterConfig {
  /** The worker registry's x_adapters entry. */
  name: string;
  /** The SD 1.5 base model its SD 1.5 branch runs (family sd15, in BASE_MODELS). */
  sd15BaseModel: string;
}

/** The configured X-Adapter, or null when routing is off (env.ts checks the pair). */
export function xAdapterConfig(): XAdapterConfig | null {
  const e = env();
  if (!e.X_ADAPTER || !e.X_ADAPTER_SD15_BASE) return null;
  return { name: e.X_ADAPTER, sd15BaseModel: e.X_ADAPTER_SD15_BASE };
}
