import { router } from '../../init';
import { me } from './me';

export const accountRouter = router({ me });
