import { router } from '../../init';
import { cancel } from './cancel';
import { create } from './create';
import { deleteOutput } from './delete-output';
import { edit, quoteEdit } from './edit';
import { gallery } from './gallery';
import { get } from './get';
import { list } from './list';
import { quote } from './quote';
import { share } from './share';
import { quoteTrain, train } from './train';
import { unshare } from './unshare';
import { useAsReference } from './use-as-reference';

export const jobsRouter = router({
  quote,
  create,
  get,
  list,
  cancel,
  gallery,
  deleteOutput,
  useAsReference,
  quoteTrain,
  train,
  quoteEdit,
  edit,
  share,
  unshare,
});
