// X-Adapter's defaults as the app applies them (Ran et al., arXiv 2312.02238; the authors' code,
// github.com/showlab/X-Adapter). The app sends the resolved `t0` and SD 1.5 size with every routed
// job, so the work done is exactly the work priced (server/credits/pricing.ts).

/**
 * Fraction of the steps the SD 1.5 branch runs alone before SDXL joins (stage one): 1 −
 * `adapter_guidance_start` of the authors' canny script (0.8), the worker's own default too
 * (gpu-worker/src/adapter_worker/params.py XAdapterParams.t0).
 */
export const X_ADAPTER_DEFAULT_T0 = 0.2;

/**
 * The SD 1.5 branch's side when not given: half the SDXL side rounded down to a multiple of 8,
 * at least 128 (the paper runs SD 1.5 at half SDXL's resolution, e.g. 512×384 beside 1024×768).
 */
export function defaultSd15Side(sdxlSide: number): number {
  return Math.max(128, Math.floor(sdxlSide / 2 / 8) * 8);
}
