/** Injected wherever the current time matters, so tests can pin it. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function fixedClock(iso: string): Clock {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) throw new TypeError(`invalid date ${iso}`);
  return { now: () => new Date(at) };
}
