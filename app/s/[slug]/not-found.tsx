import Link from 'next/link';

export default function ShareNotFound() {
  return (
    <section className="mx-auto flex max-w-xl flex-col gap-3">
      <h1 className="text-xl font-semibold">Nothing is shared here</h1>
      <p className="text-muted-foreground">
        This link was never shared or its owner stopped sharing it.
      </p>
      <p>
        <Link href="/" className="font-medium text-primary underline underline-offset-4">
          Go to Adapter Studio
        </Link>
      </p>
    </section>
  );
}
