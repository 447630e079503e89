/** Conversion: being built (issue 14). */
export function ConversionScreen() {
  return <h1>Conversion</h1>;
}
