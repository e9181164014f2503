import Link from 'next/link';

export default function LandingPage() {
  return (
    <section>
      <h1>Steer image generation with pictures</h1>
      <p className="muted">
        Reference images (IP-Adapter), structure (ControlNet, T2I-Adapter), your own adapters (LoRA,
        SVDiff) and single-photo edits with words (CoSINE).
      </p>
      <p>
        <Link className="button" href="/sign-up">
          Create an account
        </Link>{' '}
        <Link href="/sign-in">Sign in</Link>
      </p>
    </section>
  );
}
