// The balancing service on the event loop, on the model in use (ServeOptions.balancingWorkers 0).
// Its adapted-predictor cache lives as long as the model it was made from.
import { BalancingService } from '../balance/service.js';
import type { BalancingAccess } from '../rpc/services.js';
import type { ModelRegistry } from './models.js';

/** adapted predictors kept per model: a what-if slider on any of this many levels costs one forward pass */
export const PREDICTOR_CACHE = 256;

export class LocalBalancing implements BalancingAccess {
  private service: BalancingService | null = null;

  constructor(private readonly models: ModelRegistry) {
    models.onChange(() => {
      this.service?.dispose();
      this.service = null;
    });
  }

  private use(): BalancingService {
    const { model } = this.models.require();
    return (this.service ??= new BalancingService(model, {
      cacheSize: PREDICTOR_CACHE,
    }));
  }

  balance: BalancingAccess['balance'] = async (input, settings) => this.use().balance(input, settings);
  suggest: BalancingAccess['suggest'] = async (input, count, settings) => this.use().suggest(input, count, settings);
  predict: BalancingAccess['predict'] = async (input, params) => this.use().predict(input, params);
}
