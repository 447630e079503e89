/** Conversions: being built (issue 14). */
export function ConversionsScreen() {
  return <h1>Conversions</h1>;
}
