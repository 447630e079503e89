import { lazy } from 'preact-iso';
import type { ScreenRoute } from './route-table';

// An affiliate's screens are a chunk of their own: the network's console never downloads them, nor they its screens.
const screen = <K extends string>(load: () => Promise<Record<K, preact.ComponentType>>, name: K) => lazy(() => load().then((m) => m[name]));
const home = screen(() => import('../screens/affiliate/home'), 'AffiliateHome');
const offers = screen(() => import('../screens/affiliate/offers'), 'AffiliateOffers');
const conversions = screen(() => import('../screens/affiliate/conversions'), 'AffiliateConversions');
const conversion = screen(() => import('../screens/affiliate/conversion'), 'AffiliateConversion');
const postbacks = screen(() => import('../screens/affiliate/postbacks'), 'AffiliatePostbacks');
const postback = screen(() => import('../screens/affiliate/postbacks'), 'AffiliatePostback');
const deliveries = screen(() => import('../screens/affiliate/deliveries'), 'AffiliateDeliveries');

/** An affiliate's console: only its own offers, conversions, balance and postbacks (the API confines every call). */
export const affiliateRoutes: ScreenRoute[] = [
  { path: '/ui/', component: home, nav: 'Home' },
  { path: '/ui/offers', component: offers, nav: 'Offers' },
  { path: '/ui/conversions', component: conversions, nav: 'Conversions' },
  { path: '/ui/conversions/:id', component: conversion },
  { path: '/ui/postbacks', component: postbacks, nav: 'Postbacks' },
  { path: '/ui/postbacks/:id', component: postback },
  { path: '/ui/deliveries', component: deliveries, nav: 'Delivery log' },
];
