import type { ItemActivity } from "./item-activity";

/** What the box api node's endpoints (changes, metadata, search, upload sessions) need of the emulator. */
export interface ActionParts {
  items: ItemActivity;
}
