'use client';
// Pieces the developers page's sections (API keys, webhooks) share.
import { Copy, Loader2, ShieldAlert } from 'lucide-react';
import { useState, type ReactNode } from 'react';
import { toast } from 'sonner';
import { Button } from '@/components/ui/button';
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog';
import { Table, TableBody, TableHead, TableHeader, TableRow } from '@/components/ui/table';

export const WHEN = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short' });

/** `list` with `item` added (on) or taken out (off): a checkbox group's onCheckedChange. */
export function toggled<T>(list: readonly T[] | undefined, item: T, on: boolean): T[] {
  return on ? [...(list ?? []), item] : (list ?? []).filter((x) => x !== item);
}

/** A secret in a dialog with Copy; `once` keeps it open until the owner says it is stored. */
export function SecretDialog({
  title,
  description,
  secret,
  testId,
  what,
  doneLabel,
  once = false,
  onClose,
}: {
  title: string;
  description: ReactNode;
  secret: string | null;
  testId: string;
  /** What to copy by hand when the clipboard refuses: "key", "secret". */
  what: string;
  doneLabel: string;
  once?: boolean;
  onClose: () => void;
}) {
  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      toast.success('Copied to the clipboard');
    } catch {
      toast.error('Could not copy', { description: `Select the ${what} and copy it by hand.` });
    }
  }
  return (
    <Dialog open={secret !== null} onOpenChange={(o) => !o && onClose()}>
      <DialogContent
        {...(once
          ? { showCloseButton: false, onInteractOutside: (e: Event) => e.preventDefault() }
          : {})}
      >
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <code
          data-testid={testId}
          className="block rounded-md border bg-muted px-3 py-2 font-mono text-sm break-all select-all"
        >
          {secret}
        </code>
        <DialogFooter>
          <Button type="button" variant="outline" onClick={() => secret && void copy(secret)}>
            <Copy aria-hidden="true" />
            Copy
          </Button>
          <DialogClose asChild>
            <Button type="button">{doneLabel}</Button>
          </DialogClose>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** A small outline button that asks before a destructive action ("Keep it" / confirmLabel). */
export function ConfirmButton({
  label,
  srLabel,
  title,
  description,
  descriptionClassName,
  confirmLabel,
  disabled,
  onConfirm,
}: {
  label: string;
  /** Added for screen readers after the label: which item it acts on. */
  srLabel: string;
  title: ReactNode;
  description: ReactNode;
  descriptionClassName?: string;
  confirmLabel: string;
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const [open, setOpen] = useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button type="button" variant="outline" size="sm" disabled={disabled}>
          {label}
          <span className="sr-only"> {srLabel}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription className={descriptionClassName}>{description}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <DialogClose asChild>
            <Button type="button" variant="outline">
              Keep it
            </Button>
          </DialogClose>
          <Button
            type="button"
            variant="destructive"
            onClick={() => {
              setOpen(false);
              onConfirm();
            }}
          >
            {confirmLabel}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}

/** A form's submit button: a spinner in place of its icon while the request is out. */
export function SubmitButton({
  pending,
  icon,
  children,
}: {
  pending: boolean;
  icon: ReactNode;
  children: ReactNode;
}) {
  return (
    <div>
      <Button type="submit" disabled={pending}>
        {pending ? <Loader2 className="animate-spin" aria-hidden="true" /> : icon}
        {children}
      </Button>
    </div>
  );
}

export function LoadFailed({ what, retry }: { what: string; retry: () => void }) {
  return (
    <p role="alert" className="flex flex-wrap items-center gap-2 text-sm text-destructive">
      <ShieldAlert className="size-4" aria-hidden="true" />
      Could not load {what}.
      <Button type="button" variant="outline" size="sm" onClick={retry}>
        Try again
      </Button>
    </p>
  );
}

/** A bordered table whose last column holds each row's buttons. */
export function ListTable({
  heads,
  children,
}: {
  heads: { label: string; className?: string }[];
  children: ReactNode;
}) {
  return (
    <div className="rounded-xl border bg-card">
      <Table>
        <TableHeader>
          <TableRow>
            {heads.map((h) => (
              <TableHead key={h.label} scope="col" className={h.className}>
                {h.label}
              </TableHead>
            ))}
            <TableHead scope="col">
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
}
