// Secrets are revealed by mutations: an API key needs webhooks:write to read one, since a
// secret lets its holder forge deliveries.
import { endpointSecret, jobWebhookSecret } from '../../../webhooks/endpoints';
import { idInput, signingSecretView } from '../../../webhooks/schemas';
import { protectedProcedure } from '../../init';

export const revealSecret = protectedProcedure
  .input(idInput)
  .output(signingSecretView)
  .mutation(({ ctx, input }) => endpointSecret(ctx.user.id, input.id));

/** The secret that signs deliveries to the `webhook` URLs given with jobs. */
export const revealJobSecret = protectedProcedure
  .output(signingSecretView)
  .mutation(({ ctx }) => jobWebhookSecret(ctx.user.id));
