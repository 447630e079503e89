/** Deliveries: being built (issue 14). */
export function DeliveriesScreen() {
  return <h1>Deliveries</h1>;
}
