import type { ApiServerParts } from "./api-server";
import type { ControlParts } from "./control-api";
import type { EventFactory } from "./event-defaults";

/**
 * Everything the servers share, built once by startEmulator: the union of what each part declares it needs
 * (beside the part), so the parts never import the context.
 */
export interface EmulatorContext extends ApiServerParts, ControlParts {
  factory: EventFactory;
}
