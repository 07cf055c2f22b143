/**
 * "Now" for handlers. In Lambda it is the wall clock. The local runtime points it at its own clock, so that
 * `npm start --now …` and a clock moved forward for a demo reach the handlers too: links expire, segments
 * lapse and delayed campaign emails fall due by the same clock the schedules fire by.
 */
let source: () => number = () => Date.now();

export function currentTime(): Date {
  return new Date(source());
}

/** For the local runtime only; pass undefined to go back to the wall clock. */
export function setClockSource(next: (() => number) | undefined): void {
  source = next ?? (() => Date.now());
}
