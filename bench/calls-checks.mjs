// What the call benchmark checks besides its figures: what the fakes saw that a correct relay
// never does, and when the worker's major garbage collections happened.

/**
 * Major collections seen by the heap polls. A scavenge leaves more heap behind each time (what it
 * promotes piles up); a major collection brings it back down to the live size. So a drop counts
 * as major when it leaves the heap at least 4 MB lower than the previous drop did.
 */
export function majorGcs(polls) {
  const gcs = [];
  let floor = polls[0]?.used ?? 0;
  for (let i = 1; i < polls.length; i++) {
    if (polls[i].used >= polls[i - 1].used) continue;
    if (polls[i].used <= floor - 4 * 2 ** 20) gcs.push({ from: polls[i - 1].at, to: polls[i].at, freed: polls[i - 1].used - polls[i].used });
    floor = polls[i].used;
  }
  return gcs;
}

/** A call should hold exactly one Realtime session; any other one never carries audio. */
export function sessionProblems(log, n, endedAt) {
  const silent = log.filter((s) => s.frames === 0);
  if (!silent.length) return [];
  const lingering = silent.filter((s) => s.closed === null || s.closed > endedAt);
  const after = lingering.filter((s) => s.closed !== null).map((s) => (s.closed - endedAt) / 1000);
  return [
    `${log.length} Realtime sessions were opened for ${n} calls: ${silent.length} never carried audio ` +
      `(${silent.filter((s) => s.configured).length} configured), ${lingering.length} of those stayed open until the call ended` +
      (after.length ? ` and closed ${Math.min(...after).toFixed(1)}–${Math.max(...after).toFixed(1)} s after it` : ""),
  ];
}

export function fakeProblems(cs, ms) {
  return [
    ...cs.callbackFailures,
    ...cs.streamErrors,
    ...cs.earlyCloses.map((e) => `stream closed by Parley before the callee hung up (${e})`),
    ...(cs.hangUpsByParley ? [`Parley hung up ${cs.hangUpsByParley} calls itself`] : []),
    ...(cs.crossTalk || ms.mixedCalls ? [`audio crossed between calls: ${cs.crossTalk} frames at the carrier, ${ms.mixedCalls} at the model`] : []),
    ...(cs.strayFrames || ms.strayFrames ? [`unrecognised audio: ${cs.strayFrames} frames at the carrier, ${ms.strayFrames} at the model`] : []),
    ...(cs.clears ? [`${cs.clears} clear messages`] : []),
    ...(Object.keys(ms.otherEvents).length ? [`the model also received ${JSON.stringify(ms.otherEvents)}`] : []),
  ];
}
