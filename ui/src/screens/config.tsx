/** Configuration: being built (issue 14). */
export function ConfigurationScreen() {
  return <h1>Configuration</h1>;
}
