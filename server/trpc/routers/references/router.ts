import { router } from '../../init';
import { list } from './list';
import { remove } from './remove';

export const referencesRouter = router({ list, remove });
