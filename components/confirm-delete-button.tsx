'use client';
import { Trash2 } from 'lucide-react';
import type { ReactNode } from 'react';
import type { useFocusAfterRemoval } from '@/components/use-focus-after-removal';
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from '@/components/ui/alert-dialog';
import { Button } from '@/components/ui/button';

/**
 * A tile's trash-can button and the dialog that confirms the deletion ("Keep it" / "Delete").
 * Focus moves to a neighbouring tile once the item is gone (see useFocusAfterRemoval).
 */
export function ConfirmDeleteButton({
  label,
  title,
  description,
  focus,
  onConfirm,
  disabled,
}: {
  /** The trigger's accessible name. */
  label: string;
  title: ReactNode;
  description: ReactNode;
  focus: Pick<ReturnType<typeof useFocusAfterRemoval>, 'prepare' | 'onCloseAutoFocus'>;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  return (
    <AlertDialog>
      <AlertDialogTrigger asChild>
        <Button
          type="button"
          size="icon-sm"
          variant="ghost"
          title="Delete"
          className="hover:bg-destructive/10 hover:text-destructive"
          disabled={disabled}
        >
          <Trash2 aria-hidden="true" />
          <span className="sr-only">{label}</span>
        </Button>
      </AlertDialogTrigger>
      <AlertDialogContent onCloseAutoFocus={focus.onCloseAutoFocus}>
        <AlertDialogHeader>
          <AlertDialogTitle>{title}</AlertDialogTitle>
          <AlertDialogDescription>{description}</AlertDialogDescription>
        </AlertDialogHeader>
        <AlertDialogFooter>
          <AlertDialogCancel>Keep it</AlertDialogCancel>
          <AlertDialogAction
            onClick={() => {
              focus.prepare();
              onConfirm();
            }}
          >
            Delete
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
