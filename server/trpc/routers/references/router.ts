import { router } from '../../init';
import { controlMaps } from './control-maps';
import { list } from './list';
import { remove } from './remove';

export const referencesRouter = router({ list, remove, controlMaps });
