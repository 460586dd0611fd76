import type { FramedLinkInit } from './framed-link.js';

/** The framed link's options a transport takes from its user as they are. */
export type LinkOptionName =
  | 'codecs'
  | 'heartbeat'
  | 'maxBytes'
  | 'maxQueued'
  | 'maxBuffered'
  | 'helloTimeout'
  | 'slowConsumerTimeout';

/**
 * The link options `names` that the user set in a transport's options, ready to spread into a
 * `FramedLinkInit`. An option left out stays absent rather than `undefined`
 * (`exactOptionalPropertyTypes`), so the framed link's own default applies.
 * @param options - the transport's options (other fields are ignored).
 * @param names - the link options this transport passes on.
 * @returns the set ones among `names`.
 * @example
 * new FramedLink({ role: 'acceptor', ...linkOptions(options, ['heartbeat', 'maxQueued']) });
 */
export function linkOptions<TName extends LinkOptionName>(
  options: { readonly [K in TName]?: FramedLinkInit[K] | undefined },
  names: readonly TName[],
): Pick<FramedLinkInit, TName> {
  const picked: Partial<Record<TName, unknown>> = {};
  for (const name of names) if (options[name] !== undefined) picked[name] = options[name];
  return picked as Pick<FramedLinkInit, TName>;
}
