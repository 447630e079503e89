import { lazy } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../../components/notice';
import type { Offer } from './offer-form-state';

/**
 * MMP integrations concern app offers only: their code (forms, templates, log) is a chunk of its
 * own, fetched with the first offer page or integration page rather than with Configuration.
 */
const load = () => import('./mmp');

export const MmpIntegrationPage = lazy(() => load().then((m) => m.MmpIntegrationPage));

type Section = Awaited<ReturnType<typeof load>>['MmpSection'];

/** The offer page's MMP section, shown once its chunk is here (the rest of the page does not wait for it). */
export function MmpSection(props: { offer: Offer; onOfferChange: (offer: Offer) => void }) {
  const [loaded, setLoaded] = useState<{ Section?: Section; failed?: boolean }>({});
  useEffect(() => {
    let current = true;
    load().then(
      (m) => current && setLoaded({ Section: m.MmpSection }),
      () => current && setLoaded({ failed: true }),
    );
    return () => {
      current = false;
    };
  }, []);
  if (loaded.failed)
    return <ErrorNotice>The app install tracking (MMP) section could not be loaded: reload the page to try again.</ErrorNotice>;
  return loaded.Section ? <loaded.Section {...props} /> : null;
}
