import { CopyField } from '../config/copy-field';
import { postbackUrlTemplate } from '../config/links';

/**
 * The call the advertiser's server makes for each conversion. The token is never stored in a form
 * that can be shown again (only its hash), so the template keeps `{token}` unless a rotation just
 * answered a new one.
 */
export function PostbackUrl({ id, token }: { id: string; token?: string }) {
  return (
    <CopyField
      id={id}
      label="Your postback URL"
      value={postbackUrlTemplate(window.location.origin, token)}
      help={
        (token
          ? 'This is the new token: put the whole URL into your system now. '
          : 'Replace {token} with your postback token. It was shown once, when your account was set up (or at its last rotation); ' +
            'we keep only a hash of it, so if it is lost, rotate it on the Postback setup screen. ') +
        'Your server calls this URL for each conversion, with {click_id} replaced by the click id we added to your landing page URL, ' +
        '{txid} by your order id and {amount} by the sale amount; status, goal and currency may be added.'
      }
    />
  );
}
