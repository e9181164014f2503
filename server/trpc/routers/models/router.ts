import { router } from '../../init';
import { list } from './list';

export const modelsRouter = router({ list });
