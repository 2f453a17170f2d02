// The windows of observed flows a change can be judged against: a preview's impact and a
// least-privilege draft from the graph. One list, so the API's validation, the server's words
// and the page's choices cannot drift apart.
export const FLOW_WINDOWS = {
  '1h': { hours: 1, label: 'the last hour' },
  '1d': { hours: 24, label: 'the last 24 hours' },
  '7d': { hours: 168, label: 'the last 7 days' },
} as const;
export type FlowWindow = keyof typeof FLOW_WINDOWS;
export type FlowWindowHours = (typeof FLOW_WINDOWS)[FlowWindow]['hours'];
export const FLOW_WINDOW_KEYS = Object.keys(FLOW_WINDOWS) as [FlowWindow, ...FlowWindow[]];
export const FLOW_WINDOW_HOURS = Object.values(FLOW_WINDOWS).map((w) => w.hours) as FlowWindowHours[];

/** "the last 24 hours" for 24; a window not in the list is named by its hours. */
export function flowWindowLabel(hours: number): string {
  return Object.values(FLOW_WINDOWS).find((w) => w.hours === hours)?.label ?? `the last ${hours} hours`;
}
