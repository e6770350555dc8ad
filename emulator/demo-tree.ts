import type { ItemActivity } from "./item-activity";

/** Folder ids the demo tree gets in a fresh emulator (examples and docs name them). */
export const DEMO_FOLDERS = { invoices: "400000000001", invoices2026: "400000000002", reports: "400000000003" };

/**
 * All Files / Invoices / 2026 and All Files / Reports, with a file in each, for the command-line emulator
 * and the demo. Recorded as the events Box would have sent, so "start at the beginning" shows them.
 */
export function seedDemoTree(items: ItemActivity): void {
  const invoices = items.createFolder("Invoices").folder.id as string;
  const year = items.createFolder("2026", invoices).folder.id as string;
  const reports = items.createFolder("Reports").folder.id as string;
  if ([invoices, year, reports].join() !== Object.values(DEMO_FOLDERS).join()) {
    throw new Error("the demo tree must be the first thing in a fresh emulator");
  }
  items.uploadFile("january.pdf", year, "%PDF-1.7 demo invoice\n");
  items.uploadFile("quarterly.pdf", reports, "%PDF-1.7 demo report\n");
}
