import { router } from '../../init';
import { cancel } from './cancel';
import { create } from './create';
import { gallery } from './gallery';
import { get } from './get';
import { list } from './list';
import { quote } from './quote';

export const jobsRouter = router({ quote, create, get, list, cancel, gallery });
