import { useState } from 'preact/hooks';
import { when } from '../deliveries/format';
import { levelLabels, reasonDetail, reasonLabels, stoppedLabels, type Click } from './reasons';

type Tb = NonNullable<Click['trafficback']>;
export type Names = (kind: 'offers' | 'affiliates', id: string) => string | undefined;

/** A party by name with its id under it, or the id alone when the name is not known. */
function Party({ id, name, missing }: { id: string; name?: string; missing?: string }) {
  return (
    <>
      {name ?? <span class="mono">{id}</span>}
      {name ? <div class="help mono">{id}</div> : missing && <div class="help">{missing}</div>}
    </>
  );
}

/** Where the click went: "offer X (click Y)", the URL, a blank page or a 404; and whether the chain was cut short. */
export function WentTo({ tb, names }: { tb: Tb; names: Names }) {
  const offer = tb.to_offer_id ? (names('offers', tb.to_offer_id) ?? tb.to_offer_id) : undefined;
  return (
    <>
      {tb.to === 'offer' && (
        <>
          offer {offer}{' '}
          <span class="help">
            (click <span class="mono">{tb.child_click_id ?? '—'}</span>)
          </span>
        </>
      )}
      {tb.to === 'url' && (
        <>
          URL <span class="mono tb-url">{tb.url}</span>
        </>
      )}
      {tb.to === 'blank' && 'blank page'}
      {tb.to === 'not_found' && '404 (not found)'}
      {tb.stopped && (
        <div>
          <span class="badge warn">stopped: {stoppedLabels[tb.stopped]}</span>
        </div>
      )}
    </>
  );
}

/** The click opened: every offer that turned it away, in order, and what the click carried. */
function Detail({ click, tb, names }: { click: Click; tb: Tb; names: Names }) {
  const subs = Object.entries(click.subs);
  return (
    <div class="tb-detail">
      <h3>Chain</h3>
      <ol class="tb-chain">
        {tb.chain.map((hop, i) => {
          const detail = reasonDetail(hop);
          return (
            <li key={i}>
              <strong>{names('offers', hop.offer_id) ?? hop.offer_id}</strong> <span class="mono help">{hop.offer_id}</span>:{' '}
              {reasonLabels[hop.reason]} <span class="mono help">{hop.reason}</span>
              {detail && <span class="help"> ({detail})</span>}; next chosen by {levelLabels[hop.level]} (level <code>{hop.level}</code>)
            </li>
          );
        })}
        <li>
          Went to <WentTo tb={tb} names={names} />
        </li>
      </ol>
      <dl class="facts">
        <div>
          <dt>Click</dt>
          <dd class="mono">{click.id}</dd>
        </div>
        <div>
          <dt>Sub ids</dt>
          <dd class="mono">{subs.length > 0 ? subs.map(([k, v]) => `${k}=${v}`).join(' · ') : 'none'}</dd>
        </div>
        <div>
          <dt>IP</dt>
          <dd class="mono">{click.ip ?? '—'}</dd>
        </div>
        {click.user_agent && (
          <div>
            <dt>User agent</dt>
            <dd class="mono">{click.user_agent}</dd>
          </div>
        )}
        {tb.to === 'offer' && tb.child_click_id && (
          <div>
            <dt>Went on as</dt>
            <dd>
              click <span class="mono">{tb.child_click_id}</span> on {names('offers', tb.to_offer_id ?? '') ?? tb.to_offer_id}, credited to
              the same affiliate: the fallback advertiser posts that id
            </dd>
          </div>
        )}
        {click.test && (
          <div>
            <dt>Test</dt>
            <dd>a test click</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

/** One trafficback click; its button opens the chain and the click's details in a row below. */
export function ClickRow({ click, names }: { click: Click; names: Names }) {
  const [open, setOpen] = useState(false);
  const tb = click.trafficback;
  if (!tb) return null;
  const detail = reasonDetail(tb);
  const detailId = `tb-${click.id}`;
  return (
    <>
      <tr>
        <td class="nowrap">{when(tb.at)}</td>
        <td>
          {reasonLabels[tb.reason]}
          <div class="help mono">
            {tb.reason}
            {detail ? ` · ${detail}` : ''}
          </div>
        </td>
        <td>
          <Party
            id={click.offer_id}
            name={names('offers', click.offer_id)}
            missing={tb.reason === 'offer_unknown' ? 'no such offer' : undefined}
          />
        </td>
        <td>
          <Party
            id={click.affiliate_id}
            name={names('affiliates', click.affiliate_id)}
            missing={tb.reason === 'affiliate_unknown' ? 'no such affiliate' : undefined}
          />
        </td>
        <td class="went">
          <WentTo tb={tb} names={names} />
        </td>
        <td>
          <button
            type="button"
            class="link"
            aria-expanded={open}
            aria-controls={detailId}
            aria-label={`${open ? 'Hide' : 'Show'} chain of click ${click.id}`}
            onClick={() => setOpen(!open)}
          >
            {open ? 'Hide chain' : 'Show chain'}
          </button>
        </td>
      </tr>
      {open && (
        <tr id={detailId} class="tb-open">
          <td colSpan={6}>
            <Detail click={click} tb={tb} names={names} />
          </td>
        </tr>
      )}
    </>
  );
}
