// The one rule for external tools that some tests need (Chromium, stripe-mock built with
// Go): on a developer's machine a missing tool skips those tests with the
// reason printed; with CI set it fails the run, so a green CI run always means every suite ran.
// Used by scripts/test.mjs (before the suites) and by the test files themselves (vitest run alone).
// Node built-ins only.

/** True when CI is set to anything but "", "0" or "false" (GitHub Actions, GitLab, … set CI=true). */
export function ciRequiresEveryTool() {
  const ci = (process.env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== '0' && ci !== 'false';
}

/**
 * Returns `found` when the tool is there. When it is missing (null, undefined, ''): throws with CI
 * set; otherwise prints why, and what the skip costs, and returns null so the caller skips.
 *
 * @template T
 * @param {string} tool what is missing, e.g. "Chromium"
 * @param {T | null | undefined} found the tool's path (or handle), if it was found
 * @param {{ skips: string, install: string }} why what is skipped without it; how to get it
 * @returns {T | null}
 */
export function requireTool(tool, found, { skips, install }) {
  if (found) return found;
  const message = `${tool} is not available, so ${skips}. ${install}`;
  if (ciRequiresEveryTool()) {
    throw new Error(`${message} CI is set: a missing tool fails the run instead of skipping.`);
  }
  console.warn(`[tools] ${message} (skipped; with CI set this fails the run)`);
  return null;
}
