import { router } from '../../init';
import { createEndpoint } from './create-endpoint';
import { deleteEndpoint } from './delete-endpoint';
import { deliveries } from './deliveries';
import { endpoints } from './endpoints';
import { replay } from './replay';
import { revealJobSecret, revealSecret } from './reveal-secret';

export const webhooksRouter = router({
  endpoints,
  createEndpoint,
  deleteEndpoint,
  revealSecret,
  revealJobSecret,
  deliveries,
  replay,
});
