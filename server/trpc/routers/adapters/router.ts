import { router } from '../../init';
import { list } from './list';
import { remove } from './remove';
import { rename } from './rename';

export const adaptersRouter = router({ list, rename, remove });
