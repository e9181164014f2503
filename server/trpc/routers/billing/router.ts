import { router } from '../../init';
import { catalog } from './catalog';
import { checkout } from './checkout';
import { ledger } from './ledger';
import { portal } from './portal';

export const billingRouter = router({ catalog, checkout, portal, ledger });
