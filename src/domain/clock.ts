/** Milliseconds since the epoch; injected so that tests can fix time. */
export type Clock = () => number;
