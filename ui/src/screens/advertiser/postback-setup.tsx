import { api } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { useSession } from '../../session';
import { When } from '../config/parts';
import { useLoad } from '../config/use-load';
import { PostbackUrl } from './postback-url';
import { TestPostback } from './test-postback';
import { TokenRotation } from './token-rotation';

/** How the advertiser's server sends conversions: the URL, the token (rotation) and a test of its own. */
export function PostbackSetupScreen() {
  const { session } = useSession();
  const id = session.party_id!;
  const advertiser = useLoad(() => api.GET('/api/advertisers/{id}', { params: { path: { id } } }), [id]);
  const overlapEnds = advertiser.data?.rotation_overlap_ends_at;
  return (
    <section class="partner-view" aria-labelledby="setup-title">
      <h1 id="setup-title">Postback setup</h1>
      {advertiser.error && <ErrorNotice>Could not read your account: {advertiser.error}. Reload the page to try again.</ErrorNotice>}
      <PostbackUrl id="setup-postback-url" />
      {advertiser.data?.ip_allowlist && advertiser.data.ip_allowlist.length > 0 && (
        <p>
          Calls are accepted only from <span class="mono">{advertiser.data.ip_allowlist.join(', ')}</span>; ask the network to change the
          list.
        </p>
      )}
      <h2>Postback token</h2>
      {advertiser.data?.rotated_at && (
        <p>
          Last rotated <When at={advertiser.data.rotated_at} />.
          {overlapEnds && new Date(overlapEnds).getTime() > Date.now() && (
            <>
              {' '}
              The token before it is still accepted until <When at={overlapEnds} />.
            </>
          )}
        </p>
      )}
      <TokenRotation advertiserId={id} onRotated={advertiser.reload} />
      <h2>Test postback</h2>
      <TestPostback advertiserId={id} />
    </section>
  );
}
