import type { components } from '../../api/schema';

/**
 * A trafficback target (README "Trafficback") as a form holds it: one select for its type and both
 * possible values beside it, so switching the type back and forth keeps what was typed. Only the
 * value of the chosen type is sent. The type '' is "no target of its own" (an offer's target: the
 * global one applies), which the API spells as leaving `target` out.
 */
export type Target = components['schemas']['TrafficbackTarget'];
export type TargetType = Target['type'];

export interface TargetForm {
  type: '' | TargetType;
  offer_id: string;
  url: string;
}

export const noTarget = (): TargetForm => ({ type: '', offer_id: '', url: '' });

export function targetToForm(target: Target | undefined): TargetForm {
  if (!target) return noTarget();
  return {
    type: target.type,
    offer_id: target.type === 'offer' ? target.offer_id : '',
    url: target.type === 'url' ? target.url : '',
  };
}

/** The API's target, or undefined for "none". Values go as typed (trimmed by the API), so its error names the field. */
export function formToTarget(form: TargetForm): Target | undefined {
  switch (form.type) {
    case '':
      return undefined;
    case 'offer':
      return { type: 'offer', offer_id: form.offer_id };
    case 'url':
      return { type: 'url', url: form.url };
    default:
      return { type: form.type };
  }
}

export const targetTypeLabels: Record<TargetType, string> = {
  offer: 'Another offer',
  url: 'A URL',
  blank: 'A blank page',
  not_found: '404 (not found)',
};

/** One line on where a target sends the click; `offerName` puts a name to an offer id. */
export function describeTarget(target: Target, offerName: (id: string) => string = (id) => id): string {
  switch (target.type) {
    case 'offer':
      return `offer ${offerName(target.offer_id)}`;
    case 'url':
      return `URL ${target.url}`;
    case 'blank':
      return 'a blank page';
    case 'not_found':
      return 'a 404 (not found)';
  }
}

/** Macros a trafficback URL may carry (the API's list, README "Trafficback"). */
export const targetUrlMacros = '{click_id}, {offer_id}, {aff_id}, {sub1}…{sub5}, {reason}';
