/** The dashboard's defaults, named, apart from its options' schema so that the `flowstore` command loads no schema library to print them. */
export const DEFAULT_UI_PORT = 4646;
export const DEFAULT_UI_HOST = '127.0.0.1';
export const DEFAULT_UI_SAMPLE_INTERVAL_MS = 1000;
export const DEFAULT_UI_HISTORY_MS = 10 * 60_000;
