/** What every tab gets from the App shell. */
export interface TabProps {
  /** Open another tab by its id (e.g. "Train on it" on the Data tab opens the Train lab). */
  openTab(id: string): void;
}
