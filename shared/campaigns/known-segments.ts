import { BUILT_IN_SEGMENTS, scoreMapOf, type SegmentsConfig } from '#shared/segments/segment-config.ts';

/** Every segment id the segmenter produces with this config: built-ins, `rfm-<group>` and the marketer's own. */
export function knownSegmentIds(config: SegmentsConfig): Set<string> {
  return new Set([...BUILT_IN_SEGMENTS.map((s) => s.id), ...scoreMapOf(config).groups.map((g) => `rfm-${g.id}`), ...config.custom.map((s) => s.id)]);
}
