import type { z } from 'zod';
import { clickCreated } from './catalogue';
import type { NewEvent } from './envelope';
import { eventId } from './ids';

export interface ClickForEvents {
  _id: string;
  offer_id: string;
  affiliate_id: string;
  advertiser_id: string;
  subs: Record<string, string | undefined>;
  created_at: Date;
}

/** click.created for a stored click (opt-in: EVENTS_CLICK_CREATED); its id is the click's, so a retried write keeps one. */
export function clickEvent(click: ClickForEvents): NewEvent {
  const subs: Record<string, string> = {};
  for (const [key, value] of Object.entries(click.subs)) if (value !== undefined) subs[key] = value;
  const data: z.input<typeof clickCreated.schema> = {
    click_id: click._id,
    offer_id: click.offer_id,
    affiliate_id: click.affiliate_id,
    advertiser_id: click.advertiser_id,
    subs,
    created_at: click.created_at.toISOString(),
  };
  return {
    id: eventId(clickCreated.type, click._id),
    type: clickCreated.type,
    schema_version: clickCreated.version,
    occurred_at: click.created_at,
    data,
    subject: click._id,
    offer_id: click.offer_id,
    affiliate_id: click.affiliate_id,
    advertiser_id: click.advertiser_id,
  };
}
