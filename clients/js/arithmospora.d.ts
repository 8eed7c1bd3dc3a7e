// Types for arithmospora-client: the messages of an Arithmospora server (protocol 1, SPEC §5).

/** The connection's state. */
export type State = "connecting" | "open" | "reconnecting" | "closed";

/** `available`: each group that has stats, with its stat keys, e.g. {"proportion": ["total"]}. */
export type Available = Record<string, string[]>;

/** proportion: a count out of a total. */
export interface ProportionData {
  current: number;
  total: number;
  proportion: number;
  percentage: number;
}

/** rolling: a proportion over a moving time frame, with its busiest frame. */
export interface RollingData extends ProportionData {
  peak: number;
  peakProportion: number;
  peakPercentage: number;
}

/** single_value: the value, keyed by the node's own name, e.g. {"totalvotes": 2345}. */
export type SingleValueData = Record<string, number>;

/** generic: a hash of numbers, e.g. candidates' votes. */
export type GenericData = Record<string, number>;

/** timed: bucket number (epoch seconds / granularity) to count, in one period's data point. */
export type TimedData = Record<string, number>;

/** Any stat type's data, custom ones included. */
export type StatData =
  | ProportionData
  | RollingData
  | SingleValueData
  | GenericData
  | TimedData
  | Record<string, unknown>;

/** A stat, or one of its data points: a tree. */
export interface DataPoint<D = StatData> {
  name: string;
  data: D;
  dataPoints: Record<string, DataPoint<D>>;
}

/** `milestone`: met while the client was connected. */
export interface Milestone {
  name: string;
  dataPointNames: string[];
  field: string;
  target: number;
  comparator: ">" | ">=" | "=" | "==" | "<=" | "<";
  message: string;
  /** RFC 3339, UTC. */
  achievedWhen: string;
}

/** Protocol 2: the server's answer to the client's hello. */
export interface Hello {
  protocol: 2;
  features: string[];
}

/** Protocol 2: what the server could not act on. The connection stays open. */
export interface ServerError {
  code:
    | "malformed"
    | "unknown_event"
    | "invalid"
    | "unknown_stat"
    | "unsupported_protocol"
    | "too_large"
    | "rate_limited"
    | string;
  message: string;
  /** What it is about: a stat's name, an event. */
  subject?: string;
}

/** What each event carries. Stat events are `stats:<group>:<key>`. */
export interface Events {
  available: Available;
  milestone: Milestone;
  /** Protocol 2: the milestones met so far, oldest first, after `available`. */
  milestones: Milestone[];
  hello: Hello;
  error: ServerError;
  [stat: `stats:${string}`]: DataPoint;
}

export type Listener<P> = (payload: P, event: string) => void;

export interface ClientOptions {
  /** First reconnect delay, ms (default 500); doubles up to maxDelay, with jitter. */
  minDelay?: number;
  /** Longest reconnect delay, ms (default 15000). */
  maxDelay?: number;
  /** Reconnect after this much silence, ms (default 45000; 0 turns it off). */
  heartbeatTimeout?: number;
  /** A WebSocket constructor: the 'ws' package in Node before 22. */
  WebSocket?: unknown;
  /** Where "online" and "visibilitychange" are heard (default: window and document). */
  events?: EventTarget;
  /** 2 (the default): say hello and subscribe, where the server speaks it; 1: send nothing. */
  protocol?: 1 | 2;
  /** Protocol 2: the stats to receive, as `group:key` (default `["*"]`, every stat). */
  subscribe?: string[];
  /** Protocol 2: at most this many messages a second per stat. */
  maxRate?: number;
  /** Protocol 2: after a reconnect, say which versions it holds (default true). */
  resume?: boolean;
  /**
   * A private source's token, or a function giving one (or a promise of one), called before every
   * connection: offered as the subprotocols `arithmospora-token` and the token (not in the URL,
   * which proxies log). The server closes a connection whose token expired with 1008.
   */
  token?: string | (() => string | Promise<string>);
}

export class Client {
  constructor(url: string, options?: ClientOptions);
  readonly url: string;
  readonly state: State;
  /** When the next reconnect is due (ms since the epoch) while reconnecting, else null. */
  readonly nextAttemptAt: number | null;
  /** The latest `available` payload. */
  readonly available: Available | null;
  on<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void;
  on(event: "*", fn: Listener<unknown>): () => void;
  on(event: string, fn: Listener<unknown>): () => void;
  off(event: string, fn: Listener<never>): this;
  once<E extends keyof Events>(event: E, fn: Listener<Events[E]>): () => void;
  once(event: string, fn: Listener<unknown>): () => void;
  onState(fn: (state: State, client: Client) => void): () => void;
  latest<E extends keyof Events>(event: E): Events[E] | undefined;
  latest(event: string): unknown;
  /** Every stat event with its latest payload. */
  stats(): Record<string, DataPoint>;
  /** The protocol the server speaks with this client: 2 once it answered the hello, else 1. */
  readonly protocol: 1 | 2;
  /** The milestones met so far, oldest first (the server's list under protocol 2, and new ones). */
  milestones(): Milestone[];
  /** Protocol 2: the version of a stat's latest payload. */
  version(event: string): string | undefined;
  /** Reconnects now rather than at the end of the backoff. */
  reconnectNow(): void;
  /** Closes for good: no reconnect. */
  close(): void;
}

export function connect(url: string, options?: ClientOptions): Client;
