import { ArrowRightLeft, Ban, Check } from 'lucide-react';
import { Badge } from '@/components/ui/badge';
import type { Route } from './families';

const LABELS: Record<Route, string> = {
  native: 'Works directly',
  x_adapter: 'Through X-Adapter',
  refused: 'Cannot be used',
};

/** How a plugin runs on the chosen base model, as a badge (icon + words, never colour alone). */
export function RouteBadge({ route }: { route: Route }) {
  const Icon = route === 'native' ? Check : route === 'x_adapter' ? ArrowRightLeft : Ban;
  return (
    <Badge
      data-route={route}
      variant={route === 'native' ? 'success' : route === 'x_adapter' ? 'accent' : 'destructive'}
    >
      <Icon aria-hidden="true" />
      {LABELS[route]}
    </Badge>
  );
}
